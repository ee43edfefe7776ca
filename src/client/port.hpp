#pragma once

#include <atomic>
#include <cstdint>

#include "ipc/limits.hpp"
#include "ipc/shared_layout.hpp"

namespace bantam::client {

class ServerLink;

// The one handle for a port id on a server, what jack_port_t* points at. Handles are never
// freed while the process runs, so pointers and ids from callbacks stay valid after the port
// (or the client that looked it up) is gone; they then describe the port as it last was.
class Port {
  public:
    Port(ServerLink& link, uint32_t id) : link_(link), id_(id) {}

    uint32_t id() const noexcept { return id_; }
    ServerLink& link() const noexcept { return link_; }
    const char* name() const noexcept { return name_; }
    const char* short_name() const noexcept;
    uint32_t flags() const noexcept { return flags_.load(std::memory_order_relaxed); }
    PortType type() const noexcept { return type_.load(std::memory_order_relaxed); }
    uint32_t owner() const noexcept { return owner_.load(std::memory_order_relaxed); }
    bool in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
    const char* type_name() const noexcept {
        return type() == PortType::midi ? kMidiTypeName : kAudioTypeName;
    }

    // Thread: control. Copies the current record from the control segment.
    void refresh(const ipc::PortRecord& record) noexcept;
    void set_name(const char* full_name) noexcept;

  private:
    ServerLink& link_;
    const uint32_t id_;
    std::atomic<uint32_t> flags_{0};
    std::atomic<PortType> type_{PortType::audio};
    std::atomic<uint32_t> owner_{0};
    std::atomic<bool> in_use_{false};
    char name_[kPortNameSize] = {};
};

} // namespace bantam::client
