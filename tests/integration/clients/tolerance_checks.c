/* What jackd2 and JACK1 forgive, tried one case at a time: tolerance_checks MODE. Each mode does
 * one thing programs written against jackd2 do, and prints what it saw as "key value" lines;
 * tests/integration/test_tolerances.py runs every mode on jackd2 (with Debian's libjack) and on
 * Bantam and compares. A mode exits 0 when it ran to its end; a crash or hang is the outcome
 * the test looks for. docs/compatibility.md lists the modes by row. */
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static jack_client_t* client;
static atomic_int cycles;
static jack_nframes_t period;

static void say(const char* key, long value) {
    printf("%s %ld\n", key, value);
    fflush(stdout);
}

/* Waits until the process callback has run `count` times in all (at most 5 s). */
static void wait_until_cycles(int count) {
    for (int i = 0; i < 5000 && cycles < count; ++i)
        usleep(1000);
    CHECK(cycles >= count);
}

/* Waits until the process callback has run `more` more times. */
static void wait_cycles(int more) {
    wait_until_cycles(cycles + more);
}

static jack_client_t* open_client(const char* name) {
    jack_client_t* c = jack_client_open(name, JackNoStartServer, NULL);
    CHECK(c != NULL);
    period = jack_get_buffer_size(c);
    return c;
}

static jack_port_t* reg(jack_client_t* c, const char* name, const char* type, unsigned long flags) {
    jack_port_t* port = jack_port_register(c, name, type, flags, 0);
    CHECK(port != NULL);
    return port;
}

static int all_zero(const float* samples, jack_nframes_t frames) {
    for (jack_nframes_t i = 0; i < frames; ++i)
        if (samples[i] != 0.0f) return 0;
    return 1;
}

/* ---- unregistered: jack_port_get_buffer on ports unregistered while active (mpg123) ---------- */

static jack_port_t *audio_out, *audio_in, *midi_out, *midi_in;
static atomic_int null_buffers, unregistered, loud_inputs, midi_events_in;

static int unregistered_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    float* out = jack_port_get_buffer(audio_out, frames);
    void* mout = jack_port_get_buffer(midi_out, frames);
    if (!out || !mout) {
        null_buffers++;
    } else {
        for (jack_nframes_t i = 0; i < frames; ++i)
            out[i] = 0.25f; /* as mpg123 does, without looking */
        jack_midi_clear_buffer(mout);
        unsigned char note[3] = {0x90, 60, 100};
        jack_midi_event_write(mout, 0, note, 3);
    }
    const float* in = jack_port_get_buffer(audio_in, frames);
    void* min = jack_port_get_buffer(midi_in, frames);
    if (!in || !min) {
        null_buffers++;
    } else if (unregistered) {
        if (!all_zero(in, frames)) loud_inputs++;
        midi_events_in += (int)jack_midi_get_event_count(min);
    }
    cycles++;
    return 0;
}

static void mode_unregistered(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "audio_out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "audio_in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    midi_out = reg(client, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput);
    midi_in = reg(client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput);
    CHECK(jack_set_process_callback(client, unregistered_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    CHECK(jack_connect(client, "tolerance:audio_out", "tolerance:audio_in") == 0);
    CHECK(jack_connect(client, "tolerance:midi_out", "tolerance:midi_in") == 0);
    wait_cycles(20);
    CHECK(jack_port_unregister(client, audio_out) == 0);
    CHECK(jack_port_unregister(client, audio_in) == 0);
    CHECK(jack_port_unregister(client, midi_out) == 0);
    CHECK(jack_port_unregister(client, midi_in) == 0);
    unregistered = 1;
    int before = cycles;
    wait_cycles(20);
    say("cycles_after_unregistering", cycles - before >= 20);
    say("null_buffers", null_buffers);
    say("loud_input_cycles", loud_inputs > 0);
    say("midi_events_on_input", midi_events_in > 0);
    CHECK(jack_client_close(client) == 0);
}

/* ---- foreign: buffers of another process's ports ----------------------------------------------
 */

static jack_port_t *capture, *ramp_out, *playback_fed, *playback_unfed, *ramp_own;
static atomic_int foreign_nulls, capture_seen, ramp_seen, fed_seen, unfed_zero, wrong_ramp;

static float ramp(jack_nframes_t i) {
    return (float)(i + 1) / 8192.0f;
}

static int ramp_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    float* out = jack_port_get_buffer(ramp_own, frames);
    for (jack_nframes_t i = 0; i < frames; ++i)
        out[i] = ramp(i);
    return 0;
}

static int is_ramp(const float* samples, jack_nframes_t frames) {
    for (jack_nframes_t i = 0; i < frames; ++i)
        if (samples[i] != ramp(i)) return 0;
    return 1;
}

static int foreign_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    const float* a = jack_port_get_buffer(capture, frames);
    const float* b = jack_port_get_buffer(ramp_out, frames);
    const float* c = jack_port_get_buffer(playback_fed, frames);
    const float* d = jack_port_get_buffer(playback_unfed, frames);
    if (!a || !b || !c || !d) {
        foreign_nulls++;
    } else {
        capture_seen = 1;
        /* The ramp client may not have run yet this cycle: then its buffer holds the previous
         * cycle's ramp, the same values. */
        if (is_ramp(b, frames))
            ramp_seen++;
        else
            wrong_ramp++;
        if (is_ramp(c, frames)) fed_seen++;
        if (all_zero(d, frames)) unfed_zero++;
    }
    cycles++;
    return 0;
}

