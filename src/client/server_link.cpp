#include "client/server_link.hpp"

#include <algorithm>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <stdexcept>
#include <unistd.h>

#include "ipc/in_process_segments.hpp"

namespace bantam::client {

const char* Port::short_name() const noexcept {
    const char* colon = std::strchr(name_, ':');
    return colon ? colon + 1 : name_;
}

void Port::refresh(const ipc::PortRecord& record) noexcept {
    char name[kPortNameSize] = {};
    bool in_use = false;
    ipc::read_seqlocked(record, [&](const ipc::PortRecord& r) {
        in_use = r.in_use != 0;
        if (!in_use) return; // keep the last known description
        flags_.store(r.flags, std::memory_order_relaxed);
        type_.store(r.type, std::memory_order_relaxed);
        owner_.store(r.owner, std::memory_order_relaxed);
        std::memcpy(name, r.name, sizeof name);
    });
    in_use_.store(in_use, std::memory_order_relaxed);
    name[sizeof name - 1] = '\0';
    if (in_use) set_name(name);
}

void Port::set_name(const char* full_name) noexcept {
    // jack_port_name() hands out this buffer itself, so it is written only when the name
    // really changed (a rename): refreshing a port must not race with its readers. A rename is
    // applied twice, by the renaming thread and by the notification thread: one at a time.
    static std::mutex renaming;
    std::lock_guard lock(renaming);
    if (std::strncmp(name_, full_name, sizeof name_ - 1) == 0) return;
    size_t length = std::min(std::strlen(full_name), sizeof name_ - 1);
    std::memcpy(name_, full_name, length);
    name_[length] = '\0';
}

namespace {
std::mutex links_mutex;
std::vector<std::unique_ptr<ServerLink>>& links() {
    static auto* all = new std::vector<std::unique_ptr<ServerLink>>(); // lives until exit
    return *all;
}
} // namespace

ServerLink& ServerLink::attach(int control_fd, int data_fd) {
    auto control = ipc::SharedMemory::attach(control_fd, sizeof(ipc::ControlSegment), false);
    auto* segment = static_cast<const ipc::ControlSegment*>(control.data());
    if (segment->header.magic != ipc::kSegmentMagic ||
        segment->header.protocol != ipc::kProtocolVersion) {
        close(data_fd);
        throw std::runtime_error("server speaks another protocol version");
    }
    const uint64_t instance = segment->header.instance;
    std::lock_guard lock(links_mutex);
    for (auto& link : links())
        if (link->instance_ == instance) {
            close(data_fd);
            return *link; // `control` unmaps this second mapping
        }
    auto link = std::unique_ptr<ServerLink>(new ServerLink());
    link->instance_ = instance;
    // Inside bantamd itself: its own mappings (see ipc/in_process_segments.hpp). They outlive
    // every internal client; nothing reads them once the server is gone.
    auto* in_process = static_cast<const ipc::InProcessSegments*>(
        dlsym(RTLD_DEFAULT, ipc::kInProcessSegmentsSymbol));
    if (in_process && in_process->instance.load() == instance) {
        close(data_fd);
        link->control_ = in_process->control;
        link->data_ = in_process->data;
        link->in_server_process_ = true;
    } else {
        link->data_memory_ = ipc::SharedMemory::attach(data_fd, sizeof(ipc::DataSegment), true);
        link->control_memory_ = std::move(control);
        link->control_ = segment;
        link->data_ = static_cast<ipc::DataSegment*>(link->data_memory_.data());
    }
    links().push_back(std::move(link));
    return *links().back();
}

Port* ServerLink::port(uint32_t id) {
    if (id == 0 || id >= kMaxPorts) return nullptr;
    std::lock_guard lock(mutex_);
    auto& slot = ports_[id];
    if (!slot) {
        slot = std::make_unique<Port>(*this, id);
        slot->refresh(control_->ports[id]);
    }
    return slot.get();
}

bool ServerLink::read_port(uint32_t id, PortInfo& info) const {
    if (id == 0 || id >= kMaxPorts) return false;
    bool in_use = false;
    ipc::read_seqlocked(control_->ports[id], [&](const ipc::PortRecord& r) {
        in_use = r.in_use;
        if (!in_use) return;
        info.id = id;
        info.flags = r.flags;
        info.type = r.type;
        info.owner = r.owner;
        info.uuid = r.uuid;
        info.monitor_requests = r.monitor_requests;
        info.capture_latency = r.capture_latency;
        info.playback_latency = r.playback_latency;
        info.name.assign(r.name, strnlen(r.name, sizeof r.name));
        info.aliases.clear();
        for (uint32_t i = 0; i < std::min<uint32_t>(r.alias_count, 2); ++i)
            info.aliases.emplace_back(r.aliases[i], strnlen(r.aliases[i], sizeof r.aliases[i]));
    });
    return in_use;
}

std::vector<PortInfo> ServerLink::live_ports() const {
    std::vector<PortInfo> result;
    PortInfo info;
    for (uint32_t id = 1; id < kMaxPorts; ++id)
        if (read_port(id, info)) result.push_back(info);
    return result;
}

Port* ServerLink::find_port(const char* name) {
    if (!name) return nullptr;
    PortInfo info;
    for (uint32_t id = 1; id < kMaxPorts; ++id) {
        if (!read_port(id, info)) continue;
        bool match = info.name == name || std::find(info.aliases.begin(), info.aliases.end(),
                                                    name) != info.aliases.end();
        if (!match) continue;
        Port* handle = port(id);
        handle->refresh(control_->ports[id]);
        return handle;
    }
    return nullptr;
}

std::vector<uint32_t> ServerLink::peers(uint32_t id) const {
    std::vector<uint32_t> result;
    if (id == 0 || id >= kMaxPorts) return result;
    for (;;) {
        const auto& snapshot =
            control_->snapshots[control_->header.latest_snapshot.load() % kSnapshotSlots];
        result.clear();
        ipc::read_seqlocked(snapshot, [&](const ipc::Snapshot& s) {
            result.clear();
            const auto& route = s.ports[id];
            uint32_t begin =
                std::min<uint32_t>(route.peer_begin, uint32_t(std::size(s.port_peers)));
            uint32_t end =
                std::min<uint32_t>(begin + route.peer_count, uint32_t(std::size(s.port_peers)));
            for (uint32_t i = begin; i < end; ++i)
                result.push_back(s.port_peers[i]);
        });
        return result;
    }
}

void ServerLink::add_client(Client* client, uint32_t refnum) {
    std::lock_guard lock(mutex_);
    clients_.push_back(client);
    if (refnum < kMaxClients) by_refnum_[refnum].store(client, std::memory_order_release);
}
void ServerLink::remove_client(Client* client, uint32_t refnum) {
    std::lock_guard lock(mutex_);
    std::erase(clients_, client);
    if (refnum < kMaxClients && by_refnum_[refnum].load() == client)
        by_refnum_[refnum].store(nullptr);
}
Client* ServerLink::any_client() {
    std::lock_guard lock(mutex_);
    return clients_.empty() ? nullptr : clients_.front();
}

} // namespace bantam::client

namespace bantam::client {

int find_client_pid(const char* name) {
    if (!name) return 0;
    std::lock_guard lock(links_mutex);
    for (auto& link : links())
        if (auto found =
                link->find_client([&](const ClientInfo& info) { return info.name == name; }))
            return int(found->pid);
    return 0;
}

} // namespace bantam::client

namespace bantam::client {

Client* any_open_client() {
    std::lock_guard lock(links_mutex);
    for (auto& link : links())
        if (Client* client = link->any_client()) return client;
    return nullptr;
}

} // namespace bantam::client

namespace bantam::client {

bool ServerLink::read_client_info(uint32_t refnum, ClientInfo& info) const {
    if (refnum >= kMaxClients) return false;
    bool in_use = false;
    ipc::read_seqlocked(control_->clients[refnum], [&](const ipc::ClientRecord& r) {
        in_use = r.in_use;
        info.name.assign(r.name, strnlen(r.name, sizeof r.name));
        info.pid = r.pid;
        info.uuid = r.uuid;
        info.session_callback = r.session_callback != 0;
        info.xruns = r.xruns;
    });
    return in_use;
}

} // namespace bantam::client
