#include "server/server.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <jack/types.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/paths.hpp"
#include "ipc/in_process_segments.hpp"
#include "server/request_handler.hpp"

// Exported from bantamd (see src/CMakeLists.txt) for the libjack inside it.
extern "C" {
__attribute__((visibility("default"), used))
bantam::ipc::InProcessSegments bantam_in_process_segments;
}

namespace bantam::server {

namespace {
constexpr uint64_t kTagListener = 1ull << 40;
constexpr uint64_t kTagSignals = 2ull << 40;
constexpr uint64_t kTagXruns = 3ull << 40;
constexpr uint64_t kTagPending = 4ull << 40; // | fd: a connection that has not opened yet
constexpr uint64_t kTagLoader = 5ull << 40;  // a loader thread finished a job
constexpr uint64_t kTagMask = 0xffull << 40;
} // namespace

sigset_t termination_signals() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    return mask;
}

void block_termination_signals() {
    // Before any thread exists, so every thread inherits the mask and the signals wait in the
    // signalfd for the control loop, even one that arrives while the server is starting.
    sigset_t mask = termination_signals();
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

Server::Server(ServerOptions options, std::unique_ptr<drivers::Driver> driver)
    : options_(std::move(options)), driver_(std::move(driver)) {
    paths::ensure_user_dir();
    claim_name();

    control_memory_ = ipc::SharedMemory::create("bantam-control", sizeof(ipc::ControlSegment));
    data_memory_ = ipc::SharedMemory::create("bantam-data", sizeof(ipc::DataSegment));
    control_ = new (control_memory_.data()) ipc::ControlSegment();
    // Default-initialised, not value-initialised: the memfd is already zero, and zero-filling
    // 64 MiB of port buffers here would make every page resident (and locked).
    data_ = new (data_memory_.data()) ipc::DataSegment;
    control_memory_.seal_against_writers();

    auto& header = control_->header;
    header.instance = (uint64_t(getpid()) << 32) ^ monotonic_nanos();
    bantam_in_process_segments.control = control_;
    bantam_in_process_segments.data = data_;
    bantam_in_process_segments.instance.store(header.instance);
    header.sample_rate = driver_->sample_rate();
    header.buffer_size = driver_->buffer_size();
    header.sync_mode = options_.sync;
    header.server_pid = uint32_t(getpid());
    header.timer.period_usecs_x1000 =
        uint32_t(uint64_t(driver_->buffer_size()) * 1000000000ull / driver_->sample_rate());

    runner_ = std::make_unique<CycleRunner>(*control_, *data_, *driver_, options_.sync);
    engine_ = std::make_unique<Engine>(*control_, *data_, *runner_, *driver_, options_.port_max);
    engine_->set_data_memory(data_memory_);
    engine_->add_driver_ports(driver_->capture_channels(), driver_->playback_channels());
    runner_->set_driver_ports(engine_->capture_ports(), engine_->playback_ports());
    placement_ = std::make_unique<ThreadPlacement>(options_.cpu_placement);
    engine_->use_thread_placement(*placement_);
    internal_ = std::make_unique<InternalClientHost>(options_.name);
}

Server::~Server() {
    bantam_in_process_segments.instance.store(0);
    relay_stop_ = true;
    runner_->attention().signal();
    if (relay_.joinable()) relay_.join();
    if (runner_) runner_->stop();
    if (!socket_path_.empty()) unlink(socket_path_.c_str());
    if (!lock_path_.empty()) unlink(lock_path_.c_str());
}

void Server::claim_name() {
    // The lock file tells a live server from a stale socket left by one that was killed.
    lock_path_ = paths::server_lock_path(options_.name);
    lock_.reset(open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock_) throw std::runtime_error("cannot open " + lock_path_ + ": " + std::strerror(errno));
    if (flock(lock_.get(), LOCK_EX | LOCK_NB) != 0) {
        lock_path_.clear();
        throw std::runtime_error("a server named '" + options_.name +
                                 "' is already running (use -n NAME for another)");
    }
    socket_path_ = paths::server_socket_path(options_.name);
    unlink(socket_path_.c_str());
    listener_ = ipc::listen_seqpacket(socket_path_);
}

void Server::watch(int fd, uint64_t tag) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = tag;
    epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
}

void Server::unwatch(int fd) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

