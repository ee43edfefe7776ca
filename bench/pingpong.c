/* The machine's floor for one hop between processes: PROCESSES processes (2: a ping-pong) pass a
 * token around a ring through shared futexes, each waking the next and then sleeping, exactly
 * what a chain of JACK clients does once per client per cycle.
 *   pingpong same|cross [HOPS_PER_PROCESS [PRIORITY [PROCESSES [PERIOD_USECS [REGIONS [FRAMES]]]]]]
 * "same" pins every process to CPU 0; "cross" alternates CPUs 0 and 1, so every hop crosses.
 * With PERIOD_USECS the first process starts one round per period, sleeping in between as a
 * driver does: the ring then runs from caches the idle time (and, on a virtual machine, the
 * host) has cooled, as a real chain does each cycle. Back to back, everything stays hot.
 * PRIORITY > 0 runs them SCHED_FIFO, as audio threads run. Prints the wall time of one hop and
 * the CPU time all processes spent per hop, in nanoseconds. A ring of many processes costs more
 * per hop than a ping-pong of two: each switch lands in another address space.
 * REGIONS > 0: at each hop every process also reads one cache line in each of REGIONS pages, each
 * page in its own 2 MiB region (its own page-table page). A real client touches that many or more
 * every cycle (its code and stack, the libraries', the heap, the server's shared segments), and
 * after a switch to another address space each costs a page walk; this is the floor for a chain
 * of processes with a client's footprint.
 * FRAMES > 0: at each hop every process also does the work of bench/passthrough.c's callback
 * that is not a call into libjack: it reads the clock at its start and at its end, copies FRAMES
 * samples from the previous process's buffer into its own, and appends a record of the hop. No
 * server runs a chain of those clients for less than this ring costs. */
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

#define MAX_PROCESSES 128
#define MAX_FRAMES 1024

struct slot {
    _Atomic uint32_t turn; /* 1: this process holds the token */
    char pad[60];
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

static void take(_Atomic uint32_t* word) {
    while (atomic_exchange(word, 0) != 1)
        syscall(SYS_futex, word, FUTEX_WAIT, 0, NULL, NULL, 0);
}

#define REGION_BYTES (2L << 20)

/* REGIONS pages, each in its own 2 MiB region, faulted in before the first hop. */
static volatile char* map_regions(int regions) {
    if (regions <= 0) return NULL;
    volatile char* base = mmap(NULL, REGION_BYTES * regions, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    for (int k = 0; k < regions; ++k)
        base[REGION_BYTES * k] = 1;
    return base;
}

/* Lines at different offsets in each page, as a client's scattered data is; volatile reads, so
 * the compiler keeps them. */
static void touch_regions(volatile char* base, int regions) {
    for (int k = 0; k < regions; ++k)
        (void)base[REGION_BYTES * k + (k * 64) % 4096];
}

struct hop_record {
    uint64_t hop, unused, start_usecs, end_usecs; /* as large as passthrough.c's cycle_record */
};

struct client_work {
    int frames;
    float* buffers; /* MAX_FRAMES samples per process, shared: each reads the one before it */
    struct hop_record* records;
    long count;
};

static uint64_t usecs_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The records are resident before the first hop, as passthrough.c's are. */
static struct client_work prepare_work(int frames, float* buffers, long rounds) {
    struct client_work work = {frames, buffers, NULL, 0};
    if (frames > 0) {
        work.records = malloc((size_t)rounds * sizeof(struct hop_record));
        if (!work.records) exit(1);
        memset(work.records, 0, (size_t)rounds * sizeof(struct hop_record));
    }
    return work;
}

static void do_client_work(struct client_work* work, int index, int processes) {
    if (work->frames <= 0) return;
    uint64_t start = usecs_now();
    const float* in = work->buffers + (size_t)((index + processes - 1) % processes) * MAX_FRAMES;
    memcpy(work->buffers + (size_t)index * MAX_FRAMES, in, (size_t)work->frames * sizeof(float));
    struct hop_record* record = &work->records[work->count++];
    record->hop = (uint64_t)work->count;
    record->start_usecs = start;
    record->end_usecs = usecs_now();
}

static void pass(_Atomic uint32_t* word) {
    atomic_store(word, 1);
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
        fprintf(stderr,
                "usage: pingpong same|cross [HOPS_PER_PROCESS [PRIORITY [PROCESSES [PERIOD_USECS "
                "[REGIONS [FRAMES]]]]]]\n");
        return 2;
    }
    int cross = strcmp(argv[1], "cross") == 0;
    long rounds = argc > 2 ? atol(argv[2]) : 100000;
    int priority = argc > 3 ? atoi(argv[3]) : 0;
    int processes = argc > 4 ? atoi(argv[4]) : 2;
    long period_ns = argc > 5 ? atol(argv[5]) * 1000 : 0;
    int regions = argc > 6 ? atoi(argv[6]) : 0;
    int frames = argc > 7 ? atoi(argv[7]) : 0;
    if (processes < 2 || processes > MAX_PROCESSES || rounds < 1 || frames > MAX_FRAMES) return 2;
    struct slot* ring = mmap(NULL, sizeof(struct slot) * MAX_PROCESSES, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ring == MAP_FAILED) return 1;
    float* buffers = mmap(NULL, sizeof(float) * MAX_FRAMES * MAX_PROCESSES, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (buffers == MAP_FAILED) return 1;
    pid_t children[MAX_PROCESSES];
    for (int i = 1; i < processes; ++i) {
        children[i] = fork();
        if (children[i] == 0) {
            pin(cross ? i % 2 : 0, priority);
            volatile char* footprint = map_regions(regions);
            struct client_work work = prepare_work(frames, buffers, rounds);
            for (long r = 0; r < rounds; ++r) {
                take(&ring[i].turn);
                touch_regions(footprint, regions);
                do_client_work(&work, i, processes);
                pass(&ring[(i + 1) % processes].turn);
            }
            _exit(0);
        }
    }
    pin(0, priority);
    volatile char* footprint = map_regions(regions);
    struct client_work work = prepare_work(frames, buffers, rounds);
    usleep(100000); /* every process is waiting for the token */
    double cpu_before = seconds_now(CLOCK_PROCESS_CPUTIME_ID);
    double wall = 0;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    for (long r = 0; r < rounds; ++r) {
        if (period_ns) {
            deadline.tv_nsec += period_ns;
            while (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_nsec -= 1000000000L;
                deadline.tv_sec++;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        }
        double start = seconds_now(CLOCK_MONOTONIC);
        touch_regions(footprint, regions);
        do_client_work(&work, 0, processes);
        pass(&ring[1].turn);
        take(&ring[0].turn);
        wall += seconds_now(CLOCK_MONOTONIC) - start;
    }
    double cpu = seconds_now(CLOCK_PROCESS_CPUTIME_ID) - cpu_before;
    for (int i = 1; i < processes; ++i) {
        int status;
        struct rusage usage;
        wait4(children[i], &status, 0, &usage);
        cpu += cpu_seconds(&usage);
    }
    double hops = (double)rounds * processes;
    printf(
        "%s hop_ns %.0f cpu_ns_per_hop %.0f processes %d period_usecs %ld regions %d frames %d\n",
        argv[1], wall / hops * 1e9, cpu / hops * 1e9, processes, period_ns / 1000, regions, frames);
    return 0;
}
