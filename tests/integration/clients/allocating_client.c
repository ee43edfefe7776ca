/* A client that breaks the real-time rules on purpose: it allocates in its process callback.
 * The allocation guard must catch it, which proves the guard can fail a test. */
#include <jack/jack.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Called through volatile pointers so the compiler cannot elide the pair. */
static void* (*volatile allocate)(size_t) = malloc;
static void (*volatile release)(void*) = free;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    release(allocate(frames));
    return 0;
}

int main(void) {
    jack_client_t* client = jack_client_open("allocating", JackNoStartServer, NULL);
    if (!client) return 1;
    jack_set_process_callback(client, process, NULL);
    if (jack_activate(client)) return 1;
    for (;;)
        pause();
}
