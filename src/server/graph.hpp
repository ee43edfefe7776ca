#pragma once

// Turns the engine's clients and connections into an immutable Snapshot. Thread: control.
//
// Clients are ordered topologically by their port connections. A connection that would close
// a loop (considered in the order connections were made, as JACK2 does) becomes a feedback
// edge: data still flows through it, read one cycle late, but it does not gate activation.

#include <cstdint>
#include <vector>

#include "ipc/shared_layout.hpp"

namespace bantam::server {

struct GraphConnection {
    uint32_t source_port;
    uint32_t destination_port;
};

struct GraphInput {
    std::vector<bool> scheduled;              // by refnum: active client taking part in cycles
    std::vector<uint32_t> port_owner;         // by port id; 0 for unused ids
    std::vector<PortType> port_type;          // by port id; audio for unused ids
    std::vector<GraphConnection> connections; // in creation order
};

struct GraphSummary {
    std::vector<uint32_t> order;           // scheduled clients, topological
    std::vector<GraphConnection> feedback; // connections that close a loop
};

// Fills `out` (whose seq the caller manages). Returns false if the graph exceeds the
// snapshot's fixed capacity; `out` is then unusable.
bool build_snapshot(const GraphInput& input, uint64_t generation, ipc::Snapshot& out,
                    GraphSummary* summary = nullptr);

} // namespace bantam::server
