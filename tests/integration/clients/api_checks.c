/* Checks of the libjack API that no Debian program exercises on its own: threads and real-time
 * priority, cycle times and frame/time conversion, port buffers from other threads and of
 * another client's ports, the client-only (no process callback) case, callbacks for a request's own
 * changes run before it returns. Prints "api checks passed". */
#include <errno.h>
#include <jack/jack.h>
#include <jack/thread.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static atomic_int cycles; /* written by the process thread, read by main */
static jack_port_t *out, *in;

static int process(jack_nframes_t frames, void* arg) {
    jack_client_t* client = arg;
    float* buffer = jack_port_get_buffer(out, frames);
    for (jack_nframes_t i = 0; i < frames; ++i)
        buffer[i] = 0.5f;
    /* Inside the cycle, frames since its start stay below a period. */
    if (jack_frames_since_cycle_start(client) > 4 * frames) return 1;
    cycles++;
    return 0;
}

/* Slow callbacks (2 ms each), so that a request returning before its own notifications were
 * dispatched is caught every time rather than by chance. */
static atomic_int registrations, connections_made;
static pthread_mutex_t held_by_main = PTHREAD_MUTEX_INITIALIZER;

static void on_registration(jack_port_id_t port, int registered, void* arg) {
    usleep(2000);
    registrations++;
}

static void on_connection(jack_port_id_t a, jack_port_id_t b, int connected, void* arg) {
    usleep(2000);
    connections_made++;
}

static void on_registration_locking(jack_port_id_t port, int registered, void* arg) {
    pthread_mutex_lock(&held_by_main);
    registrations++;
    pthread_mutex_unlock(&held_by_main);
}

