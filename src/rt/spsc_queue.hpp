#pragma once

// A fixed-capacity single-producer single-consumer queue of trivially copyable values.
// try_push and try_pop never allocate, lock or block; capacity is fixed at construction,
// which is the only place that allocates.

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "rt/annotations.hpp"

namespace bantam::rt {

template <typename T> class SpscQueue {
    static_assert(std::is_trivially_copyable_v<T>);

  public:
    explicit SpscQueue(size_t capacity)
        : capacity_(capacity + 1), slots_(std::make_unique<T[]>(capacity + 1)) {}

    // Thread: producer. Returns false when full.
    RT_NONBLOCKING bool try_push(const T& value) noexcept {
        size_t tail = tail_.load(std::memory_order_relaxed);
        size_t next = tail + 1 == capacity_ ? 0 : tail + 1;
        if (next == head_.load(std::memory_order_acquire)) return false;
        slots_[tail] = value;
        tail_.store(next, std::memory_order_release);
        return true;
    }

    // Thread: producer. How many values try_push would accept now (at least; the consumer may
    // free more meanwhile).
    RT_NONBLOCKING size_t free_slots() const noexcept {
        size_t tail = tail_.load(std::memory_order_relaxed);
        size_t head = head_.load(std::memory_order_acquire);
        size_t used = tail >= head ? tail - head : capacity_ - head + tail;
        return capacity_ - 1 - used;
    }

    // Thread: producer. Pushes up to count values, returns how many fit.
    RT_NONBLOCKING size_t push_some(const T* values, size_t count) noexcept {
        size_t pushed = 0;
        while (pushed < count && try_push(values[pushed]))
            ++pushed;
        return pushed;
    }

    // Thread: consumer. Returns false when empty.
    RT_NONBLOCKING bool try_pop(T& value) noexcept {
        size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire)) return false;
        value = slots_[head];
        head_.store(head + 1 == capacity_ ? 0 : head + 1, std::memory_order_release);
        return true;
    }

  private:
    const size_t capacity_;
    std::unique_ptr<T[]> slots_;
    alignas(64) std::atomic<size_t> head_{0};
    alignas(64) std::atomic<size_t> tail_{0};
};

} // namespace bantam::rt
