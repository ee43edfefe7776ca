/* A pass-through JACK client that kills itself with SIGKILL from inside its process callback
 * after a given number of cycles: the harshest way a client can die.
 *   killer_client NAME CYCLES [SOURCE DESTINATION [--close|--exit]]
 * With SOURCE and DESTINATION it connects itself between them once active, so a test can run
 * thousands of them without a jack_connect per port. With --close it closes and exits normally
 * instead of dying: the same life without the kill, for comparison. With --exit it calls exit(0)
 * while still active, never closing: a client that just leaves. CYCLES 0: until SIGUSR1 instead,
 * so that a test chooses the moment. */
#include <jack/jack.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static jack_port_t *in, *out;
static long cycles_left;
static int close_instead, exit_instead;
static sem_t done; /* posted from the callback: sem_post is async-signal and wait-free */

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    memcpy(jack_port_get_buffer(out, frames), jack_port_get_buffer(in, frames),
           frames * sizeof(float));
    if (--cycles_left == 0) {
        if (!close_instead) raise(SIGKILL);
        sem_post(&done);
    }
    return 0;
}

static void on_usr1(int signo) {
    (void)signo;
    sem_post(&done);
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: killer_client NAME CYCLES [SOURCE DESTINATION]\n");
        return 2;
    }
    cycles_left = atol(argv[2]);
    close_instead = argc > 5 && strcmp(argv[5], "--close") == 0;
    exit_instead = argc > 5 && strcmp(argv[5], "--exit") == 0;
    close_instead = close_instead || exit_instead;
    sem_init(&done, 0, 0);
    signal(SIGUSR1, on_usr1);
    jack_client_t* client = jack_client_open(argv[1], JackNoStartServer, NULL);
    if (!client) return 1;
    in = jack_port_register(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client, process, NULL);
    if (jack_activate(client)) return 1;
    if (argc > 4 && (jack_connect(client, argv[3], jack_port_name(in)) ||
                     jack_connect(client, jack_port_name(out), argv[4])))
        return 1;
    printf("active\n");
    fflush(stdout);
    while (sem_wait(&done) != 0) {
    }
    if (exit_instead) exit(0);
    jack_client_close(client);
    return 0;
}
