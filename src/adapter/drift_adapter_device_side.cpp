// DriftAdapter's device side (device_* members, on the device thread) and its reporting
// (status(), take_loop_sample(), on any one other thread). The JACK side is drift_adapter.cpp.
#include "adapter/drift_adapter.hpp"

#include <algorithm>

namespace bantam::adapter {

size_t DriftAdapter::device_write(const float* interleaved, size_t frames) noexcept {
    const size_t written = fifo_.write(interleaved, frames);
    // Before the JACK side first centres, a full FIFO is expected (it drops the excess then).
    if (written < frames && streaming_.load(std::memory_order_relaxed))
        overflows_.fetch_add(1, std::memory_order_relaxed);
    return written;
}

void DriftAdapter::device_read(float* interleaved, size_t frames) noexcept {
    const size_t channels = config_.channels;
    const size_t got = fifo_.read(interleaved, frames);
    if (got == frames) return;
    std::fill(interleaved + got * channels, interleaved + frames * channels, 0.0f);
    // Before the JACK side first fills the FIFO, silence is expected, not an underrun.
    if (streaming_.load(std::memory_order_relaxed))
        underruns_.fetch_add(1, std::memory_order_relaxed);
}

void DriftAdapter::device_publish(int64_t hardware_frames, int64_t time_ns) noexcept {
    const int64_t position = config_.direction == Direction::capture
                                 ? int64_t(fifo_.written_total()) + hardware_frames
                                 : int64_t(fifo_.read_total()) - hardware_frames;
    mailbox_.publish({position, time_ns, device_epoch_, ++device_positions_});
}

// Published at once, with no position, so the JACK side stops using the old one now rather than
// when the restarted device first transfers (a period later, the FIFO long run dry).
void DriftAdapter::device_restarted() noexcept {
    ++device_epoch_;
    device_positions_ = 0;
    mailbox_.publish({0, 0, device_epoch_, 0});
}

AdapterStatus DriftAdapter::status() const noexcept {
    AdapterStatus status;
    status.last = {last_time_ns_.load(std::memory_order_relaxed),
                   fill_error_.load(std::memory_order_relaxed),
                   smoothed_error_.load(std::memory_order_relaxed),
                   ratio_.load(std::memory_order_relaxed),
                   correction_.load(std::memory_order_relaxed),
                   fifo_frames_.load(std::memory_order_relaxed)};
    status.cycles = cycles_.load(std::memory_order_relaxed);
    status.resyncs = resyncs_.load(std::memory_order_relaxed);
    status.underruns = underruns_.load(std::memory_order_relaxed);
    status.overflows = overflows_.load(std::memory_order_relaxed);
    status.missed_cycles = missed_cycles_.load(std::memory_order_relaxed);
    status.target = target_.load(std::memory_order_relaxed);
    status.nominal_ratio = nominal_ratio_;
    return status;
}

bool DriftAdapter::take_loop_sample(LoopSample& sample) noexcept {
    return instrumentation_ && instrumentation_->try_pop(sample);
}

} // namespace bantam::adapter
