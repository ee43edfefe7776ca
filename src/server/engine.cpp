#include "server/engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <jack/types.h>

#include "common/log.hpp"
#include "server/cycle_runner.hpp"
#include "server/thread_placement.hpp"

namespace bantam::server {

namespace {
constexpr uint32_t kValidOpenOptions =
    JackNoStartServer | JackUseExactName | JackServerName | JackSessionID;
constexpr int kSyncReplyTimeoutMs = 2000;

// JACK's uuid layout: the object type in the high 32 bits (1 port, 2 client), a counter below.
// The counter also orders ports by registration.
uint64_t port_uuid(uint64_t serial) {
    return (1ull << 32) | serial;
}
uint64_t client_uuid(uint64_t serial) {
    return (2ull << 32) | serial;
}

template <typename Record, typename Fill> void write_seqlocked(Record& record, Fill&& fill) {
    record.seq.fetch_add(1, std::memory_order_acq_rel);
    std::atomic_thread_fence(std::memory_order_release);
    fill(record);
    record.seq.fetch_add(1, std::memory_order_release);
}
} // namespace

Engine::Engine(ipc::ControlSegment& control, ipc::DataSegment& data, CycleRunner& runner,
               drivers::Driver& driver, uint32_t port_max)
    : control_(control), data_(data), runner_(runner), driver_(driver),
      port_max_(std::min(port_max, kMaxPorts)), clients_(kMaxClients), departed_names_(kMaxClients),
      ports_(kMaxPorts), scratch_(std::make_unique<ipc::Snapshot>()) {
    clients_[kDriverRefnum].in_use = true;
    clients_[kDriverRefnum].name = "system";
    clients_[kDriverRefnum].active = true;
    clients_[kDriverRefnum].uuid = client_uuid(next_uuid_++);
    mirror_client(kDriverRefnum);
}

size_t Engine::external_client_count() const {
    return size_t(std::count_if(clients_.begin() + 1, clients_.end(),
                                [](const ClientState& c) { return c.in_use; }));
}

// ---- notifications -------------------------------------------------------------------------

void Engine::notify_client(uint32_t refnum, ipc::Notification notification) {
    ClientState& client = clients_.at(refnum);
    if (!client.in_use || !client.notifications) return;
    notification.serial = next_serial_++;
    if (!ipc::send_message(client.notifications.get(), 0, &notification, sizeof notification)) {
        // Never wait for a client that does not read: it misses callbacks, and its user is
        // told once (then at every thousandth loss) rather than never.
        if (client.notifications_lost++ % 1000 == 0)
            BANTAM_WARN(
                "client '%s' is not reading its notifications: %llu lost (%s)", client.name.c_str(),
                static_cast<unsigned long long>(client.notifications_lost), std::strerror(errno));
        return;
    }
    client.last_notification = notification.serial;
    if (!notification.sync) return;
    uint64_t waited_ms = 0;
    for (;;) {
        std::byte buffer[256];
        long length = ipc::receive_message(client.notifications.get(), buffer, sizeof buffer,
                                           kSyncReplyTimeoutMs);
        if (length <= 0) break; // timeout, hangup or error: the control loop deals with death
        ipc::NotificationAck ack;
        if (size_t(length) == sizeof(ipc::MessageHeader) + sizeof ack) {
            std::memcpy(&ack, buffer + sizeof(ipc::MessageHeader), sizeof ack);
            if (ack.serial == notification.serial) return;
        }
        if (++waited_ms > 64) break; // a client flooding its ack channel gets no more patience
    }
    BANTAM_WARN("client '%s' did not answer a notification in time", client.name.c_str());
}

void Engine::graph_reordered() {
    notify_all({.type = ipc::NotificationType::graph_order});
    recompute_latencies(true);
}

void Engine::announce_port(uint32_t port, bool registered) {
    ipc::Notification n{};
    n.type = ipc::NotificationType::port_registered;
    n.a = port;
    n.b = registered;
    notify_all(n);
}

void Engine::announce_connection(uint32_t from, uint32_t to, bool connected, bool reordered) {
    ipc::Notification n{};
    n.type = ipc::NotificationType::port_connected;
    n.a = from;
    n.b = to;
    n.c = connected;
    notify_all(n);
    if (reordered) graph_reordered();
}

ipc::Notification Engine::client_event(const char* name, bool registered) {
    ipc::Notification n{};
    n.type = ipc::NotificationType::client_registered;
    n.a = registered;
    ipc::copy_name(n.name1, name);
    return n;
}

void Engine::notify_all(ipc::Notification notification, bool include_inactive) {
    for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum) {
        const ClientState& client = clients_[refnum];
        if (client.in_use && (client.active || include_inactive))
            notify_client(refnum, notification);
    }
}

