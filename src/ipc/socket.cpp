#include "ipc/socket.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/protocol.hpp"

namespace bantam::ipc {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
}
UniqueFd::~UniqueFd() {
    reset();
}
void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

namespace {
bool make_address(const std::string& path, sockaddr_un& address) noexcept {
    std::memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return true;
}
} // namespace

UniqueFd listen_seqpacket(const std::string& path) {
    sockaddr_un address;
    if (!make_address(path, address)) throw std::runtime_error("socket path too long: " + path);
    UniqueFd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    mode_t old_mask = umask(0177);
    int rc = bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    umask(old_mask);
    if (rc != 0) throw std::runtime_error("cannot bind " + path + ": " + std::strerror(errno));
    if (listen(fd.get(), 64) != 0)
        throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
    return fd;
}

UniqueFd connect_seqpacket(const std::string& path) noexcept {
    sockaddr_un address;
    if (!make_address(path, address)) return UniqueFd();
    UniqueFd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!fd) return fd;
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        return UniqueFd();
    return fd;
}

bool send_message(int fd, uint32_t type, const void* payload, size_t size,
                  std::span<const int> fds) noexcept {
    MessageHeader header{type, uint32_t(size)};
    iovec parts[2] = {{&header, sizeof header}, {const_cast<void*>(payload), size}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = size ? 2 : 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    if (!fds.empty()) {
        if (fds.size() > 8) {
            errno = EINVAL;
            return false;
        }
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent >= 0) return size_t(sent) == sizeof header + size;
        if (errno != EINTR) return false;
    }
}

long receive_message(int fd, void* buffer, size_t capacity, int timeout_ms, int* fds_out,
                     int max_fds, int* fd_count_out) noexcept {
    if (fd_count_out) *fd_count_out = 0;
    if (timeout_ms >= 0) {
        pollfd waiter{fd, POLLIN, 0};
        int ready;
        do {
            ready = poll(&waiter, 1, timeout_ms);
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (ready < 0) return -1;
    }
    iovec part{buffer, capacity};
    msghdr message{};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t received;
    do {
        received = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    for (cmsghdr* cmsg = CMSG_FIRSTHDR(&message); cmsg; cmsg = CMSG_NXTHDR(&message, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        int count = int((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < count; ++i) {
            int received_fd;
            std::memcpy(&received_fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
            if (fds_out && fd_count_out && *fd_count_out < max_fds)
                fds_out[(*fd_count_out)++] = received_fd;
            else
                ::close(received_fd);
        }
    }
    if (message.msg_flags & MSG_TRUNC) {
        errno = EMSGSIZE;
        return -1;
    }
    return long(received);
}

long peer_uid(int fd) noexcept {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return long(credentials.uid);
}

long peer_pid(int fd) noexcept {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return long(credentials.pid);
}

} // namespace bantam::ipc
