#pragma once

// The engine's authoritative model: clients, ports and connections, owned by the control
// thread. Every change is validated here, mirrored into the read-only control segment for
// clients, compiled into a new graph Snapshot and published to the cycle runner, and then
// announced to clients through the Notifier.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/driver.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/socket.hpp"
#include "server/graph.hpp"
#include "server/metadata.hpp"

namespace bantam::server {

class CycleRunner;
class ThreadPlacement;

struct ClientState {
    bool in_use = false;
    std::string name;
    uint32_t pid = 0;
    uint64_t uuid = 0;
    bool active = false;
    bool realtime_role = false;
    uint64_t scheduled_since = 0; // cycle from which a missing cycle counts towards the timeout
    bool latency_callback = false;
    bool session_callback = false;
    ipc::UniqueFd requests;          // the client's request socket
    ipc::UniqueFd notifications;     // server end of the notification socketpair
    uint64_t notifications_lost = 0; // its socket was full: the client does not read them
    uint32_t last_notification = 0;  // serial of the last one its socket took
    uint64_t xruns = 0;              // xruns it was blamed for
    std::vector<uint32_t> ports;     // in registration order
};

struct PortState {
    bool in_use = false;
    uint32_t owner = 0;
    uint32_t flags = 0;
    PortType type = PortType::audio;
    std::string name; // full "client:port"
    std::vector<std::string> aliases;
    uint32_t monitor_requests = 0;
    uint64_t uuid = 0;
    ipc::LatencyRange capture_latency, playback_latency;
};

// Thread: control, every method.
class Engine {
  public:
    Engine(ipc::ControlSegment& control, ipc::DataSegment& data, CycleRunner& runner,
           drivers::Driver& driver, uint32_t port_max);

    // Sends one notification to every active client (or the listed one); sync ones wait for
    // the client's acknowledgement with a timeout so a stuck client cannot stall the server.
    void notify_all(ipc::Notification notification, bool include_inactive = false);
    void notify_client(uint32_t refnum, ipc::Notification notification);

    // Port ids are handed out round-robin, so without this every id's buffer would stay
    // resident once used: freed ports' buffers go back to the kernel.
    void set_data_memory(ipc::SharedMemory& memory) { data_memory_ = &memory; }

    // The system client and its physical ports.
    void add_driver_ports(uint32_t capture, uint32_t playback);
    std::vector<uint32_t> capture_ports() const { return ports_of_flags(true); }
    std::vector<uint32_t> playback_ports() const { return ports_of_flags(false); }

    // Client lifecycle. open() returns the refnum or a negative errno, and the jack_status_t
    // bits to report; name is updated to the final (unique) name.
    int open_client(std::string& name, uint32_t options, uint32_t pid, uint32_t& jack_status);
    void attach_sockets(uint32_t refnum, ipc::UniqueFd requests, ipc::UniqueFd notifications);
    int activate(uint32_t refnum, bool realtime_role, int32_t process_tid = 0);
    int deactivate(uint32_t refnum);
    void close_client(uint32_t refnum); // also for clients that died

    int register_port(uint32_t refnum, const char* short_name, PortType type, uint32_t flags);
    int unregister_port(uint32_t refnum, uint32_t port);
    int rename_port(uint32_t refnum, uint32_t port, const char* short_name);
    int set_alias(uint32_t refnum, uint32_t port, const char* alias);
    int unset_alias(uint32_t refnum, uint32_t port, const char* alias);
    int connect(uint32_t refnum, const char* source, const char* destination);
    int disconnect(uint32_t refnum, const char* source, const char* destination);
    int disconnect_all(uint32_t refnum, uint32_t port);
    int set_latency_range(uint32_t refnum, uint32_t port, uint32_t mode, ipc::LatencyRange range);
    // `in_cycle`: a client asking from inside its own cycle (jackd2 serves that), whose cycle
    // is not waited for; kMaxClients if none.
    int set_buffer_size(uint32_t frames, uint32_t in_cycle = kMaxClients);
    // Transport: JACK2's semantics (EBUSY for a conditional request while another client is
    // master; EINVAL to release a timebase one does not hold).
    int set_timebase(uint32_t refnum, bool conditional);
    // Freewheel: the graph runs as fast as it can, detached from the device; clients are told
    // (synchronously) and take their process threads off real-time scheduling meanwhile.
    int set_freewheel(bool on);
    // Latency propagation (engine_latency.cpp): inputs take the union of their sources'
    // capture ranges, outputs of their destinations' playback ranges; a client without a
    // latency callback passes its inputs' capture range to its outputs and its outputs'
    // playback range to its inputs. Clients with a callback are told to set their own.
    void recompute_latencies(bool notify_callbacks);
    // JACK-Session (engine_session.cpp): a notify is answered once every notified client has
    // replied or gone; the requester waits meanwhile (its reply is deferred).
    int session_notify(uint32_t refnum, const ipc::SessionNotifyRequest& request,
                       std::vector<std::byte>& reply_bytes);
    int session_reply(uint32_t refnum, const ipc::SessionReplyRequest& request);
    void session_client_gone(uint32_t refnum);
    int release_timebase(uint32_t refnum);

