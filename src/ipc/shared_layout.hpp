#pragma once

// The two shared-memory segments every client maps.
//
// ControlSegment is written only by the server's control and driver threads; clients map it
// read-only (the memfd is sealed against new writable mappings), so a client can corrupt
// nothing the server relies on. DataSegment holds what clients must write: their activation
// records and their ports' buffers. The server never trusts a value it reads from DataSegment
// beyond the atomic counters, which it re-validates each cycle.
//
// Readers of records the control thread rewrites (ports, clients, snapshots) use the seqlock
// pattern: read seq (even), copy, re-read seq; retry on change.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <span>
#include <type_traits>

#include <jack/transport.h>

#include "ipc/futex.hpp"
#include "ipc/limits.hpp"
#include "rt/tsan.hpp"

namespace bantam::ipc {

inline constexpr uint32_t kSegmentMagic = 0x42414e54; // "BANT"
// Raised with every change to the shared layout or the request wire format: a libjack and a
// bantamd from different builds refuse each other instead of misreading (2: cycle_slots;
// 3: xrun causes; 4: first peer and first downstream client inline in the routes, snapshots
// next to the header; 5: replies name the last notification sent before them; 6: a buffer-size
// request says whether it comes from the process thread).
inline constexpr uint32_t kProtocolVersion = 6;

struct LatencyRange {
    uint32_t min = 0;
    uint32_t max = 0;
};

// Frame timer, written by the driver at each cycle start under a seqlock.
struct FrameTimer {
    std::atomic<uint32_t> seq{0};
    std::atomic<uint64_t> frames{0};        // frame count at the start of this cycle
    std::atomic<uint64_t> current_usecs{0}; // when this cycle started
    std::atomic<uint64_t> next_usecs{0};    // when the next is expected
    std::atomic<uint32_t> period_usecs_x1000{0};
};

// The transport as clients see it this cycle, published by the driver under a seqlock.
struct TransportView {
    std::atomic<uint32_t> seq{0};
    jack_transport_state_t state = JackTransportStopped;
    jack_position_t position{};
};

struct alignas(64) EngineHeader {
    uint32_t magic = kSegmentMagic;
    uint32_t protocol = kProtocolVersion;
    uint64_t instance = 0; // random per server start: tells a restarted server apart
    std::atomic<uint32_t> sample_rate{0};
    std::atomic<uint32_t> buffer_size{0};
    std::atomic<uint32_t> realtime{0};
    std::atomic<int32_t> rt_priority{0};
    std::atomic<uint32_t> sync_mode{0};
    std::atomic<uint32_t> freewheel{0}; // cycles run back to back, the driver waiting for each
    std::atomic<uint32_t> server_pid{0};
    std::atomic<uint64_t> cycle{0};          // number of the cycle in progress
    std::atomic<uint32_t> cycle_snapshot{0}; // slot the cycle in progress runs on
    // The slot each of the last four cycles ran on, at cycle % 4: a client that wakes late
    // still finds the routes of the cycle it claims, not those of a newer one.
    std::atomic<uint32_t> cycle_slots[4]{};
    std::atomic<uint32_t> latest_snapshot{0};  // newest published slot (what queries read)
    std::atomic<uint32_t> cpu_load_bits{0};    // float, percent
    std::atomic<uint32_t> max_delayed_bits{0}; // float, usecs
    std::atomic<uint32_t> xrun_delayed_bits{0};
    std::atomic<uint64_t> xrun_count{0};
    // Of those, the xruns where the driver itself was late or the device lost data: the machine
    // did not run the server in time. The others are blamed on clients (ClientRecord::xruns).
    std::atomic<uint64_t> driver_xrun_count{0};
    FrameTimer timer;
    // Transport: the timebase master's refnum (kNoTimebaseMaster if none) and the slow-sync
    // timeout, both set by the control thread; the view, by the driver.
    std::atomic<uint32_t> timebase_master{0xffffffff};
    std::atomic<uint64_t> sync_timeout_usecs{2000000};
    TransportView transport;
};

inline constexpr uint32_t kNoTimebaseMaster = 0xffffffff;

struct PortRecord {
    std::atomic<uint32_t> seq{0};
    uint32_t in_use = 0;
    uint32_t flags = 0;
    PortType type = PortType::audio;
    uint32_t owner = 0; // client refnum
    uint32_t alias_count = 0;
    uint32_t monitor_requests = 0; // input monitoring wanted while > 0
    uint64_t uuid = 0;
    LatencyRange capture_latency;
    LatencyRange playback_latency;
    char name[kPortNameSize] = {};
    char aliases[2][kPortNameSize] = {};
};

struct ClientRecord {
    std::atomic<uint32_t> seq{0};
    uint32_t in_use = 0;
    uint32_t active = 0;
    uint32_t pid = 0;
    uint32_t session_callback = 0;
    uint64_t uuid = 0;
    uint64_t xruns = 0; // xruns it was blamed for: it had not finished a cycle in time
    char name[kClientNameSize] = {};
};

// One immutable graph, built by the control thread and switched in by the driver at a cycle
// start. Per client: whether it runs this cycle, how many distinct upstream clients must finish
// before it may (0: the driver wakes it), and whom to signal when done. Per port: its peers in
// connection order (sources for an input, destinations for an output).
//
// The first entry of each list is also kept in its route: most inputs have one source and most
// clients feed one other, so a cycle then reads neither table. After a switch to a client's
// process every page it touches costs a page walk (rt/annotations.hpp, RT_HOT), and the tables
// lie pages away from the routes.
struct Snapshot {
    struct ClientRoute {
        uint32_t scheduled = 0;
        uint32_t upstream_count = 0;
        uint32_t downstream_begin = 0;
        uint32_t downstream_count = 0;
        uint32_t first_downstream = 0; // downstream[downstream_begin] when downstream_count > 0
    };
    struct PortRoute {
        uint32_t peer_begin = 0;
        uint32_t peer_count = 0;
        uint32_t owner = 0;
        uint32_t type = uint32_t(PortType::audio); // PortType: how inputs are resolved
        uint32_t first_peer = 0;                   // port_peers[peer_begin] when peer_count > 0
    };
    std::atomic<uint32_t> seq{0};
    uint64_t generation = 0;
    uint32_t scheduled_count = 0;
    uint32_t order_count = 0;
    uint32_t order[kMaxClients] = {}; // scheduled clients in topological order
    ClientRoute clients[kMaxClients];
    PortRoute ports[kMaxPorts];
    uint32_t downstream[kMaxClients * kMaxClients / 4] = {};
    uint32_t port_peers[kMaxConnections * 2] = {};

