#pragma once

// Applies a CPU placement (cpu_placement.hpp) to the threads that run cycles: the driver
// thread and each client's process thread. Thread: control.
//
// A client's thread is placed only if it belongs to the client's process (checked through
// /proc) and its user has not already restricted it to fewer CPUs than the server may use: a
// user's own pinning always wins. Setting another process's affinity needs the same user,
// which every client of this server is.

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace bantam::server {

class ThreadPlacement {
  public:
    // Disabled, or with fewer than two usable CPUs, nothing is ever moved.
    explicit ThreadPlacement(bool enabled);

    bool enabled() const noexcept { return cpus_.size() > 1; }
    // The CPUs this process may use, the driver's first.
    const std::vector<int>& cpus() const noexcept { return cpus_; }

    void place_driver(pthread_t driver_thread);
    // Remembers (or with tid 0, forgets) the process thread of a client.
    void adopt(uint32_t refnum, pid_t pid, pid_t tid);
    void forget(uint32_t refnum) { adopt(refnum, 0, 0); }
    // Moves every adopted thread whose CPU in `placement` (by refnum) changed.
    void apply(const std::vector<int>& placement);

  private:
    std::vector<int> cpus_;
    std::vector<pid_t> tids_;  // by refnum; 0: not placeable
    std::vector<int> applied_; // by refnum; -1: not moved yet
};

} // namespace bantam::server
