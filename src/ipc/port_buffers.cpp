#include "ipc/port_buffers.hpp"

#include <cstring>

#include "ipc/midi_buffer.hpp"

namespace bantam::ipc {

namespace {

// An input's sources in connection order, each read only if its owner produced it this cycle.
struct Sources {
    const Snapshot& snapshot;
    DataSegment& data;
    uint32_t first = 0; // the route's copy of port_peers[begin]
    uint32_t begin = 0;
    uint32_t count = 0;
    uint64_t cycle = 0;
    bool finished_only = false;

    // The i-th source's buffer, or nullptr when it is not a port or is silent this cycle.
    RT_NONBLOCKING float* operator()(uint32_t i) const noexcept {
        uint32_t source = i == 0 ? first : snapshot.port_peers[begin + i];
        if (source == 0 || source >= kMaxPorts) return nullptr;
        uint32_t owner = snapshot.ports[source].owner % kMaxClients;
        if (source_skipped(data, owner, cycle)) return nullptr;
        if (finished_only &&
            data.activations[owner].finished_cycle.load(std::memory_order_acquire) != cycle)
            return nullptr;
        return data.buffers[source].samples;
    }
};

RT_NONBLOCKING float* resolve_audio(const Sources& sources, float* own, uint32_t frames) noexcept {
    float* single = nullptr;
    uint32_t live = 0;
    for (uint32_t i = 0; i < sources.count; ++i) {
        float* samples = sources(i);
        if (!samples) continue;
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

// As JACK2's GetBuffer for MIDI inputs: no connection initialises the port's own buffer, one
// passes the source's buffer (zero-copy), several are mixed down into the own buffer.
RT_NONBLOCKING void* resolve_midi(const Sources& sources, float* own, uint32_t frames) noexcept {
    // A source without a valid header is a port whose owner never asked for its buffer (the
    // server only zeroes it): JACK2 initialises every buffer at registration, so it is empty.
    void* single = nullptr;
    uint32_t live = 0;
    for (uint32_t i = 0; i < sources.count && live < 2; ++i) {
        void* buffer = sources(i);
        if (buffer && midi::valid(buffer)) {
            single = buffer;
            ++live;
        }
    }
    if (live == 1) return single;
    if (live == 0)
        midi::init(own, frames);
    else
        midi::merge(own, frames, sources.count, sources);
    return own;
}

RT_NONBLOCKING void* resolve(const Snapshot& snapshot, DataSegment& data, uint32_t port,
                             PortType type, uint32_t frames, uint64_t cycle, bool finished_only,
                             float* own) noexcept {
    const auto& route = snapshot.ports[port];
    Sources sources{snapshot,         data,  route.first_peer, route.peer_begin,
                    route.peer_count, cycle, finished_only};
    if (sources.begin > std::size(snapshot.port_peers) ||
        sources.count > std::size(snapshot.port_peers) - sources.begin)
        sources.count = 0;
    if (type == PortType::midi) return resolve_midi(sources, own, frames);
    return resolve_audio(sources, own, frames);
}
} // namespace

void* resolve_input(const Snapshot& snapshot, DataSegment& data, uint32_t port, PortType type,
                    uint32_t frames, uint64_t cycle, bool finished_only) noexcept {
    if (port == 0 || port >= kMaxPorts || frames > kMaxBufferFrames) return nullptr;
    return resolve(snapshot, data, port, type, frames, cycle, finished_only,
                   data.buffers[port].samples);
}

void* resolve_input_into(const Snapshot& snapshot, DataSegment& data, uint32_t port, PortType type,
                         uint32_t frames, uint64_t cycle, float* own) noexcept {
    if (port == 0 || port >= kMaxPorts || frames > kMaxBufferFrames) return nullptr;
    return resolve(snapshot, data, port, type, frames, cycle, false, own);
}

float* resolve_input_buffer(const Snapshot& snapshot, DataSegment& data, uint32_t port,
                            uint32_t frames, uint64_t cycle, bool finished_only) noexcept {
    PortType type = PortType::audio;
    if (port < kMaxPorts && snapshot.ports[port].type == uint32_t(PortType::midi))
        type = PortType::midi;
    return static_cast<float*>(
        resolve_input(snapshot, data, port, type, frames, cycle, finished_only));
}

} // namespace bantam::ipc