int Server::run() {
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    sigset_t mask = termination_signals();
    signals_.reset(signalfd(-1, &mask, SFD_CLOEXEC));
    xrun_events_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    watch(listener_.get(), kTagListener);
    watch(signals_.get(), kTagSignals);
    watch(xrun_events_.get(), kTagXruns);
    watch(internal_->completion_fd(), kTagLoader);

    std::string warning = runner_->start(options_.realtime, options_.priority);
    if (!warning.empty()) BANTAM_WARN("%s", warning.c_str());
    placement_->place_driver(runner_->native_handle());
    // The driver thread must not wait on the control thread, so its xrun reports reach the
    // event loop through this relay: a futex wait on its side, an eventfd on ours.
    relay_ = std::thread([this] {
        while (!relay_stop_.load()) {
            runner_->attention().wait(0);
            uint64_t one = 1;
            if (write(xrun_events_.get(), &one, sizeof one) < 0) {
            }
        }
    });

    if (!options_.silent)
        BANTAM_INFO("server '%s' running: %s driver, %u Hz, %u frames, %u periods, %s mode, "
                    "%u capture and %u playback ports",
                    options_.name.c_str(), driver_->name(), driver_->sample_rate(),
                    driver_->buffer_size(), driver_->periods(), options_.sync ? "sync" : "async",
                    driver_->capture_channels(), driver_->playback_channels());

    for (;;) {
        epoll_event events[32];
        // Woken at least every 100 ms to look for zombies.
        int count = epoll_wait(epoll_.get(), events, 32, 100);
        if (count < 0 && errno == EINTR) continue;
        if (monotonic_nanos() >= next_zombie_check_ns_) {
            next_zombie_check_ns_ = monotonic_nanos() + 100'000'000ull;
            if (!stopping_) remove_zombies();
        }
        for (int i = 0; i < count; ++i) {
            uint64_t tag = events[i].data.u64;
            switch (tag & kTagMask) {
            case kTagListener:
                accept_client();
                break;
            case kTagSignals: {
                signalfd_siginfo info{};
                if (read(signals_.get(), &info, sizeof info) < 0) {
                }
                if (stopping_) return shut_down(); // a second signal: no more waiting
                if (!options_.silent) BANTAM_INFO("signal %u received, stopping", info.ssi_signo);
                // Audio stops first, then internal clients are unloaded (as JACK2 does: see
                // internal_clients_unloaded() below) while their requests are still served.
                runner_->stop();
                stopping_ = true;
                stop_deadline_ns_ = monotonic_nanos() + 5'000'000'000ull;
                break;
            }
            case kTagLoader:
                finish_internal_jobs();
                break;
            case kTagXruns: {
                uint64_t value;
                if (read(xrun_events_.get(), &value, sizeof value) < 0) {
                }
                forward_xruns();
                break;
            }
            case kTagPending: {
                int fd = int(tag & ~kTagMask);
                unwatch(fd);
                serve_open(ipc::UniqueFd(fd));
                break;
            }
            default:
                serve_request(uint32_t(tag));
                break;
            }
        }
        if (stopping_ && internal_clients_unloaded()) return shut_down();
        if (options_.temporary && had_client_ && engine_->external_client_count() == 0 &&
            !internal_->busy()) {
            if (!options_.silent) BANTAM_INFO("last client closed; exiting (-T)");
            return 0;
        }
    }
}

int Server::shut_down() {
    // The last cycle completes before clients hear of the shutdown.
    runner_->stop();
    if (!options_.silent)
        BANTAM_INFO("ran %llu cycles, %llu xruns",
                    static_cast<unsigned long long>(control_->header.cycle.load()),
                    static_cast<unsigned long long>(control_->header.xrun_count.load()));
    ipc::Notification n{};
    n.type = ipc::NotificationType::shutdown;
    ipc::copy_name(n.name1, "JACK server has been closed");
    engine_->notify_all(n, true);
    return 0;
}

void Server::accept_client() {
    // Non-blocking: a reply that does not fit in the socket (a client that sends requests and
    // never reads the replies) must not stall the control thread; that client is dropped.
    ipc::UniqueFd connection(
        accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!connection) return;
    if (ipc::peer_uid(connection.get()) != long(getuid())) {
        BANTAM_WARN("refused a connection from another user");
        return;
    }
    int fd = connection.release();
    watch(fd, kTagPending | uint64_t(fd));
}

