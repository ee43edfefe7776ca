#pragma once

// What a process knows of one running server: the shared segments (mapped once, shared by all
// the process's clients of that server) and the canonical Port handles. Links are kept for the
// life of the process so handles never dangle (Ardour and Carla use them after close).

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <jack/types.h>

#include "client/port.hpp"
#include "ipc/shared_layout.hpp"
#include "ipc/shared_memory.hpp"
#include "rt/annotations.hpp"

namespace bantam::client {

class Client;

struct ClientInfo {
    std::string name;
    uint32_t pid = 0;
    uint64_t uuid = 0;
    bool session_callback = false;
    uint64_t xruns = 0; // blamed on it by the server
};

struct PortInfo {
    uint32_t id = 0;
    uint32_t flags = 0;
    PortType type = PortType::audio;
    uint32_t owner = 0;
    uint64_t uuid = 0;
    uint32_t monitor_requests = 0;
    ipc::LatencyRange capture_latency, playback_latency;
    std::string name;
    std::vector<std::string> aliases;
};

// Pid of a client by name on any server this process knows; 0 if none.
int find_client_pid(const char* name);
// Any client this process has open, for the JACK functions that take none; nullptr if none.
Client* any_open_client();

class ServerLink {
  public:
    // Returns the link for the server whose segments these descriptors are, mapping them if
    // this process has not yet. Takes ownership of both fds. Throws on a bad segment.
    static ServerLink& attach(int control_fd, int data_fd);

    const ipc::ControlSegment& control() const noexcept { return *control_; }
    ipc::DataSegment& data() const noexcept { return *data_; }
    const ipc::EngineHeader& header() const noexcept { return control_->header; }

    // The canonical handle for a port id (created on first use); nullptr for id 0 or out of range.
    Port* port(uint32_t id);
    // Looks up a live port by full name or alias and refreshes its handle; nullptr if none.
    Port* find_port(const char* name);
    bool read_port(uint32_t id, PortInfo& info) const; // false if the id is not in use
    std::vector<PortInfo> live_ports() const;

    // jack_get_ports: live port names matching both patterns and every flag given.
    std::vector<std::string> matching_ports(const char* name_pattern, const char* type_pattern,
                                            unsigned long flags) const;
    // Full names of a port's connections, in connection order.
    std::vector<std::string> connection_names(uint32_t id) const;

    // Peers of a port in the newest published graph, in connection order.
    std::vector<uint32_t> peers(uint32_t id) const;
    // Thread: RT. The snapshot in a slot.
    const ipc::Snapshot& snapshot(uint32_t slot) const noexcept {
        return control_->snapshots[slot % kSnapshotSlots];
    }
    // Thread: RT. The snapshot the cycle in progress runs on.
    const ipc::Snapshot& cycle_snapshot() const noexcept {
        return control_->snapshots[control_->header.cycle_snapshot.load(std::memory_order_acquire) %
                                   kSnapshotSlots];
    }

    // Reads a client's record; false if the refnum is not in use.
    bool read_client_info(uint32_t refnum, ClientInfo& info) const;
    // The first live client the predicate accepts.
    template <typename Predicate> std::optional<ClientInfo> find_client(Predicate&& accept) const {
        ClientInfo info;
        for (uint32_t refnum = 0; refnum < kMaxClients; ++refnum)
            if (read_client_info(refnum, info) && accept(info)) return info;
        return std::nullopt;
    }

    // Clients of this process on this server, for the few port functions that take no client.
    void add_client(Client* client, uint32_t refnum);
    void remove_client(Client* client, uint32_t refnum);
    Client* any_client();
    // Thread: any, lock-free. This process's client with that refnum, or nullptr.
    RT_NONBLOCKING Client* client_by_refnum(uint32_t refnum) const noexcept {
        return refnum < kMaxClients ? by_refnum_[refnum].load(std::memory_order_acquire) : nullptr;
    }

  private:
    ServerLink() = default;
    uint64_t instance_ = 0; // the server's, kept here: its segments may be gone at exit
    ipc::SharedMemory control_memory_, data_memory_; // empty inside bantamd (borrowed)
    const ipc::ControlSegment* control_ = nullptr;
    ipc::DataSegment* data_ = nullptr;
    // Before the 16 KiB of ports_: jack_port_get_buffer looks its client up here every cycle,
    // and on the first page of the link that lookup costs no page walk of its own.
    std::array<std::atomic<Client*>, kMaxClients> by_refnum_{};
    std::mutex mutex_;
    std::array<std::unique_ptr<Port>, kMaxPorts> ports_;
    std::vector<Client*> clients_;
};

} // namespace bantam::client
