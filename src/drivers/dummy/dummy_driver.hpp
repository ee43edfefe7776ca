#pragma once

// The dummy driver: no hardware, paced by CLOCK_MONOTONIC on absolute deadlines computed from
// the frame count, so periods never drift. Capture ports read a WAV file (or silence) and
// playback can be written to one, which is how the tests hear the graph.

#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/dummy/wav_files.hpp"

namespace bantam::drivers {

struct DummyOptions {
    uint32_t sample_rate = 48000;
    uint32_t buffer_size = 1024;
    uint32_t periods = 2;
    uint32_t capture_channels = 2;
    uint32_t playback_channels = 2;
    std::string capture_file;
    std::string playback_file;
    bool loopback = false; // capture ports hear the playback ports, after the reported latency
};

DummyOptions parse_dummy_options(const std::vector<std::string>& args); // throws
std::string dummy_usage();

class DummyDriver final : public Driver {
  public:
    explicit DummyDriver(DummyOptions options);
    ~DummyDriver() override;

    const char* name() const noexcept override { return "dummy"; }
    uint32_t sample_rate() const noexcept override { return options_.sample_rate; }
    uint32_t buffer_size() const noexcept override { return options_.buffer_size; }
    uint32_t periods() const noexcept override { return options_.periods; }
    uint32_t capture_channels() const noexcept override { return options_.capture_channels; }
    uint32_t playback_channels() const noexcept override { return options_.playback_channels; }

    void start() override;
    void stop() noexcept override;
    bool set_buffer_size(uint32_t frames) override;
    void set_reported_playback_latency(uint32_t frames) override;

    CycleTiming wait_for_cycle() noexcept override;
    RT_NONBLOCKING void read_capture(std::span<float* const> channels,
                                     uint32_t frames) noexcept override;
    RT_NONBLOCKING void write_playback(std::span<const float* const> channels,
                                       uint32_t frames) noexcept override;

  private:
    DummyOptions options_;
    std::unique_ptr<WavSource> source_;
    std::unique_ptr<WavSink> sink_;
    uint64_t origin_nanos_ = 0; // deadline of frame 0 since the last (re)start
    uint64_t frames_since_origin_ = 0;
    // Loopback: one FIFO per channel, primed with silence so that a signal played comes back
    // exactly capture latency + reported playback latency later.
    struct {
        std::vector<std::vector<float>> fifo;
        size_t read = 0, write = 0, size = 0;
    } loop_;
};

} // namespace bantam::drivers