// ---- mirrors in the control segment ------------------------------------------------------------

void Engine::mirror_port(uint32_t port) {
    const PortState& state = ports_[port];
    write_seqlocked(control_.ports[port], [&](ipc::PortRecord& record) {
        record.in_use = state.in_use;
        record.flags = state.flags;
        record.type = state.type;
        record.owner = state.owner;
        record.uuid = state.uuid;
        record.monitor_requests = state.monitor_requests;
        record.capture_latency = state.capture_latency;
        record.playback_latency = state.playback_latency;
        ipc::copy_name(record.name, state.name.c_str());
        record.alias_count = uint32_t(state.aliases.size());
        for (size_t i = 0; i < 2; ++i)
            ipc::copy_name(record.aliases[i],
                           i < state.aliases.size() ? state.aliases[i].c_str() : "");
    });
}

void Engine::mirror_client(uint32_t refnum) {
    const ClientState& state = clients_[refnum];
    write_seqlocked(control_.clients[refnum], [&](ipc::ClientRecord& record) {
        record.in_use = state.in_use;
        record.active = state.active;
        record.pid = state.pid;
        record.session_callback = state.session_callback;
        record.uuid = state.uuid;
        record.xruns = state.xruns;
        ipc::copy_name(record.name, state.name.c_str());
    });
}

std::string Engine::blame_xrun(uint32_t refnum) {
    if (refnum >= kMaxClients) return {};
    ClientState& client = clients_[refnum];
    if (!client.in_use) return departed_names_[refnum];
    ++client.xruns;
    mirror_client(refnum);
    return client.name;
}

// ---- graph publication
// ---------------------------------------------------------------------------

void Engine::publish_graph() {
    GraphInput input;
    input.scheduled.resize(kMaxClients);
    for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum)
        input.scheduled[refnum] =
            clients_[refnum].in_use && clients_[refnum].active && clients_[refnum].realtime_role;
    input.port_owner.resize(kMaxPorts);
    input.port_type.resize(kMaxPorts, PortType::audio);
    for (uint32_t port = 0; port < kMaxPorts; ++port) {
        input.port_owner[port] = ports_[port].in_use ? ports_[port].owner : 0;
        if (ports_[port].in_use) input.port_type[port] = ports_[port].type;
    }
    input.connections = connections_;

    ++generation_;
    if (!build_snapshot(input, generation_, *scratch_)) {
        BANTAM_ERROR("graph exceeds the snapshot capacity; change not applied");
        return;
    }
    uint32_t slot = (control_.header.latest_snapshot.load() + 1) % kSnapshotSlots;
    ipc::Snapshot& target = control_.snapshots[slot];
    target.seq.fetch_add(1, std::memory_order_acq_rel);
    std::atomic_thread_fence(std::memory_order_release);
    // Everything but the seqlock word.
    constexpr size_t offset = offsetof(ipc::Snapshot, generation);
    std::memcpy(reinterpret_cast<char*>(&target) + offset,
                reinterpret_cast<const char*>(scratch_.get()) + offset, sizeof target - offset);
    target.seq.fetch_add(1, std::memory_order_release);
    control_.header.latest_snapshot.store(slot, std::memory_order_release);

    uint32_t rate = control_.header.sample_rate.load();
    uint32_t period_ms = rate ? control_.header.buffer_size.load() * 1000 / rate : 0;
    if (!runner_.wait_until_adopted(slot, std::max<uint32_t>(500, 8 * period_ms)))
        BANTAM_WARN("the driver did not adopt the new graph in time");
    place_threads();
    restart_zombie_clocks();
}

// ---- lookups ------------------------------------------------------------------------------------

int Engine::find_port(const char* name) const {
    if (!name) return -1;
    for (uint32_t port = 1; port < kMaxPorts; ++port) {
        const PortState& state = ports_[port];
        if (!state.in_use) continue;
        if (state.name == name) return int(port);
        for (const auto& alias : state.aliases)
            if (alias == name) return int(port);
    }
    return -1;
}

