/* A minimal pass-through client: copies in_N to out_N for each of CHANNELS.
 *   passthrough_client NAME [CHANNELS] [--thread] [--slow PERIODS]
 * --thread uses JACK's alternate thread model (jack_set_process_thread with jack_cycle_wait /
 * jack_cycle_signal) instead of a process callback. --slow makes every process callback sleep
 * for PERIODS periods after copying: a client far too slow for the graph, which the server
 * must survive. Every xrun callback prints "xrun".
 * Built in every configuration, including the RealtimeSanitizer one, where unmodified Debian
 * programs cannot load an instrumented libjack. */
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHANNELS 8
static jack_client_t* client;
static jack_port_t *in[MAX_CHANNELS], *out[MAX_CHANNELS];
static int channels = 1;
static volatile sig_atomic_t stop;
static long slow_nanos; /* how long each process callback sleeps (--slow) */

static void copy_through(jack_nframes_t frames) {
    for (int c = 0; c < channels; ++c)
        memcpy(jack_port_get_buffer(out[c], frames), jack_port_get_buffer(in[c], frames),
               frames * sizeof(float));
}

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    copy_through(frames);
    if (slow_nanos) {
        struct timespec nap = {slow_nanos / 1000000000, slow_nanos % 1000000000};
        nanosleep(&nap, NULL);
    }
    return 0;
}

static void* thread_loop(void* arg) {
    (void)arg;
    for (;;) {
        jack_nframes_t frames = jack_cycle_wait(client);
        copy_through(frames);
        jack_cycle_signal(client, 0);
    }
    return NULL;
}

static int on_xrun(void* arg) {
    (void)arg;
    printf("xrun\n");
    fflush(stdout);
    return 0;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char** argv) {
    int thread_model = 0;
    int slow_periods = 0;
    const char* name = NULL;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--thread") == 0)
            thread_model = 1;
        else if (strcmp(argv[i], "--slow") == 0 && i + 1 < argc)
            slow_periods = atoi(argv[++i]);
        else if (!name)
            name = argv[i];
        else
            channels = atoi(argv[i]);
    }
    if (!name || channels < 1 || channels > MAX_CHANNELS) {
        fprintf(stderr, "usage: passthrough_client NAME [CHANNELS] [--thread] [--slow PERIODS]\n");
        return 2;
    }
    client = jack_client_open(name, JackNoStartServer, NULL);
    if (!client) return 1;
    slow_nanos = (long)slow_periods * jack_get_buffer_size(client) * 1000000000L /
                 jack_get_sample_rate(client);
    for (int c = 0; c < channels; ++c) {
        char port[32];
        snprintf(port, sizeof port, "in_%d", c + 1);
        in[c] = jack_port_register(client, port, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        snprintf(port, sizeof port, "out_%d", c + 1);
        out[c] = jack_port_register(client, port, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    }
    if (thread_model)
        jack_set_process_thread(client, thread_loop, NULL);
    else
        jack_set_process_callback(client, process, NULL);
    jack_set_xrun_callback(client, on_xrun, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (jack_client_thread_id(client) != 0) return 3; /* no thread while inactive */
    if (jack_activate(client)) return 1;
    if (jack_client_thread_id(client) == 0) return 4;
    printf("active\n");
    fflush(stdout);
    while (!stop)
        usleep(20000);
    jack_deactivate(client);
    jack_client_close(client);
    return 0;
}
