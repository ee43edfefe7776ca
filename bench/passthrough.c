/* Benchmark client: one input copied to one output, optional busy work per cycle.
 *   passthrough NAME [BUSY_LOOPS]
 * Linked dynamically against -ljack so the same binary runs on any libjack (jackd2's, or
 * Bantam's through bantam-run). Records each cycle's wake-up delay (process start minus cycle
 * start, from jack_get_cycle_times) and prints percentiles at exit. */
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SAMPLES 200000
static jack_client_t* client;
static jack_port_t *in, *out;
static long busy;
static unsigned samples[MAX_SAMPLES];
static volatile long count;
static volatile sig_atomic_t stop;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    jack_nframes_t current_frames;
    jack_time_t current_usecs, next_usecs;
    float period;
    if (jack_get_cycle_times(client, &current_frames, &current_usecs, &next_usecs, &period) == 0 &&
        count < MAX_SAMPLES) {
        jack_time_t now = jack_get_time();
        samples[count++] = now > current_usecs ? (unsigned)(now - current_usecs) : 0;
    }
    float* o = jack_port_get_buffer(out, frames);
    memcpy(o, jack_port_get_buffer(in, frames), frames * sizeof(float));
    for (volatile long i = 0; i < busy; ++i) {
    }
    return 0;
}

static int compare(const void* a, const void* b) {
    unsigned x = *(const unsigned*)a, y = *(const unsigned*)b;
    return x < y ? -1 : x > y;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    busy = argc > 2 ? atol(argv[2]) : 0;
    client = jack_client_open(argv[1], JackNoStartServer | JackUseExactName, NULL);
    if (!client) return 1;
    in = jack_port_register(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client, process, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (jack_activate(client)) return 1;
    printf("ready\n");
    fflush(stdout);
    while (!stop)
        usleep(10000);
    jack_deactivate(client);
    long n = count;
    qsort(samples, (size_t)n, sizeof samples[0], compare);
    if (n > 0)
        printf("wakeup_usecs p50 %u p99 %u p999 %u n %ld\n", samples[n / 2], samples[n * 99 / 100],
               samples[n * 999 / 1000], n);
    jack_client_close(client);
    return 0;
}
