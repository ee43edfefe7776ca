/* The one assertion the test clients share: a failed check names its line and exits 1, so a
 * test sees which check failed on which server. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #cond);                     \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* CLOCK_MONOTONIC in milliseconds, for timing a call that must return. */
static inline long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
