/* JACK MIDI checks for the cases issue 16 names around FluidSynth (one client reading MIDI and
 * writing audio), run on both servers by test_fluidsynth.py:
 *  - a sender writes events at offset 0, a note off and a note on of one note at one frame in
 *    the middle of the period, and at the last frame; writes at or after the period's end or
 *    before the last event fail;
 *  - "synth" reads its input as FluidSynth does (jack_port_get_buffer(port, 0), the event count,
 *    the events), then gets and fills its audio outputs (registered after activation, as
 *    FluidSynth's are), then counts and reads the same input again and asks for its buffer
 *    again, with 0 and with the period: the same buffer, count and events every time;
 *  - "second" is a second reader of the same output, plus an input merging two outputs.
 * Every reader cycle must carry exactly the events the sender wrote in that cycle (matched by
 * jack_last_frame_time), byte by byte and frame by frame. A cycle missing on a reader is
 * allowed only where the server reported xruns. Prints "midi probe: ..." and exits 0, or names
 * the first difference and exits 1. Nothing on the process path allocates or locks. */
#include <errno.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { MAX_RECORDS = 2048, MAX_EVENTS = 8, WANTED_CYCLES = 200 };

typedef struct {
    uint32_t time, size;
    unsigned char bytes[4];
} Event;

typedef struct {
    uint32_t count;
    Event events[MAX_EVENTS];
} Events;

typedef struct {
    jack_nframes_t frame_time, frames;
    uint32_t serial;      /* sender: its cycle number, the note of its events */
    int results[4];       /* sender: write at the end, at f-1 again, before the last, reserve */
    Events seen[3];       /* readers: what they read (see the roles) */
    int same_buffer;      /* readers: every jack_port_get_buffer of the input gave one pointer */
    uint32_t recounts[3]; /* synth: counts after the audio outputs, and from the later buffers */
} Record;

typedef struct {
    Record records[MAX_RECORDS];
    atomic_uint used;
} Log;

static Log sender_log, synth_log, second_log;
/* The readers record from before the sender starts until after it stops: every cycle the
 * sender recorded has its readers' records. */
static atomic_int recording, readers_recording, xruns;
static jack_port_t *out, *out2, *synth_in, *left, *second_in, *merged_in;
static _Atomic(jack_port_t*) right; /* set after activation, as FluidSynth's audio ports */
static jack_client_t *sender, *synth, *second;

static Record* next_record(Log* log) {
    unsigned index = atomic_fetch_add(&log->used, 1);
    return index < MAX_RECORDS ? &log->records[index] : NULL;
}

static void read_events(void* buffer, Events* into) {
    uint32_t count = jack_midi_get_event_count(buffer);
    into->count = count;
    for (uint32_t i = 0; i < count && i < MAX_EVENTS; ++i) {
        jack_midi_event_t event;
        Event* e = &into->events[i];
        memset(e, 0xff, sizeof *e);
        if (jack_midi_event_get(&event, buffer, i) != 0) continue;
        e->time = event.time;
        e->size = event.size;
        memcpy(e->bytes, event.buffer, event.size < 4 ? event.size : 4);
    }
    /* Past the last event: -ENOBUFS on both servers. */
    jack_midi_event_t beyond;
    if (jack_midi_event_get(&beyond, buffer, count) != -ENOBUFS) into->count = 1000 + count;
}

static int send(jack_nframes_t frames, void* arg) {
    (void)arg;
    static uint32_t serial;
    void* buffer = jack_port_get_buffer(out, frames);
    void* buffer2 = jack_port_get_buffer(out2, frames);
    jack_midi_clear_buffer(buffer);
    jack_midi_clear_buffer(buffer2);
    unsigned char note = 0x20 + serial % 64;
    const unsigned char on[3] = {0x90, note, 64}, off[3] = {0x80, note, 64};
    const unsigned char last[3] = {0x80, note, 0};
    int results[4];
    jack_midi_event_write(buffer, 0, on, 3);
    jack_midi_event_write(buffer, frames / 2, off, 3); /* off, then on again at the same frame */
    unsigned char* again = jack_midi_event_reserve(buffer, frames / 2, 3);
    if (again) {
        again[0] = 0x90;
        again[1] = note;
        again[2] = 100;
    }
    results[0] = jack_midi_event_write(buffer, frames, last, 3); /* at the period's end */
    jack_midi_event_write(buffer, frames - 1, last, 3);
    results[1] = jack_midi_event_write(buffer, frames - 1, last, 2); /* a second at f-1: fine */
    results[2] = jack_midi_event_write(buffer, frames - 2, last, 3); /* before the last */
    results[3] = jack_midi_event_reserve(buffer, frames - 2, 3) == NULL;
    const unsigned char cc_first[3] = {0xb0, 1, note}, cc_last[3] = {0xb0, 2, note};
    jack_midi_event_write(buffer2, 0, cc_first, 3);
    jack_midi_event_write(buffer2, frames - 1, cc_last, 3);
    if (atomic_load(&recording)) {
        Record* r = next_record(&sender_log);
        if (r) {
            r->frame_time = jack_last_frame_time(sender);
            r->frames = frames;
            r->serial = serial;
            memcpy(r->results, results, sizeof results);
        }
    }
    ++serial;
    return 0;
}

