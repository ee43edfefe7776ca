/* The test device's "hardware": a thread that, one period at a time on its own clock, moves
 * frames between the ring buffer (ioplug's mmap area, so it is exactly what the application
 * wrote or will read) and the WAV files, then advances the hardware pointer. Like a real card
 * it stops with an xrun when the application falls a stop_threshold behind, and it can be told
 * to xrun or suspend on purpose. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test_pcm.h"

/* The copies between the ring buffer and the WAV files are the card's DMA: they happen
 * outside the program's memory model, ordered only by the hardware pointer, as with real
 * hardware (whose DMA ThreadSanitizer never sees either). So a TSan build does not watch
 * them; the application's side of the buffer stays instrumented. */
#if defined(__SANITIZE_THREAD__)
#define TEST_PCM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_PCM_TSAN 1
#endif
#endif
#ifdef TEST_PCM_TSAN
/* The annotations the TSan runtime exports from the (instrumented) executable. */
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
#define DMA_BEGIN()                                                                                \
    (AnnotateIgnoreReadsBegin(__FILE__, __LINE__), AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define DMA_END()                                                                                  \
    (AnnotateIgnoreWritesEnd(__FILE__, __LINE__), AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#else
#define DMA_BEGIN() ((void)0)
#define DMA_END() ((void)0)
#endif

static uint64_t period_nanos(const struct test_pcm* pcm) {
    double rate = pcm->io.rate * (1.0 + pcm->config.ppm / 1e6);
    return (uint64_t)((double)pcm->io.period_size * 1e9 / rate + 0.5);
}

static struct timespec plus_nanos(struct timespec t, uint64_t nanos) {
    nanos += (uint64_t)t.tv_nsec;
    t.tv_sec += (time_t)(nanos / 1000000000u);
    t.tv_nsec = (long)(nanos % 1000000000u);
    return t;
}

static int reached(const struct timespec* deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

void test_pcm_signal(struct test_pcm* pcm) {
    uint64_t one = 1;
    if (write(pcm->event_fd, &one, sizeof one) < 0) { /* already readable: nothing lost */
    }
}

snd_pcm_sframes_t test_pcm_avail(const struct test_pcm* pcm) {
    snd_pcm_sframes_t appl =
        (snd_pcm_sframes_t)__atomic_load_n(&pcm->io.appl_ptr, __ATOMIC_ACQUIRE);
    snd_pcm_sframes_t hw = (snd_pcm_sframes_t)pcm->hw_frames;
    if (pcm->io.stream == SND_PCM_STREAM_PLAYBACK)
        return (snd_pcm_sframes_t)pcm->io.buffer_size - (appl - hw);
    return hw - appl;
}

static unsigned char* sample_at(const struct test_pcm* pcm, unsigned channel, uint64_t frame) {
    const snd_pcm_channel_area_t* area = &pcm->areas[channel];
    uint64_t offset = frame % pcm->io.buffer_size;
    return (unsigned char*)area->addr + (area->first + offset * area->step) / 8;
}

/* "xrun" or "suspend" in PATH.playback / PATH.capture, consumed once read. */
static char take_trigger(const struct test_pcm* pcm) {
    if (!pcm->config.trigger_file) return 0;
    char path[4096], word[16] = {0};
    snprintf(path, sizeof path, "%s.%s", pcm->config.trigger_file,
             pcm->io.stream == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t got = read(fd, word, sizeof word - 1);
    close(fd);
    unlink(path);
    if (got <= 0) return 0;
    return !strncmp(word, "suspend", 7) ? 's' : !strncmp(word, "xrun", 4) ? 'x' : 0;
}

static char injection_due(struct test_pcm* pcm) {
    char trigger = take_trigger(pcm);
    if (trigger) return trigger;
    if (pcm->config.xrun_every && pcm->ticks % pcm->config.xrun_every == 0) return 'x';
    long long frames = (long long)pcm->frames_since_open;
    if (!pcm->xrun_after_done && pcm->config.xrun_after >= 0 && frames >= pcm->config.xrun_after) {
        pcm->xrun_after_done = 1;
        return 'x';
    }
    if (!pcm->suspend_after_done && pcm->config.suspend_after >= 0 &&
        frames >= pcm->config.suspend_after) {
        pcm->suspend_after_done = 1;
        return 's';
    }
    return 0;
}

static void play_period(struct test_pcm* pcm) {
    static const unsigned char silence[8];
    uint64_t appl = __atomic_load_n(&pcm->io.appl_ptr, __ATOMIC_ACQUIRE);
    for (uint64_t frame = pcm->hw_frames; frame < pcm->hw_frames + pcm->io.period_size; ++frame)
        for (unsigned c = 0; c < pcm->io.channels; ++c)
            wav_sink_put(&pcm->sink, frame < appl ? sample_at(pcm, c, frame) : silence);
    wav_sink_flush(&pcm->sink);
}

static void capture_period(struct test_pcm* pcm) {
    const struct wav_source* source = &pcm->source;
    for (uint64_t frame = pcm->hw_frames; frame < pcm->hw_frames + pcm->io.period_size; ++frame) {
        for (unsigned c = 0; c < pcm->io.channels; ++c) {
            double value = 0.0;
            if (pcm->source_frame < source->frames && c < source->channels)
                value = source->samples[pcm->source_frame * source->channels + c];
            encode_sample(pcm->io.format, value, sample_at(pcm, c, frame));
        }
        ++pcm->source_frame;
    }
}

/* One period of "DMA". Called with the lock held. */
static void tick(struct test_pcm* pcm) {
    char injection = injection_due(pcm);
    if (injection) {
        if (injection == 'x')
            pcm->xrun_flagged = 1;
        else
            pcm->suspend_flagged = 1;
        pcm->running = 0;
        test_pcm_signal(pcm);
        return;
    }
    DMA_BEGIN();
    if (pcm->io.stream == SND_PCM_STREAM_PLAYBACK)
        play_period(pcm);
    else
        capture_period(pcm);
    DMA_END();
    pcm->hw_frames += pcm->io.period_size;
    pcm->frames_since_open += pcm->io.period_size;
    snd_pcm_sframes_t avail = test_pcm_avail(pcm);
    if (avail >= (snd_pcm_sframes_t)pcm->stop_threshold) {
        pcm->xrun_flagged = 1;
        pcm->running = 0;
    }
    if (pcm->xrun_flagged || avail >= (snd_pcm_sframes_t)pcm->avail_min) test_pcm_signal(pcm);
}

static void* clock_main(void* arg) {
    struct test_pcm* pcm = arg;
    pthread_mutex_lock(&pcm->lock);
    while (!pcm->quit) {
        if (!pcm->running) {
            pthread_cond_wait(&pcm->wake, &pcm->lock);
            continue;
        }
        struct timespec deadline = plus_nanos(pcm->origin, (pcm->ticks + 1) * period_nanos(pcm));
        pthread_cond_timedwait(&pcm->wake, &pcm->lock, &deadline);
        if (pcm->quit || !pcm->running || !reached(&deadline)) continue;
        ++pcm->ticks;
        tick(pcm);
    }
    pthread_mutex_unlock(&pcm->lock);
    return NULL;
}

int test_pcm_start_clock(struct test_pcm* pcm) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pcm->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&pcm->lock, NULL);
    int err = pthread_create(&pcm->clock_thread, NULL, clock_main, pcm);
    if (err) return -err;
    /* Hardware is never late. The clock runs above any real-time audio thread where that is
     * permitted, so a busy machine does not turn into xruns the driver did not cause. */
    struct sched_param param = {.sched_priority = sched_get_priority_max(SCHED_FIFO) - 1};
    pthread_setschedparam(pcm->clock_thread, SCHED_FIFO, &param);
    return 0;
}

void test_pcm_stop_clock(struct test_pcm* pcm) {
    pthread_mutex_lock(&pcm->lock);
    pcm->quit = 1;
    pthread_cond_signal(&pcm->wake);
    pthread_mutex_unlock(&pcm->lock);
    pthread_join(pcm->clock_thread, NULL);
    pthread_cond_destroy(&pcm->wake);
    pthread_mutex_destroy(&pcm->lock);
}
