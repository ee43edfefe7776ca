// jack.h: input monitoring requests, and the deprecated port ties.

#include <jack/jack.h>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

namespace {
int request(jack_port_t* port, int change) {
    client::Port* p = from_handle(port);
    client::Client* client = p ? p->link().any_client() : nullptr;
    if (!client) return -1;
    return abi_guard(-1, [&] { return client->request_monitor(p, change); });
}
} // namespace

JACK_EXPORT int jack_port_request_monitor(jack_port_t* port, int onoff) {
    return request(port, onoff ? 1 : -1);
}

JACK_EXPORT int jack_port_request_monitor_by_name(jack_client_t* client, const char* port_name,
                                                  int onoff) {
    if (!client || !port_name) return -1;
    jack_port_t* port = to_handle(from_handle(client)->link().find_port(port_name));
    return port ? jack_port_request_monitor(port, onoff) : -1;
}

JACK_EXPORT int jack_port_ensure_monitor(jack_port_t* port, int yesno) {
    return request(port, yesno ? 3 : 2);
}

JACK_EXPORT int jack_port_monitoring_input(jack_port_t* port) {
    client::Port* p = from_handle(port);
    client::PortInfo info;
    return p && p->link().read_port(p->id(), info) && info.monitor_requests > 0 ? 1 : 0;
}

// Ties are deprecated in JACK ("turned out to serve essentially no purpose"); with zero-copy
// buffers a tie would need the server to reroute readers, so it is refused as JACK refuses a
// tie it cannot make.
JACK_EXPORT int jack_port_tie(jack_port_t*, jack_port_t*) {
    return -1;
}
JACK_EXPORT int jack_port_untie(jack_port_t*) {
    return -1;
}
