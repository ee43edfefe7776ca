#pragma once

#include <cstdint>
#include <ctime>

#include "rt/annotations.hpp"

namespace bantam {

// Microseconds on CLOCK_MONOTONIC: the time base of jack_get_time() and every timestamp in
// shared memory. Thread: any, lock-free (vDSO, no syscall).
RT_NONBLOCKING inline uint64_t monotonic_usecs() noexcept {
    timespec ts{};
    RT_ASSUME_SAFE_BEGIN
    clock_gettime(CLOCK_MONOTONIC, &ts);
    RT_ASSUME_SAFE_END
    return uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
}

RT_NONBLOCKING inline uint64_t monotonic_nanos() noexcept {
    timespec ts{};
    RT_ASSUME_SAFE_BEGIN
    clock_gettime(CLOCK_MONOTONIC, &ts);
    RT_ASSUME_SAFE_END
    return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

} // namespace bantam
