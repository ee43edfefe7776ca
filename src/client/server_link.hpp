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
    // Inside bantamd (an internal client): the driver thread shares this process.
    bool in_server_process() const noexcept { return in_server_process_; }

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

    // Thread: any, lock-free. jack_port_get_buffer for a port that no client of this process
    // owns at the moment, as jackd2 serves it: a port of another process gives its live buffer
    // (an output) or its input resolved without writing into it; a port unregistered since
    // (by its owner in this process, or a handle kept from a closed client) gives a scratch
    // buffer (see Scratch). nullptr only above kMaxBufferFrames (jackd2 aborts there).
    RT_NONBLOCKING void* unserved_buffer(const Port& port, uint32_t frames) noexcept;
    // The scratch buffer standing in for a released port.
    RT_NONBLOCKING void* scratch_buffer(const Port& port, uint32_t frames) noexcept;

  private:
    ServerLink() = default;
    uint64_t instance_ = 0; // the server's, kept here: its segments may be gone at exit
    ipc::SharedMemory control_memory_, data_memory_; // empty inside bantamd (borrowed)
    const ipc::ControlSegment* control_ = nullptr;
    ipc::DataSegment* data_ = nullptr;
    bool in_server_process_ = false;
    // Before the 16 KiB of ports_: jack_port_get_buffer looks its client up here every cycle,
    // and on the first page of the link that lookup costs no page walk of its own.
    std::array<std::atomic<Client*>, kMaxClients> by_refnum_{};
    std::mutex mutex_;
    std::array<std::unique_ptr<Port>, kMaxPorts> ports_;
    std::vector<Client*> clients_;
    // What a released port's buffer is, per type and direction, for the largest period:
    // jackd2 hands out its unused port 0's buffer, one for the whole server, so a program that
    // writes to a port it has just unregistered (mpg123 does, until it closes) does not crash.
    // Here the buffers are this process's own memory (a client elsewhere cannot write into
    // them), preallocated and touched when the link is made, and an input one is made silence
    // again each time it is handed out. `mix` is where several sources of another process's
    // input are summed. Shared by the process's clients of this server; nobody reads an output
    // one.
    struct Scratch {
        ipc::PortBuffer audio_in, audio_out, midi_in, midi_out, mix;
    };
    std::unique_ptr<Scratch> scratch_ = std::make_unique<Scratch>(); // value-initialised
};

} // namespace bantam::client
