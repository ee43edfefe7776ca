/* A minimal pass-through client: NAME, then copies in_N to out_N for each of CHANNELS.
 * Built in every configuration, including the RealtimeSanitizer one, where unmodified Debian
 * programs cannot load an instrumented libjack. */
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CHANNELS 8
static jack_port_t *in[MAX_CHANNELS], *out[MAX_CHANNELS];
static int channels = 1;
static volatile sig_atomic_t stop;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    for (int c = 0; c < channels; ++c)
        memcpy(jack_port_get_buffer(out[c], frames), jack_port_get_buffer(in[c], frames),
               frames * sizeof(float));
    return 0;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: passthrough_client NAME [CHANNELS]\n");
        return 2;
    }
    if (argc > 2) channels = atoi(argv[2]);
    if (channels < 1 || channels > MAX_CHANNELS) return 2;
    jack_client_t* client = jack_client_open(argv[1], JackNoStartServer, NULL);
    if (!client) return 1;
    for (int c = 0; c < channels; ++c) {
        char name[32];
        snprintf(name, sizeof name, "in_%d", c + 1);
        in[c] = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        snprintf(name, sizeof name, "out_%d", c + 1);
        out[c] = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    }
    jack_set_process_callback(client, process, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (jack_activate(client)) return 1;
    while (!stop)
        usleep(20000);
    jack_client_close(client);
    return 0;
}
