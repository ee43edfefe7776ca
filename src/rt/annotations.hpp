#pragma once

// RT_NONBLOCKING marks a function that runs on a real-time thread: it must not allocate, lock,
// block or make any syscall other than the futex wake/wait. Clang 20+ checks this at compile
// time (-Wfunction-effects) and RealtimeSanitizer checks it at run time.
// The GNU spelling of [[clang::nonblocking]] is used because it may stand before the
// declaration, where the macro reads naturally; it is the same attribute.

// RT_HOT keeps a function of the cycle's path with the rest of it (the linker groups hot
// functions in .text.hot). In a chain of clients every process switch lands in another address
// space, and with more processes on a core than the kernel keeps address-space tags for, each
// switch starts with an empty TLB: every page of code or data a cycle touches costs a page
// walk (bench/pingpong.c's REGIONS measures it), so the cycle's code stays on few pages.
#define RT_HOT __attribute__((hot))

#if defined(__clang__) && __clang_major__ >= 20
#define RT_NONBLOCKING __attribute__((nonblocking)) RT_HOT
#else
#define RT_NONBLOCKING RT_HOT
#endif

// A call from RT code into something the checker cannot see through but that we know is
// real-time safe (the futex syscall, atomics in headers compiled without effects).
#if defined(__clang__) && __clang_major__ >= 20
#define RT_ASSUME_SAFE_BEGIN                                                                       \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wfunction-effects\"")
#define RT_ASSUME_SAFE_END _Pragma("clang diagnostic pop")
#else
#define RT_ASSUME_SAFE_BEGIN
#define RT_ASSUME_SAFE_END
#endif
