/* inprocess: the in-process example client JACK2 ships, which its conformance program jack_test
 * loads by that name: one input copied to one output.
 *
 *   jack_load NAME inprocess
 *
 * Ports NAME:input and NAME:output. Runs inside bantamd. */
#include <jack/jack.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    jack_port_t* input;
    jack_port_t* output;
} Ports;

/* Real-time thread: a copy, nothing else. */
static int process(jack_nframes_t frames, void* arg) {
    Ports* ports = arg;
    memcpy(jack_port_get_buffer(ports->output, frames), jack_port_get_buffer(ports->input, frames),
           frames * sizeof(float));
    return 0;
}

__attribute__((visibility("default"))) int jack_initialize(jack_client_t* client,
                                                           const char* load_init) {
    (void)load_init;
    Ports* ports = calloc(1, sizeof *ports);
    if (!ports) return 1;
    ports->input = jack_port_register(client, "input", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    ports->output =
        jack_port_register(client, "output", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!ports->input || !ports->output || jack_set_process_callback(client, process, ports) ||
        jack_activate(client)) {
        free(ports);
        return 1;
    }
    return 0;
}

__attribute__((visibility("default"))) void jack_finish(void* arg) {
    /* The host closed the client before this, as JACK2 does; the port pointers went with it. */
    free(arg);
}
