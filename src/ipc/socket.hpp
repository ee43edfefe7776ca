#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace bantam::ipc {

// Owns a file descriptor.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const noexcept { return fd_; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept;
    explicit operator bool() const noexcept { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// Listening SOCK_SEQPACKET socket at path (mode 0600). Throws std::runtime_error.
UniqueFd listen_seqpacket(const std::string& path);
// Returns an invalid fd (errno set) when nothing listens there.
UniqueFd connect_seqpacket(const std::string& path) noexcept;

// Sends one datagram: header {type, size} + payload, with optional descriptors.
// Returns false on error (errno set). Never raises SIGPIPE.
bool send_message(int fd, uint32_t type, const void* payload, size_t size,
                  std::span<const int> fds = {}) noexcept;

// Receives one datagram into buffer. Returns its length, 0 on orderly hangup, -1 on error or
// timeout (errno ETIMEDOUT). Received descriptors go to fds_out (closed if there is no room);
// fd_count_out receives how many. timeout_ms < 0: block.
long receive_message(int fd, void* buffer, size_t capacity, int timeout_ms, int* fds_out = nullptr,
                     int max_fds = 0, int* fd_count_out = nullptr) noexcept;

// Uid of the peer process on a connected Unix socket, or -1.
long peer_uid(int fd) noexcept;
// Pid of the peer process on a connected Unix socket, or -1.
long peer_pid(int fd) noexcept;

} // namespace bantam::ipc
