/* The one assertion the test clients share: a failed check names its line and exits 1, so a
 * test sees which check failed on which server. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #cond);                     \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)
