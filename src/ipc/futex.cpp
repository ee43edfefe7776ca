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

namespace {

// The futex syscall made in place on x86-64 rather than through libc's syscall(): a hop in a
// chain starts with an empty TLB, and libc's wrapper is one more page to walk to (see RT_HOT in
// rt/annotations.hpp). Returns the kernel's result: >= 0, or -errno.
RT_HOT long futex_call(std::atomic<uint32_t>& word, int op, uint32_t value, const timespec* timeout,
                       uint32_t bitset) noexcept {
    auto* address = reinterpret_cast<uint32_t*>(&word);
#if defined(__x86_64__)
    register const timespec* r10 asm("r10") = timeout;
    register uint32_t* r8 asm("r8") = nullptr;
    register long r9 asm("r9") = long(bitset);
    long result;
    asm volatile("syscall"
                 : "=a"(result)
                 : "0"(long(SYS_futex)), "D"(address), "S"(long(op)), "d"(long(value)), "r"(r10),
                   "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return result;
#else
    long result = syscall(SYS_futex, address, op, value, timeout, nullptr, bitset);
    return result == -1 ? -errno : result;
#endif
}

} // namespace

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
    long result = futex_call(word, FUTEX_WAIT_BITSET, expected, timeout, FUTEX_BITSET_MATCH_ANY);
    RT_ASSUME_SAFE_END
    return result != -ETIMEDOUT;
}

void futex_wake(std::atomic<uint32_t>& word, int count) noexcept {
    RT_ASSUME_SAFE_BEGIN
#if defined(BANTAM_RTSAN_BUILD) && !defined(__x86_64__)
    // The futex wake is the one syscall the real-time path is allowed; RealtimeSanitizer sees
    // libc's "syscall" only and would flag it.
    __rtsan_disable();
#endif
    futex_call(word, FUTEX_WAKE, uint32_t(count), nullptr, 0);
#if defined(BANTAM_RTSAN_BUILD) && !defined(__x86_64__)
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
