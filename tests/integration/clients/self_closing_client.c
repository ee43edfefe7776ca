/* A client that ends itself from inside its own callbacks, as some programs do:
 *   self_closing_client NAME process-close|process-deactivate|graph-close
 * process-close: jack_client_close from inside the 50th process callback after a line on stdin
 *   (the test's ports are connected by then, however slowly the machine runs jack_connect).
 * process-deactivate: jack_deactivate from inside the 50th process callback after a line on
 *   stdin, then a normal close from the main thread.
 * graph-close: jack_client_close from inside the graph-order callback (a connection made by
 *   someone else after "active" is printed).
 * Prints the return code of the call and exits 0; a crash is the failure being tested. */
#include <jack/jack.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static jack_client_t* client;
static jack_port_t *in, *out;
static const char* mode;
static atomic_int armed = 0, cycles, done = 0, result = -100;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    memcpy(jack_port_get_buffer(out, frames), jack_port_get_buffer(in, frames),
           frames * sizeof(float));
    if (armed && ++cycles == 50 && !done) {
        if (strcmp(mode, "process-close") == 0)
            result = jack_client_close(client);
        else if (strcmp(mode, "process-deactivate") == 0)
            result = jack_deactivate(client);
        else
            return 0;
        done = 1;
    }
    return 0;
}

static int graph_order(void* arg) {
    (void)arg;
    if (strcmp(mode, "graph-close") == 0 && !done) {
        done = 1; /* first: nothing of the client may be touched after the close */
        result = jack_client_close(client);
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr,
                "usage: self_closing_client NAME process-close|process-deactivate|graph-close\n");
        return 2;
    }
    mode = argv[2];
    client = jack_client_open(argv[1], JackNoStartServer, NULL);
    if (!client) return 1;
    in = jack_port_register(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client, process, NULL);
    jack_set_graph_order_callback(client, graph_order, NULL);
    if (jack_activate(client)) return 1;
    printf("active\n");
    fflush(stdout);
    if (strcmp(mode, "graph-close") != 0) {
        char line[16];
        if (!fgets(line, sizeof line, stdin)) return 1;
        armed = 1;
    }
    while (!done)
        usleep(1000);
    usleep(300000); /* the library's threads unwind; a use after free would show here */
    printf("%s returned %d\n", mode, (int)result);
    if (strcmp(mode, "process-deactivate") == 0)
        printf("close returned %d\n", jack_client_close(client));
    fflush(stdout);
    return 0;
}
