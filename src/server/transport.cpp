#include "server/transport.hpp"

#include <algorithm>
#include <cstring>

namespace bantam::server {

namespace {
// Fields a position request or the timebase master may set; the engine owns the rest
// (frame while rolling, usecs, frame_rate, unique ids).
void copy_extended(const jack_position_t& from, jack_position_t& to) noexcept {
    jack_nframes_t frame = to.frame;
    jack_time_t usecs = to.usecs;
    jack_nframes_t rate = to.frame_rate;
    to = from;
    to.frame = frame;
    to.usecs = usecs;
    to.frame_rate = rate;
}
} // namespace

bool TransportEngine::take_position_request(jack_position_t& request) noexcept {
    auto& requests = data_.transport;
    uint32_t serial = requests.position_serial.load(std::memory_order_acquire);
    if (serial == rt_.position_serial) return false;
    uint32_t before = requests.position_seq.load(std::memory_order_acquire);
    if (before & 1) return false; // a client is writing it: next cycle
    rt::tsan_hide_accesses();     // a seqlock read (ipc::read_seqlocked)
    std::memcpy(&request, &requests.position, sizeof request);
    rt::tsan_show_accesses();
    std::atomic_thread_fence(std::memory_order_acquire);
    if (requests.position_seq.load(std::memory_order_relaxed) != before) return false;
    rt_.position_serial = serial;
    return true;
}

bool TransportEngine::take_master_position(uint64_t cycle) noexcept {
    uint32_t master = control_.header.timebase_master.load(std::memory_order_relaxed);
    auto& requests = data_.transport;
    if (master >= kMaxClients) return false;
    if (requests.master_cycle.load(std::memory_order_acquire) != cycle) return false;
    uint32_t before = requests.master_seq.load(std::memory_order_acquire);
    if (before & 1) return false;
    jack_position_t written;
    rt::tsan_hide_accesses(); // a seqlock read (ipc::read_seqlocked)
    std::memcpy(&written, &requests.master_position, sizeof written);
    rt::tsan_show_accesses();
    std::atomic_thread_fence(std::memory_order_acquire);
    if (requests.master_seq.load(std::memory_order_relaxed) != before) return false;
    copy_extended(written, rt_.position);
    data_.activations[master].transport_timebase.store(0, std::memory_order_release);
    return true;
}

void TransportEngine::mark_clients(const ipc::Snapshot& snapshot, jack_transport_state_t state,
                                   bool sync, bool timebase) noexcept {
    uint32_t count = std::min(snapshot.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i) {
        ipc::Activation& activation = data_.activations[snapshot.order[i] % kMaxClients];
        activation.transport_state.store(state, std::memory_order_relaxed);
        activation.transport_sync.store(sync, std::memory_order_relaxed);
        // Set, never cleared here: only the master's answer clears it (take_master_position).
        if (timebase) activation.transport_timebase.store(1, std::memory_order_release);
    }
    // The timebase master hears of a new position even when it takes no part in cycles yet.
    uint32_t master = control_.header.timebase_master.load(std::memory_order_relaxed);
    if (timebase && master < kMaxClients)
        data_.activations[master].transport_timebase.store(1, std::memory_order_release);
}

bool TransportEngine::all_rolling(const ipc::Snapshot& snapshot) const noexcept {
    uint32_t count = std::min(snapshot.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i)
        if (data_.activations[snapshot.order[i] % kMaxClients].transport_state.load(
                std::memory_order_acquire) != JackTransportRolling)
            return false;
    return true;
}

void TransportEngine::start_cycle(const ipc::Snapshot& snapshot, uint64_t cycle,
                                  uint64_t start_usecs, uint32_t frames, uint32_t rate) noexcept {
    uint32_t command = data_.transport.command.load(std::memory_order_acquire);
    if (command == rt_.previous_command || command == ipc::TransportRequests::none)
        command = ipc::TransportRequests::none;
    else
        rt_.previous_command = command;
    jack_position_t request;
    const bool relocating = take_position_request(request);
    const uint64_t period_usecs = rate ? uint64_t(frames) * 1000000u / rate : 1;
    auto start_syncing = [&] {
        rt_.state = JackTransportStarting;
        mark_clients(snapshot, JackTransportStarting, true, true);
        rt_.sync_cycles_left = std::max<uint64_t>(1, control_.header.sync_timeout_usecs.load() /
                                                         std::max<uint64_t>(period_usecs, 1));
    };

    // Before the state machine: a new position it announces to the master stays announced.
    take_master_position(cycle);
    switch (rt_.state) {
    case JackTransportStopped:
        if (command == ipc::TransportRequests::start)
            start_syncing();
        else if (relocating) // as jackd2: sync callbacks hear of it, with the state Stopped
            mark_clients(snapshot, JackTransportStopped, true, true);
        break;
    case JackTransportStarting:
        if (command == ipc::TransportRequests::stop) {
            rt_.state = JackTransportStopped;
            mark_clients(snapshot, JackTransportStopped, false, false);
        } else if (relocating) {
            start_syncing();
        } else if (--rt_.sync_cycles_left == 0 || all_rolling(snapshot)) {
            rt_.state = JackTransportRolling;
        }
        break;
    case JackTransportRolling:
        if (command == ipc::TransportRequests::stop) {
            rt_.state = JackTransportStopped;
            mark_clients(snapshot, JackTransportStopped, false, false);
        } else if (relocating) {
            start_syncing();
        }
        break;
    default:
        rt_.state = JackTransportStopped;
        break;
    }

    // rt_.position is what the last cycle prepared for this one (JACK2's pending position):
    // its frame moved on after a cycle that rolled, and the master filled in its extended
    // fields for that frame (folded in above). A request overrides both.
    if (relocating) {
        jack_nframes_t frame = request.frame;
        copy_extended(request, rt_.position);
        rt_.position.frame = frame;
    }
    // A released timebase takes its extended information with it (JACK2's ResetTimebase).
    uint32_t master = control_.header.timebase_master.load(std::memory_order_relaxed);
    if (master != rt_.master && master == ipc::kNoTimebaseMaster && !relocating)
        rt_.position.valid = jack_position_bits_t(0);
    rt_.master = master;
    rt_.position.usecs = start_usecs;
    rt_.position.frame_rate = rate;
    publish();
    // Only after it was published does the position move on for the next cycle: the first
    // rolling cycle shows the frame the transport started from, every client sees a state
    // change at the frame it happened, and the master, adding one period to a rolling cycle's
    // frame, fills in the position of the cycle that will read it.
    if (rt_.state == JackTransportRolling) rt_.position.frame += frames;
}

void TransportEngine::publish() noexcept {
    auto& view = control_.header.transport;
    rt_.position.unique_1 = rt_.position.unique_2 = ++rt_.unique;
    view.seq.fetch_add(1, std::memory_order_acq_rel);
    std::atomic_thread_fence(std::memory_order_release);
    view.state = rt_.state;
    view.position = rt_.position;
    view.seq.fetch_add(1, std::memory_order_release);
}

} // namespace bantam::server
