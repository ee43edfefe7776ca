#pragma once

// The transport state machine, run by the driver thread at each cycle start, before any client
// is woken, as JACK2's transport engine runs in its CycleEnd before the clients are resumed
// (docs/architecture.md, "Transport", gives the order): Stopped -> Starting -> Rolling, with
// slow-sync clients holding Starting until they are ready or the sync timeout passes,
// relocation from any client, and the timebase master's extended position folded in. Clients
// read the result from the control segment (TransportView) and ask for changes through the
// data segment (TransportRequests).

#include <cstdint>

#include "ipc/shared_layout.hpp"
#include "rt/annotations.hpp"

namespace bantam::server {

class TransportEngine {
  public:
    TransportEngine(ipc::ControlSegment& control, ipc::DataSegment& data) noexcept
        : control_(control), data_(data) {}

    // Thread: RT, before any client of `cycle` is woken. `snapshot` is this cycle's graph.
    RT_NONBLOCKING void start_cycle(const ipc::Snapshot& snapshot, uint64_t cycle,
                                    uint64_t start_usecs, uint32_t frames, uint32_t rate) noexcept;

  private:
    RT_NONBLOCKING bool take_position_request(jack_position_t& request) noexcept;
    // Folds in what the timebase master wrote for this cycle; true if it had written. The
    // master's "new position" flag is cleared only then: a master that missed its cycle (late,
    // skipped) is told again, rather than building next on a position without its BBT.
    RT_NONBLOCKING bool take_master_position(uint64_t cycle) noexcept;
    RT_NONBLOCKING void mark_clients(const ipc::Snapshot& snapshot, jack_transport_state_t state,
                                     bool sync, bool timebase) noexcept;
    RT_NONBLOCKING bool all_rolling(const ipc::Snapshot& snapshot) const noexcept;
    RT_NONBLOCKING void publish() noexcept;

    ipc::ControlSegment& control_;
    ipc::DataSegment& data_;
    struct {
        jack_transport_state_t state = JackTransportStopped;
        jack_position_t position{};
        uint32_t previous_command = ipc::TransportRequests::stop;
        uint32_t position_serial = 0;
        uint64_t sync_cycles_left = 0;
        uint64_t unique = 0;
        uint32_t master = ipc::kNoTimebaseMaster;
    } rt_;
};

} // namespace bantam::server
