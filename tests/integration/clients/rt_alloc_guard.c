/* LD_PRELOAD guard: after a warm-up, any heap call made on a real-time thread (the server's
 * "bantam-driver" thread or a client's "jack-process" thread) is reported and aborts the
 * process. At exit it prints how many heap calls it inspected, so a test can tell the guard
 * was really in place. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);

static atomic_long inspected;
static atomic_long rt_threads_seen;
static struct timespec armed_at;

__attribute__((constructor)) static void start(void) {
    long warmup_ms = 1000;
    const char* env = getenv("BANTAM_RT_GUARD_WARMUP_MS");
    if (env) warmup_ms = atol(env);
    clock_gettime(CLOCK_MONOTONIC, &armed_at);
    armed_at.tv_sec += warmup_ms / 1000;
    armed_at.tv_nsec += (warmup_ms % 1000) * 1000000;
    if (armed_at.tv_nsec >= 1000000000) {
        armed_at.tv_sec++;
        armed_at.tv_nsec -= 1000000000;
    }
}

__attribute__((destructor)) static void finish(void) {
    char line[160];
    int n = snprintf(line, sizeof line,
                     "rt-alloc-guard: pid %d inspected %ld heap calls, 0 on real-time threads\n",
                     (int)getpid(), atomic_load(&inspected));
    if (write(2, line, (size_t)n) < 0) {
    }
}

static void check(const char* what, size_t size) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec < armed_at.tv_sec ||
        (now.tv_sec == armed_at.tv_sec && now.tv_nsec < armed_at.tv_nsec))
        return;
    atomic_fetch_add(&inspected, 1);
    char name[17] = {0};
    prctl(PR_GET_NAME, name, 0, 0, 0);
    if (strcmp(name, "bantam-driver") == 0 || strcmp(name, "jack-process") == 0) {
        char line[160];
        int n = snprintf(line, sizeof line,
                         "rt-alloc-guard: REAL-TIME HEAP CALL %s(%zu) on thread %s in pid %d\n",
                         what, size, name, (int)getpid());
        if (write(2, line, (size_t)n) < 0) {
        }
        abort();
    }
}

void* malloc(size_t size) {
    check("malloc", size);
    return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
    check("calloc", count * size);
    return __libc_calloc(count, size);
}
void* realloc(void* ptr, size_t size) {
    check("realloc", size);
    return __libc_realloc(ptr, size);
}
void free(void* ptr) {
    if (ptr) check("free", 0);
    __libc_free(ptr);
}
void* memalign(size_t alignment, size_t size) {
    check("memalign", size);
    return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
    check("aligned_alloc", size);
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
    check("posix_memalign", size);
    void* p = __libc_memalign(alignment, size);
    if (!p) return 12;
    *out = p;
    return 0;
}
