#pragma once

// What the driver thread has to say (an xrun recovered, a suspend, a stalled device) leaves the
// real-time path as a fixed-size record in a lock-free queue; a thread of its own turns the
// records into log lines. The driver thread never formats, writes or waits for the log.

#include <atomic>
#include <cstdint>
#include <thread>

#include "ipc/futex.hpp"
#include "rt/annotations.hpp"
#include "rt/spsc_queue.hpp"

namespace bantam::drivers::alsa {

enum class DeviceEvent : uint8_t {
    xrun_recovered,    // -EPIPE: prepared and restarted
    suspend_resumed,   // -ESTRPIPE: snd_pcm_resume() brought it back
    suspend_restarted, // -ESTRPIPE: it could not resume, so it was prepared and restarted
    stalled,           // no period within the poll timeout: restarted
    restart_failed,    // the device could not be restarted; retried every period
    follower_short,    // split devices: the unlinked capture device had no full period
};

struct DeviceReport {
    DeviceEvent event;
    bool playback; // which direction; ignored for events about both
    int error;     // negative errno from libasound, or 0
};

class DeferredReports {
  public:
    DeferredReports();
    ~DeferredReports();
    DeferredReports(const DeferredReports&) = delete;
    DeferredReports& operator=(const DeferredReports&) = delete;

    // Thread: driver (RT). Never blocks; a report that does not fit is counted, not lost
    // silently.
    RT_NONBLOCKING void post(DeviceReport report) noexcept;

  private:
    void run() noexcept;
    void log(const DeviceReport& report) noexcept;

    rt::SpscQueue<DeviceReport> queue_{256};
    std::atomic<uint64_t> overflowed_{0};
    std::atomic<bool> stopping_{false};
    ipc::Wakeup wakeup_;
    std::thread thread_;
};

} // namespace bantam::drivers::alsa
