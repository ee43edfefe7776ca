#pragma once

#include <atomic>
#include <cstdint>

#include "ipc/shared_layout.hpp"

namespace bantam::ipc {

// bantamd's own mappings of its segments, for the libjack that internal clients run on inside
// it. That libjack finds them by name (dlsym) and uses them instead of mapping the segments a
// second time: one mapping in the process, so the driver and internal clients touch the same
// addresses, and ThreadSanitizer sees their synchronization (two mappings of one memfd look to
// it like unrelated memory).
struct InProcessSegments {
    std::atomic<uint64_t> instance{0}; // the server's EngineHeader::instance; 0 when none
    ControlSegment* control = nullptr;
    DataSegment* data = nullptr;
};

inline constexpr const char* kInProcessSegmentsSymbol = "bantam_in_process_segments";

} // namespace bantam::ipc
