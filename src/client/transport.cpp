// The client's side of the transport: requests written for the driver, the seqlocked view read
// back, and the sync and timebase callbacks run on the process thread.

#include <cerrno>
#include <cstring>

#include "client/client.hpp"
#include "common/clock.hpp"

namespace bantam::client {

namespace {
constexpr unsigned kExtendedBits = JackPositionBBT | JackPositionTimecode | JackBBTFrameOffset |
                                   JackAudioVideoRatio | JackVideoFrameOffset;

// Writes a position into a seqlocked slot several writers may race for: the CAS makes one
// writer own the slot at a time; a loser retries briefly and then gives up (the winner's
// request stands).
RT_NONBLOCKING bool write_slot(std::atomic<uint32_t>& seq, jack_position_t& slot,
                               const jack_position_t& value) noexcept {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        uint32_t current = seq.load(std::memory_order_acquire);
        if ((current & 1) == 0 &&
            seq.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) {
            std::atomic_thread_fence(std::memory_order_release);
            std::memcpy(&slot, &value, sizeof slot);
            seq.store(current + 2, std::memory_order_release);
            return true;
        }
    }
    return false;
}
} // namespace

void Client::transport_command(uint32_t command) noexcept {
    data_->transport.command.store(command, std::memory_order_release);
}

int Client::transport_reposition(const jack_position_t& position) noexcept {
    // Read as bits: a caller's unknown ones are no value of the enum.
    uint32_t valid;
    std::memcpy(&valid, &position.valid, sizeof valid);
    if (valid & ~kExtendedBits) return EINVAL;
    auto& requests = data_->transport;
    if (!write_slot(requests.position_seq, requests.position, position)) return EBUSY;
    requests.position_serial.fetch_add(1, std::memory_order_acq_rel);
    return 0;
}

jack_transport_state_t Client::transport_query(jack_position_t* position) const noexcept {
    const auto& view = header().transport;
    jack_transport_state_t state;
    jack_position_t copy;
    ipc::read_seqlocked(view, [&](const ipc::TransportView& v) {
        state = v.state;
        std::memcpy(&copy, &v.position, sizeof copy);
    });
    if (position) *position = copy;
    return state;
}

jack_nframes_t Client::transport_frame() const noexcept {
    jack_position_t position;
    jack_transport_state_t state = transport_query(&position);
    if (state != JackTransportRolling || position.frame_rate == 0) return position.frame;
    uint64_t now = monotonic_usecs();
    uint64_t elapsed = now > position.usecs ? now - position.usecs : 0;
    return position.frame + jack_nframes_t(elapsed * position.frame_rate / 1000000u);
}

int Client::set_sync_callback(JackSyncCallback callback, void* arg) {
    callbacks_.sync.store(nullptr, std::memory_order_release);
    callbacks_.sync_arg.store(arg, std::memory_order_release);
    callbacks_.sync.store(callback, std::memory_order_release);
    return callback ? ensure_process_thread() : 0;
}

int Client::set_timebase_callback(bool conditional, JackTimebaseCallback callback, void* arg) {
    if (!callback) return EINVAL;
    ipc::TimebaseRequest payload{conditional};
    ipc::Reply reply{};
    if (!request(ipc::RequestType::set_timebase, &payload, sizeof payload, reply)) return -1;
    if (reply.status != 0) return reply.status;
    callbacks_.timebase.store(nullptr, std::memory_order_release);
    callbacks_.timebase_arg.store(arg, std::memory_order_release);
    callbacks_.timebase.store(callback, std::memory_order_release);
    return ensure_process_thread();
}

int Client::release_timebase() {
    ipc::EmptyRequest payload{};
    ipc::Reply reply{};
    if (!request(ipc::RequestType::release_timebase, &payload, sizeof payload, reply)) return -1;
    if (reply.status == 0) callbacks_.timebase.store(nullptr, std::memory_order_release);
    return reply.status;
}

int Client::set_sync_timeout(jack_time_t usecs) {
    ipc::SyncTimeoutRequest payload{usecs};
    return simple_request(ipc::RequestType::set_sync_timeout, &payload, sizeof payload);
}

void Client::run_sync_callback() {
    ipc::Activation& activation = data_->activations[refnum_];
    if (!activation.transport_sync.load(std::memory_order_acquire)) return;
    bool ready = true;
    if (JackSyncCallback sync = callbacks_.sync.load(std::memory_order_acquire)) {
        jack_position_t position;
        jack_transport_state_t state = transport_query(&position);
        ready = sync(state, &position, callbacks_.sync_arg.load(std::memory_order_acquire)) != 0;
    }
    if (ready) {
        activation.transport_state.store(JackTransportRolling, std::memory_order_release);
        activation.transport_sync.store(0, std::memory_order_release);
    }
}

void Client::run_timebase_callback(jack_nframes_t frames) {
    JackTimebaseCallback timebase = callbacks_.timebase.load(std::memory_order_acquire);
    if (!timebase || header().timebase_master.load(std::memory_order_acquire) != refnum_) return;
    ipc::Activation& activation = data_->activations[refnum_];
    jack_position_t next;
    jack_transport_state_t state = transport_query(&next);
    // Cleared by the driver once it has taken what the master wrote for a new position.
    bool new_position = activation.transport_timebase.load(std::memory_order_acquire) != 0;
    if (!new_position && state != JackTransportRolling) return;
    // The callback fills in the position of the next cycle, which the driver takes as its own:
    // one period on from this one if it rolls (TransportEngine::start_cycle).
    if (state == JackTransportRolling) next.frame += frames;
    timebase(state, frames, &next, new_position,
             callbacks_.timebase_arg.load(std::memory_order_acquire));
    auto& requests = data_->transport;
    if (write_slot(requests.master_seq, requests.master_position, next))
        requests.master_cycle.store(rt_.cycle + 1, std::memory_order_release);
}

} // namespace bantam::client