static void check_callbacks_before_return(void) {
    jack_client_t* counter = jack_client_open("counter", JackNoStartServer, NULL);
    CHECK(counter != NULL);
    CHECK(jack_set_port_registration_callback(counter, on_registration, NULL) == 0);
    CHECK(jack_set_port_connect_callback(counter, on_connection, NULL) == 0);
    CHECK(jack_activate(counter) == 0);
    for (int i = 0; i < 10; ++i) {
        jack_port_t* port =
            jack_port_register(counter, "probe", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        CHECK(port != NULL);
        CHECK(registrations == 2 * i + 1);
        CHECK(jack_connect(counter, "counter:probe", "system:playback_1") == 0);
        CHECK(connections_made == 2 * i + 1);
        CHECK(jack_disconnect(counter, "counter:probe", "system:playback_1") == 0);
        CHECK(connections_made == 2 * i + 2);
        CHECK(jack_port_unregister(counter, port) == 0);
        CHECK(registrations == 2 * i + 2);
    }
    /* A callback blocked on a lock the caller holds delays the request, never deadlocks it. */
    CHECK(jack_deactivate(counter) == 0);
    CHECK(jack_set_port_registration_callback(counter, on_registration_locking, NULL) == 0);
    CHECK(jack_activate(counter) == 0);
    int before = registrations;
    pthread_mutex_lock(&held_by_main);
    jack_port_t* port =
        jack_port_register(counter, "locked", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    CHECK(port != NULL);
    CHECK(registrations == before);
    pthread_mutex_unlock(&held_by_main);
    while (registrations == before)
        usleep(1000);
    CHECK(jack_client_close(counter) == 0);
}

static void* worker(void* arg) {
    int* ran = arg;
    *ran = 1;
    return NULL;
}

int main(void) {
    jack_status_t status;
    jack_client_t* client = jack_client_open("apichecks", JackNoStartServer, &status);
    CHECK(client != NULL);
    CHECK(jack_client_thread_id(client) == 0);
    out = jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    in = jack_port_register(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    CHECK(out && in);
    CHECK(jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) == NULL);
    CHECK(jack_port_register(client, "bad", "no such type", JackPortIsOutput, 0) == NULL);
    CHECK(jack_port_by_name(client, "apichecks:out") == out); /* one canonical handle */
    CHECK(jack_port_by_id(client, 0) == NULL);
    CHECK(jack_set_process_callback(client, process, client) == 0);
    CHECK(jack_activate(client) == 0);
    CHECK(jack_activate(client) == 0);                              /* activating twice is fine */
    CHECK(jack_set_process_callback(client, process, client) != 0); /* not while active */
    CHECK(jack_client_thread_id(client) != 0);

    /* Real-time priority as the server reports it. */
    if (jack_is_realtime(client)) {
        CHECK(jack_client_real_time_priority(client) > 0);
        CHECK(jack_client_max_real_time_priority(client) > jack_client_real_time_priority(client));
    } else {
        CHECK(jack_client_real_time_priority(client) == -1);
    }

    /* A thread made by the library, joined by the library. */
    jack_native_thread_t thread;
    int ran = 0;
    CHECK(jack_client_create_thread(client, &thread, 5, 1, worker, &ran) == 0);
    CHECK(jack_client_stop_thread(client, thread) == 0);
    CHECK(ran == 1);
    int rc = jack_acquire_real_time_scheduling(pthread_self(), 3);
    if (rc == 0) CHECK(jack_drop_real_time_scheduling(pthread_self()) == 0);

    while (cycles < 20)
        usleep(1000);

    /* Cycle times: consecutive, a period apart, consistent with the frame clock. */
    jack_nframes_t frames;
    jack_time_t current, next;
    float period;
    CHECK(jack_get_cycle_times(client, &frames, &current, &next, &period) == 0);
    jack_nframes_t size = jack_get_buffer_size(client);
    CHECK(period > 0.0f);
    CHECK(next > current);
    CHECK(abs((int)(next - current) - (int)period) <= 2);
    CHECK(jack_frames_to_time(client, frames) == current);
    CHECK(jack_time_to_frames(client, current) == frames);
    CHECK(abs((int)(jack_time_to_frames(client, next) - (frames + size))) <= 1);
    jack_nframes_t now = jack_frame_time(client);
    CHECK(now - frames < 4 * size);
    CHECK(jack_last_frame_time(client) - frames <= 4 * size);
    CHECK(jack_get_time() >= current);

    /* Port buffers from a non-process thread, as jackd2 serves them: any frame count up to its
     * 8192, and ports of another client too (the driver's capture port here). */
    CHECK(jack_port_get_buffer(out, size) != NULL);
    CHECK(jack_port_get_buffer(out, size * 2) == jack_port_get_buffer(out, size));
    CHECK(jack_port_get_buffer(in, size) != NULL);
    jack_port_t* capture = jack_port_by_name(client, "system:capture_1");
    CHECK(capture != NULL);
    CHECK(jack_port_get_buffer(capture, size) != NULL);
    CHECK(jack_port_is_mine(client, out) && !jack_port_is_mine(client, capture));

    /* A client with no process callback takes no part in cycles and has no thread. */
    jack_client_t* patchbay = jack_client_open("patchbay", JackNoStartServer, NULL);
    CHECK(patchbay != NULL);
    CHECK(jack_activate(patchbay) == 0);
    CHECK(jack_client_thread_id(patchbay) == 0);
    CHECK(jack_connect(patchbay, "apichecks:out", "system:playback_1") == 0);
    CHECK(jack_connect(patchbay, "apichecks:out", "system:playback_1") == EEXIST);
    CHECK(jack_port_connected_to(out, "system:playback_1"));
    const char** connections = jack_port_get_connections(out);
    CHECK(connections && strcmp(connections[0], "system:playback_1") == 0 &&
          connections[1] == NULL);
    jack_free(connections);
    CHECK(jack_port_disconnect(client, out) == 0);
    CHECK(jack_port_connected(out) == 0);
    CHECK(jack_client_close(patchbay) == 0);

    check_callbacks_before_return();

    /* Input monitoring: a counter of requests; "ensure" switches between none and one. */
    CHECK(jack_port_monitoring_input(in) == 0);
    CHECK(jack_port_request_monitor(in, 1) == 0);
    CHECK(jack_port_monitoring_input(in) == 1);
    CHECK(jack_port_request_monitor(in, 1) == 0);
    CHECK(jack_port_request_monitor(in, 0) == 0);
    CHECK(jack_port_monitoring_input(in) == 1);
    CHECK(jack_port_request_monitor(in, 0) == 0);
    CHECK(jack_port_monitoring_input(in) == 0);
    CHECK(jack_port_ensure_monitor(in, 1) == 0);
    CHECK(jack_port_ensure_monitor(in, 1) == 0);
    CHECK(jack_port_monitoring_input(in) == 1);
    CHECK(jack_port_ensure_monitor(in, 0) == 0);
    CHECK(jack_port_monitoring_input(in) == 0);
    CHECK(jack_port_request_monitor_by_name(client, "apichecks:in", 1) == 0);
    CHECK(jack_port_monitoring_input(in) == 1);
    CHECK(jack_port_request_monitor_by_name(client, "nobody:in", 1) != 0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    CHECK(jack_port_tie(out, in) == -1); /* deprecated, refused */
#pragma GCC diagnostic pop

    CHECK(jack_deactivate(client) == 0);
    CHECK(jack_client_thread_id(client) == 0);
    int before = cycles;
    usleep(100000);
    CHECK(cycles == before); /* no process while inactive */
    CHECK(jack_port_unregister(client, in) == 0);
    CHECK(jack_port_unregister(client, in) != 0);
    CHECK(jack_client_close(client) == 0);
    printf("api checks passed\n");
    return 0;
}