std::vector<uint32_t> Engine::ports_of_flags(bool capture) const {
    std::vector<uint32_t> result;
    for (uint32_t port : clients_[kDriverRefnum].ports)
        if (bool(ports_[port].flags & JackPortIsOutput) == capture) result.push_back(port);
    return result;
}

bool Engine::name_taken(const std::string& name) const {
    return std::any_of(clients_.begin(), clients_.end(),
                       [&](const ClientState& c) { return c.in_use && c.name == name; });
}

uint32_t Engine::allocate_port_id() {
    // Round-robin, so an id that callbacks just reported stays unused as long as possible.
    for (uint32_t tries = 0; tries < port_max_; ++tries) {
        uint32_t port = next_port_hint_;
        next_port_hint_ = next_port_hint_ + 1 >= port_max_ ? 1 : next_port_hint_ + 1;
        if (!ports_[port].in_use) return port;
    }
    return 0;
}

void Engine::free_port(uint32_t port) {
    forget_properties(ports_[port].uuid);
    ports_[port] = PortState{};
    mirror_port(port);
    if (data_memory_) data_memory_->discard(&data_.buffers[port], sizeof data_.buffers[port]);
}

uint32_t Engine::allocate_refnum() {
    for (uint32_t tries = 0; tries < kMaxClients; ++tries) {
        uint32_t refnum = next_refnum_hint_;
        next_refnum_hint_ = next_refnum_hint_ + 1 >= kMaxClients ? 1 : next_refnum_hint_ + 1;
        if (!clients_[refnum].in_use) return refnum;
    }
    return 0;
}

// ---- the driver's client
// -------------------------------------------------------------------------

void Engine::add_driver_ports(uint32_t capture, uint32_t playback) {
    auto add = [&](const char* prefix, uint32_t index, uint32_t flags) {
        uint32_t port = allocate_port_id();
        PortState& state = ports_[port];
        state = PortState{};
        state.in_use = true;
        state.owner = kDriverRefnum;
        state.flags = flags | JackPortIsPhysical | JackPortIsTerminal;
        state.name = std::string("system:") + prefix + std::to_string(index);
        state.uuid = port_uuid(next_uuid_++);
        clients_[kDriverRefnum].ports.push_back(port);
    };
    for (uint32_t i = 1; i <= capture; ++i)
        add("capture_", i, JackPortIsOutput);
    for (uint32_t i = 1; i <= playback; ++i)
        add("playback_", i, JackPortIsInput);
    update_driver_latencies();
    publish_graph();
}

uint32_t Engine::reported_playback_latency() const {
    return driver_.playback_latency() +
           (control_.header.sync_mode.load() ? 0 : control_.header.buffer_size.load());
}

void Engine::update_driver_latencies() {
    const uint32_t capture = driver_.capture_latency(), playback = reported_playback_latency();
    for (uint32_t port : clients_[kDriverRefnum].ports) {
        PortState& state = ports_[port];
        if (state.flags & JackPortIsOutput)
            state.capture_latency = {capture, capture};
        else
            state.playback_latency = {playback, playback};
        mirror_port(port);
    }
    driver_.set_reported_playback_latency(playback);
}

// ---- client lifecycle
// ----------------------------------------------------------------------------

int Engine::open_client(std::string& name, uint32_t options, uint32_t pid, uint32_t& jack_status) {
    jack_status = 0;
    if (options & ~kValidOpenOptions) {
        jack_status = JackFailure | JackInvalidOption;
        return -EINVAL;
    }
    // Any bytes, as jackd2: ':' too (its ports' short names then start after the first ':', as
    // there), and even the empty name.
    if (name.size() >= kClientNameSize) {
        jack_status = JackFailure | JackInvalidOption;
        return -EINVAL;
    }
    if (name_taken(name)) {
        if (options & JackUseExactName) {
            jack_status = JackFailure | JackNameNotUnique;
            return -EEXIST;
        }
        std::string base = name.substr(0, kClientNameSize - 4);
        std::string candidate;
        for (int suffix = 1; suffix <= 99; ++suffix) {
            char tail[8];
            std::snprintf(tail, sizeof tail, "-%02d", suffix);
            candidate = base + tail;
            if (!name_taken(candidate)) break;
            candidate.clear();
        }
        if (candidate.empty()) {
            jack_status = JackFailure | JackNameNotUnique;
            return -EEXIST;
        }
        name = candidate;
        jack_status |= JackNameNotUnique;
    }
    uint32_t refnum = allocate_refnum();
    if (refnum == 0) {
        jack_status = JackFailure;
        return -ENOSPC;
    }
    ipc::Activation& activation = data_.activations[refnum];
    activation.pending = 0;
    activation.wakeup.signaled = 0;
    activation.state = ipc::RunState::waiting;
    activation.finished_cycle = 0;
    activation.running_cycle = 0;
    ClientState& client = clients_[refnum];
    client = ClientState{};
    client.in_use = true;
    client.name = name;
    client.pid = pid;
    client.uuid = client_uuid(next_uuid_++);
    mirror_client(refnum);
    return int(refnum);
}

