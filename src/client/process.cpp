// The client's real-time side: waiting for its turn, running the cycle, waking whoever is
// downstream. Nothing here allocates, locks or makes a syscall but the futex wait and wake.

#include <algorithm>
#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "client/client.hpp"
#include "common/cancellation.hpp"
#include "common/clock.hpp"
#include "ipc/midi_buffer.hpp"
#include "ipc/port_buffers.hpp"
#include "rt/tsan.hpp"

namespace bantam::client {

using ipc::Activation;

namespace {
// This thread has wound its client down (jack_cycle_wait does before it ends the thread): the
// client may be gone, so the unwinding that follows touches nothing of it.
thread_local bool wound_down_on_this_thread = false;
} // namespace

int Client::process_thread_priority() const noexcept {
    return header().realtime.load() ? header().rt_priority.load() - 5 : -1;
}

void Client::process_loop() {
    pthread_setname_np(pthread_self(), "jack-process");
    process_pthread_.store(pthread_self());
    process_thread_pointer_.store(__builtin_thread_pointer());
    process_tid_.store(gettid());
    if (int priority = process_thread_priority(); priority > 0) {
        sched_param param{};
        param.sched_priority = priority;
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    }
    // As JACK: the buffer size is announced on this thread once before the first cycle, then
    // thread_init runs, both before activate() lets the server schedule the client.
    if (callbacks_.buffer_size)
        callbacks_.buffer_size(header().buffer_size.load(), callbacks_.buffer_size_arg);
    if (callbacks_.thread_init) callbacks_.thread_init(callbacks_.thread_init_arg);
    process_ready_.store(true);
    process_ready_.notify_all();

    try {
        if (callbacks_.process_thread) {
            callbacks_.process_thread(callbacks_.process_thread_arg);
        } else {
            for (;;) {
                jack_nframes_t frames = cycle_wait();
                if (frames == 0) break;
                run_sync_callback();
                int status =
                    callbacks_.process ? callbacks_.process(frames, callbacks_.process_arg) : 0;
                // Closed from inside the callback: our slot in shared memory may already belong
                // to another client, so nothing more is written to it.
                if (deleter_.load() == Deleter::process_thread) break;
                // As JACK2: a failing cycle leaves the master's position alone.
                if (status == 0) run_timebase_callback(frames);
                cycle_signal(status);
                if (status != 0) break; // JACK: a failing callback stops the client's cycles
            }
        }
    } catch (...) { // abi::__forced_unwind, which UBSan will not let a reference bind to
        // The thread is ending inside a callback: cancelled by stop_process_thread (a callback
        // that did not return), or the program ended it (pthread_exit, as Python does). Unless
        // jack_cycle_wait already wound it down on its way out, the client hears of it here.
        if (!wound_down_on_this_thread) {
            NoCancellation quiet;
            // A cycle it claimed is finished for it: the driver would otherwise see the client
            // still running it and skip it forever after a new activation.
            if (rt_.in_cycle) cycle_signal(0);
            wind_down_process_thread();
        }
        throw;
    }
    wind_down_process_thread();
}

void Client::wind_down_process_thread() {
    // Never cancelled half way: the client must hear that this thread is done.
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, nullptr);
    wound_down_on_this_thread = true;
    if (rt_.hidden_from_tsan) rt::tsan_show_accesses(); // left from inside the callback
    rt_.hidden_from_tsan = false;
    leave_realtime_role();
    // A process callback that failed takes the client out of the graph, as in JACK: it is
    // deactivated (no shutdown callback), so the server stops waiting for it.
    if (!stop_process_.load() && active_.load()) deactivate();
    if (deleter_.load() == Deleter::process_thread) {
        stop_dispatching_before_delete();
        delete this; // closed from its own callback
        return;
    }
    process_running_.store(false, std::memory_order_release); // the last touch of this client
}

void Client::leave_realtime_role() noexcept {
    // Thread teardown frees memory; the allocation guard in the tests watches threads by name.
    pthread_setname_np(pthread_self(), "jack-stopped");
}

