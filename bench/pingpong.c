/* The machine's floor for one hop between processes: two processes hand a token back and forth
 * through a shared futex, each waking the other and then sleeping, exactly what a chain of JACK
 * clients does once per client per cycle.
 *   pingpong same|cross [ROUND_TRIPS] [PRIORITY]
 * "same" pins both processes to CPU 0, "cross" puts them on CPUs 0 and 1. PRIORITY > 0 runs
 * both SCHED_FIFO, as audio threads run. Prints the wall time of one hop (half a round trip)
 * and the CPU time both processes spent per hop, in nanoseconds. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    _Atomic uint32_t turn; /* 0: parent's turn, 1: child's turn */
    _Atomic uint32_t ready;
};

static void pin(int cpu, int priority) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
    if (priority > 0) {
        struct sched_param param = {.sched_priority = priority};
        if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) perror("sched_setscheduler");
    }
}

static void wait_turn(_Atomic uint32_t* word, uint32_t mine) {
    uint32_t seen;
    while ((seen = atomic_load(word)) != mine)
        syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0);
}

static void give_turn(_Atomic uint32_t* word, uint32_t theirs) {
    atomic_store(word, theirs);
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static double seconds_now(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_seconds(const struct rusage* usage) {
    return usage->ru_utime.tv_sec + usage->ru_utime.tv_usec * 1e-6 + usage->ru_stime.tv_sec +
           usage->ru_stime.tv_usec * 1e-6;
}

int main(int argc, char** argv) {
    if (argc < 2 || (strcmp(argv[1], "same") && strcmp(argv[1], "cross"))) {
        fprintf(stderr, "usage: pingpong same|cross [ROUND_TRIPS] [PRIORITY]\n");
        return 2;
    }
    int cross = strcmp(argv[1], "cross") == 0;
    long trips = argc > 2 ? atol(argv[2]) : 200000;
    int priority = argc > 3 ? atoi(argv[3]) : 0;
    struct shared* s =
        mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) return 1;
    atomic_store(&s->turn, 0);
    pid_t child = fork();
    if (child == 0) {
        pin(cross ? 1 : 0, priority);
        for (long i = 0; i < trips; ++i) {
            wait_turn(&s->turn, 1);
            give_turn(&s->turn, 0);
        }
        _exit(0);
    }
    pin(0, priority);
    double cpu_before = seconds_now(CLOCK_PROCESS_CPUTIME_ID);
    double start = seconds_now(CLOCK_MONOTONIC);
    for (long i = 0; i < trips; ++i) {
        give_turn(&s->turn, 1);
        wait_turn(&s->turn, 0);
    }
    double wall = seconds_now(CLOCK_MONOTONIC) - start;
    double parent_cpu = seconds_now(CLOCK_PROCESS_CPUTIME_ID) - cpu_before;
    int status;
    struct rusage child_usage;
    wait4(child, &status, 0, &child_usage);
    double hops = 2.0 * trips;
    printf("%s hop_ns %.0f cpu_ns_per_hop %.0f\n", argv[1], wall / hops * 1e9,
           (parent_cpu + cpu_seconds(&child_usage)) / hops * 1e9);
    return 0;
}