void Server::serve_open(ipc::UniqueFd connection) {
    std::byte buffer[1024];
    long length = ipc::receive_message(connection.get(), buffer, sizeof buffer, 1000);
    ipc::Reply reply{};
    int refnum = length > 0 ? open_client_from_bytes(*engine_, buffer, size_t(length), reply)
                            : kOpenMalformed;
    if (refnum == kOpenMalformed) {
        BANTAM_DEBUG("dropped a connection that did not start with a valid open request");
        return;
    }
    if (refnum < 0) {
        ipc::send_message(connection.get(), 0, &reply, sizeof reply);
        return;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        engine_->close_client(uint32_t(refnum));
        return;
    }
    ipc::UniqueFd server_end(pair[0]), client_end(pair[1]);
    int buffer_bytes = 1 << 20;
    setsockopt(server_end.get(), SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
    fcntl(server_end.get(), F_SETFL, O_NONBLOCK);
    int fds[ipc::kOpenReplyFds] = {control_memory_.fd(), data_memory_.fd(), client_end.get()};
    if (!ipc::send_message(connection.get(), 0, &reply, sizeof reply, fds)) {
        engine_->close_client(uint32_t(refnum));
        return;
    }
    int reply_bytes = int(ipc::kMaxReplyBlob + 4096); // room for one whole metadata reply
    setsockopt(connection.get(), SOL_SOCKET, SO_SNDBUF, &reply_bytes, sizeof reply_bytes);
    int request_fd = connection.get();
    watch(request_fd, uint64_t(refnum));
    engine_->attach_sockets(uint32_t(refnum), std::move(connection), std::move(server_end));
    had_client_ = true;
    BANTAM_DEBUG("client '%s' opened (refnum %d)", reply.name, refnum);
}

void Server::drop_client(uint32_t refnum, const char* why) {
    const ClientState& client = engine_->client(refnum);
    if (!client.in_use) return;
    BANTAM_DEBUG("client '%s' removed: %s", client.name.c_str(), why);
    // An internal client that closed itself: its object stays loaded (its code may still run).
    if (internal_->remove(refnum))
        BANTAM_DEBUG("internal client '%s' closed itself", client.name.c_str());
    unwatch(client.requests.get());
    engine_->close_client(refnum);
}

void Server::serve_request(uint32_t refnum) {
    if (refnum == 0 || refnum >= kMaxClients || !engine_->client(refnum).in_use) return;
    int fd = engine_->client_fd(refnum);
    std::byte* buffer = request_buffer_.data();
    long length = ipc::receive_message(fd, buffer, request_buffer_.size(), 0);
    if (length < 0 && errno == ETIMEDOUT) return;
    if (length <= 0) {
        drop_client(refnum, "connection closed");
        return;
    }
    auto internal = [&](const ipc::DecodedRequest& request, ipc::Reply& reply) {
        return serve_internal_request(refnum, request, reply);
    };
    switch (
        handle_request_bytes(*engine_, refnum, buffer, size_t(length), reply_buffer_, internal)) {
    case RequestOutcome::malformed:
        drop_client(refnum, "malformed request");
        return;
    case RequestOutcome::close:
        ipc::send_message(fd, 0, reply_buffer_.data(), reply_buffer_.size());
        drop_client(refnum, "closed");
        return;
    case RequestOutcome::deferred:
        return; // answered later
    case RequestOutcome::reply:
        break;
    }
    if (engine_->client(refnum).in_use &&
        !ipc::send_message(fd, 0, reply_buffer_.data(), reply_buffer_.size()))
        drop_client(refnum, "its replies are not read");
}

void Server::remove_zombies() {
    const uint32_t rate = driver_->sample_rate(), frames = control_->header.buffer_size.load();
    if (rate == 0 || frames == 0 || runner_->paused()) return;
    // JACK's client timeout: 500 ms unless -t says otherwise, never under two periods.
    const uint64_t timeout_ms = options_.timeout_ms ? options_.timeout_ms : 500;
    const uint64_t timeout_cycles = std::max<uint64_t>(2, timeout_ms * rate / 1000 / frames);
    for (uint32_t refnum : engine_->find_zombies(timeout_cycles)) {
        const ClientState& client = engine_->client(refnum);
        BANTAM_WARN("client '%s' ran no cycle for %llu ms: removed as a zombie",
                    client.name.c_str(), static_cast<unsigned long long>(timeout_ms));
        // It reads this when (if ever) it runs again, then finds its connection closed.
        ipc::Notification n{};
        n.type = ipc::NotificationType::shutdown;
        ipc::copy_name(n.name1,
                       "Client was removed by the server: it stopped running cycles (zombie)");
        engine_->notify_client(refnum, n);
        drop_client(refnum, "zombie");
    }
}

void Server::forward_xruns() {
    std::vector<uint32_t> late;
    uint64_t count = runner_->take_xruns(late);
    for (uint32_t refnum : late) {
        std::string name = engine_->blame_xrun(refnum);
        if (!name.empty()) BANTAM_DEBUG("xrun: client '%s' did not finish in time", name.c_str());
    }
    for (uint64_t i = 0; i < std::min<uint64_t>(count, 8); ++i)
        engine_->notify_all({.type = ipc::NotificationType::xrun});
}

} // namespace bantam::server