void Engine::attach_sockets(uint32_t refnum, ipc::UniqueFd requests, ipc::UniqueFd notifications) {
    ClientState& client = clients_.at(refnum);
    client.requests = std::move(requests);
    client.notifications = std::move(notifications);
    ipc::Notification n = client_event(client.name.c_str(), true);
    for (uint32_t other = 1; other < kMaxClients; ++other)
        if (other != refnum && clients_[other].in_use && clients_[other].active)
            notify_client(other, n);
}

int Engine::activate(uint32_t refnum, bool realtime_role, int32_t process_tid) {
    ClientState& client = clients_.at(refnum);
    if (placement_ && realtime_role && process_tid > 0) {
        placement_->adopt(refnum, pid_t(ipc::peer_pid(client.requests.get())), process_tid);
    }
    if (client.active) {
        // An active client that gains a real-time role (a sync or timebase callback set
        // later, as JACK allows) starts taking part in cycles.
        if (realtime_role && !client.realtime_role) {
            client.realtime_role = true;
            client.scheduled_since = control_.header.cycle.load();
            publish_graph();
        }
        return 0;
    }
    client.active = true;
    client.realtime_role = realtime_role;
    client.scheduled_since = control_.header.cycle.load();
    mirror_client(refnum);
    publish_graph();
    for (uint32_t port : client.ports) {
        announce_port(port, true);
    }
    graph_reordered();
    return 0;
}

int Engine::deactivate(uint32_t refnum) {
    ClientState& client = clients_.at(refnum);
    if (!client.active) return 0;
    drop_connections([&](const GraphConnection& c) {
        return ports_[c.source_port].owner == refnum || ports_[c.destination_port].owner == refnum;
    });
    for (uint32_t port : client.ports)
        announce_port(port, false);
    client.active = false;
    if (placement_) placement_->forget(refnum);
    mirror_client(refnum);
    publish_graph();
    graph_reordered();
    return 0;
}

void Engine::close_client(uint32_t refnum) {
    ClientState& client = clients_.at(refnum);
    if (!client.in_use || refnum == kDriverRefnum) return;
    deactivate(refnum);
    for (uint32_t port : client.ports)
        free_port(port);
    forget_properties(client.uuid);
    release_timebase(refnum);
    session_client_gone(refnum);
    std::string name = client.name;
    departed_names_[refnum] = name;
    client = ClientState{};
    mirror_client(refnum);
    ipc::Notification n = client_event(name.c_str(), false);
    notify_all(n);
}

// ---- ports ------------------------------------------------------------------------------------

int Engine::register_port(uint32_t refnum, const char* short_name, PortType type, uint32_t flags) {
    ClientState& client = clients_.at(refnum);
    // As jackd2, a port is an output if it says so and an input otherwise, flags kept as given:
    // one with neither flag is an input nothing can connect to, one with both an output.
    if (!short_name || !*short_name) return -EINVAL;
    if (type != PortType::audio && type != PortType::midi) return -EINVAL;
    std::string full = client.name + ":" + short_name;
    if (full.size() >= kPortNameSize) return -ENAMETOOLONG;
    if (find_port(full.c_str()) >= 0) return -EEXIST;
    uint32_t port = allocate_port_id();
    if (port == 0) return -ENOSPC;
    PortState& state = ports_[port];
    state = PortState{};
    state.in_use = true;
    state.owner = refnum;
    state.flags = flags & (JackPortIsInput | JackPortIsOutput | JackPortIsPhysical |
                           JackPortCanMonitor | JackPortIsTerminal);
    state.type = type;
    state.name = full;
    state.uuid = port_uuid(next_uuid_++);
    std::memset(data_.buffers[port].samples, 0, sizeof data_.buffers[port].samples);
    client.ports.push_back(port);
    mirror_port(port);
    if (client.active) {
        announce_port(port, true);
    }
    return int(port);
}

