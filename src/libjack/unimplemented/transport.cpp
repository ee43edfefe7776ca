// Transport and timebase: not implemented yet (issue 3: the rest of the JACK API).
//
// Until then every request fails the way <jack/transport.h> documents failure, and every query
// reports a transport that is stopped at frame 0 with no optional position field valid.

#include "libjack/abi.hpp"

#include <jack/jack.h>
#include <jack/transport.h>

#include <cerrno>
#include <cstring>

// Deprecated in JACK; documented to return ENOSYS.
JACK_EXPORT int jack_engine_takeover_timebase(jack_client_t*) {
    return ENOSYS;
}

JACK_EXPORT int jack_release_timebase(jack_client_t*) {
    return -1;
}

JACK_EXPORT int jack_set_sync_callback(jack_client_t*, JackSyncCallback, void*) {
    return -1;
}

JACK_EXPORT int jack_set_sync_timeout(jack_client_t*, jack_time_t) {
    return -1;
}

JACK_EXPORT int jack_set_timebase_callback(jack_client_t*, int, JackTimebaseCallback, void*) {
    return -1;
}

JACK_EXPORT int jack_transport_locate(jack_client_t*, jack_nframes_t) {
    return -1;
}

JACK_EXPORT int jack_transport_reposition(jack_client_t*, const jack_position_t*) {
    return -1;
}

// The honest answer while there is no transport: stopped, and a position whose `valid` mask is
// 0 (frame 0, no BBT, no timecode, no frame rate claimed).
JACK_EXPORT jack_transport_state_t jack_transport_query(const jack_client_t*,
                                                        jack_position_t* pos) {
    if (pos != nullptr) std::memset(pos, 0, sizeof(*pos));
    return JackTransportStopped;
}

JACK_EXPORT jack_nframes_t jack_get_current_transport_frame(const jack_client_t*) {
    return 0;
}

// Requests without a return value: nothing can be started or stopped.
JACK_EXPORT void jack_transport_start(jack_client_t*) {}

JACK_EXPORT void jack_transport_stop(jack_client_t*) {}

// Deprecated interface: report no valid field.
JACK_EXPORT void jack_get_transport_info(jack_client_t*, jack_transport_info_t* tinfo) {
    if (tinfo != nullptr) std::memset(tinfo, 0, sizeof(*tinfo));
}

// Deprecated interface, documented to do nothing.
JACK_EXPORT void jack_set_transport_info(jack_client_t*, jack_transport_info_t*) {}
