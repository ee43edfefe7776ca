/* Control-plane churn: opens a client, registers two ports, activates, connects itself between
 * SOURCE and DESTINATION, disconnects, deactivates and closes, over and over.
 *   churn_client NAME SOURCE DESTINATION SECONDS
 * Prints "ITERATIONS FAILURES" at the end; exits 1 if any step failed. */
#include <jack/jack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static jack_port_t *in, *out;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    memcpy(jack_port_get_buffer(out, frames), jack_port_get_buffer(in, frames),
           frames * sizeof(float));
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int one_round(const char* name, const char* source, const char* destination) {
    jack_client_t* client = jack_client_open(name, JackNoStartServer, NULL);
    if (!client) return 1;
    int failed = 0;
    in = jack_port_register(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    failed |= !in || !out;
    failed |= jack_set_process_callback(client, process, NULL) != 0;
    failed |= jack_activate(client) != 0;
    if (!failed) {
        failed |= jack_connect(client, source, jack_port_name(in)) != 0;
        failed |= jack_connect(client, jack_port_name(out), destination) != 0;
        failed |= jack_disconnect(client, source, jack_port_name(in)) != 0;
        failed |= jack_disconnect(client, jack_port_name(out), destination) != 0;
        failed |= jack_deactivate(client) != 0;
    }
    failed |= jack_client_close(client) != 0;
    return failed;
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: churn_client NAME SOURCE DESTINATION SECONDS\n");
        return 2;
    }
    double end = now() + atof(argv[4]);
    long rounds = 0, failures = 0;
    while (now() < end) {
        failures += one_round(argv[1], argv[2], argv[3]);
        ++rounds;
    }
    printf("%ld %ld\n", rounds, failures);
    return failures ? 1 : 0;
}