int Engine::unregister_port(uint32_t refnum, uint32_t port) {
    if (!owns_port(refnum, port)) return -EINVAL;
    ClientState& client = clients_[refnum];
    drop_port_connections(port);
    free_port(port);
    std::erase(client.ports, port);
    if (client.active) {
        announce_port(port, false);
    }
    return 0;
}

int Engine::rename_port(uint32_t refnum, uint32_t port, const char* short_name) {
    // jackd2 lets any client rename any port; here a client changes only its own ports (see
    // docs/compatibility.md).
    if (!owns_port(refnum, port)) return -EINVAL;
    if (!short_name || !*short_name) return -EINVAL;
    std::string full = clients_[refnum].name + ":" + short_name;
    if (full.size() >= kPortNameSize) return -ENAMETOOLONG;
    int existing = find_port(full.c_str());
    if (existing >= 0 && uint32_t(existing) != port) return -EEXIST;
    std::string old = ports_[port].name;
    ports_[port].name = full;
    mirror_port(port);
    ipc::Notification n{};
    n.type = ipc::NotificationType::port_renamed;
    n.a = port;
    ipc::copy_name(n.name1, old.c_str());
    ipc::copy_name(n.name2, full.c_str());
    notify_all(n);
    return 0;
}

int Engine::set_alias(uint32_t refnum, uint32_t port, const char* alias) {
    (void)refnum; // JACK lets any client alias any port (jack_alias does exactly that)
    if (!live_port(port) || !alias || !*alias) return -EINVAL;
    auto& aliases = ports_[port].aliases;
    if (aliases.size() >= 2) return -ENOSPC;
    aliases.push_back(alias);
    mirror_port(port);
    return 0;
}

int Engine::unset_alias(uint32_t refnum, uint32_t port, const char* alias) {
    (void)refnum;
    if (!live_port(port) || !alias) return -EINVAL;
    auto& aliases = ports_[port].aliases;
    auto found = std::find(aliases.begin(), aliases.end(), alias);
    if (found == aliases.end()) return -ENOENT;
    aliases.erase(found);
    mirror_port(port);
    return 0;
}

int Engine::set_latency_range(uint32_t refnum, uint32_t port, uint32_t mode,
                              ipc::LatencyRange range) {
    (void)refnum;
    if (!live_port(port) || range.min > range.max) return -EINVAL;
    (mode == JackCaptureLatency ? ports_[port].capture_latency : ports_[port].playback_latency) =
        range;
    mirror_port(port);
    recompute_latencies(false); // downstream ports follow; callbacks are not re-run (no loops)
    return 0;
}

// ---- connections
// ----------------------------------------------------------------------------------

int Engine::connect(uint32_t refnum, const char* source, const char* destination) {
    (void)refnum;
    int from = find_port(source), to = find_port(destination);
    if (from < 0 || to < 0) return -ENOENT;
    return connect_ports(uint32_t(from), uint32_t(to));
}

int Engine::connect_ports(uint32_t from, uint32_t to) {
    const PortState &source = ports_[from], &destination = ports_[to];
    // A port with both flags is an output (jackd2 dies connecting into one).
    if (!(source.flags & JackPortIsOutput) || !(destination.flags & JackPortIsInput) ||
        (destination.flags & JackPortIsOutput))
        return -EINVAL;
    if (source.type != destination.type) return -EINVAL;
    // As JACK2: ports of inactive clients cannot be connected.
    if (!clients_[source.owner].active || !clients_[destination.owner].active) return -EINVAL;
    for (const auto& c : connections_)
        if (c.source_port == from && c.destination_port == to) return EEXIST;
    if (connections_.size() >= kMaxConnections) return -ENOSPC;
    connections_.push_back({from, to});
    publish_graph();
    announce_connection(from, to, true);
    return 0;
}

