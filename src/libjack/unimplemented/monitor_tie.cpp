// Input monitoring requests and port ties (tie is deprecated in JACK): not implemented yet
// (issue 3: the rest of the JACK API).
//
// Until then every request fails with -1, and since no request can succeed, no port has input
// monitoring requested.

#include "libjack/abi.hpp"

#include <jack/jack.h>

JACK_EXPORT int jack_port_request_monitor(jack_port_t*, int) {
    return -1;
}

JACK_EXPORT int jack_port_request_monitor_by_name(jack_client_t*, const char*, int) {
    return -1;
}

JACK_EXPORT int jack_port_ensure_monitor(jack_port_t*, int) {
    return -1;
}

// A yes/no question: FALSE, never a non-zero error value a caller would read as TRUE.
JACK_EXPORT int jack_port_monitoring_input(jack_port_t*) {
    return 0;
}

JACK_EXPORT int jack_port_tie(jack_port_t*, jack_port_t*) {
    return -1;
}

JACK_EXPORT int jack_port_untie(jack_port_t*) {
    return -1;
}