    // Points `port`'s route at port_peers[begin, begin + count), already written, and copies
    // the first entry into the route. Thread: whoever builds the snapshot.
    void set_peers(uint32_t port, uint32_t begin, uint32_t count) noexcept {
        PortRoute& route = ports[port % kMaxPorts];
        route.peer_begin = begin;
        route.peer_count = count;
        route.first_peer = count ? port_peers[begin] : 0;
    }

    // The clients `refnum` signals when done, clamped to the table: a late client may read a
    // snapshot that is being rewritten.
    RT_NONBLOCKING std::span<const uint32_t> downstream_of(uint32_t refnum) const noexcept {
        const ClientRoute& route = clients[refnum % kMaxClients];
        const size_t begin = std::min<size_t>(route.downstream_begin, std::size(downstream));
        const size_t count =
            std::min<size_t>(route.downstream_count, std::size(downstream) - begin);
        return {downstream + begin, count};
    }
};

// The snapshots follow the header, which every cycle reads too: the port records (2 MiB) would
// put them in another page-table page.
struct ControlSegment {
    EngineHeader header;
    Snapshot snapshots[kSnapshotSlots];
    ClientRecord clients[kMaxClients];
    PortRecord ports[kMaxPorts];
};

enum class RunState : uint32_t { waiting = 0, running = 1 };

// A client's activation record. `pending` packs (cycle tag << 32 | upstream clients left): a
// finishing client only decrements counters tagged with the cycle it ran, so a late client
// can never trigger anyone in a newer cycle. A count of kSkipped marks a client the driver
// left out of this cycle because it was still busy with an older one.
struct alignas(128) Activation {
    static constexpr uint32_t kSkipped = 0x7fffffff;
    std::atomic<uint64_t> pending{0};
    Wakeup wakeup;
    std::atomic<RunState> state{RunState::waiting};
    std::atomic<uint64_t> running_cycle{0};
    std::atomic<uint64_t> finished_cycle{0};
    // Transport handshake, as JACK2's client control: the driver sets `transport_sync` (and
    // marks the client Starting) when the transport starts or relocates; the client's process
    // thread runs its sync callback until it returns ready, then reports Rolling. The driver
    // sets `transport_timebase` so the timebase master's callback sees new_pos, and clears it
    // once it has taken the master's answer (so a master that missed a cycle is told again).
    std::atomic<jack_transport_state_t> transport_state{JackTransportStopped};
    std::atomic<uint32_t> transport_sync{0};
    std::atomic<uint32_t> transport_timebase{0};
    // Per-cycle timing (CLOCK_MONOTONIC usecs): when it was triggered, began and finished.
    std::atomic<uint64_t> signaled_usecs{0};
    std::atomic<uint64_t> awake_usecs{0};
    std::atomic<uint64_t> finished_usecs{0};
};

// Transport requests from clients, written from any client thread (the real-time one
// included), read by the driver at cycle start. A command is a state (start or stop) as in
// JACK2: repeating it changes nothing. A position request is a seqlocked slot; the newest
// complete one wins.
struct TransportRequests {
    enum Command : uint32_t { none = 0, start = 1, stop = 2 };
    std::atomic<uint32_t> command{none};
    std::atomic<uint32_t> position_seq{0};
    std::atomic<uint32_t> position_serial{0};
    jack_position_t position{};
    // What the timebase master wrote for the cycle `master_cycle`.
    std::atomic<uint32_t> master_seq{0};
    std::atomic<uint64_t> master_cycle{0};
    jack_position_t master_position{};
};

struct alignas(64) PortBuffer {
    float samples[kMaxBufferFrames];
};

struct DataSegment {
    uint32_t magic = kSegmentMagic;
    // Graph completion: the count of scheduled clients not yet finished this cycle, tagged like
    // Activation::pending; the client that brings it to 0 signals graph_done in sync mode.
    alignas(64) std::atomic<uint64_t> graph_pending{0};
    std::atomic<uint32_t> driver_waits{0}; // this cycle's graph_done is waited for
    Wakeup graph_done;
    TransportRequests transport;
    Activation activations[kMaxClients];
    // Page-aligned, so a freed port's buffer can be given back to the kernel whole.
    alignas(4096) PortBuffer buffers[kMaxPorts];
};

static_assert(std::is_standard_layout_v<ControlSegment>);
static_assert(std::is_standard_layout_v<DataSegment>);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

inline constexpr uint64_t pack_pending(uint64_t cycle, uint32_t count) noexcept {
    return (cycle << 32) | count;
}
inline constexpr uint32_t pending_tag(uint64_t packed) noexcept {
    return uint32_t(packed >> 32);
}
inline constexpr uint32_t pending_count(uint64_t packed) noexcept {
    return uint32_t(packed);
}

// Seqlock read of a record the control thread rewrites: copies fields with `read` until the
// sequence word was even and unchanged around the copy.
template <typename Record, typename Read> void read_seqlocked(const Record& record, Read&& read) {
    for (;;) {
        uint32_t before = record.seq.load(std::memory_order_acquire);
        if (before & 1) continue;
        // A seqlock's read races with its writer by design; the sequence check below throws
        // away what a write tore, so ThreadSanitizer is not shown it.
        rt::tsan_hide_accesses();
        read(record);
        rt::tsan_show_accesses();
        std::atomic_thread_fence(std::memory_order_acquire);
        if (record.seq.load(std::memory_order_relaxed) == before) return;
    }
}

// Decrements a tagged counter if it still belongs to `cycle`. Returns true when this call took
// it to zero. Lock-free; a stale tag leaves the counter untouched.
RT_NONBLOCKING inline bool signal_tagged(std::atomic<uint64_t>& counter, uint64_t cycle) noexcept {
    uint64_t value = counter.load(std::memory_order_acquire);
    for (;;) {
        if (pending_tag(value) != uint32_t(cycle) || pending_count(value) == 0 ||
            pending_count(value) == Activation::kSkipped)
            return false;
        uint64_t next = value - 1;
        if (counter.compare_exchange_weak(value, next, std::memory_order_acq_rel,
                                          std::memory_order_acquire))
            return pending_count(next) == 0;
    }
}

// Counts one upstream client of `next` as done with `cycle`; wakes it if it was the last.
RT_NONBLOCKING inline void signal_one(DataSegment& data, uint32_t next, uint64_t cycle,
                                      uint64_t now_usecs) noexcept {
    Activation& activation = data.activations[next % kMaxClients];
    if (signal_tagged(activation.pending, cycle)) {
        activation.signaled_usecs.store(now_usecs, std::memory_order_relaxed);
        activation.wakeup.signal();
    }
}

// Counts `refnum`'s part of `cycle` as done for every client it feeds, and wakes each one that
// has nothing left to wait for.
RT_NONBLOCKING inline void signal_downstream(DataSegment& data, const Snapshot& snapshot,
                                             uint32_t refnum, uint64_t cycle,
                                             uint64_t now_usecs) noexcept {
    const Snapshot::ClientRoute& route = snapshot.clients[refnum % kMaxClients];
    if (route.downstream_count == 0) return;
    signal_one(data, route.first_downstream, cycle, now_usecs);
    const std::span<const uint32_t> all = snapshot.downstream_of(refnum);
    for (size_t i = 1; i < all.size(); ++i)
        signal_one(data, all[i], cycle, now_usecs);
}

} // namespace bantam::ipc
