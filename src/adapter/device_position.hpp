#pragma once

// DevicePositionMailbox: the device thread tells the JACK thread where the device's hardware
// pointer was at a given moment, so the JACK side can measure the adapter's latency at any
// instant rather than only at the device's period boundaries.
//
// A position is expressed in FIFO frames (see DriftAdapter): for capture, the frames the device
// has captured so far (FIFO frames written plus the frames still in the hardware buffer); for
// playback, the frames it has played (FIFO frames read minus the frames still queued in the
// hardware). `epoch` counts device restarts (xrun recovery), after which the JACK side re-centres
// its buffer instead of steering towards a measurement that jumped; `count` counts positions
// within an epoch, so the JACK side can wait until the device runs steadily before centring.
//
// One writer (the device thread), one reader (the JACK thread), a sequence lock: the writer makes
// the sequence odd, stores the fields, makes it even again; the reader retries a few times while
// it sees an odd or changed sequence and otherwise keeps the last value it read. Neither side
// ever blocks. Every field is an atomic, so there is no data race even when the reader's copy is
// torn (it is then discarded).

#include <atomic>
#include <cstdint>

#include "rt/annotations.hpp"

namespace bantam::adapter {

struct DevicePosition {
    int64_t frames = 0;  // in FIFO frames, see above
    int64_t time_ns = 0; // CLOCK_MONOTONIC, the time base of jack_get_time()
    uint64_t epoch = 0;  // 0 until the device first publishes
    uint64_t count = 0;  // positions published in this epoch; 0: restarting, no position yet
};

class DevicePositionMailbox {
  public:
    // Thread: device.
    RT_NONBLOCKING void publish(const DevicePosition& position) noexcept {
        const uint64_t sequence = sequence_.load(std::memory_order_relaxed);
        sequence_.store(sequence + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        frames_.store(position.frames, std::memory_order_relaxed);
        time_ns_.store(position.time_ns, std::memory_order_relaxed);
        epoch_.store(position.epoch, std::memory_order_relaxed);
        count_.store(position.count, std::memory_order_relaxed);
        sequence_.store(sequence + 2, std::memory_order_release);
    }

    // Thread: JACK. Returns false (and leaves `out` alone) if no consistent value could be read
    // in a few attempts, which only happens while the writer is mid-publish.
    RT_NONBLOCKING bool read(DevicePosition& out) const noexcept {
        for (int attempt = 0; attempt < 4; ++attempt) {
            const uint64_t before = sequence_.load(std::memory_order_acquire);
            if (before & 1) continue;
            DevicePosition value{
                frames_.load(std::memory_order_relaxed), time_ns_.load(std::memory_order_relaxed),
                epoch_.load(std::memory_order_relaxed), count_.load(std::memory_order_relaxed)};
            std::atomic_thread_fence(std::memory_order_acquire);
            if (sequence_.load(std::memory_order_relaxed) != before) continue;
            out = value;
            return true;
        }
        return false;
    }

  private:
    std::atomic<uint64_t> sequence_{0};
    std::atomic<int64_t> frames_{0};
    std::atomic<int64_t> time_ns_{0};
    std::atomic<uint64_t> epoch_{0};
    std::atomic<uint64_t> count_{0};
};

} // namespace bantam::adapter
