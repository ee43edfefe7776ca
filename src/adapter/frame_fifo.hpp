#pragma once

// FrameFifo: interleaved float frames between exactly one producer thread and one consumer
// thread (the JACK process thread and the device thread, in one order or the other).
//
// Index ownership: the producer alone advances `written_`, the consumer alone advances `read_`.
// Both are 64-bit frame counts that never wrap in practice (2^63 frames is millions of years),
// so full and empty are told apart without a spare slot, and the totals double as positions:
// the adapter measures its latency against them. Each side publishes its count with a release
// store after touching the samples and reads the other side's with an acquire load before
// touching them.
//
// Only the constructor allocates; every other member is wait-free and never blocks.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "rt/annotations.hpp"

namespace bantam::adapter {

class FrameFifo {
  public:
    FrameFifo(size_t channels, size_t capacity_frames)
        : channels_(channels), capacity_(capacity_frames),
          samples_(std::make_unique<float[]>(channels * capacity_frames)) {
        if (channels == 0 || capacity_frames == 0)
            throw std::invalid_argument("FIFO needs at least one channel and one frame");
    }

    size_t channels() const noexcept { return channels_; }
    size_t capacity() const noexcept { return capacity_; }

    // Thread: producer. Frames write() would accept now (at least).
    RT_NONBLOCKING size_t write_space() const noexcept {
        return capacity_ - size_t(written_.load(std::memory_order_relaxed) -
                                  read_.load(std::memory_order_acquire));
    }

    // Thread: producer. Appends up to `frames` frames; returns how many fit.
    RT_NONBLOCKING size_t write(const float* interleaved, size_t frames) noexcept {
        return write_frames(interleaved, frames);
    }

    // Thread: producer. Appends up to `frames` frames of silence; returns how many fit.
    RT_NONBLOCKING size_t write_silence(size_t frames) noexcept {
        return write_frames(nullptr, frames);
    }

    // Thread: producer. Frames written since construction.
    RT_NONBLOCKING uint64_t written_total() const noexcept {
        return written_.load(std::memory_order_relaxed);
    }

    // Thread: consumer. Frames read() would return now (at least).
    RT_NONBLOCKING size_t read_space() const noexcept {
        return size_t(written_.load(std::memory_order_acquire) -
                      read_.load(std::memory_order_relaxed));
    }

    // Thread: consumer. Copies up to `frames` frames without consuming them.
    RT_NONBLOCKING size_t peek(float* interleaved, size_t frames) const noexcept {
        const size_t count = std::min(frames, read_space());
        const uint64_t start = read_.load(std::memory_order_relaxed);
        copy_region(start, count, [&](size_t offset, size_t index, size_t length) {
            std::memcpy(interleaved + offset * channels_, &samples_[index * channels_],
                        length * channels_ * sizeof(float));
        });
        return count;
    }

    // Thread: consumer. Drops up to `frames` frames; returns how many were dropped.
    RT_NONBLOCKING size_t discard(size_t frames) noexcept {
        const size_t count = std::min(frames, read_space());
        read_.store(read_.load(std::memory_order_relaxed) + count, std::memory_order_release);
        return count;
    }

    // Thread: consumer. Moves up to `frames` frames out; returns how many.
    RT_NONBLOCKING size_t read(float* interleaved, size_t frames) noexcept {
        return discard(peek(interleaved, frames));
    }

    // Thread: consumer. Frames read or discarded since construction.
    RT_NONBLOCKING uint64_t read_total() const noexcept {
        return read_.load(std::memory_order_relaxed);
    }

  private:
    // Calls visit(offset_in_request, ring_index, length) for the one or two stretches that
    // `count` frames starting at absolute position `start` occupy in the ring.
    template <typename Visit>
    RT_NONBLOCKING void copy_region(uint64_t start, size_t count, Visit&& visit) const noexcept {
        const size_t index = size_t(start % capacity_);
        const size_t first = std::min(count, capacity_ - index);
        if (first > 0) visit(0, index, first);
        if (count > first) visit(first, 0, count - first);
    }

    RT_NONBLOCKING size_t write_frames(const float* interleaved, size_t frames) noexcept {
        const size_t count = std::min(frames, write_space());
        const uint64_t start = written_.load(std::memory_order_relaxed);
        float* samples = samples_.get();
        copy_region(start, count, [&](size_t offset, size_t index, size_t length) {
            float* dest = samples + index * channels_;
            if (interleaved)
                std::memcpy(dest, interleaved + offset * channels_,
                            length * channels_ * sizeof(float));
            else
                std::fill_n(dest, length * channels_, 0.0f);
        });
        written_.store(start + count, std::memory_order_release);
        return count;
    }

    const size_t channels_;
    const size_t capacity_;
    std::unique_ptr<float[]> samples_;
    alignas(64) std::atomic<uint64_t> written_{0};
    alignas(64) std::atomic<uint64_t> read_{0};
};

} // namespace bantam::adapter
