/* The ioplug callbacks of the Bantam test device (see test_pcm.h). The device uses ioplug's
 * pseudo-mmap mode (mmap_rw): alsa-lib owns one ring buffer that applications reach through
 * mmap or read/write alike, and the clock thread moves the data in and out of it, so every
 * access type works without a transfer callback. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "test_pcm.h"

/* Written again at every start (a restart too) while a test may be reading it: so written
 * beside it and renamed over it, never seen half-written. */
static void write_status(const struct test_pcm* pcm) {
    if (!pcm->config.status_file) return;
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.new", pcm->config.status_file) >=
        (int)sizeof temporary)
        return;
    FILE* file = fopen(temporary, "w");
    if (!file) return;
    fprintf(file, "stream=%s format=%s access=%s rate=%u period=%lu buffer=%lu channels=%u\n",
            pcm->io.stream == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture",
            snd_pcm_format_name(pcm->io.format), snd_pcm_access_name(pcm->io.access), pcm->io.rate,
            (unsigned long)pcm->io.period_size, (unsigned long)pcm->io.buffer_size,
            pcm->io.channels);
    if (fclose(file) == 0) rename(temporary, pcm->config.status_file);
}

static int on_start(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    pthread_mutex_lock(&pcm->lock);
    pcm->areas = snd_pcm_ioplug_mmap_areas(io);
    if (io->stream == SND_PCM_STREAM_PLAYBACK && pcm->config.playback_file && pcm->sink.fd < 0)
        wav_sink_open(&pcm->sink, pcm->config.playback_file, io->format, io->channels, io->rate);
    write_status(pcm);
    pcm->running = 1;
    pcm->ticks = 0;
    clock_gettime(CLOCK_MONOTONIC, &pcm->origin);
    pthread_cond_signal(&pcm->wake);
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

static int on_stop(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    pthread_mutex_lock(&pcm->lock);
    pcm->running = 0;
    pthread_cond_signal(&pcm->wake);
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

/* A suspend is reported through the state (no pointer value can say it); an xrun through the
 * pointer, which makes ioplug enter SND_PCM_STATE_XRUN. Called with the lock held. */
static void publish_suspend(struct test_pcm* pcm) {
    if (pcm->suspend_flagged && pcm->io.state == SND_PCM_STATE_RUNNING)
        snd_pcm_ioplug_set_state(&pcm->io, SND_PCM_STATE_SUSPENDED);
}

static snd_pcm_sframes_t on_pointer(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    pthread_mutex_lock(&pcm->lock);
    publish_suspend(pcm);
    snd_pcm_sframes_t position =
        pcm->xrun_flagged ? -EPIPE : (snd_pcm_sframes_t)(pcm->hw_frames % io->buffer_size);
    pthread_mutex_unlock(&pcm->lock);
    return position;
}

static int on_prepare(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    pthread_mutex_lock(&pcm->lock);
    pcm->running = 0;
    pcm->hw_frames = 0;
    pcm->xrun_flagged = pcm->suspend_flagged = 0;
    uint64_t count;
    while (read(pcm->event_fd, &count, sizeof count) > 0) {
    }
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

static int on_sw_params(snd_pcm_ioplug_t* io, snd_pcm_sw_params_t* params) {
    struct test_pcm* pcm = io->private_data;
    snd_pcm_uframes_t avail_min = 1, stop_threshold = io->buffer_size;
    snd_pcm_sw_params_get_avail_min(params, &avail_min);
    snd_pcm_sw_params_get_stop_threshold(params, &stop_threshold);
    pthread_mutex_lock(&pcm->lock);
    pcm->avail_min = avail_min ? avail_min : 1;
    pcm->stop_threshold = stop_threshold;
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

/* The event fd is a hint; the truth is recomputed here. It is drained first and set again if
 * the condition still holds, so a tick racing with this call is never lost. */
static int on_poll_revents(snd_pcm_ioplug_t* io, struct pollfd* fds, unsigned nfds,
                           unsigned short* revents) {
    struct test_pcm* pcm = io->private_data;
    (void)fds;
    (void)nfds;
    uint64_t count;
    while (read(pcm->event_fd, &count, sizeof count) > 0) {
    }
    pthread_mutex_lock(&pcm->lock);
    publish_suspend(pcm);
    *revents = 0;
    if (pcm->xrun_flagged) {
        snd_pcm_ioplug_set_state(io, SND_PCM_STATE_XRUN);
        *revents = POLLERR;
    } else if (pcm->suspend_flagged) {
        *revents = POLLERR;
    } else if (test_pcm_avail(pcm) >= (snd_pcm_sframes_t)pcm->avail_min) {
        *revents = io->stream == SND_PCM_STREAM_PLAYBACK ? POLLOUT : POLLIN;
    }
    if (*revents) test_pcm_signal(pcm);
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

static int on_resume(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    pthread_mutex_lock(&pcm->lock);
    if (pcm->suspend_flagged) {
        pcm->suspend_flagged = 0;
        pcm->running = 1;
        pcm->ticks = 0;
        clock_gettime(CLOCK_MONOTONIC, &pcm->origin);
        snd_pcm_ioplug_set_state(io, SND_PCM_STATE_RUNNING);
        pthread_cond_signal(&pcm->wake);
    }
    pthread_mutex_unlock(&pcm->lock);
    return 0;
}

static int on_close(snd_pcm_ioplug_t* io) {
    struct test_pcm* pcm = io->private_data;
    test_pcm_stop_clock(pcm);
    wav_sink_close(&pcm->sink);
    wav_source_free(&pcm->source);
    test_pcm_free_config(&pcm->config);
    close(pcm->event_fd);
    free(pcm);
    return 0;
}

static const snd_pcm_ioplug_callback_t resumable_callbacks = {
    .start = on_start,
    .stop = on_stop,
    .pointer = on_pointer,
    .close = on_close,
    .prepare = on_prepare,
    .sw_params = on_sw_params,
    .poll_revents = on_poll_revents,
    .resume = on_resume,
};

/* Without a resume callback snd_pcm_resume() leaves the stream suspended, as a card that
 * cannot resume does: the application has to prepare it again. */
static const snd_pcm_ioplug_callback_t non_resumable_callbacks = {
    .start = on_start,
    .stop = on_stop,
    .pointer = on_pointer,
    .close = on_close,
    .prepare = on_prepare,
    .sw_params = on_sw_params,
    .poll_revents = on_poll_revents,
};

static int set_constraints(struct test_pcm* pcm) {
    const struct test_pcm_config* config = &pcm->config;
    snd_pcm_ioplug_t* io = &pcm->io;
    int err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, config->access_count,
                                            config->accesses);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, config->format_count,
                                            config->formats);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, config->channels,
                                              config->channels);
    if (err >= 0)
        err = config->rate_count
                  ? snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_RATE, config->rate_count,
                                                  config->rates)
                  : snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, 8000, 192000);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES,
                                              config->period_bytes_min, config->period_bytes_max);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, config->periods_min,
                                              config->periods_max);
    if (err >= 0)
        err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES,
                                              config->period_bytes_min * config->periods_min,
                                              config->period_bytes_max * config->periods_max);
    return err;
}

