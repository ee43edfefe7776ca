#include "ipc/futex.hpp"

#include <cerrno>
#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/clock.hpp"

#if defined(__has_feature)
#if __has_feature(realtime_sanitizer)
#include <sanitizer/rtsan_interface.h>
#define BANTAM_RTSAN_BUILD 1
#endif
#endif

namespace bantam::ipc {

bool futex_wait(std::atomic<uint32_t>& word, uint32_t expected, uint64_t timeout_usecs) noexcept {
    RT_ASSUME_SAFE_BEGIN
    timespec ts{};
    timespec* timeout = nullptr;
    if (timeout_usecs != 0) {
        // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so retries after
        // spurious wakeups do not stretch the total wait.
        uint64_t deadline = monotonic_nanos() + timeout_usecs * 1000u;
        ts.tv_sec = time_t(deadline / 1000000000u);
        ts.tv_nsec = long(deadline % 1000000000u);
        timeout = &ts;
    }
    long rc = syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_BITSET, expected,
                      timeout, nullptr, FUTEX_BITSET_MATCH_ANY);
    RT_ASSUME_SAFE_END
    return !(rc == -1 && errno == ETIMEDOUT);
}

void futex_wake(std::atomic<uint32_t>& word, int count) noexcept {
    RT_ASSUME_SAFE_BEGIN
#ifdef BANTAM_RTSAN_BUILD
    // The futex wake is the one syscall the real-time path is allowed; RealtimeSanitizer sees
    // only "syscall" and would flag it.
    __rtsan_disable();
#endif
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE, count, nullptr, nullptr, 0);
#ifdef BANTAM_RTSAN_BUILD
    __rtsan_enable();
#endif
    RT_ASSUME_SAFE_END
}

bool Wakeup::wait(uint64_t timeout_usecs) noexcept {
    uint64_t deadline = timeout_usecs ? monotonic_usecs() + timeout_usecs : 0;
    for (;;) {
        if (try_consume()) return true;
        uint64_t remaining = 0;
        if (deadline) {
            uint64_t now = monotonic_usecs();
            if (now >= deadline) return false;
            remaining = deadline - now;
        }
        futex_wait(signaled, 0, remaining);
    }
}

} // namespace bantam::ipc
