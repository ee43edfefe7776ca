/* The Bantam ALSA test device: an alsa-lib I/O plugin (ioplug) that behaves like a sound card
 * without hardware. It runs on its own clock (a thread that advances the hardware pointer one
 * period at a time, at a configurable rate offset in ppm), plays into a WAV file, captures from
 * one, and injects xruns and suspends on request. See tests/alsa/README.md for the
 * configuration keys. */
#pragma once

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <pthread.h>
#include <stdint.h>

#define TEST_PCM_MAX_LIST 8

struct test_pcm_config {
    char* capture_file;  /* WAV the capture stream plays (then silence) */
    char* playback_file; /* WAV the playback stream writes, in the negotiated format */
    char* status_file;   /* rewritten at each start: format, access, rate, period, buffer */
    char* trigger_file;  /* PATH.playback / PATH.capture holding "xrun" or "suspend" */
    unsigned channels;
    unsigned rates[TEST_PCM_MAX_LIST], rate_count;
    unsigned formats[TEST_PCM_MAX_LIST], format_count;
    unsigned accesses[TEST_PCM_MAX_LIST], access_count;
    double ppm; /* clock offset from CLOCK_MONOTONIC, parts per million */
    unsigned period_bytes_min, period_bytes_max, periods_min, periods_max;
    unsigned xrun_every;     /* periods; 0: never */
    long long xrun_after;    /* frames since open; -1: never */
    long long suspend_after; /* frames since open; -1: never */
    int can_resume;          /* snd_pcm_resume works; else the application must prepare */
};

/* A capture source: the whole WAV file, each sample as a value in [-1, 1) (exact for every
 * 16/24/32-bit integer and 32-bit float sample). */
struct wav_source {
    double* samples;
    size_t frames;
    unsigned channels;
};

/* A playback sink: a WAV file holding the device's own samples, so nothing is converted. */
struct wav_sink {
    int fd;
    unsigned bytes_per_sample;
    uint64_t data_bytes; /* written to the file */
    size_t pending;      /* in `buffer`, not yet written */
    unsigned char buffer[65536];
};

struct test_pcm {
    snd_pcm_ioplug_t io;
    struct test_pcm_config config;
    struct wav_source source;
    struct wav_sink sink;
    int event_fd; /* the poll descriptor: readable when avail >= avail_min or on an error */

    pthread_t clock_thread;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;
    int quit, running;
    uint64_t hw_frames; /* frames moved since prepare */
    uint64_t ticks;     /* periods since the clock (re)started */
    struct timespec origin;
    uint64_t frames_since_open;
    size_t source_frame;
    int xrun_flagged, suspend_flagged;
    int xrun_after_done, suspend_after_done;
    snd_pcm_uframes_t avail_min, stop_threshold;
    const snd_pcm_channel_area_t* areas;
};

int test_pcm_parse_config(snd_config_t* conf, struct test_pcm_config* config);
void test_pcm_free_config(struct test_pcm_config* config);

int wav_source_load(struct wav_source* source, const char* path);
void wav_source_free(struct wav_source* source);
int wav_sink_open(struct wav_sink* sink, const char* path, snd_pcm_format_t format,
                  unsigned channels, unsigned rate);
/* Appends one sample of the device format (its low bytes_per_sample bytes). */
void wav_sink_put(struct wav_sink* sink, const unsigned char* sample);
/* Writes what is pending and the header's sizes, so the file is valid after every period. */
void wav_sink_flush(struct wav_sink* sink);
void wav_sink_close(struct wav_sink* sink);
/* Writes a value in [-1, 1) as one sample of `format`, rounded and clipped. */
void encode_sample(snd_pcm_format_t format, double value, unsigned char* out);

int test_pcm_start_clock(struct test_pcm* pcm);
void test_pcm_stop_clock(struct test_pcm* pcm);
/* The frames the application may transfer now. Call with the lock held. */
snd_pcm_sframes_t test_pcm_avail(const struct test_pcm* pcm);
void test_pcm_signal(struct test_pcm* pcm);