static void mode_foreign(void) {
    int ready[2], done[2];
    CHECK(pipe(ready) == 0 && pipe(done) == 0);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        jack_client_t* r = open_client("ramp");
        ramp_own = reg(r, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
        CHECK(jack_set_process_callback(r, ramp_process, NULL) == 0);
        CHECK(jack_activate(r) == 0);
        CHECK(jack_connect(r, "ramp:out", "system:playback_1") == 0);
        usleep(100000); /* a few cycles: its buffer holds the ramp */
        CHECK(write(ready[1], "r", 1) == 1);
        char byte;
        (void)read(done[0], &byte, 1);
        jack_client_close(r);
        _exit(0);
    }
    char byte;
    CHECK(read(ready[0], &byte, 1) == 1);
    client = open_client("tolerance");
    capture = jack_port_by_name(client, "system:capture_1");
    ramp_out = jack_port_by_name(client, "ramp:out");
    playback_fed = jack_port_by_name(client, "system:playback_1");
    playback_unfed = jack_port_by_name(client, "system:playback_2");
    CHECK(capture && ramp_out && playback_fed && playback_unfed);
    say("from_main_thread", jack_port_get_buffer(ramp_out, period) != NULL &&
                                is_ramp(jack_port_get_buffer(ramp_out, period), period));
    CHECK(jack_set_process_callback(client, foreign_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(20);
    say("null_buffers", foreign_nulls);
    say("capture_buffer", capture_seen);
    say("ramp_output_read", ramp_seen >= 10 && wrong_ramp == 0);
    say("fed_input_read", fed_seen >= 10);
    say("unfed_input_silent", unfed_zero >= 10);
    CHECK(jack_client_close(client) == 0);
    CHECK(write(done[1], "d", 1) == 1);
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- frames: a frame count above the period ---------------------------------------------------
 */

static atomic_int big_nulls, big_input_loud;

static int frames_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    float* out = jack_port_get_buffer(audio_out, 8192);
    const float* in = jack_port_get_buffer(audio_in, 2 * frames);
    if (!out || !in) {
        big_nulls++;
    } else {
        for (int i = 0; i < 8192; ++i)
            out[i] = 0.5f;
        if (!all_zero(in, 2 * frames)) big_input_loud++;
    }
    cycles++;
    return 0;
}

static void mode_frames(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    CHECK(jack_set_process_callback(client, frames_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(20);
    say("null_buffers", big_nulls);
    say("loud_input_cycles", big_input_loud);
    CHECK(jack_client_close(client) == 0);
}

/* More than jackd2's 8192: jackd2 fails an assertion (SIGABRT). */
static void mode_frames_over_max(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    say("over_8192_null", jack_port_get_buffer(audio_out, 8193) == NULL);
    CHECK(jack_client_close(client) == 0);
}

/* ---- before-activate: buffers of an open, inactive client ---------------------------------------
 */

static void* out_seen_in_cycle;

static int pointer_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    out_seen_in_cycle = jack_port_get_buffer(audio_out, frames);
    cycles++;
    return 0;
}

static void mode_before_activate(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    void* out = jack_port_get_buffer(audio_out, period);
    const float* in = jack_port_get_buffer(audio_in, period);
    say("output_buffer", out != NULL);
    say("input_silent", in && all_zero(in, period));
    CHECK(jack_set_process_callback(client, pointer_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(5);
    say("same_output_buffer_in_cycle", out_seen_in_cycle == out);
    CHECK(jack_client_close(client) == 0);
}

/* ---- deactivating: buffers while jack_deactivate and jack_client_close run ----------------------
 */

static int counting_nulls_process(jack_nframes_t frames, void* arg) {
    (void)arg;
    float* out = jack_port_get_buffer(audio_out, frames);
    const float* in = jack_port_get_buffer(audio_in, frames);
    if (!out || !in)
        null_buffers++;
    else
        memset(out, 0, frames * sizeof(float));
    cycles++;
    return 0;
}

static void mode_deactivating(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    CHECK(jack_set_process_callback(client, counting_nulls_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    CHECK(jack_connect(client, "system:capture_1", "tolerance:in") == 0);
    CHECK(jack_connect(client, "tolerance:out", "system:playback_1") == 0);
    wait_cycles(10);
    say("deactivate", jack_deactivate(client));
    CHECK(jack_activate(client) == 0);
    wait_cycles(10);
    say("close", jack_client_close(client));
    say("null_buffers", null_buffers);
}

/* ---- unregister-in-callback: jack_port_unregister from a notification callback ------------------
 */

static atomic_int unregister_rc = 99;

static void unregister_on_registration(jack_port_id_t id, int registered, void* arg) {
    (void)arg;
    const char* name = registered ? jack_port_name(jack_port_by_id(client, id)) : NULL;
    if (name && strcmp(name, "tolerance:trigger") == 0 && unregister_rc == 99)
        unregister_rc = jack_port_unregister(client, audio_out);
}

static void mode_unregister_in_callback(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    CHECK(jack_set_process_callback(client, counting_nulls_process, NULL) == 0);
    CHECK(jack_set_port_registration_callback(client, unregister_on_registration, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    midi_out = reg(client, "trigger", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    for (int i = 0; i < 1000 && unregister_rc == 99; ++i)
        usleep(1000);
    wait_cycles(10);
    say("unregister_in_callback", unregister_rc);
    say("still_registered", jack_port_by_name(client, "tolerance:out") != NULL);
    say("null_buffers", null_buffers);
    CHECK(jack_client_close(client) == 0);
}

/* ---- deactivate-blocked / close-blocked: the callback waits for a lock the caller holds ---------
 */

/* The callback waits either for a mutex (no cancellation point) or on a semaphore (one). */
static pthread_mutex_t callback_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t callback_go;
static atomic_int hold_callback;

static int locking_process(jack_nframes_t frames, void* arg) {
    (void)frames;
    if (arg) {
        if (hold_callback) sem_wait(&callback_go);
    } else {
        pthread_mutex_lock(&callback_lock);
    }
    cycles++;
    if (!arg) pthread_mutex_unlock(&callback_lock);
    return 0;
}

static void blocked(int closing, int on_semaphore) {
    client = open_client("tolerance");
    CHECK(sem_init(&callback_go, 0, 0) == 0);
    CHECK(jack_set_process_callback(client, locking_process, on_semaphore ? client : NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(10);
    if (on_semaphore)
        hold_callback = 1;
    else
        pthread_mutex_lock(&callback_lock);
    usleep(50000); /* the callback is now waiting */
    long start = now_ms();
    int rc = closing ? jack_client_close(client) : jack_deactivate(client);
    long took = now_ms() - start;
    int before = cycles;
    if (on_semaphore) {
        hold_callback = 0;
        sem_post(&callback_go);
    } else {
        pthread_mutex_unlock(&callback_lock);
    }
    usleep(100000);
    say(closing ? "close" : "deactivate", rc);
    say("returned_within_500_ms", took < 500);
    say("callback_resumed", cycles != before);
    if (!closing) {
        say("activate_again", jack_activate(client));
        usleep(100000);
        say("cycles_again", cycles > before + 1);
        CHECK(jack_client_close(client) == 0);
    }
}

static void mode_deactivate_blocked(void) {
    blocked(0, 0);
}

static void mode_deactivate_waiting(void) {
    blocked(0, 1);
}

static void mode_close_waiting(void) {
    blocked(1, 1);
}

static void mode_close_blocked(void) {
    blocked(1, 0);
    /* Whatever the abandoned callback does, a new client of the process runs normally. */
    client = open_client("tolerance2");
    CHECK(jack_set_process_callback(client, counting_nulls_process, NULL) == 0);
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    CHECK(jack_activate(client) == 0);
    wait_cycles(10);
    say("next_client_runs", 1);
    CHECK(jack_client_close(client) == 0);
}

/* ---- deactivate-in-callback / close-in-callback: the process callback ends its own client -------
 */

static atomic_int returned_from_call;
static atomic_int call_rc = 99;

static int self_deactivating_process(jack_nframes_t frames, void* arg) {
    (void)frames;
    int closing = arg != NULL;
    if (++cycles == 10) {
        call_rc = closing ? jack_client_close(client) : jack_deactivate(client);
        returned_from_call = 1;
    }
    return 0;
}

static void in_callback(int closing) {
    client = open_client("tolerance");
    CHECK(jack_set_process_callback(client, self_deactivating_process, closing ? client : NULL) ==
          0);
    CHECK(jack_activate(client) == 0);
    wait_until_cycles(10);
    usleep(200000);
    say("call_returned", returned_from_call);
    say("call_rc", call_rc);
    say("cycles_stopped", cycles == 10);
    if (!closing) {
        /* jackd2 cancelled the thread inside jack_deactivate, after the server deactivated. */
        say("activate_again", jack_activate(client));
        CHECK(jack_client_close(client) == 0);
    } else {
        /* jackd2 left its open lock held: another open in this process never returns. */
        alarm(3);
        jack_client_t* next = jack_client_open("tolerance2", JackNoStartServer, NULL);
        say("open_after", next != NULL);
        if (next) jack_client_close(next);
    }
}

static void mode_deactivate_in_callback(void) {
    in_callback(0);
}

static void mode_close_in_callback(void) {
    in_callback(1);
}

/* ---- null-client / null-port: NULL where a client or a port is expected ------------------------
 */

static void mode_null_client(void) {
    jack_nframes_t frames;
    jack_time_t current, next;
    float period_usecs;
    say("activate", jack_activate(NULL));
    say("deactivate", jack_deactivate(NULL));
    say("client_close", jack_client_close(NULL));
    say("get_client_name", jack_get_client_name(NULL) != NULL);
    say("get_sample_rate", jack_get_sample_rate(NULL));
    say("get_buffer_size", jack_get_buffer_size(NULL));
    say("is_realtime", jack_is_realtime(NULL));
    say("port_register", jack_port_register(NULL, "x", JACK_DEFAULT_AUDIO_TYPE, 0, 0) != NULL);
    say("port_by_name", jack_port_by_name(NULL, "system:capture_1") != NULL);
    say("get_ports", jack_get_ports(NULL, NULL, NULL, 0) != NULL);
    say("connect", jack_connect(NULL, "system:capture_1", "system:playback_1"));
    say("set_process_callback", jack_set_process_callback(NULL, NULL, NULL));
    say("cpu_load_is_zero", jack_cpu_load(NULL) == 0.0f);
    say("transport_query", jack_transport_query(NULL, NULL));
    say("client_thread_id", jack_client_thread_id(NULL) != 0);
    say("get_cycle_times", jack_get_cycle_times(NULL, &frames, &current, &next, &period_usecs));
    say("frames_since_cycle_start", jack_frames_since_cycle_start(NULL) < 100000);
    say("frame_time_is_zero", jack_frame_time(NULL) == 0); /* jackd2 crashes here */
}

static void mode_null_port(void) {
    client = open_client("tolerance");
    say("port_name", jack_port_name(NULL) != NULL);
    say("port_short_name", jack_port_short_name(NULL) != NULL);
    say("port_type", jack_port_type(NULL) != NULL);
    say("port_flags", jack_port_flags(NULL));
    say("port_connected", jack_port_connected(NULL));
    say("port_connected_to", jack_port_connected_to(NULL, "system:capture_1"));
    say("port_is_mine", jack_port_is_mine(client, NULL));
    say("port_get_buffer", jack_port_get_buffer(NULL, period) != NULL);
    say("port_get_connections", jack_port_get_connections(NULL) != NULL);
    say("port_unregister", jack_port_unregister(client, NULL));
    say("port_disconnect", jack_port_disconnect(client, NULL));
    CHECK(jack_client_close(client) == 0);
}

/* ---- stale-port: a port pointer kept after its port is gone -------------------------------------
 */

static void mode_stale_port(void) {
    client = open_client("tolerance");
    jack_port_t* port = reg(client, "gone", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_activate(client) == 0);
    CHECK(jack_port_unregister(client, port) == 0);
    const char* name = jack_port_name(port);
    say("name_kept", name && strcmp(name, "tolerance:gone") == 0);
    say("is_mine", jack_port_is_mine(client, port));
    say("by_name", jack_port_by_name(client, "tolerance:gone") != NULL);
    say("get_buffer", jack_port_get_buffer(port, period) != NULL);
    say("unregister_again", jack_port_unregister(client, port));
    say("connect", jack_connect(client, "tolerance:gone", "system:playback_1") == 0);
    /* A handle kept from a closed client, used while another client of the process lives. */
    jack_client_t* other = open_client("tolerance2");
    jack_port_t* kept = reg(client, "kept", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_client_close(client) == 0);
    say("closed_client_port_buffer", jack_port_get_buffer(kept, period) != NULL);
    say("closed_client_port_named", jack_port_name(kept) != NULL);
    CHECK(jack_client_close(other) == 0);
}

/* ---- server-gone: a client whose server has stopped
 * ---------------------------------------------- */

static atomic_int shutdown_seen, shutdown_close_rc = 99;

static atomic_int late_shutdown_seen;

static void on_shutdown(void* arg) {
    (void)arg;
    shutdown_seen = 1;
}

static void on_late_shutdown(void* arg) {
    (void)arg;
    late_shutdown_seen = 1;
    shutdown_seen = 1;
}

static void closing_on_shutdown(void* arg) {
    (void)arg;
    shutdown_close_rc = jack_client_close(client);
    shutdown_seen = 1;
}

static void wait_for_shutdown(void) {
    say("ready", 1); /* the test stops the server now */
    for (int i = 0; i < 5000 && !shutdown_seen; ++i)
        usleep(1000);
    usleep(100000);
}

static void mode_server_gone(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    jack_on_shutdown(client, on_shutdown, NULL);
    CHECK(jack_activate(client) == 0);
    jack_on_shutdown(client, on_late_shutdown, NULL); /* too late: jackd2 ignores it */
    wait_for_shutdown();
    say("shutdown_callback", shutdown_seen);
    say("late_shutdown_callback", late_shutdown_seen);
    say("connect", jack_connect(client, "tolerance:out", "system:playback_1"));
    say("port_register",
        jack_port_register(client, "more", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) != NULL);
    say("deactivate", jack_deactivate(client));
    say("close", jack_client_close(client));
}

/* The shutdown callback closes the client, as programs do just before they exit. */
static void mode_close_in_shutdown(void) {
    client = open_client("tolerance");
    jack_on_shutdown(client, closing_on_shutdown, NULL);
    CHECK(jack_activate(client) == 0);
    wait_for_shutdown();
    say("shutdown_callback", shutdown_seen);
    say("close_rc", shutdown_close_rc);
}

/* ---- callbacks-active / activate-twice ---------------------------------------------------------
 */

static int sync_callback(jack_transport_state_t state, jack_position_t* pos, void* arg) {
    (void)state;
    (void)pos;
    (void)arg;
    return 1;
}

static int idle_process(jack_nframes_t frames, void* arg) {
    (void)frames;
    (void)arg;
    cycles++;
    return 0;
}

static void* idle_thread(void* arg) {
    (void)arg;
    return NULL;
}

static void mode_callbacks_active(void) {
    client = open_client("tolerance");
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    say("thread_callback_after_process", jack_set_process_thread(client, idle_thread, NULL));
    CHECK(jack_activate(client) == 0);
    say("process", jack_set_process_callback(client, idle_process, NULL));
    say("graph_order", jack_set_graph_order_callback(client, NULL, NULL));
    say("xrun", jack_set_xrun_callback(client, NULL, NULL));
    say("port_registration", jack_set_port_registration_callback(client, NULL, NULL));
    say("sync", jack_set_sync_callback(client, sync_callback, NULL));
    jack_on_shutdown(client, on_shutdown, NULL); /* ignored by jackd2, no result */
    say("still_running", (wait_cycles(5), 1));
    CHECK(jack_client_close(client) == 0);
}

static void mode_activate_twice(void) {
    client = open_client("tolerance");
    say("deactivate_inactive", jack_deactivate(client));
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    say("activate", jack_activate(client));
    say("activate_again", jack_activate(client));
    wait_cycles(5);
    say("deactivate", jack_deactivate(client));
    say("deactivate_again", jack_deactivate(client));
    say("activate_after", jack_activate(client));
    wait_cycles(5);
    CHECK(jack_client_close(client) == 0);
}

/* ---- buffer-size-in-callback / freewheel-in-callback: server-wide requests from a callback -----
 */

static atomic_int callback_request_rc = 99;
static atomic_long callback_request_ms;
static atomic_int callback_request_kind; /* 0 buffer size, 1 freewheel */

static void requesting_graph_order_body(void) {
    if (callback_request_rc != 99) return;
    long start = now_ms();
    callback_request_rc = callback_request_kind == 0 ? jack_set_buffer_size(client, 2 * period)
                                                     : jack_set_freewheel(client, 1);
    callback_request_ms = now_ms() - start;
}

static int requesting_graph_order(void* arg) {
    (void)arg;
    requesting_graph_order_body();
    return 0;
}

static void request_in_callback(int kind) {
    callback_request_kind = kind;
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    CHECK(jack_set_graph_order_callback(client, requesting_graph_order, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(5);
    CHECK(jack_connect(client, "tolerance:out", "system:playback_1") == 0);
    for (int i = 0; i < 5000 && callback_request_rc == 99; ++i)
        usleep(1000);
    usleep(100000);
    say("rc", callback_request_rc);
    say("returned_within_100_ms", callback_request_ms < 100);
    int before = cycles;
    usleep(200000);
    say("cycles_go_on", cycles > before);
    if (kind == 0) say("buffer_size_doubled", jack_get_buffer_size(client) == 2 * period);
    if (kind == 1) jack_set_freewheel(client, 0);
    CHECK(jack_client_close(client) == 0);
}

static void mode_buffer_size_in_callback(void) {
    request_in_callback(0);
}

static void mode_freewheel_in_callback(void) {
    request_in_callback(1);
}

/* From the process callback: jackd2 serves it. */
static int resizing_process(jack_nframes_t frames, void* arg) {
    (void)frames;
    (void)arg;
    if (++cycles == 10) {
        long start = now_ms();
        callback_request_rc = jack_set_buffer_size(client, 2 * period);
        callback_request_ms = now_ms() - start;
    }
    return 0;
}

static void mode_buffer_size_in_process(void) {
    client = open_client("tolerance");
    CHECK(jack_set_process_callback(client, resizing_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_until_cycles(10);
    for (int i = 0; i < 5000 && callback_request_ms == 0 && callback_request_rc == 99; ++i)
        usleep(1000);
    usleep(100000);
    say("rc", callback_request_rc);
    say("returned_within_100_ms", callback_request_ms < 100);
    int before = cycles;
    usleep(200000);
    say("cycles_go_on", cycles > before);
    say("buffer_size_doubled", jack_get_buffer_size(client) == 2 * period);
    CHECK(jack_client_close(client) == 0);
}

/* Other requests from a notification callback: jackd2 refuses them all. */
static atomic_int connect_in_callback_rc = 99;

static int connecting_graph_order(void* arg) {
    (void)arg;
    if (connect_in_callback_rc == 99)
        connect_in_callback_rc = jack_connect(client, "system:capture_2", "tolerance:in");
    return 0;
}

static void mode_request_in_callback(void) {
    client = open_client("tolerance");
    audio_out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    audio_in = reg(client, "in", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput);
    CHECK(jack_set_graph_order_callback(client, connecting_graph_order, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    CHECK(jack_connect(client, "tolerance:out", "system:playback_1") == 0);
    for (int i = 0; i < 5000 && connect_in_callback_rc == 99; ++i)
        usleep(1000);
    usleep(100000);
    say("connect_in_callback", connect_in_callback_rc);
    say("connected", jack_port_connected(audio_in));
    CHECK(jack_client_close(client) == 0);
}

/* ---- cycle-wait-after-deactivate: the alternate thread model across a deactivation ----------- */

static atomic_int saw_zero;

static void* cycling_thread(void* arg) {
    (void)arg;
    for (;;) {
        jack_nframes_t frames = jack_cycle_wait(client);
        if (frames == 0) {
            saw_zero = 1;
            return NULL;
        }
        cycles++;
        jack_cycle_signal(client, 0);
    }
}

static void mode_cycle_wait_after_deactivate(void) {
    client = open_client("tolerance");
    CHECK(jack_set_process_thread(client, cycling_thread, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(10);
    say("deactivate", jack_deactivate(client));
    int before = cycles;
    usleep(100000);
    say("cycles_stopped", cycles == before);
    say("loop_saw_zero", saw_zero);
    say("activate_again", jack_activate(client));
    usleep(100000);
    say("cycles_again", cycles > before);
    CHECK(jack_client_close(client) == 0);
}

/* ---- process-nonzero: the process callback fails ------------------------------------------------
 */

static int failing_process(jack_nframes_t frames, void* arg) {
    (void)frames;
    (void)arg;
    return ++cycles == 5 ? 1 : 0;
}

static void mode_process_nonzero(void) {
    client = open_client("tolerance");
    CHECK(jack_set_process_callback(client, failing_process, NULL) == 0);
    jack_on_shutdown(client, on_shutdown, NULL);
    CHECK(jack_activate(client) == 0);
    wait_until_cycles(5);
    usleep(200000);
    say("cycles_stopped", cycles == 5);
    say("shutdown_callback", shutdown_seen);
    CHECK(jack_deactivate(client) == 0);
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    say("activate_again", jack_activate(client));
    usleep(100000);
    say("cycles_again", cycles > 5);
    CHECK(jack_client_close(client) == 0);
}

/* ---- names: client and port names with spaces, UTF-8, ':' or of odd lengths --------------------
 */

static void mode_client_new(void) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    jack_client_t* first = jack_client_new("tolerance");
    jack_client_t* second = jack_client_new("tolerance");
#pragma GCC diagnostic pop
    say("first", first != NULL);
    say("second_same_name", second != NULL);
    if (first) jack_client_close(first);
    if (second) jack_client_close(second);
}

static void mode_names(void) {
    client = open_client("a b \xc3\xa9");
    jack_port_t* port = reg(client, "out 1 \xc3\xbc", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_activate(client) == 0);
    say("name_kept", strcmp(jack_get_client_name(client), "a b \xc3\xa9") == 0);
    say("by_name", jack_port_by_name(client, "a b \xc3\xa9:out 1 \xc3\xbc") == port);
    const char** found = jack_get_ports(client, "\xc3\xa9", NULL, 0);
    say("get_ports", found && found[0] && !found[1]);
    jack_free(found);
    say("connect", jack_connect(client, "a b \xc3\xa9:out 1 \xc3\xbc", "system:playback_1"));
    CHECK(jack_client_close(client) == 0);
}

static void mode_colon_name(void) {
    jack_status_t status = 0;
    client = jack_client_open("left:right", JackNoStartServer, &status);
    say("opened", client != NULL);
    say("status", status);
    if (!client) return;
    say("name_kept", strcmp(jack_get_client_name(client), "left:right") == 0);
    jack_port_t* port = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_activate(client) == 0);
    say("port_name", strcmp(jack_port_name(port), "left:right:out") == 0);
    say("short_name_after_first_colon", strcmp(jack_port_short_name(port), "right:out") == 0);
    say("by_name", jack_port_by_name(client, "left:right:out") == port);
    say("connect", jack_connect(client, "left:right:out", "system:playback_1"));
    CHECK(jack_client_close(client) == 0);
}

static void mode_name_lengths(void) {
    char longest[65];
    memset(longest, 'n', 64);
    longest[64] = '\0';
    jack_status_t status = 0;
    jack_client_t* c = jack_client_open(longest, JackNoStartServer, &status);
    say("name_of_64_bytes", c != NULL);
    if (c) jack_client_close(c);
    longest[63] = '\0';
    c = jack_client_open(longest, JackNoStartServer, &status);
    say("name_of_63_bytes", c != NULL);
    if (c) jack_client_close(c);
    c = jack_client_open("", JackNoStartServer, &status);
    say("empty_name", c != NULL);
    if (c) jack_client_close(c);
    say("client_name_size", jack_client_name_size());
    say("port_name_size", jack_port_name_size());
    say("port_type_size", jack_port_type_size());
}

/* ---- port registration with odd flags or names -------------------------------------------------
 */

static void mode_flags(void) {
    client = open_client("tolerance");
    jack_port_t* none = jack_port_register(client, "none", JACK_DEFAULT_AUDIO_TYPE, 0, 0);
    say("registered", none != NULL);
    CHECK(jack_activate(client) == 0);
    if (none) {
        say("flags", jack_port_flags(none));
        const float* buffer = jack_port_get_buffer(none, period);
        say("buffer_silent", buffer && all_zero(buffer, period));
        say("as_destination", jack_connect(client, "system:capture_1", "tolerance:none"));
        say("as_source", jack_connect(client, "tolerance:none", "system:playback_1"));
        const char** inputs = jack_get_ports(client, "tolerance:none", NULL, JackPortIsInput);
        say("listed_as_input", inputs != NULL);
        jack_free(inputs);
        const char** any = jack_get_ports(client, "tolerance:none", NULL, 0);
        say("listed", any != NULL);
        jack_free(any);
    }
    CHECK(jack_client_close(client) == 0);
}

/* Input and output at once. jackd2 makes it an output; connecting to it kills jackd2. */
static void mode_flags_both(int as_destination) {
    client = open_client("tolerance");
    jack_port_t* both = jack_port_register(client, "both", JACK_DEFAULT_AUDIO_TYPE,
                                           JackPortIsInput | JackPortIsOutput, 0);
    say("registered", both != NULL);
    CHECK(jack_activate(client) == 0);
    if (both) {
        say("flags", jack_port_flags(both));
        float* buffer = jack_port_get_buffer(both, period);
        say("buffer", buffer != NULL);
        if (as_destination)
            say("as_destination", jack_connect(client, "system:capture_1", "tolerance:both"));
        else
            say("as_source", jack_connect(client, "tolerance:both", "system:playback_1"));
        say("server_answers",
            jack_port_by_name(client, "system:capture_1") != NULL &&
                jack_connect(client, "system:capture_1", "system:playback_1") == 0);
    }
    jack_client_close(client);
}

static void mode_flags_both_source(void) {
    mode_flags_both(0);
}

static void mode_flags_both_destination(void) {
    mode_flags_both(1);
}

static void mode_port_names(void) {
    client = open_client("tolerance");
    reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    say("same_name_twice",
        jack_port_register(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) != NULL);
    say("empty_name",
        jack_port_register(client, "", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) != NULL);
    say("null_name",
        jack_port_register(client, NULL, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) != NULL);
    say("unknown_type",
        jack_port_register(client, "odd", "16 bit mono", JackPortIsOutput, 0) != NULL);
    char longest[400];
    memset(longest, 'p', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    say("too_long",
        jack_port_register(client, longest, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0) != NULL);
    CHECK(jack_client_close(client) == 0);
}

/* ---- connections on ports of another client ---------------------------------------------------
 */

static void mode_foreign_disconnect(void) {
    client = open_client("patchbay");
    CHECK(jack_activate(client) == 0);
    CHECK(jack_connect(client, "system:capture_1", "system:playback_1") == 0);
    CHECK(jack_connect(client, "system:capture_1", "system:playback_2") == 0);
    jack_port_t* capture_port = jack_port_by_name(client, "system:capture_1");
    say("port_disconnect", jack_port_disconnect(client, capture_port));
    say("connections_left", jack_port_connected(capture_port));
    say("disconnect_unconnected", jack_disconnect(client, "system:capture_1", "system:playback_1"));
    CHECK(jack_connect(client, "system:capture_1", "system:playback_1") == 0);
    say("connect_again", jack_connect(client, "system:capture_1", "system:playback_1"));
    CHECK(jack_disconnect(client, "system:capture_1", "system:playback_1") == 0);
    CHECK(jack_client_close(client) == 0);
}

static void mode_foreign_rename(void) {
    jack_client_t* owner = open_client("owner");
    jack_port_t* port = reg(owner, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    reg(owner, "taken", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    client = open_client("tolerance");
    say("rename_foreign", jack_port_rename(client, port, "renamed"));
    say("rename_to_taken", jack_port_rename(owner, port, "taken"));
    CHECK(jack_client_close(client) == 0);
    CHECK(jack_client_close(owner) == 0);
}

/* ---- port lookup --------------------------------------------------------------------------------
 */

static void mode_lookup(void) {
    client = open_client("tolerance");
    jack_port_t* port = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    say("set_alias", jack_port_set_alias(port, "tolerance:alias"));
    say("by_alias", jack_port_by_name(client, "tolerance:alias") == port);
    say("by_bad_name", jack_port_by_name(client, "nobody:nothing") != NULL);
    say("by_null_name", jack_port_by_name(client, NULL) != NULL);
    say("by_id_0", jack_port_by_id(client, 0) != NULL);
    jack_port_t* unused = jack_port_by_id(client, 2000);
    say("by_unused_id", unused != NULL);
    const char** all = jack_get_ports(client, NULL, NULL, 0);
    const char** empty_patterns = jack_get_ports(client, "", "", 0);
    int count = 0, same = all && empty_patterns;
    for (; all && all[count]; ++count)
        if (!empty_patterns[count] || strcmp(all[count], empty_patterns[count]) != 0) same = 0;
    say("all_ports", count);
    say("empty_patterns_mean_all", same);
    say("bad_regex", jack_get_ports(client, "[", NULL, 0) != NULL);
    say("no_match", jack_get_ports(client, "nobody", NULL, 0) != NULL);
    const char** outputs =
        jack_get_ports(client, NULL, NULL, JackPortIsOutput | JackPortIsPhysical);
    count = 0;
    for (; outputs && outputs[count]; ++count) {
    }
    say("physical_outputs", count);
    jack_free(all);
    jack_free(empty_patterns);
    jack_free(outputs);
    jack_free(NULL);
    say("connected_to_nobody", jack_port_connected_to(port, "nobody:nothing"));
    say("connected_to_null", jack_port_connected_to(port, NULL));
    CHECK(jack_client_close(client) == 0);
}

/* ---- deprecated calls and odd results ----------------------------------------------------------
 */

static void mode_deprecated(void) {
    client = open_client("tolerance");
    jack_port_t* out = reg(client, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    jack_port_t* out2 = reg(client, "out2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput);
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(3);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    long start = now_ms();
    jack_nframes_t waited = jack_thread_wait(client, 0);
    say("thread_wait", waited);
    say("thread_wait_within_100_ms", now_ms() - start < 100);
    jack_transport_info_t info;
    memset(&info, 0xff, sizeof info);
    jack_get_transport_info(client, &info);
    say("transport_info_zeroed", info.frame_rate == 0 && info.valid == 0);
    say("port_tie", jack_port_tie(out, out2));
    say("port_untie", jack_port_untie(out2));
#pragma GCC diagnostic pop
    jack_position_t position;
    memset(&position, 0, sizeof position);
    position.valid = (jack_position_bits_t)0x7fff; /* bits jackd2 does not know */
    say("reposition_bad_bits", jack_transport_reposition(client, &position));
    say("locate", jack_transport_locate(client, 0));
    CHECK(jack_client_close(client) == 0);
}

static void mode_open_failure(void) {
    jack_status_t status = 0;
    jack_client_t* c = jack_client_open("tolerance", JackNoStartServer | JackServerName, &status,
                                        "no-such-server");
    say("opened", c != NULL);
    say("status", status);
    c = jack_client_open("tolerance", (jack_options_t)0x10000, &status);
    say("bad_option_opened", c != NULL);
    say("bad_option_status", status);
    if (c) jack_client_close(c);
}

/* ---- times read outside the cycle ---------------------------------------------------------------
 */

static void mode_time_outside_cycle(void) {
    client = open_client("tolerance");
    CHECK(jack_set_process_callback(client, idle_process, NULL) == 0);
    CHECK(jack_activate(client) == 0);
    wait_cycles(5);
    jack_nframes_t frames;
    jack_time_t current, next;
    float period_usecs;
    say("cycle_times", jack_get_cycle_times(client, &frames, &current, &next, &period_usecs));
    /* The cycle those times describe, or one started since. */
    jack_nframes_t last = jack_last_frame_time(client);
    say("last_frame_time_is_a_cycle_start",
        (last - frames) % period == 0 && last - frames < jack_get_sample_rate(client));
    /* Plausible, not tight: the machine may stall the reader for tens of milliseconds. */
    say("frames_since_start_within_a_second",
        jack_frames_since_cycle_start(client) < jack_get_sample_rate(client));
    say("frame_time_after_cycle_start",
        jack_frame_time(client) - frames < jack_get_sample_rate(client));
    CHECK(jack_client_close(client) == 0);
}

/* ---- main -------------------------------------------------------------------------------------
 */

struct mode {
    const char* name;
    void (*run)(void);
};

static const struct mode modes[] = {
    {"unregistered", mode_unregistered},
    {"foreign", mode_foreign},
    {"frames", mode_frames},
    {"frames-over-max", mode_frames_over_max},
    {"before-activate", mode_before_activate},
    {"deactivating", mode_deactivating},
    {"unregister-in-callback", mode_unregister_in_callback},
    {"deactivate-blocked", mode_deactivate_blocked},
    {"close-blocked", mode_close_blocked},
    {"deactivate-waiting", mode_deactivate_waiting},
    {"close-waiting", mode_close_waiting},
    {"deactivate-in-callback", mode_deactivate_in_callback},
    {"close-in-callback", mode_close_in_callback},
    {"null-client", mode_null_client},
    {"null-port", mode_null_port},
    {"stale-port", mode_stale_port},
    {"server-gone", mode_server_gone},
    {"close-in-shutdown", mode_close_in_shutdown},
    {"callbacks-active", mode_callbacks_active},
    {"activate-twice", mode_activate_twice},
    {"buffer-size-in-callback", mode_buffer_size_in_callback},
    {"freewheel-in-callback", mode_freewheel_in_callback},
    {"buffer-size-in-process", mode_buffer_size_in_process},
    {"request-in-callback", mode_request_in_callback},
    {"process-nonzero", mode_process_nonzero},
    {"cycle-wait-after-deactivate", mode_cycle_wait_after_deactivate},
    {"client-new", mode_client_new},
    {"names", mode_names},
    {"colon-name", mode_colon_name},
    {"name-lengths", mode_name_lengths},
    {"flags", mode_flags},
    {"flags-both-source", mode_flags_both_source},
    {"flags-both-destination", mode_flags_both_destination},
    {"port-names", mode_port_names},
    {"foreign-disconnect", mode_foreign_disconnect},
    {"foreign-rename", mode_foreign_rename},
    {"lookup", mode_lookup},
    {"deprecated", mode_deprecated},
    {"open-failure", mode_open_failure},
    {"time-outside-cycle", mode_time_outside_cycle},
};

static void watchdog(int sig) {
    (void)sig;
    static const char message[] = "hung: the watchdog fired\n";
    write(2, message, sizeof message - 1);
    _exit(3);
}

int main(int argc, char** argv) {
    CHECK(argc == 2);
    signal(SIGALRM, watchdog);
    alarm(20);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i)
        if (strcmp(argv[1], modes[i].name) == 0) {
            modes[i].run();
            say("done", 1);
            return 0;
        }
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
