#include "server/graph.hpp"

#include <algorithm>

namespace bantam::server {

namespace {

bool reaches(const std::vector<std::vector<uint32_t>>& edges, uint32_t from, uint32_t to) {
    std::vector<bool> seen(edges.size(), false);
    std::vector<uint32_t> stack{from};
    while (!stack.empty()) {
        uint32_t node = stack.back();
        stack.pop_back();
        if (node == to) return true;
        if (seen[node]) continue;
        seen[node] = true;
        for (uint32_t next : edges[node])
            stack.push_back(next);
    }
    return false;
}

} // namespace

bool build_snapshot(const GraphInput& input, uint64_t generation, ipc::Snapshot& out,
                    GraphSummary* summary) {
    const uint32_t clients = kMaxClients;
    auto scheduled = [&](uint32_t refnum) {
        return refnum != kDriverRefnum && refnum < input.scheduled.size() &&
               input.scheduled[refnum];
    };

    // Client-level activation edges, distinct, skipping those that would close a loop.
    std::vector<std::vector<uint32_t>> downstream(clients);
    std::vector<uint32_t> upstream_count(clients, 0);
    for (const auto& connection : input.connections) {
        uint32_t from = input.port_owner.at(connection.source_port);
        uint32_t to = input.port_owner.at(connection.destination_port);
        if (!scheduled(from) || !scheduled(to)) continue;
        bool loop = from == to || reaches(downstream, to, from);
        if (loop) {
            if (summary && from != to) summary->feedback.push_back(connection);
            continue;
        }
        auto& list = downstream[from];
        if (std::find(list.begin(), list.end(), to) != list.end()) continue;
        list.push_back(to);
        ++upstream_count[to];
    }

    // Kahn's algorithm, stable in refnum order.
    std::vector<uint32_t> order;
    std::vector<uint32_t> remaining = upstream_count;
    std::vector<uint32_t> ready;
    for (uint32_t refnum = 0; refnum < clients; ++refnum)
        if (scheduled(refnum) && remaining[refnum] == 0) ready.push_back(refnum);
    while (!ready.empty()) {
        auto lowest = std::min_element(ready.begin(), ready.end());
        uint32_t node = *lowest;
        ready.erase(lowest);
        order.push_back(node);
        for (uint32_t next : downstream[node])
            if (--remaining[next] == 0) ready.push_back(next);
    }

    out.generation = generation;
    out.scheduled_count = uint32_t(order.size());
    out.order_count = uint32_t(order.size());
    std::copy(order.begin(), order.end(), out.order);
    uint32_t edge = 0;
    for (uint32_t refnum = 0; refnum < clients; ++refnum) {
        auto& route = out.clients[refnum];
        route = {};
        if (!scheduled(refnum)) continue;
        route.scheduled = 1;
        route.upstream_count = upstream_count[refnum];
        route.downstream_begin = edge;
        route.downstream_count = uint32_t(downstream[refnum].size());
        route.first_downstream = downstream[refnum].empty() ? 0 : downstream[refnum].front();
        if (edge + downstream[refnum].size() > std::size(out.downstream)) return false;
        for (uint32_t next : downstream[refnum])
            out.downstream[edge++] = next;
    }

    // Port peers in connection order: sources for inputs, destinations for outputs.
    std::vector<std::vector<uint32_t>> peers(kMaxPorts);
    for (const auto& connection : input.connections) {
        peers.at(connection.destination_port).push_back(connection.source_port);
        peers.at(connection.source_port).push_back(connection.destination_port);
    }
    uint32_t slot = 0;
    for (uint32_t port = 0; port < kMaxPorts; ++port) {
        auto& route = out.ports[port];
        route.owner = port < input.port_owner.size() ? input.port_owner[port] : 0;
        route.type =
            uint32_t(port < input.port_type.size() ? input.port_type[port] : PortType::audio);
        if (slot + peers[port].size() > std::size(out.port_peers)) return false;
        std::copy(peers[port].begin(), peers[port].end(), out.port_peers + slot);
        out.set_peers(port, slot, uint32_t(peers[port].size()));
        slot += uint32_t(peers[port].size());
    }
    if (summary) summary->order = std::move(order);
    return true;
}

} // namespace bantam::server
