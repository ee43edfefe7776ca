#pragma once

// ThreadSanitizer annotations; every other build compiles them to nothing.
//
// Why they exist: a client still running an older cycle when the next one starts is skipped,
// so that the rest of the graph keeps its deadline (JACK2 stalls the whole graph instead). The
// late client keeps reading its inputs while their producers write the next cycle into them:
// it reads a torn input in a cycle that is lost anyway. That race is the design. ThreadSanitizer
// sees it only when both sides share a process (the driver, internal clients), and the
// producers' accesses in exactly those cycles are hidden from it; every other cycle is checked.
//
// The other way round, ThreadSanitizer misses synchronization made in another process: two
// clients of one program are ordered by the driver in bantamd (one's cycle before the other's
// next) and by clients of other programs between them. tsan_acquire() stands in for those
// hops (client::Client::tsan_acquire_unseen_hops).

#include "rt/annotations.hpp"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BANTAM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(BANTAM_TSAN)
#define BANTAM_TSAN 1
#endif

#ifdef BANTAM_TSAN
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
extern "C" void __tsan_acquire(void* address);
#endif

namespace bantam::rt {

inline constexpr bool kThreadSanitizer =
#ifdef BANTAM_TSAN
    true;
#else
    false;
#endif

// Hides this thread's memory accesses from ThreadSanitizer until tsan_show_accesses().
RT_NONBLOCKING inline void tsan_hide_accesses() noexcept {
#ifdef BANTAM_TSAN
    RT_ASSUME_SAFE_BEGIN
    __tsan_ignore_thread_begin();
    RT_ASSUME_SAFE_END
#endif
}

RT_NONBLOCKING inline void tsan_show_accesses() noexcept {
#ifdef BANTAM_TSAN
    RT_ASSUME_SAFE_BEGIN
    __tsan_ignore_thread_end();
    RT_ASSUME_SAFE_END
#endif
}

// This thread now happens after whatever this process's threads released at `address` (an
// atomic's release store, say): for a release whose acquire ThreadSanitizer cannot see, because
// it was made in another process.
RT_NONBLOCKING inline void tsan_acquire(const void* address) noexcept {
#ifdef BANTAM_TSAN
    RT_ASSUME_SAFE_BEGIN
    __tsan_acquire(const_cast<void*>(address));
    RT_ASSUME_SAFE_END
#else
    (void)address;
#endif
}

} // namespace bantam::rt