SND_PCM_PLUGIN_DEFINE_FUNC(bantamtest) {
    (void)root;
    struct test_pcm* pcm = calloc(1, sizeof *pcm);
    if (!pcm) return -ENOMEM;
    pcm->sink.fd = -1;
    int err = test_pcm_parse_config(conf, &pcm->config);
    if (err < 0) {
        free(pcm);
        return err;
    }
    if (stream == SND_PCM_STREAM_CAPTURE && pcm->config.capture_file)
        err = wav_source_load(&pcm->source, pcm->config.capture_file);
    pcm->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (err < 0 || pcm->event_fd < 0 || (err = test_pcm_start_clock(pcm)) < 0) {
        if (pcm->event_fd >= 0) close(pcm->event_fd);
        wav_source_free(&pcm->source);
        test_pcm_free_config(&pcm->config);
        free(pcm);
        return err < 0 ? err : -errno;
    }
    pcm->io.version = SND_PCM_IOPLUG_VERSION;
    pcm->io.name = "Bantam test device";
    pcm->io.flags = SND_PCM_IOPLUG_FLAG_MONOTONIC;
    pcm->io.poll_fd = pcm->event_fd;
    pcm->io.poll_events = POLLIN;
    pcm->io.mmap_rw = 1;
    pcm->io.callback = pcm->config.can_resume ? &resumable_callbacks : &non_resumable_callbacks;
    pcm->io.private_data = pcm;
    pcm->avail_min = 1;
    err = snd_pcm_ioplug_create(&pcm->io, name, stream, mode);
    if (err < 0) {
        on_close(&pcm->io);
        return err;
    }
    err = set_constraints(pcm);
    if (err < 0) {
        snd_pcm_ioplug_delete(&pcm->io);
        return err;
    }
    *pcmp = pcm->io.pcm;
    return 0;
}

SND_PCM_PLUGIN_SYMBOL(bantamtest);
