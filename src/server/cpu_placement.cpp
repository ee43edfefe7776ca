#include "server/cpu_placement.hpp"

#include <algorithm>
#include <iterator>

namespace bantam::server {

// List scheduling over the topological order: each client goes where it would finish first,
// given when its last upstream finishes (that one wakes it, from its own core) and when each
// core is free. Ties keep the waker's core, so a chain never leaves it.
std::vector<int> plan_cpu_placement(const ipc::Snapshot& graph, const PlacementCosts& costs,
                                    const std::vector<int>& cpus) {
    std::vector<int> placement(kMaxClients, -1);
    if (cpus.empty()) return placement;
    if (costs.period_usecs != 0 && cpus.size() > 1) {
        uint64_t serial = 0;
        for (uint32_t i = 0; i < std::min<uint32_t>(graph.order_count, kMaxClients); ++i) {
            const uint32_t client = graph.order[i] % kMaxClients;
            serial +=
                costs.hop_usecs + (client < costs.work_usecs.size() ? costs.work_usecs[client] : 0);
        }
        if (2 * serial <= costs.period_usecs)
            return plan_cpu_placement(graph, costs, {cpus.front()}); // one core is plenty
    }
    std::vector<uint64_t> core_free(cpus.size(), 0);
    std::vector<uint64_t> ready(kMaxClients, 0);
    std::vector<size_t> waker_core(kMaxClients, 0); // index into cpus; the driver's is 0
    std::vector<uint64_t> finish(kMaxClients, 0);

    const uint32_t count = std::min<uint32_t>(graph.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t client = graph.order[i] % kMaxClients;
        const auto& route = graph.clients[client];
        if (!route.scheduled) continue;
        const uint64_t work =
            costs.hop_usecs + (client < costs.work_usecs.size() ? costs.work_usecs[client] : 0);
        size_t best = waker_core[client];
        uint64_t best_finish = UINT64_MAX;
        for (size_t core = 0; core < cpus.size(); ++core) {
            uint64_t wake =
                ready[client] + (core == waker_core[client] ? 0 : costs.cross_core_usecs);
            uint64_t done = std::max(wake, core_free[core]) + work;
            if (done < best_finish || (done == best_finish && core == waker_core[client])) {
                best = core;
                best_finish = done;
            }
        }
        core_free[best] = best_finish;
        finish[client] = best_finish;
        placement[client] = cpus[best];

        uint32_t begin = route.downstream_begin;
        uint32_t end = std::min<uint32_t>(begin + route.downstream_count,
                                          uint32_t(std::size(graph.downstream)));
        for (uint32_t e = begin; e < end; ++e) {
            const uint32_t next = graph.downstream[e] % kMaxClients;
            if (best_finish >= ready[next]) {
                ready[next] = best_finish;
                waker_core[next] = best;
            }
        }
    }
    return placement;
}

} // namespace bantam::server
