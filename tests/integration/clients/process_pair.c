/* Two clients of one process wired to each other, as a program with several JACK clients
 * (a plugin host, FluidSynth beside a sequencer) wires them:
 *   process_pair [THROUGH...]
 * "pp_src" writes a stamp of the cycle (from jack_last_frame_time) to every frame of its
 * output; "pp_dst" reads it, directly or through each THROUGH (a running passthrough_client,
 * another process) in turn, THROUGH:in_1 -> THROUGH:out_1, and writes the
 * negated stamp to its own output, which feeds pp_src:in back. That connection closes a loop:
 * a feedback edge, read one cycle late. So every pp_dst cycle must read its own cycle's stamp,
 * and every pp_src cycle the negated stamp of the cycle before, on every frame. A differing
 * cycle is allowed only where the server reported xruns.
 * Under ThreadSanitizer this is also the check that what orders these accesses, the server's
 * driver and the client in between, is seen although they run in other processes: pp_dst reads
 * pp_src's buffer in one cycle and pp_src writes it in the next, pp_src reads pp_dst's buffer
 * in a cycle before pp_dst writes it. Prints "process pair: ..." and exits 0, or names the
 * first difference and exits 1. Nothing on the process path allocates or locks. */
#include <jack/jack.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { MAX_RECORDS = 1024, WANTED_CYCLES = 200 };

typedef struct {
    jack_nframes_t frame_time;
    float read;  /* the first frame of the input */
    int uniform; /* every frame of the input was the same */
} Record;

typedef struct {
    Record records[MAX_RECORDS];
    atomic_uint used;
} Log;

static Log src_log, dst_log;
static atomic_int recording, xruns;
static jack_client_t *src, *dst;
static jack_port_t *src_in, *src_out, *dst_in, *dst_out;

static float stamp(jack_nframes_t frame_time) {
    return (float)(frame_time % 4194304u) + 1.0f; /* exact in a float */
}

static void record(Log* log, jack_client_t* client, const float* in, jack_nframes_t frames) {
    if (!atomic_load(&recording)) return;
    unsigned index = atomic_fetch_add(&log->used, 1);
    if (index >= MAX_RECORDS) return;
    Record* r = &log->records[index];
    r->frame_time = jack_last_frame_time(client);
    r->read = in[0];
    r->uniform = 1;
    for (jack_nframes_t i = 1; i < frames; ++i)
        if (in[i] != in[0]) r->uniform = 0;
}

static int process_src(jack_nframes_t frames, void* arg) {
    (void)arg;
    record(&src_log, src, jack_port_get_buffer(src_in, frames), frames);
    float* out = jack_port_get_buffer(src_out, frames);
    float value = stamp(jack_last_frame_time(src));
    for (jack_nframes_t i = 0; i < frames; ++i)
        out[i] = value;
    return 0;
}

static int process_dst(jack_nframes_t frames, void* arg) {
    (void)arg;
    record(&dst_log, dst, jack_port_get_buffer(dst_in, frames), frames);
    float* out = jack_port_get_buffer(dst_out, frames);
    float value = -stamp(jack_last_frame_time(dst));
    for (jack_nframes_t i = 0; i < frames; ++i)
        out[i] = value;
    return 0;
}

static int on_xrun(void* arg) {
    (void)arg;
    atomic_fetch_add(&xruns, 1);
    return 0;
}

static jack_client_t* open_client(const char* name, JackProcessCallback process) {
    jack_client_t* client = jack_client_open(name, JackNoStartServer, NULL);
    CHECK(client != NULL);
    CHECK(jack_set_process_callback(client, process, NULL) == 0);
    CHECK(jack_set_xrun_callback(client, on_xrun, NULL) == 0);
    return client;
}

static jack_port_t* audio_port(jack_client_t* client, const char* name, unsigned long flags) {
    jack_port_t* port = jack_port_register(client, name, JACK_DEFAULT_AUDIO_TYPE, flags, 0);
    CHECK(port != NULL);
    return port;
}

/* Cycles of `log` whose input was not what `wanted` says, printing the first. */
static int differing(const char* who, const Log* log, int feedback, jack_nframes_t frames) {
    int count = 0;
    unsigned used = atomic_load(&log->used);
    for (unsigned i = 0; i < used && i < MAX_RECORDS; ++i) {
        const Record* r = &log->records[i];
        float wanted = feedback ? -stamp(r->frame_time - frames) : stamp(r->frame_time);
        if (r->uniform && r->read == wanted) continue;
        if (count++ == 0)
            fprintf(stderr, "%s, cycle at frame %u: read %g%s, wanted %g\n", who, r->frame_time,
                    r->read, r->uniform ? "" : " (not on every frame)", wanted);
    }
    return count;
}

int main(int argc, char** argv) {
    src = open_client("pp_src", process_src);
    dst = open_client("pp_dst", process_dst);
    src_in = audio_port(src, "in", JackPortIsInput);
    src_out = audio_port(src, "out", JackPortIsOutput);
    dst_in = audio_port(dst, "in", JackPortIsInput);
    dst_out = audio_port(dst, "out", JackPortIsOutput);
    CHECK(jack_activate(src) == 0);
    CHECK(jack_activate(dst) == 0);
    char from[300] = "pp_src:out";
    for (int i = 1; i < argc; ++i) {
        char in[300];
        snprintf(in, sizeof in, "%s:in_1", argv[i]);
        CHECK(jack_connect(src, from, in) == 0);
        snprintf(from, sizeof from, "%s:out_1", argv[i]);
    }
    CHECK(jack_connect(src, from, "pp_dst:in") == 0);
    CHECK(jack_connect(src, "pp_dst:out", "pp_src:in") == 0); /* the loop: feedback */
    usleep(100000);
    int xruns_before = atomic_load(&xruns);
    atomic_store(&recording, 1);
    for (int waited = 0;
         atomic_load(&src_log.used) < WANTED_CYCLES || atomic_load(&dst_log.used) < WANTED_CYCLES;
         waited += 10) {
        CHECK(waited < 20000);
        usleep(10000);
    }
    atomic_store(&recording, 0);
    CHECK(jack_deactivate(src) == 0);
    CHECK(jack_deactivate(dst) == 0);
    int xruns_seen = atomic_load(&xruns) - xruns_before;
    jack_nframes_t frames = jack_get_buffer_size(src);
    int bad_dst = differing("pp_dst", &dst_log, 0, frames);
    int bad_src = differing("pp_src (feedback)", &src_log, 1, frames);
    printf("process pair through %d clients: %u and %u cycles, %d and %d differing, %d xruns, "
           "period %u\n",
           argc - 1, atomic_load(&dst_log.used), atomic_load(&src_log.used), bad_dst, bad_src,
           xruns_seen, frames);
    jack_client_close(dst);
    jack_client_close(src);
    if (bad_dst + bad_src > 3 * xruns_seen) {
        fprintf(stderr, "%d cycles differ with %d xruns\n", bad_dst + bad_src, xruns_seen);
        return 1;
    }
    return 0;
}
