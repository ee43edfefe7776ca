#pragma once

#include <cstdint>

#include "ipc/shared_layout.hpp"
#include "rt/annotations.hpp"

namespace bantam::ipc {

// The buffer a reader sees on an input port during `cycle`, as jack_port_get_buffer defines
// it: its own zeroed buffer with no live connection, the upstream buffer itself (zero-copy)
// with one, and the exact float sum in its own buffer with several. A source whose owner the
// driver skipped this cycle (still busy with an older one) reads as silence. With
// `finished_only` (the driver reading its playback ports after the graph), so does a source
// whose owner has not finished this cycle: a late client is heard as silence, never as a
// repeat of its previous period.
// Returns nullptr for an out-of-range port or frame count. Thread: any, lock-free.
RT_NONBLOCKING float* resolve_input_buffer(const Snapshot& snapshot, DataSegment& data,
                                           uint32_t port, uint32_t frames, uint64_t cycle,
                                           bool finished_only = false) noexcept;

RT_NONBLOCKING inline bool source_skipped(const DataSegment& data, uint32_t owner,
                                          uint64_t cycle) noexcept {
    return owner < kMaxClients && data.activations[owner].pending.load(std::memory_order_acquire) ==
                                      pack_pending(uint32_t(cycle), Activation::kSkipped);
}

} // namespace bantam::ipc
