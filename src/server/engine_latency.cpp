// Latency propagation over the port graph, as JACK computes total latencies on each reorder.

#include <algorithm>
#include <jack/types.h>

#include "server/engine.hpp"

namespace bantam::server {

namespace {
using Range = ipc::LatencyRange;

// The union of ranges: the smallest minimum and the largest maximum; {0,0} for none.
struct RangeUnion {
    Range range{};
    bool any = false;
    void add(Range other) {
        range = any ? Range{std::min(range.min, other.min), std::max(range.max, other.max)} : other;
        any = true;
    }
};

bool same(Range a, Range b) {
    return a.min == b.min && a.max == b.max;
}
} // namespace

void Engine::recompute_latencies(bool notify_callbacks) {
    // Adjacency once per recompute: each pass is then linear in ports and connections.
    std::vector<std::vector<uint32_t>> sources(kMaxPorts), destinations(kMaxPorts);
    for (const auto& c : connections_) {
        sources[c.destination_port].push_back(c.source_port);
        destinations[c.source_port].push_back(c.destination_port);
    }
    std::vector<uint32_t> live;
    for (uint32_t port = 1; port < kMaxPorts; ++port)
        if (ports_[port].in_use) live.push_back(port);
    auto derives_own_ports = [&](uint32_t owner) {
        return owner != kDriverRefnum && !clients_[owner].latency_callback;
    };
    std::vector<bool> changed(kMaxPorts, false);
    auto assign = [&](uint32_t port, bool capture, Range value) {
        Range& slot = capture ? ports_[port].capture_latency : ports_[port].playback_latency;
        if (same(slot, value)) return false;
        slot = value;
        changed[port] = true;
        return true;
    };

    // Relax until nothing changes; unions never grow beyond their inputs, so this converges
    // within the graph's depth (loops included). The pass limit is only a safety net.
    for (int pass = 0; pass < 64; ++pass) {
        bool moved = false;
        // Connection-derived: an input's capture range, an output's playback range.
        for (uint32_t port : live) {
            const bool input = !(ports_[port].flags & JackPortIsOutput); // as jackd2: not an output
            RangeUnion via;
            for (uint32_t peer : input ? sources[port] : destinations[port])
                via.add(input ? ports_[peer].capture_latency : ports_[peer].playback_latency);
            moved |= assign(port, input, via.range);
        }
        // Client-derived, for clients that do not set these themselves: outputs take the
        // union of the client's inputs' capture ranges, inputs of its outputs' playback ranges.
        std::vector<RangeUnion> inputs_capture(kMaxClients), outputs_playback(kMaxClients);
        for (uint32_t port : live) {
            const PortState& state = ports_[port];
            if (!(state.flags & JackPortIsOutput))
                inputs_capture[state.owner].add(state.capture_latency);
            else
                outputs_playback[state.owner].add(state.playback_latency);
        }
        for (uint32_t port : live) {
            const PortState& state = ports_[port];
            if (!derives_own_ports(state.owner)) continue;
            const bool input = !(state.flags & JackPortIsOutput);
            moved |= assign(port, !input,
                            input ? outputs_playback[state.owner].range
                                  : inputs_capture[state.owner].range);
        }
        if (!moved) break;
    }
    for (uint32_t port : live)
        if (changed[port]) mirror_port(port);

    if (!notify_callbacks) return;
    // Clients with a latency callback recompute their own ports, capture direction first.
    for (uint32_t mode : {uint32_t(JackCaptureLatency), uint32_t(JackPlaybackLatency)}) {
        ipc::Notification n{};
        n.type = ipc::NotificationType::latency;
        n.a = mode;
        for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum)
            if (clients_[refnum].in_use && clients_[refnum].active &&
                clients_[refnum].latency_callback)
                notify_client(refnum, n);
    }
}

} // namespace bantam::server
