/* The machine's own wake-up noise, with no audio server at all: a SCHED_FIFO thread sleeps to
 * absolute deadlines one period apart (as a dummy driver does) and records how late it wakes.
 *   timer_probe PERIOD_FRAMES RATE SECONDS [PRIORITY]
 * A wake-up later than a whole period is an xrun no server could have avoided. Prints
 * "late_usecs p50 P p99 P p999 P max M over_period K of N". */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void* a, const void* b) {
    int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: timer_probe PERIOD_FRAMES RATE SECONDS [PRIORITY]\n");
        return 2;
    }
    int64_t period_ns = atoll(argv[1]) * 1000000000LL / atoll(argv[2]);
    long n = (long)(atof(argv[3]) * 1e9 / (double)period_ns);
    struct sched_param param = {.sched_priority = argc > 4 ? atoi(argv[4]) : 70};
    if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) perror("sched_setscheduler");
    int64_t* late = calloc((size_t)n, sizeof *late);
    if (!late || n <= 0) return 1;
    struct timespec deadline, now;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    for (long i = 0; i < n; ++i) {
        deadline.tv_nsec += period_ns;
        while (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_nsec -= 1000000000L;
            deadline.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        late[i] = (now.tv_sec - deadline.tv_sec) * 1000000000LL + (now.tv_nsec - deadline.tv_nsec);
    }
    long over = 0;
    for (long i = 0; i < n; ++i)
        over += late[i] > period_ns;
    qsort(late, (size_t)n, sizeof *late, compare);
    printf("late_usecs p50 %lld p99 %lld p999 %lld max %lld over_period %ld of %ld\n",
           (long long)late[n / 2] / 1000, (long long)late[n * 99 / 100] / 1000,
           (long long)late[n * 999 / 1000] / 1000, (long long)late[n - 1] / 1000, over, n);
    return 0;
}
