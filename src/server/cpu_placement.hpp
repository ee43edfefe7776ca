#pragma once

// Which CPU each client's process thread runs on. Thread: control.
//
// A hop between clients on one core costs a futex wake and a context switch; across cores it
// costs an inter-processor interrupt and, on virtual machines, the wake of a sleeping vCPU:
// several times more CPU and wall time (bench/pingpong measures both). Clients in a sequential
// chain can never run at the same time, so a chain stays on the core its upstream ran on. Only
// a parallel branch may move, and only to a core where it would finish sooner even after the
// dearer wake; and only when the whole graph on one core would take more than half the
// period: below that, spreading buys nothing but costs CPU.

#include <cstdint>
#include <vector>

#include "ipc/shared_layout.hpp"

namespace bantam::server {

struct PlacementCosts {
    // Estimated work per cycle of each client, by refnum, in microseconds.
    std::vector<uint32_t> work_usecs;
    // What a wake costs on top of the work: same core, and the extra for another core.
    uint32_t hop_usecs = 3;
    uint32_t cross_core_usecs = 10;
    // The cycle's length; 0: unknown (parallel branches spread whenever it pays off).
    uint32_t period_usecs = 0;
};

// Returns a CPU per refnum (-1 for clients not scheduled in `graph`). The driver runs on
// cpus.front(). Linear in clients plus activation edges.
std::vector<int> plan_cpu_placement(const ipc::Snapshot& graph, const PlacementCosts& costs,
                                    const std::vector<int>& cpus);

} // namespace bantam::server
