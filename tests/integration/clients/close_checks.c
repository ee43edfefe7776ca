/* jack_client_close returns whatever the process thread did: close_checks MODE, one of
 *   thread-model  the alternate thread model (jack_set_process_thread: jack_cycle_wait and
 *                 jack_cycle_signal in the client's own loop, as Ardour's JACK backend does);
 *                 the thread ends inside jack_cycle_wait, never seeing a 0 frame count
 *   sleeping      a process callback that stops returning, sleeping (a cancellation point)
 *   spinning      a process callback that stops returning, spinning (no cancellation point;
 *                 jackd2 cancels its process thread asynchronously, wherever it is)
 * Prints "close returned after N ms" and exits 0; a watchdog fails it after 10 s. */
#include <jack/jack.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static jack_client_t* client;
static jack_port_t* out;
static atomic_int cycles;
static atomic_int stuck;    /* set by main: the callback stops returning */
static atomic_int saw_zero; /* the user loop was handed a 0 frame count */

static void* thread_model(void* arg) {
    (void)arg;
    for (;;) {
        jack_nframes_t frames = jack_cycle_wait(client);
        if (frames == 0) {
            saw_zero = 1;
            return NULL;
        }
        memset(jack_port_get_buffer(out, frames), 0, frames * sizeof(float));
        cycles++;
        jack_cycle_signal(client, 0);
    }
}

static int process(jack_nframes_t frames, void* arg) {
    const char* mode = arg;
    memset(jack_port_get_buffer(out, frames), 0, frames * sizeof(float));
    cycles++;
    volatile unsigned long spins = 0;
    while (stuck) {
        if (strcmp(mode, "sleeping") == 0)
            usleep(10000);
        else
            spins++;
    }
    return 0;
}

static void watchdog(int sig) {
    (void)sig;
    static const char message[] = "jack_client_close did not return within 10 s\n";
    write(2, message, sizeof message - 1);
    _exit(3);
}

int main(int argc, char** argv) {
    CHECK(argc == 2);
    const char* mode = argv[1];
    client = jack_client_open("close_checks", JackNoStartServer, NULL);
    CHECK(client != NULL);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    CHECK(out != NULL);
    if (strcmp(mode, "thread-model") == 0)
        CHECK(jack_set_process_thread(client, thread_model, NULL) == 0);
    else
        CHECK(jack_set_process_callback(client, process, (void*)mode) == 0);
    CHECK(jack_activate(client) == 0);
    for (int i = 0; i < 1000 && cycles < 20; ++i)
        usleep(10000);
    CHECK(cycles >= 20);
    if (strcmp(mode, "thread-model") != 0) {
        stuck = 1;
        int seen = cycles;
        for (int i = 0; i < 100 && cycles == seen; ++i)
            usleep(10000);
        usleep(50000); /* the callback is now inside its endless loop */
    }
    signal(SIGALRM, watchdog);
    alarm(10);
    long start = now_ms();
    CHECK(jack_client_close(client) == 0);
    long took = now_ms() - start;
    alarm(0);
    CHECK(!saw_zero);
    printf("close returned after %ld ms\n", took);
    fflush(stdout);
    _exit(0); /* a spinning callback may still run: leave without running exit handlers */
}
