#include "ipc/port_buffers.hpp"

#include <cstring>

namespace bantam::ipc {

float* resolve_input_buffer(const Snapshot& snapshot, DataSegment& data, uint32_t port,
                            uint32_t frames, uint64_t cycle, bool finished_only) noexcept {
    if (port == 0 || port >= kMaxPorts || frames > kMaxBufferFrames) return nullptr;
    float* own = data.buffers[port].samples;
    const auto& route = snapshot.ports[port];
    uint32_t begin = route.peer_begin;
    uint32_t count = route.peer_count;
    if (begin > std::size(snapshot.port_peers) || count > std::size(snapshot.port_peers) - begin)
        count = 0;

    float* single = nullptr;
    uint32_t live = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t source = snapshot.port_peers[begin + i];
        if (source == 0 || source >= kMaxPorts) continue;
        uint32_t owner = snapshot.ports[source].owner % kMaxClients;
        if (source_skipped(data, owner, cycle)) continue;
        if (finished_only &&
            data.activations[owner].finished_cycle.load(std::memory_order_acquire) != cycle)
            continue;
        float* samples = data.buffers[source].samples;
        if (live == 0) {
            single = samples;
        } else {
            if (live == 1) std::memcpy(own, single, frames * sizeof(float));
            for (uint32_t frame = 0; frame < frames; ++frame)
                own[frame] += samples[frame];
        }
        ++live;
    }
    if (live == 1) return single;
    if (live == 0) std::memset(own, 0, frames * sizeof(float));
    return own;
}

} // namespace bantam::ipc