/* FluidSynth's order (fluid_jack_driver_process): MIDI in first, with 0 frames, then audio. */
static int synthesize(jack_nframes_t frames, void* arg) {
    (void)arg;
    Record scratch, *r = atomic_load(&readers_recording) ? next_record(&synth_log) : NULL;
    if (!r) r = &scratch;
    void* buffer = jack_port_get_buffer(synth_in, 0);
    read_events(buffer, &r->seen[0]);
    jack_port_t* audio = atomic_load_explicit(&right, memory_order_acquire);
    if (audio) {
        float* l = jack_port_get_buffer(left, frames);
        float* rr = jack_port_get_buffer(audio, frames);
        for (jack_nframes_t i = 0; i < frames; ++i)
            l[i] = rr[i] = 0.25f;
    }
    r->recounts[0] = jack_midi_get_event_count(buffer);
    jack_midi_get_lost_event_count(buffer);
    jack_midi_max_event_size(buffer);
    void* again = jack_port_get_buffer(synth_in, 0);
    void* sized = jack_port_get_buffer(synth_in, frames);
    r->recounts[1] = jack_midi_get_event_count(again);
    r->recounts[2] = jack_midi_get_event_count(sized);
    r->same_buffer = buffer == again && again == sized;
    read_events(sized, &r->seen[1]);
    r->frame_time = jack_last_frame_time(synth);
    r->frames = frames;
    return 0;
}

static int read_second(jack_nframes_t frames, void* arg) {
    (void)arg;
    Record scratch, *r = atomic_load(&readers_recording) ? next_record(&second_log) : NULL;
    if (!r) r = &scratch;
    void* buffer = jack_port_get_buffer(second_in, frames);
    read_events(buffer, &r->seen[0]);
    read_events(jack_port_get_buffer(merged_in, 0), &r->seen[1]); /* merged for 0 frames */
    void* again = jack_port_get_buffer(second_in, frames);
    read_events(again, &r->seen[2]);
    r->same_buffer = buffer == again;
    r->frame_time = jack_last_frame_time(second);
    r->frames = frames;
    return 0;
}

static int on_xrun(void* arg) {
    (void)arg;
    atomic_fetch_add(&xruns, 1);
    return 0;
}

static void add(Events* e, uint32_t time, unsigned char a, unsigned char b, unsigned char c,
                uint32_t size) {
    Event* ev = &e->events[e->count++];
    memset(ev, 0, sizeof *ev);
    ev->time = time;
    ev->size = size;
    ev->bytes[0] = a;
    ev->bytes[1] = b;
    if (size > 2) ev->bytes[2] = c;
}

/* What a reader must see in the sender's cycle `r`: its own output, or the merge of both. */
static void expected(const Record* r, int merged, Events* e) {
    unsigned char note = 0x20 + r->serial % 64;
    uint32_t f = r->frames;
    memset(e, 0, sizeof *e);
    add(e, 0, 0x90, note, 64, 3);
    if (merged) add(e, 0, 0xb0, 1, note, 3); /* a tie: connection order, out first */
    add(e, f / 2, 0x80, note, 64, 3);
    add(e, f / 2, 0x90, note, 100, 3);
    add(e, f - 1, 0x80, note, 0, 3);
    add(e, f - 1, 0x80, note, 0, 2);
    if (merged) add(e, f - 1, 0xb0, 2, note, 3);
}

static int same(const Events* a, const Events* b) {
    if (a->count != b->count) return 0;
    for (uint32_t i = 0; i < a->count && i < MAX_EVENTS; ++i) {
        const Event *x = &a->events[i], *y = &b->events[i];
        if (x->time != y->time || x->size != y->size || memcmp(x->bytes, y->bytes, x->size) != 0)
            return 0;
    }
    return 1;
}

static void print_events(const char* what, const Events* e) {
    fprintf(stderr, "  %s: %u events:", what, e->count);
    for (uint32_t i = 0; i < e->count && i < MAX_EVENTS; ++i) {
        fprintf(stderr, " %u:", e->events[i].time);
        for (uint32_t b = 0; b < e->events[i].size && b < 4; ++b)
            fprintf(stderr, "%02x", e->events[i].bytes[b]);
    }
    fprintf(stderr, "\n");
}

static const Record* find(const Log* log, jack_nframes_t frame_time) {
    unsigned used = atomic_load(&log->used);
    for (unsigned i = 0; i < used && i < MAX_RECORDS; ++i)
        if (log->records[i].frame_time == frame_time) return &log->records[i];
    return NULL;
}

static jack_client_t* open_client(const char* name, JackProcessCallback process) {
    jack_client_t* client = jack_client_open(name, JackNoStartServer, NULL);
    CHECK(client != NULL);
    CHECK(jack_set_process_callback(client, process, NULL) == 0);
    CHECK(jack_set_xrun_callback(client, on_xrun, NULL) == 0);
    return client;
}

