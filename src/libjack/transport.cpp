// transport.h: the JACK transport.

#include <cerrno>
#include <cstring>
#include <jack/transport.h>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

JACK_EXPORT int jack_set_sync_callback(jack_client_t* client, JackSyncCallback callback,
                                       void* arg) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->set_sync_callback(callback, arg); });
}

JACK_EXPORT int jack_set_sync_timeout(jack_client_t* client, jack_time_t timeout) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->set_sync_timeout(timeout); });
}

JACK_EXPORT int jack_set_timebase_callback(jack_client_t* client, int conditional,
                                           JackTimebaseCallback callback, void* arg) {
    if (!client) return -1;
    return abi_guard(-1, [&] {
        return from_handle(client)->set_timebase_callback(conditional != 0, callback, arg);
    });
}

JACK_EXPORT int jack_release_timebase(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->release_timebase(); });
}

JACK_EXPORT int jack_engine_takeover_timebase(jack_client_t*) {
    // Documented as unsupported by JACK itself.
    return ENOSYS;
}

// Both return 0 whatever became of the request, as jackd2's do (a position with bits it does
// not know is dropped there too): programs written for it treat anything else as failure.
JACK_EXPORT RT_HOT int jack_transport_locate(jack_client_t* client, jack_nframes_t frame) {
    if (!client) return -1;
    jack_position_t position{};
    position.frame = frame;
    (void)from_handle(client)->transport_reposition(position);
    return 0;
}

JACK_EXPORT RT_HOT int jack_transport_reposition(jack_client_t* client,
                                                 const jack_position_t* pos) {
    if (!client) return -1;
    if (!pos) return EINVAL; // jackd2 dereferences it
    (void)from_handle(client)->transport_reposition(*pos);
    return 0;
}

JACK_EXPORT RT_HOT void jack_transport_start(jack_client_t* client) {
    if (client) from_handle(client)->transport_command(ipc::TransportRequests::start);
}

JACK_EXPORT RT_HOT void jack_transport_stop(jack_client_t* client) {
    if (client) from_handle(client)->transport_command(ipc::TransportRequests::stop);
}

JACK_EXPORT RT_HOT jack_transport_state_t jack_transport_query(const jack_client_t* client,
                                                               jack_position_t* pos) {
    if (!client) return JackTransportStopped;
    return from_handle(const_cast<jack_client_t*>(client))->transport_query(pos);
}

JACK_EXPORT RT_HOT jack_nframes_t jack_get_current_transport_frame(const jack_client_t* client) {
    if (!client) return 0;
    return from_handle(const_cast<jack_client_t*>(client))->transport_frame();
}

JACK_EXPORT void jack_get_transport_info(jack_client_t* client, jack_transport_info_t* info) {
    // Deprecated: the old structure, filled from the current position.
    if (!client || !info) return;
    jack_position_t position;
    jack_transport_state_t state = from_handle(client)->transport_query(&position);
    std::memset(info, 0, sizeof *info);
    info->frame_rate = position.frame_rate;
    info->usecs = position.usecs;
    info->transport_state = state;
    info->frame = position.frame;
    info->valid = jack_transport_bits_t(JackTransportState | JackTransportPosition);
    if (position.valid & JackPositionBBT) {
        info->valid = jack_transport_bits_t(info->valid | JackTransportBBT);
        info->bar = position.bar;
        info->beat = position.beat;
        info->tick = position.tick;
        info->bar_start_tick = position.bar_start_tick;
        info->beats_per_bar = position.beats_per_bar;
        info->beat_type = position.beat_type;
        info->ticks_per_beat = position.ticks_per_beat;
        info->beats_per_minute = position.beats_per_minute;
    }
}

JACK_EXPORT void jack_set_transport_info(jack_client_t*, jack_transport_info_t*) {
    // Deprecated and documented to do nothing.
}