jack_nframes_t Client::cycle_wait() noexcept {
    Activation& activation = data_->activations[refnum_];
    const auto& header = control_->header;
    for (;;) {
        if (stop_process_.load(std::memory_order_relaxed)) return 0;
        activation.wakeup.wait(0);
        if (stop_process_.load(std::memory_order_relaxed)) return 0;
        uint64_t pending = activation.pending.load(std::memory_order_seq_cst);
        uint32_t tag = ipc::pending_tag(pending);
        if (ipc::pending_count(pending) != 0 || tag == uint32_t(rt_.last_run)) continue;
        // Claim the cycle. The driver reads `state` before it resets our counter, so either it
        // sees us running (and skips us) or we see its new counter here (and stand down).
        activation.state.store(ipc::RunState::running, std::memory_order_seq_cst);
        if (activation.pending.load(std::memory_order_seq_cst) != pending) {
            activation.state.store(ipc::RunState::waiting, std::memory_order_seq_cst);
            continue;
        }
        // The counter carries the low 32 bits of the cycle it belongs to. If the driver has
        // started a newer one, its state check may have come before our claim: it counts on
        // us for that cycle (or skipped us), so the older one is not run.
        const uint64_t cycle = header.cycle.load(std::memory_order_seq_cst);
        const uint32_t slot =
            header.cycle_slots[tag % std::size(header.cycle_slots)].load(std::memory_order_acquire);
        if (uint32_t(cycle) != tag ||
            uint32_t(header.cycle.load(std::memory_order_seq_cst)) != tag) {
            activation.state.store(ipc::RunState::waiting, std::memory_order_seq_cst);
            continue;
        }
        rt_.cycle = cycle;
        rt_.last_run = tag;
        rt_.snapshot = &control_->snapshots[slot % kSnapshotSlots];
        rt_.in_cycle = true;
        if constexpr (rt::kThreadSanitizer) {
            if (!link_->in_server_process()) tsan_acquire_unseen_hops();
            rt_.hidden_from_tsan = feeds_a_skipped_client();
            if (rt_.hidden_from_tsan) rt::tsan_hide_accesses();
        }
        activation.running_cycle.store(cycle, std::memory_order_relaxed);
        activation.awake_usecs.store(monotonic_usecs(), std::memory_order_relaxed);
        const jack_nframes_t frames = header.buffer_size.load(std::memory_order_relaxed);
        if (quiescing_.load(std::memory_order_relaxed)) [[unlikely]] {
            silence_own_ports(frames);
            cycle_signal(0);
            continue;
        }
        return frames;
    }
}

void Client::silence_own_ports(jack_nframes_t frames) noexcept {
    // Once per cycle while a deactivation is under way (a period or two), so the scan of the
    // routes costs nothing that matters. Only connected ports are ever read by others.
    const ipc::Snapshot& snapshot = *rt_.snapshot;
    for (uint32_t port = 1; port < kMaxPorts; ++port) {
        const ipc::Snapshot::PortRoute& route = snapshot.ports[port];
        if (route.owner != refnum_ || route.peer_count == 0) continue;
        float* buffer = data_->buffers[port].samples;
        if (route.type == uint32_t(PortType::midi))
            ipc::midi::init(buffer, frames);
        else
            std::memset(buffer, 0, frames * sizeof(float));
    }
}

bool Client::feeds_a_skipped_client() const noexcept {
    for (uint32_t next : rt_.snapshot->downstream_of(refnum_))
        if (ipc::source_skipped(*data_, next % kMaxClients, rt_.cycle)) return true;
    return false;
}

// ThreadSanitizer watches one process, and what orders a cycle after other clients' often runs
// in another: the driver in bantamd woke us for this cycle only after it had seen each client
// it did not skip idle since its last cycle, and an upstream client's signal may have reached
// us through a client of another program. Two connected clients of one program (a reader of our
// output in the last cycle, our write in this one; a feedback read this cycle through another
// program's client) would be reported as racing. So, for each other client of this process, we
// acquire where it released its last finished cycle, when a real chain leads from there to us:
//  - an older cycle than ours, unless the driver skipped the client this cycle (it was still
//    running then: its reads are the torn ones of rt/tsan.hpp, no chain orders them). A
//    client that left the graph this cycle is taken as done too: the driver read its last
//    finished cycle before waking us (unless it finished late, just then);
//  - this cycle, when it is upstream of us through clients that ran it (not skipped: the
//    driver signals for a skipped one without waiting for its upstream).
// Inside bantamd the driver shares the process, and TSan checks the real chain instead.
void Client::tsan_acquire_unseen_hops() const noexcept {
    const ipc::DataSegment& data = *data_;
    const ipc::Snapshot& snapshot = *rt_.snapshot;
    const uint64_t cycle = rt_.cycle;
    auto skipped = [&](uint32_t refnum) {
        return data.activations[refnum].pending.load(std::memory_order_relaxed) ==
               ipc::pack_pending(uint32_t(cycle), Activation::kSkipped);
    };
    // The order is topological: our upstream clients come before us.
    const uint32_t count = std::min(snapshot.order_count, kMaxClients);
    uint32_t own = 0;
    while (own < count && snapshot.order[own] % kMaxClients != refnum_)
        ++own;
    bool upstream[kMaxClients] = {};
    for (uint32_t i = std::min(own, count); i-- > 0;) {
        const uint32_t refnum = snapshot.order[i] % kMaxClients;
        if (skipped(refnum)) continue;
        for (uint32_t next : snapshot.downstream_of(refnum))
            if (next % kMaxClients == refnum_ || upstream[next % kMaxClients])
                upstream[refnum] = true;
    }
    for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum) {
        if (refnum == refnum_ || !link_->client_by_refnum(refnum)) continue;
        const Activation& activation = data.activations[refnum];
        const uint64_t finished = activation.finished_cycle.load(std::memory_order_relaxed);
        if ((finished < cycle && !skipped(refnum)) || (finished == cycle && upstream[refnum]))
            rt::tsan_acquire(&activation.finished_cycle);
    }
}