    // Dispatches one decoded request from a client; fills reply.
    // `reply_bytes` starts with room for the Reply; requests that answer with data (metadata
    // queries) append it after.
    void handle_request(uint32_t refnum, const ipc::DecodedRequest& request, ipc::Reply& reply,
                        std::vector<std::byte>& reply_bytes);
    int handle_metadata(uint32_t refnum, const ipc::DecodedRequest& request,
                        std::vector<std::byte>& reply_bytes);

    const ClientState& client(uint32_t refnum) const { return clients_.at(refnum); }
    // Counts an xrun against the client and returns its name, also when it has left since: the
    // driver notes a cycle only at the next cycle start, after a client that died in it may be
    // gone. Empty for a refnum that never had a client.
    std::string blame_xrun(uint32_t refnum);
    int client_fd(uint32_t refnum) const { return clients_.at(refnum).requests.get(); }
    int notification_fd(uint32_t refnum) const { return clients_.at(refnum).notifications.get(); }
    size_t external_client_count() const;
    uint64_t graph_generation() const noexcept { return generation_; }

    // Rebuilds and publishes the graph; waits until the cycle runner runs on it.
    void publish_graph();
    // Zombies (engine_zombies.cpp): clients that have not run for `timeout_cycles` cycles,
    // stopped or stuck, and not because a client upstream of them is. JACK removes them.
    std::vector<uint32_t> find_zombies(uint64_t timeout_cycles);
    // Process threads are moved between CPUs as the graph changes (engine_placement.cpp).
    void use_thread_placement(ThreadPlacement& placement) { placement_ = &placement; }

  private:
    void place_threads();
    void restart_zombie_clocks(); // after a graph change: excused clients start afresh
    // Latencies of the physical ports as reported: async mode plays one period later than
    // sync mode, and that period is reported, never hidden.
    uint32_t reported_playback_latency() const;
    void update_driver_latencies();
    void announce_property(uint64_t subject, const char* key, uint32_t change);
    void forget_properties(uint64_t subject);
    void announce_port(uint32_t port, bool registered);
    void graph_reordered(); // graph_order to everyone, then latencies recomputed
    void announce_connection(uint32_t from, uint32_t to, bool connected, bool reordered = true);
    static ipc::Notification client_event(const char* name, bool registered);
    int find_port(const char* name) const; // by full name or alias; -1 if none
    bool live_port(uint32_t port) const {
        return port != 0 && port < kMaxPorts && ports_[port].in_use;
    }
    bool owns_port(uint32_t refnum, uint32_t port) const {
        return live_port(port) && ports_[port].owner == refnum;
    }
    std::vector<uint32_t> ports_of_flags(bool capture) const;
    void mirror_port(uint32_t port);
    void mirror_client(uint32_t refnum);
    int connect_ports(uint32_t source, uint32_t destination);
    int disconnect_ports(uint32_t source, uint32_t destination);
    void drop_port_connections(uint32_t port);
    void drop_connections(const std::function<bool(const GraphConnection&)>& doomed);
    uint32_t allocate_port_id();
    void free_port(uint32_t port);
    uint32_t allocate_refnum();
    bool name_taken(const std::string& name) const;

    ipc::ControlSegment& control_;
    ipc::DataSegment& data_;
    ipc::SharedMemory* data_memory_ = nullptr; // where data_ lives, when it is shared memory
    CycleRunner& runner_;
    drivers::Driver& driver_;
    uint32_t port_max_;
    std::vector<ClientState> clients_;
    std::vector<std::string> departed_names_; // by refnum: the last client that closed
    std::vector<PortState> ports_;
    std::vector<GraphConnection> connections_;
    uint64_t generation_ = 0;
    uint32_t next_port_hint_ = 1;
    uint32_t next_refnum_hint_ = 1;
    uint32_t next_serial_ = 1;
    uint64_t next_uuid_ = 1;
    std::unique_ptr<ipc::Snapshot> scratch_;
    MetadataStore metadata_;
    bool freewheeling_ = false;
    struct SessionAnswer {
        uint64_t uuid;
        std::string name, command;
        uint32_t flags;
    };
    struct PendingSession {
        uint32_t requester = 0;
        uint64_t requester_uuid = 0;
        std::vector<uint32_t> waiting;
        std::vector<SessionAnswer> answers;
    };
    std::optional<PendingSession> session_;
    void finish_session();
    uint32_t realtime_before_freewheel_ = 0;
    ThreadPlacement* placement_ = nullptr;
    std::vector<bool> excused_; // by refnum: not running because a client upstream is stuck
};

} // namespace bantam::server
