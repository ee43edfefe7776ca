#pragma once

// The interface between the engine's cycle loop and an audio backend. A driver owns the
// clock: wait_for_cycle() returns when the next period is due.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ipc/limits.hpp"
#include "rt/annotations.hpp"

namespace bantam::drivers {

inline constexpr uint32_t kMaxFramesForDriver = kMaxBufferFrames;

struct CycleTiming {
    uint64_t start_usecs = 0;   // when this period began (the deadline that passed)
    uint64_t delayed_usecs = 0; // how late the wakeup was; beyond a period is an xrun
    bool xrun = false;          // the backend lost data (late wakeup, device xrun)
};

class Driver {
  public:
    virtual ~Driver() = default;

    virtual const char* name() const noexcept = 0;
    virtual uint32_t sample_rate() const noexcept = 0;
    virtual uint32_t buffer_size() const noexcept = 0;
    virtual uint32_t periods() const noexcept = 0;
    virtual uint32_t capture_channels() const noexcept = 0;
    virtual uint32_t playback_channels() const noexcept = 0;
    virtual uint32_t capture_latency() const noexcept { return buffer_size(); }
    virtual uint32_t playback_latency() const noexcept {
        return (periods() > 1 ? periods() - 1 : 1) * buffer_size();
    }

    // Thread: control, while stopped. The playback latency the server reports for this driver
    // (its own plus any the engine adds), for drivers that can simulate it.
    virtual void set_reported_playback_latency(uint32_t frames) { (void)frames; }

    // Thread: control. Prepares the device and starts its clock.
    virtual void start() = 0;
    virtual void stop() noexcept = 0;
    // Thread: control, while stopped. Returns false if the size is not supported.
    virtual bool set_buffer_size(uint32_t frames) = 0;

    // Thread: RT. Blocks until the next period is due (the driver's one wait).
    virtual CycleTiming wait_for_cycle() noexcept = 0;
    RT_NONBLOCKING virtual void read_capture(std::span<float* const> channels,
                                             uint32_t frames) noexcept = 0;
    RT_NONBLOCKING virtual void write_playback(std::span<const float* const> channels,
                                               uint32_t frames) noexcept = 0;
};

// Parses driver options (everything after -d NAME on the command line). Throws
// std::invalid_argument with a one-line message on bad options.
std::unique_ptr<Driver> create_driver(const std::string& name,
                                      const std::vector<std::string>& args);
std::string driver_usage(const std::string& name);

} // namespace bantam::drivers
