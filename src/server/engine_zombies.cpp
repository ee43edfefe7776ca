// Zombies: clients that stopped taking part in cycles (SIGSTOP, a process callback stuck for
// good, a thread that never comes back). JACK removes them after the client timeout (-t).

#include <algorithm>

#include "server/engine.hpp"

namespace bantam::server {

std::vector<uint32_t> Engine::find_zombies(uint64_t timeout_cycles) {
    std::vector<uint32_t> zombies;
    excused_.assign(kMaxClients, false);
    if (freewheeling_ || timeout_cycles == 0) return zombies;
    const uint64_t cycle = control_.header.cycle.load();
    const ipc::Snapshot& graph =
        control_.snapshots[control_.header.cycle_snapshot.load() % kSnapshotSlots];
    const uint32_t count = std::min(graph.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t refnum = graph.order[i] % kMaxClients;
        const ClientState& client = clients_[refnum];
        if (!graph.clients[refnum].scheduled || !client.in_use || !client.active) continue;
        const uint64_t progress =
            std::max(data_.activations[refnum].finished_cycle.load(std::memory_order_acquire),
                     client.scheduled_since);
        const bool stuck = cycle > progress + timeout_cycles;
        // A client downstream of a stuck one is never woken: it is not to blame.
        if (stuck && !excused_[refnum]) zombies.push_back(refnum);
        if (stuck || excused_[refnum]) {
            const auto& route = graph.clients[refnum];
            const uint32_t end = std::min<uint32_t>(route.downstream_begin + route.downstream_count,
                                                    uint32_t(std::size(graph.downstream)));
            for (uint32_t e = route.downstream_begin; e < end; ++e)
                excused_[graph.downstream[e] % kMaxClients] = true;
        }
    }
    return zombies;
}

void Engine::restart_zombie_clocks() {
    // A client that was waiting for a stuck upstream may run again in the new graph, or may
    // now be the first stuck one: either way its timeout starts now, not when it last ran.
    const uint64_t cycle = control_.header.cycle.load();
    for (uint32_t refnum = 0; refnum < excused_.size() && refnum < kMaxClients; ++refnum)
        if (excused_[refnum]) clients_[refnum].scheduled_since = cycle;
    excused_.assign(kMaxClients, false);
}

} // namespace bantam::server
