// Moving process threads between CPUs after each graph change (cpu_placement.hpp).

#include <algorithm>

#include "server/cpu_placement.hpp"
#include "server/engine.hpp"
#include "server/thread_placement.hpp"

namespace bantam::server {

void Engine::place_threads() {
    if (!placement_ || !placement_->enabled()) return;
    // Each client's work is estimated from its most recent cycle (awake to finished); a client
    // that has not run lately counts as light.
    PlacementCosts costs;
    costs.work_usecs.assign(kMaxClients, 0);
    const uint64_t cycle = control_.header.cycle.load();
    const uint64_t period_usecs = control_.header.timer.period_usecs_x1000.load() / 1000;
    for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum) {
        const ipc::Activation& activation = data_.activations[refnum];
        if (activation.finished_cycle.load(std::memory_order_acquire) + 16 < cycle) continue;
        const uint64_t awake = activation.awake_usecs.load(std::memory_order_relaxed);
        const uint64_t finished = activation.finished_usecs.load(std::memory_order_relaxed);
        if (finished > awake)
            costs.work_usecs[refnum] = uint32_t(std::min(finished - awake, period_usecs));
    }
    costs.period_usecs = uint32_t(period_usecs);
    placement_->apply(plan_cpu_placement(*scratch_, costs, placement_->cpus()));
}

} // namespace bantam::server
