#pragma once

// DeviceThread: the thread that runs an ALSA device on its own clock and feeds one
// DriftAdapter (capture: device -> FIFO; playback: FIFO -> device).
//
// Each period it waits for the device (snd_pcm_wait, with a timeout so stop() is noticed even if
// the device stalls), transfers one period, and publishes where the hardware pointer is at that
// moment (only then: see publish_position). An xrun (-EPIPE) or a suspend (-ESTRPIPE) is recovered
// (prepare and restart, or resume) and counted, and the adapter is told the device restarted, so
// the JACK side re-centres rather than steering towards a position that jumped. If recovery fails
// (the device is gone) the thread ends and failed() says so; the JACK side then plays silence.
//
// A device with no clock of its own (ALSA's null or file plugins) would let this thread spin;
// it is held back to the device's nominal rate, which a real device never exceeds by more than
// its buffer.
//
// The thread asks for SCHED_FIFO at the priority given (as JACK's own threads do) and runs with
// normal scheduling where that is not permitted. It allocates nothing once started.

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "adapter/alsa_pcm.hpp"
#include "adapter/drift_adapter.hpp"

namespace bantam::adapter {

class DeviceThread {
  public:
    // rt_priority <= 0: normal scheduling.
    DeviceThread(AlsaPcm& pcm, DriftAdapter& adapter, int rt_priority);
    ~DeviceThread();
    DeviceThread(const DeviceThread&) = delete;
    DeviceThread& operator=(const DeviceThread&) = delete;

    // Thread: control. Starts the device and the thread; throws std::runtime_error if the
    // device does not start.
    void start();
    // Thread: control. Stops the thread (within one wait timeout) and the device.
    void stop() noexcept;

    // Thread: any.
    uint64_t xruns() const noexcept { return xruns_.load(std::memory_order_relaxed); }
    uint64_t suspends() const noexcept { return suspends_.load(std::memory_order_relaxed); }
    bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
    bool realtime() const noexcept { return realtime_.load(std::memory_order_relaxed); }

  private:
    void run() noexcept;
    void run_capture() noexcept;
    void run_playback() noexcept;
    bool recover(int error) noexcept; // false: give up
    void publish_position() noexcept;
    void restart_pacing() noexcept;
    void pace(unsigned frames) noexcept;

    AlsaPcm& pcm_;
    DriftAdapter& adapter_;
    const int rt_priority_;
    const int wait_timeout_ms_;
    std::vector<float> buffer_; // one period, interleaved
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> failed_{false};
    std::atomic<bool> realtime_{false};
    std::atomic<uint64_t> xruns_{0}, suspends_{0};
    int64_t pacing_start_ns_ = 0;
    uint64_t pacing_frames_ = 0;
};

} // namespace bantam::adapter
