/* bantam_gain: an internal client that passes CHANNELS channels through with one gain.
 *
 *   jack_load NAME bantam_gain -i "CHANNELS [GAIN]"      e.g. -i "2 0.5"; default "2 1"
 *
 * Ports NAME:in_1..in_N and NAME:out_1..out_N; out_k = GAIN * in_k, sample by sample.
 * A bad init string fails the load (JackInitFailure). Runs inside bantamd. */
#include <jack/jack.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_CHANNELS 64

typedef struct {
    int channels;
    float gain;
    jack_port_t* in[MAX_CHANNELS];
    jack_port_t* out[MAX_CHANNELS];
} Gain;

/* Real-time thread: no allocation, no locks, no system calls. */
static int process(jack_nframes_t frames, void* arg) {
    Gain* gain = arg;
    for (int c = 0; c < gain->channels; ++c) {
        const float* in = jack_port_get_buffer(gain->in[c], frames);
        float* out = jack_port_get_buffer(gain->out[c], frames);
        for (jack_nframes_t i = 0; i < frames; ++i)
            out[i] = in[i] * gain->gain;
    }
    return 0;
}

/* "CHANNELS [GAIN]"; NULL or empty keeps the defaults. 0 on success. */
static int parse_init(const char* init, Gain* gain) {
    gain->channels = 2;
    gain->gain = 1.0f;
    if (!init) return 0;
    char* end;
    long channels = strtol(init, &end, 10);
    if (end == init) return *end == '\0' ? 0 : -1;
    const char* rest = end;
    double value = strtod(rest, &end);
    if (end == rest) value = 1.0;
    while (*end == ' ' || *end == '\t')
        ++end;
    if (*end != '\0' || channels < 1 || channels > MAX_CHANNELS || !isfinite(value)) return -1;
    gain->channels = (int)channels;
    gain->gain = (float)value;
    return 0;
}

static int register_ports(jack_client_t* client, Gain* gain) {
    for (int c = 0; c < gain->channels; ++c) {
        char name[16];
        snprintf(name, sizeof name, "in_%d", c + 1);
        gain->in[c] = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        snprintf(name, sizeof name, "out_%d", c + 1);
        gain->out[c] =
            jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        if (!gain->in[c] || !gain->out[c]) return -1;
    }
    return 0;
}

/* On failure the server closes the client (and its ports); jack_finish is not called. */
JACK_LIB_EXPORT int jack_initialize(jack_client_t* client, const char* load_init) {
    Gain* gain = calloc(1, sizeof *gain);
    if (!gain) return 1;
    if (parse_init(load_init, gain) != 0) {
        fprintf(stderr, "bantam_gain: bad init string \"%s\" (expected \"CHANNELS [GAIN]\")\n",
                load_init);
        free(gain);
        return 1;
    }
    if (register_ports(client, gain) != 0 ||
        jack_set_process_callback(client, process, gain) != 0 || jack_activate(client) != 0) {
        free(gain);
        return 1;
    }
    return 0;
}

/* Called with the process argument once the client is closed, as in JACK2. */
JACK_LIB_EXPORT void jack_finish(void* arg) {
    free(arg);
}