void Client::cycle_signal(int status) noexcept {
    (void)status;
    if (rt_.hidden_from_tsan) rt::tsan_show_accesses();
    rt_.hidden_from_tsan = false;
    if (!rt_.in_cycle) return;
    rt_.in_cycle = false;
    ipc::DataSegment& data = *data_;
    Activation& activation = data.activations[refnum_];
    const uint64_t cycle = rt_.cycle;
    const uint64_t now = monotonic_usecs();
    activation.finished_usecs.store(now, std::memory_order_relaxed);
    activation.finished_cycle.store(cycle, std::memory_order_release);

    ipc::signal_downstream(data, *rt_.snapshot, refnum_, cycle, now);
    if (ipc::signal_tagged(data.graph_pending, cycle) &&
        data.driver_waits.load(std::memory_order_relaxed))
        data.graph_done.signal();
    activation.state.store(ipc::RunState::waiting, std::memory_order_seq_cst);
}

void* Client::port_buffer(Port* port, uint32_t frames) noexcept {
    // jackd2 serves any count up to its buffers' size (a program asking for a fixed maximum, or
    // for a period it remembers from before a change), and so does every buffer here.
    if (frames > kMaxBufferFrames) return nullptr;
    ipc::DataSegment& data = *data_;
    if (port->flags() & JackPortIsOutput) {
        float* buffer = data.buffers[port->id()].samples;
        // JACK2 initialises a MIDI port's buffer when the port is registered and again on every
        // buffer-size change (JackPort::ClearBuffer), but never when jack_port_get_buffer is
        // called on an output: events a client does not clear (jack_midi_clear_buffer) are
        // sent again. Bantam's server only zeroes the buffer at registration, so the header is
        // written here, lazily and with the same effect: when it is missing or was made for
        // another period size. A valid header for this period is left alone, events included.
        if (port->type() == PortType::midi) {
            uint32_t period = header().buffer_size.load(std::memory_order_relaxed);
            if (!ipc::midi::valid(buffer) || ipc::midi::nframes(buffer) != period)
                ipc::midi::init(buffer, period);
        }
        return buffer;
    }
    // Not an output: an input, or a port registered with neither direction (JACK2 makes that an
    // input nothing can connect to).
    // The thread first: rt_ belongs to the process thread, and other threads may ask too.
    const bool in_own_cycle = on_process_thread() && rt_.in_cycle;
    const ipc::Snapshot& snapshot = in_own_cycle ? *rt_.snapshot : link_->cycle_snapshot();
    uint64_t cycle = in_own_cycle ? rt_.cycle : header().cycle.load();
    // The port's own type, not the snapshot's: a port registered since the last graph change
    // is not in the snapshot yet.
    return ipc::resolve_input(snapshot, data, port->id(), port->type(), frames, cycle);
}

void* ServerLink::scratch_buffer(const Port& port, uint32_t frames) noexcept {
    Scratch& scratch = *scratch_;
    const bool output = port.flags() & JackPortIsOutput;
    const uint32_t period = control_->header.buffer_size.load(std::memory_order_relaxed);
    if (port.type() == PortType::midi) {
        // An empty MIDI buffer either way: nothing to read, room to write (what was written
        // is dropped at the next call).
        void* buffer = output ? scratch.midi_out.samples : scratch.midi_in.samples;
        ipc::midi::init(buffer, output ? period : frames);
        return buffer;
    }
    if (output) return scratch.audio_out.samples;
    std::memset(scratch.audio_in.samples, 0, frames * sizeof(float));
    return scratch.audio_in.samples;
}

void* ServerLink::unserved_buffer(const Port& port, uint32_t frames) noexcept {
    if (frames > kMaxBufferFrames) return nullptr;
    if (!port.in_use()) return scratch_buffer(port, frames);
    // Another process's port (or one whose client here has closed, kept in use by no refresh).
    // An output's buffer is the one its owner writes: a meter or a scope reads it live, as on
    // jackd2. Its MIDI header is left to its owner.
    if (port.flags() & JackPortIsOutput) return data_->buffers[port.id()].samples;
    // An input reads what its owner would read this cycle; jackd2 mixes into the owner's own
    // buffer, which races with the owner doing the same, so a scratch buffer takes the mix.
    return ipc::resolve_input_into(cycle_snapshot(), *data_, port.id(), port.type(), frames,
                                   control_->header.cycle.load(std::memory_order_acquire),
                                   scratch_->mix.samples);
}

} // namespace bantam::client
