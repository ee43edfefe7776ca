// Internal clients (server-side plug-ins): not implemented yet (issue 3: the rest of the JACK
// API).
//
// Until then no internal client exists and none can be loaded: handles are 0, names NULL, and
// the status word says why, with the JackStatus bits JACK uses for these failures.

#include "libjack/abi.hpp"

#include <jack/intclient.h>
#include <jack/jack.h>

namespace {

void set_status(jack_status_t* status, int bits) {
    if (status != nullptr) *status = static_cast<jack_status_t>(bits);
}

} // namespace

JACK_EXPORT char* jack_get_internal_client_name(jack_client_t*, jack_intclient_t) {
    return nullptr;
}

JACK_EXPORT jack_intclient_t jack_internal_client_handle(jack_client_t*, const char*,
                                                         jack_status_t* status) {
    set_status(status, JackFailure | JackNoSuchClient);
    return 0;
}

// The variable arguments (load name, init string) are only read once loading exists.
JACK_EXPORT jack_intclient_t jack_internal_client_load(jack_client_t*, const char*,
                                                       jack_options_t options,
                                                       jack_status_t* status, ...) {
    if ((options & ~JackLoadOptions) != 0) {
        set_status(status, JackFailure | JackInvalidOption);
    } else {
        set_status(status, JackFailure | JackLoadFailure);
    }
    return 0;
}

JACK_EXPORT jack_status_t jack_internal_client_unload(jack_client_t*, jack_intclient_t) {
    return static_cast<jack_status_t>(JackFailure | JackNoSuchClient);
}

// Deprecated in JACK (replaced by jack_internal_client_load/unload).
JACK_EXPORT int jack_internal_client_new(const char*, const char*, const char*) {
    return -1;
}

JACK_EXPORT void jack_internal_client_close(const char*) {}
