#pragma once

#include <atomic>
#include <cstdint>

#include "rt/annotations.hpp"

namespace bantam::ipc {

// Process-shared futex operations on a word in shared memory. The only syscalls the real-time
// path is allowed to make. Waiting blocks by design, so the waits are deliberately not marked
// RT_NONBLOCKING: real-time code calls them only at its one waiting point, between cycles.

// Returns false on timeout. timeout_usecs == 0 waits forever.
RT_HOT bool futex_wait(std::atomic<uint32_t>& word, uint32_t expected,
                       uint64_t timeout_usecs) noexcept;
RT_NONBLOCKING void futex_wake(std::atomic<uint32_t>& word, int count) noexcept;

// A binary semaphore: signals do not pile up, and a signal before the wait is not lost.
struct alignas(64) Wakeup {
    std::atomic<uint32_t> signaled{0};

    RT_NONBLOCKING void signal() noexcept {
        if (signaled.exchange(1, std::memory_order_release) == 0) futex_wake(signaled, 1);
    }
    // Returns false on timeout (timeout_usecs == 0: forever).
    RT_HOT bool wait(uint64_t timeout_usecs) noexcept;
    RT_NONBLOCKING bool try_consume() noexcept {
        return signaled.exchange(0, std::memory_order_acquire) == 1;
    }
};

} // namespace bantam::ipc
