#pragma once

// RT_NONBLOCKING marks a function that runs on a real-time thread: it must not allocate, lock,
// block or make any syscall other than the futex wake/wait. Clang 20+ checks this at compile
// time (-Wfunction-effects) and RealtimeSanitizer checks it at run time.
// The GNU spelling of [[clang::nonblocking]] is used because it may stand before the
// declaration, where the macro reads naturally; it is the same attribute.
#if defined(__clang__) && __clang_major__ >= 20
#define RT_NONBLOCKING __attribute__((nonblocking))
#else
#define RT_NONBLOCKING
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
