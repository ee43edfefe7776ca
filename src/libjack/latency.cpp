// jack.h: port latencies. Ranges live in the server, which propagates them along connections
// on every graph change and on jack_recompute_total_latencies (see engine_latency.cpp); the old
// scalar API maps onto them (an output's latency is its capture range, an input's its
// playback range).

#include <algorithm>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;
using bantam::client::Port;
using bantam::client::PortInfo;

namespace {
jack_nframes_t own_latency(const PortInfo& info) {
    return (info.flags & JackPortIsOutput) ? info.capture_latency.max : info.playback_latency.max;
}

// JACK's old definition: the port's own latency plus the largest total latency along its
// connections, following data away from the port, stopping at terminal ports and after 8 hops.
jack_nframes_t total_latency(client::ServerLink& link, uint32_t id, int hops) {
    PortInfo info;
    if (!link.read_port(id, info)) return 0;
    jack_nframes_t own = own_latency(info);
    if (hops >= 8 || (info.flags & JackPortIsTerminal)) return own;
    jack_nframes_t longest = 0;
    for (uint32_t peer : link.peers(id)) {
        PortInfo other;
        if (!link.read_port(peer, other)) continue;
        jack_nframes_t through = own_latency(other);
        if (!(other.flags & JackPortIsTerminal)) {
            // Continue through the peer's client: from an input to that client's outputs and on.
            for (const auto& port : link.live_ports())
                if (port.owner == other.owner && port.owner != 0 &&
                    bool(port.flags & JackPortIsOutput) == bool(info.flags & JackPortIsOutput))
                    through = std::max(through, total_latency(link, port.id, hops + 1));
        }
        longest = std::max(longest, through);
    }
    return own + longest;
}
} // namespace

JACK_EXPORT void jack_port_get_latency_range(jack_port_t* port, jack_latency_callback_mode_t mode,
                                             jack_latency_range_t* range) {
    if (!port || !range) return;
    PortInfo info;
    Port* p = from_handle(port);
    if (!p->link().read_port(p->id(), info)) {
        *range = {0, 0}; // a stale port reports no latency
        return;
    }
    const auto& source = mode == JackCaptureLatency ? info.capture_latency : info.playback_latency;
    *range = {source.min, source.max};
}

JACK_EXPORT void jack_port_set_latency_range(jack_port_t* port, jack_latency_callback_mode_t mode,
                                             jack_latency_range_t* range) {
    if (!port || !range) return;
    Port* p = from_handle(port);
    if (client::Client* client = p->link().any_client())
        abi_guard_void([&] { client->set_latency_range(p, mode, *range); });
}

JACK_EXPORT jack_nframes_t jack_port_get_latency(jack_port_t* port) {
    if (!port) return 0;
    PortInfo info;
    Port* p = from_handle(port);
    return p->link().read_port(p->id(), info) ? own_latency(info) : 0;
}

JACK_EXPORT void jack_port_set_latency(jack_port_t* port, jack_nframes_t frames) {
    if (!port) return;
    jack_latency_range_t range{frames, frames};
    bool output = from_handle(port)->flags() & JackPortIsOutput;
    jack_port_set_latency_range(port, output ? JackCaptureLatency : JackPlaybackLatency, &range);
}

JACK_EXPORT jack_nframes_t jack_port_get_total_latency(jack_client_t* client, jack_port_t* port) {
    if (!client || !port) return 0;
    return abi_guard<jack_nframes_t>(0, [&] {
        Port* p = from_handle(port);
        return total_latency(p->link(), p->id(), 0);
    });
}

JACK_EXPORT int jack_recompute_total_latencies(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->recompute_latencies(); });
}

JACK_EXPORT int jack_recompute_total_latency(jack_client_t* client, jack_port_t* port) {
    return client && port ? 0 : -1;
}