int Engine::disconnect(uint32_t refnum, const char* source, const char* destination) {
    (void)refnum;
    int from = find_port(source), to = find_port(destination);
    if (from < 0 || to < 0) return -ENOENT;
    return disconnect_ports(uint32_t(from), uint32_t(to));
}

int Engine::disconnect_ports(uint32_t from, uint32_t to) {
    auto found = std::find_if(connections_.begin(), connections_.end(), [&](const auto& c) {
        return c.source_port == from && c.destination_port == to;
    });
    if (found == connections_.end()) return -ENOENT;
    connections_.erase(found);
    publish_graph();
    announce_connection(from, to, false);
    return 0;
}

void Engine::drop_port_connections(uint32_t port) {
    drop_connections([&](const GraphConnection& c) {
        return c.source_port == port || c.destination_port == port;
    });
}

void Engine::drop_connections(const std::function<bool(const GraphConnection&)>& doomed) {
    // One graph change for the whole batch (a client with hundreds of connections leaves in
    // one cycle), then each disconnection announced, then one reorder.
    std::vector<GraphConnection> removed;
    std::erase_if(connections_, [&](const GraphConnection& c) {
        if (!doomed(c)) return false;
        removed.push_back(c);
        return true;
    });
    if (removed.empty()) return;
    publish_graph();
    for (const auto& c : removed)
        announce_connection(c.source_port, c.destination_port, false, false);
    graph_reordered();
}

int Engine::disconnect_all(uint32_t refnum, uint32_t port) {
    (void)refnum; // any client's port, as jackd2 (a patchbay's "disconnect all")
    if (!live_port(port)) return -EINVAL;
    drop_port_connections(port);
    return 0;
}

// ---- buffer size -------------------------------------------------------------------------------

int Engine::set_buffer_size(uint32_t frames, uint32_t in_cycle) {
    if (frames < 16 || frames > kMaxBufferFrames) return -EINVAL;
    if (frames == control_.header.buffer_size.load()) return 0;
    // Cycles stop at a boundary; every client's callback returns before the first cycle at
    // the new size.
    runner_.pause(in_cycle);
    if (!driver_.set_buffer_size(frames)) {
        runner_.resume();
        return -EINVAL;
    }
    control_.header.buffer_size = frames;
    update_driver_latencies();
    ipc::Notification n{};
    n.type = ipc::NotificationType::buffer_size;
    n.sync = 1;
    n.a = frames;
    notify_all(n);
    runner_.resume();
    recompute_latencies(true);
    return 0;
}

int Engine::set_freewheel(bool on) {
    if (on == freewheeling_) return 0;
    freewheeling_ = on;
    ipc::Notification n{};
    n.type = ipc::NotificationType::freewheel;
    n.sync = 1;
    n.a = on;
    if (on) {
        notify_all(n);
        realtime_before_freewheel_ = control_.header.realtime.load();
        control_.header.realtime = 0;
        runner_.set_freewheel(true);
    } else {
        runner_.set_freewheel(false);
        control_.header.realtime = realtime_before_freewheel_;
        notify_all(n);
    }
    return 0;
}

int Engine::set_timebase(uint32_t refnum, bool conditional) {
    uint32_t master = control_.header.timebase_master.load();
    if (conditional && master != ipc::kNoTimebaseMaster) return master == refnum ? 0 : EBUSY;
    control_.header.timebase_master = refnum;
    data_.activations[refnum].transport_timebase = 1; // its callback first sees new_pos
    return 0;
}

int Engine::release_timebase(uint32_t refnum) {
    if (control_.header.timebase_master.load() != refnum) return EINVAL;
    control_.header.timebase_master = ipc::kNoTimebaseMaster;
    return 0;
}

