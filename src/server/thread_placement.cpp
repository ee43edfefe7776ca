#include "server/thread_placement.hpp"

#include <sched.h>
#include <sys/stat.h>

#include <string>

#include "ipc/limits.hpp"

namespace bantam::server {

namespace {

bool set_thread_cpu(pid_t tid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof set, &set) == 0;
}

} // namespace

ThreadPlacement::ThreadPlacement(bool enabled) : tids_(kMaxClients, 0), applied_(kMaxClients, -1) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (!enabled || sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &allowed)) cpus_.push_back(cpu);
    if (cpus_.size() < 2) cpus_.clear();
}

void ThreadPlacement::place_driver(pthread_t driver_thread) {
    if (!enabled()) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus_.front(), &set);
    pthread_setaffinity_np(driver_thread, sizeof set, &set);
}

void ThreadPlacement::adopt(uint32_t refnum, pid_t pid, pid_t tid) {
    if (refnum >= kMaxClients) return;
    tids_[refnum] = 0;
    applied_[refnum] = -1;
    if (!enabled() || pid <= 0 || tid <= 0) return;
    struct stat info {};
    std::string task = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid);
    if (stat(task.c_str(), &info) != 0) return; // not a thread of that client
    cpu_set_t current;
    CPU_ZERO(&current);
    if (sched_getaffinity(tid, sizeof current, &current) != 0) return;
    for (int cpu : cpus_)
        if (!CPU_ISSET(cpu, &current)) return; // pinned by its user: left alone
    tids_[refnum] = tid;
}

void ThreadPlacement::apply(const std::vector<int>& placement) {
    if (!enabled()) return;
    for (uint32_t refnum = 0; refnum < kMaxClients && refnum < placement.size(); ++refnum) {
        int cpu = placement[refnum];
        if (tids_[refnum] == 0 || cpu < 0 || cpu == applied_[refnum]) continue;
        if (set_thread_cpu(tids_[refnum], cpu))
            applied_[refnum] = cpu;
        else
            tids_[refnum] = 0; // gone, or not ours to move: stop trying
    }
}

} // namespace bantam::server