static void check_against_sender(const char* who, const Log* log, int* missing, int* compared) {
    unsigned sent = atomic_load(&sender_log.used);
    for (unsigned i = 0; i < sent && i < MAX_RECORDS; ++i) {
        const Record* s = &sender_log.records[i];
        const Record* r = find(log, s->frame_time);
        if (!r) {
            ++*missing;
            continue;
        }
        ++*compared;
        Events single, merged;
        expected(s, 0, &single);
        expected(s, 1, &merged);
        const Events* wanted[3] = {&single, &single, &single};
        if (log == &second_log) wanted[1] = &merged;
        for (int k = 0; k < 3; ++k) {
            if (log == &synth_log && k == 2) break;
            if (!same(&r->seen[k], wanted[k])) {
                fprintf(stderr, "%s, cycle at frame %u, read %d differs from what was sent:\n", who,
                        s->frame_time, k);
                print_events("sent", wanted[k]);
                print_events("read", &r->seen[k]);
                exit(1);
            }
        }
        if (!r->same_buffer) {
            fprintf(stderr, "%s: jack_port_get_buffer gave another buffer on a later call\n", who);
            exit(1);
        }
        if (log == &synth_log)
            for (int k = 0; k < 3; ++k)
                if (r->recounts[k] != r->seen[0].count) {
                    fprintf(stderr, "synth: event count %u after other calls (%d), %u before\n",
                            r->recounts[k], k, r->seen[0].count);
                    exit(1);
                }
    }
}

int main(void) {
    sender = open_client("mp_send", send);
    synth = open_client("mp_synth", synthesize);
    second = open_client("mp_second", read_second);
    CHECK((out = jack_port_register(sender, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0)));
    CHECK((out2 = jack_port_register(sender, "out2", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0)));
    CHECK((synth_in = jack_port_register(synth, "midi_00", JACK_DEFAULT_MIDI_TYPE,
                                         JackPortIsInput | JackPortIsTerminal, 0)));
    CHECK(
        (second_in = jack_port_register(second, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0)));
    CHECK((merged_in =
               jack_port_register(second, "merged", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0)));
    CHECK(jack_activate(sender) == 0);
    CHECK(jack_activate(synth) == 0);
    CHECK(jack_activate(second) == 0);
    /* As FluidSynth: the audio ports come after activation. */
    CHECK((left = jack_port_register(synth, "left", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0)));
    jack_port_t* r =
        jack_port_register(synth, "right", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    CHECK(r != NULL);
    atomic_store_explicit(&right, r, memory_order_release);
    CHECK(jack_connect(sender, "mp_send:out", "mp_synth:midi_00") == 0);
    CHECK(jack_connect(sender, "mp_send:out", "mp_second:in") == 0);
    CHECK(jack_connect(sender, "mp_send:out", "mp_second:merged") == 0);
    CHECK(jack_connect(sender, "mp_send:out2", "mp_second:merged") == 0);
    usleep(100000);
    int xruns_before = atomic_load(&xruns);
    atomic_store(&readers_recording, 1);
    usleep(50000);
    atomic_store(&recording, 1);
    for (int waited = 0; atomic_load(&sender_log.used) < WANTED_CYCLES; waited += 10) {
        CHECK(waited < 20000);
        usleep(10000);
    }
    atomic_store(&recording, 0);
    usleep(100000);
    atomic_store(&readers_recording, 0);
    CHECK(jack_deactivate(sender) == 0);
    CHECK(jack_deactivate(synth) == 0);
    CHECK(jack_deactivate(second) == 0);
    int xruns_seen = atomic_load(&xruns) - xruns_before;

    const Record* first = &sender_log.records[0];
    for (unsigned i = 0; i < WANTED_CYCLES; ++i) {
        const Record* s = &sender_log.records[i];
        if (s->results[0] != -EINVAL || s->results[1] != 0 || s->results[2] != -EINVAL ||
            s->results[3] != 1) {
            fprintf(stderr, "sender cycle %u: writes returned %d %d %d, reserve failed: %d\n", i,
                    s->results[0], s->results[1], s->results[2], s->results[3]);
            exit(1);
        }
    }
    int missing = 0, compared = 0;
    check_against_sender("synth", &synth_log, &missing, &compared);
    check_against_sender("second", &second_log, &missing, &compared);
    /* A reader absent from a cycle the sender ran: only where the server counted an xrun. */
    if (missing > 3 * xruns_seen) {
        fprintf(stderr, "%d reader cycles missing with %d xruns\n", missing, xruns_seen);
        exit(1);
    }
    Events e;
    expected(first, 1, &e);
    printf("midi probe: %d reader cycles identical to what was sent (%d missing, %d xruns), "
           "period %u; merged:",
           compared, missing, xruns_seen, first->frames);
    for (uint32_t i = 0; i < e.count; ++i)
        printf(" %s%u",
               e.events[i].bytes[0] == 0xb0 ? "cc@"
                                            : (e.events[i].bytes[0] == 0x90 ? "on@" : "off@"),
               e.events[i].time);
    printf("\n");
    jack_client_close(second);
    jack_client_close(synth);
    jack_client_close(sender);
    return 0;
}