void Engine::handle_request(uint32_t refnum, const ipc::DecodedRequest& request, ipc::Reply& reply,
                            std::vector<std::byte>& reply_bytes) {
    using ipc::RequestType;
    switch (request.type) {
    case RequestType::activate: {
        auto activation = request.as<ipc::ActivateRequest>();
        clients_[refnum].latency_callback = activation.latency_callback != 0;
        reply.status = activate(refnum, activation.realtime_role != 0, activation.process_tid);
    } break;
    case RequestType::deactivate:
        reply.status = deactivate(refnum);
        break;
    case RequestType::port_register: {
        auto r = request.as<ipc::PortRegisterRequest>();
        int port = register_port(refnum, ipc::terminated(r.short_name), r.type, r.flags);
        reply.status = port < 0 ? port : 0;
        reply.value = port < 0 ? 0 : uint32_t(port);
        break;
    }
    case RequestType::port_unregister:
        reply.status = unregister_port(refnum, request.as<ipc::PortRequest>().port);
        break;
    case RequestType::port_rename: {
        auto r = request.as<ipc::PortNameRequest>();
        reply.status = rename_port(refnum, r.port, ipc::terminated(r.name));
        break;
    }
    case RequestType::port_set_alias: {
        auto r = request.as<ipc::PortNameRequest>();
        reply.status = set_alias(refnum, r.port, ipc::terminated(r.name));
        break;
    }
    case RequestType::port_unset_alias: {
        auto r = request.as<ipc::PortNameRequest>();
        reply.status = unset_alias(refnum, r.port, ipc::terminated(r.name));
        break;
    }
    case RequestType::connect: {
        auto r = request.as<ipc::ConnectRequest>();
        reply.status = connect(refnum, ipc::terminated(r.source), ipc::terminated(r.destination));
        break;
    }
    case RequestType::disconnect: {
        auto r = request.as<ipc::ConnectRequest>();
        reply.status =
            disconnect(refnum, ipc::terminated(r.source), ipc::terminated(r.destination));
        break;
    }
    case RequestType::port_disconnect_all:
        reply.status = disconnect_all(refnum, request.as<ipc::PortRequest>().port);
        break;
    case RequestType::set_buffer_size:
        reply.status = set_buffer_size(
            request.as<ipc::BufferSizeRequest>().frames,
            request.as<ipc::BufferSizeRequest>().from_process_thread ? refnum : kMaxClients);
        break;
    case RequestType::set_latency_range: {
        auto r = request.as<ipc::LatencyRequest>();
        reply.status = set_latency_range(refnum, r.port, r.mode, r.range);
        break;
    }
    case RequestType::set_timebase:
        reply.status = set_timebase(refnum, request.as<ipc::TimebaseRequest>().conditional != 0);
        break;
    case RequestType::release_timebase:
        reply.status = release_timebase(refnum);
        break;
    case RequestType::set_sync_timeout:
        control_.header.sync_timeout_usecs = request.as<ipc::SyncTimeoutRequest>().usecs;
        reply.status = 0;
        break;
    case RequestType::set_session_callback:
        clients_[refnum].session_callback = request.as<ipc::FreewheelRequest>().on != 0;
        mirror_client(refnum);
        reply.status = 0;
        break;
    case RequestType::session_notify:
        reply.status = session_notify(refnum, request.as<ipc::SessionNotifyRequest>(), reply_bytes);
        break;
    case RequestType::session_reply:
        reply.status = session_reply(refnum, request.as<ipc::SessionReplyRequest>());
        break;
    case RequestType::reset_max_delay:
        runner_.reset_max_delay();
        reply.status = 0;
        break;
    case RequestType::request_monitor: {
        auto r = request.as<ipc::MonitorRequest>();
        if (!live_port(r.port)) {
            reply.status = -EINVAL;
            break;
        }
        // JACK's counter: requests add and remove one each; "ensure" only switches between
        // none and one, leaving other requesters' counts alone.
        uint32_t& count = ports_[r.port].monitor_requests;
        if (r.change == 1)
            ++count;
        else if (r.change == -1 && count > 0)
            --count;
        else if (r.change == 3 && count == 0)
            count = 1;
        else if (r.change == 2 && count == 1)
            count = 0;
        mirror_port(r.port);
        reply.status = 0;
        break;
    }
    case RequestType::recompute_latencies:
        recompute_latencies(true);
        reply.status = 0;
        break;
    case RequestType::set_freewheel:
        reply.status = set_freewheel(request.as<ipc::FreewheelRequest>().on != 0);
        break;
    case RequestType::metadata:
        reply.status = handle_metadata(refnum, request, reply_bytes);
        break;
    case RequestType::open:
    case RequestType::close:
    case RequestType::internal_load: // served by the Server (server_internal.cpp)
    case RequestType::internal_unload:
    case RequestType::internal_handle:
    case RequestType::internal_name:
    case RequestType::count_:
        reply.status = -EPROTO;
        break;
    }
}

} // namespace bantam::server
