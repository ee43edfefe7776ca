/* Benchmark client: one input copied to one output, optional busy work per cycle.
 *   passthrough NAME [BUSY_LOOPS [RECORD_FILE]]
 * Linked dynamically against -ljack so the same binary runs on any libjack (jackd2's, JACK1's,
 * PipeWire's, or Bantam's). Prints "ready" once active. Records, for every cycle, the cycle's
 * first frame and start time (jack_get_cycle_times) and when the callback started and ended
 * (jack_get_time); at exit writes them to RECORD_FILE as struct cycle_record, so the benchmark
 * can line up the clients of one cycle by its frame and measure the hop between them. */
#include <jack/jack.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cycle_record {
    uint64_t frames;      /* the cycle's first frame */
    uint64_t cycle_usecs; /* the cycle's start, as the server reports it */
    uint64_t wake_usecs;  /* the callback's start */
    uint64_t done_usecs;  /* the callback's end */
};

#define MAX_RECORDS 100000 /* 30 s at 32 frames and 48 kHz is 45000 cycles */
static jack_client_t* client;
static jack_port_t *in, *out;
static long busy;
static struct cycle_record records[MAX_RECORDS];
static volatile long count;
static volatile sig_atomic_t stop;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    jack_time_t wake = jack_get_time();
    jack_nframes_t current_frames = 0;
    jack_time_t current_usecs = 0, next_usecs;
    float period;
    jack_get_cycle_times(client, &current_frames, &current_usecs, &next_usecs, &period);
    float* o = jack_port_get_buffer(out, frames);
    memcpy(o, jack_port_get_buffer(in, frames), frames * sizeof(float));
    for (volatile long i = 0; i < busy; ++i) {
    }
    if (count < MAX_RECORDS) {
        struct cycle_record* r = &records[count++];
        r->frames = current_frames;
        r->cycle_usecs = current_usecs;
        r->wake_usecs = wake;
        r->done_usecs = jack_get_time();
    }
    return 0;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: passthrough NAME [BUSY_LOOPS [RECORD_FILE]]\n");
        return 2;
    }
    busy = argc > 2 ? atol(argv[2]) : 0;
    /* The main thread sleeps until told to stop: a polling loop would add its own wake-ups to
     * the CPU measured for every server alike. The stop signals are blocked before the library
     * starts its threads, so only the main thread's sigsuspend receives them. */
    sigset_t stop_signals, waiting;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop_signals, &waiting);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    memset(records, 0, sizeof records); /* resident before the first cycle: no page faults */
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
        sigsuspend(&waiting);
    jack_deactivate(client);
    if (argc > 3) {
        FILE* f = fopen(argv[3], "wb");
        if (!f || fwrite(records, sizeof records[0], (size_t)count, f) != (size_t)count) return 1;
        fclose(f);
    }
    jack_client_close(client);
    return 0;
}
