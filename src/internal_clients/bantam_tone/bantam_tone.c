/* bantam_tone: an internal client that plays a sine test tone.
 *
 *   jack_load NAME bantam_tone -i "[FREQUENCY [AMPLITUDE]] [connect]"
 *
 * FREQUENCY in Hz (default 440, below half the sample rate), AMPLITUDE as a linear peak value
 * (default 0.1, at most 1). One output port, NAME:out; with the word "connect" it is connected
 * to the first two physical playback ports (system:playback_1 and _2). A bad init string fails
 * the load (JackInitFailure). Runs inside bantamd. */
#include <jack/jack.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    jack_port_t* out;
    double amplitude;
    double step;  /* cycles per sample */
    double phase; /* in cycles, [0, 1) */
} Tone;

/* Real-time thread: no allocation, no locks, no system calls. */
static int process(jack_nframes_t frames, void* arg) {
    Tone* tone = arg;
    float* out = jack_port_get_buffer(tone->out, frames);
    for (jack_nframes_t i = 0; i < frames; ++i) {
        out[i] = (float)(tone->amplitude * sin(2.0 * M_PI * tone->phase));
        tone->phase += tone->step;
        if (tone->phase >= 1.0) tone->phase -= 1.0;
    }
    return 0;
}

/* Words: up to two numbers (frequency, amplitude), then optionally "connect". 0 on success. */
static int parse_init(const char* init, double rate, Tone* tone, int* connect) {
    double frequency = 440.0;
    tone->amplitude = 0.1;
    *connect = 0;
    int numbers = 0;
    for (const char* p = init ? init : ""; *p;) {
        if (*p == ' ' || *p == '\t') {
            ++p;
            continue;
        }
        size_t length = strcspn(p, " \t");
        char* end;
        double value = strtod(p, &end);
        if (end == p + length && numbers < 2 && isfinite(value)) {
            *(numbers++ == 0 ? &frequency : &tone->amplitude) = value;
        } else if (length == 7 && strncmp(p, "connect", 7) == 0) {
            *connect = 1;
        } else {
            return -1;
        }
        p += length;
    }
    if (frequency <= 0 || frequency >= rate / 2 || tone->amplitude < 0 || tone->amplitude > 1)
        return -1;
    tone->step = frequency / rate;
    return 0;
}

static void connect_to_playback(jack_client_t* client, Tone* tone) {
    const char** playback =
        jack_get_ports(client, NULL, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput);
    for (int i = 0; playback && playback[i] && i < 2; ++i)
        if (jack_connect(client, jack_port_name(tone->out), playback[i]) != 0)
            fprintf(stderr, "bantam_tone: cannot connect to %s\n", playback[i]);
    jack_free(playback);
}

/* On failure the server closes the client (and its port); jack_finish is not called. */
JACK_LIB_EXPORT int jack_initialize(jack_client_t* client, const char* load_init) {
    Tone* tone = calloc(1, sizeof *tone);
    int connect;
    if (!tone) return 1;
    if (parse_init(load_init, jack_get_sample_rate(client), tone, &connect) != 0) {
        fprintf(stderr,
                "bantam_tone: bad init string \"%s\" (expected \"[FREQUENCY [AMPLITUDE]] "
                "[connect]\")\n",
                load_init);
        free(tone);
        return 1;
    }
    tone->out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!tone->out || jack_set_process_callback(client, process, tone) != 0 ||
        jack_activate(client) != 0) {
        free(tone);
        return 1;
    }
    if (connect) connect_to_playback(client, tone);
    return 0;
}

/* Called with the process argument once the client is closed, as in JACK2. */
JACK_LIB_EXPORT void jack_finish(void* arg) {
    free(arg);
}
