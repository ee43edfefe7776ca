#pragma once

#include <cstdint>

#include "ipc/shared_layout.hpp"
#include "rt/annotations.hpp"

namespace bantam::ipc {

// The buffer a reader sees on an input port during `cycle`, as jack_port_get_buffer defines
// it. Audio: its own zeroed buffer with no live connection, the upstream buffer itself
// (zero-copy) with one, and the exact float sum in its own buffer with several. MIDI (see
// ipc/midi_buffer.hpp): its own buffer made an empty MIDI buffer for `frames` with no live
// connection, the upstream buffer itself with one (unless that holds no valid MIDI header:
// then the empty buffer), and the events of every source merged into its own buffer in time
// order, stably (equal times keep connection order), with several.
// A source whose owner the driver skipped this cycle (still busy with an older one) reads as
// silence (no events). With `finished_only` (the driver reading its playback ports after the
// graph), so does a source whose owner has not finished this cycle: a late client is heard as
// silence, never as a repeat of its previous period.
// Returns nullptr for an out-of-range port or frame count. Thread: any, lock-free.
RT_NONBLOCKING void* resolve_input(const Snapshot& snapshot, DataSegment& data, uint32_t port,
                                   PortType type, uint32_t frames, uint64_t cycle,
                                   bool finished_only = false) noexcept;

// The same, with `own` (kMaxBufferFrames floats) standing in for the port's own buffer: what a
// reader that does not own the port gets, so that it never writes into another client's input.
RT_NONBLOCKING void* resolve_input_into(const Snapshot& snapshot, DataSegment& data, uint32_t port,
                                        PortType type, uint32_t frames, uint64_t cycle,
                                        float* own) noexcept;

// The same with the port's type as the snapshot records it.
RT_NONBLOCKING float* resolve_input_buffer(const Snapshot& snapshot, DataSegment& data,
                                           uint32_t port, uint32_t frames, uint64_t cycle,
                                           bool finished_only = false) noexcept;

RT_NONBLOCKING inline bool source_skipped(const DataSegment& data, uint32_t owner,
                                          uint64_t cycle) noexcept {
    return owner < kMaxClients && data.activations[owner].pending.load(std::memory_order_acquire) ==
                                      pack_pending(uint32_t(cycle), Activation::kSkipped);
}

} // namespace bantam::ipc
