#include "client/client.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "client/autostart.hpp"
#include "common/cancellation.hpp"
#include "common/log.hpp"
#include "common/paths.hpp"

namespace bantam::client {

namespace {
constexpr int kOpenTimeoutMs = 10000;
// How long a request waits for the callbacks of what it changed. Bounded because a callback may
// be blocked on a lock the requesting thread holds (harmless on jackd2, which does not wait):
// then the request returns late rather than never.
constexpr auto kOwnNotificationsWait = std::chrono::milliseconds(50);
// How long jack_deactivate and jack_client_close wait for the process thread to leave a user
// callback before they cancel it, and in all. jackd2 cancels the thread at once and
// asynchronously, wherever it is; Bantam waits out a callback that is only slow, then cancels
// the deferred way, which ends one waiting in a cancellation point (sleep, I/O, a condition
// or a semaphore). Asynchronous cancellation is never used: it would unwind Bantam's own
// noexcept code on that thread (std::terminate) if the callback returned just then, and making
// that impossible costs two libc calls per cycle. A callback that spins or waits for a mutex is
// still left running after the full wait.
constexpr auto kProcessCancelGrace = std::chrono::milliseconds(250);
constexpr auto kProcessStopWait = std::chrono::seconds(2);
// Set on every client's notification thread: a request made from a callback never waits for
// a notification thread, its own or another client's.
thread_local bool on_notification_thread = false;

int set_status(jack_status_t* status, unsigned bits) {
    if (status) *status = jack_status_t(bits);
    return 0;
}
} // namespace

Client* Client::open(const char* name, uint32_t options, jack_status_t* status,
                     const char* server_name) {
    NoCancellation quiet;
    unsigned bits = 0;
    set_status(status, 0);
    if (!name) {
        set_status(status, JackFailure | JackInvalidOption);
        return nullptr;
    }
    std::string server = server_name && *server_name ? server_name : paths::default_server_name();
    if (std::string why = paths::untrusted_user_dir_reason(); !why.empty()) {
        BANTAM_ERROR("refusing to connect to server '%s': %s", server.c_str(), why.c_str());
        set_status(status, JackFailure | JackServerFailed);
        return nullptr;
    }
    ipc::UniqueFd socket = ipc::connect_seqpacket(paths::server_socket_path(server));
    if (!socket) {
        bool may_start = !(options & JackNoStartServer) && autostart_allowed();
        if (!may_start || !start_server(server)) {
            set_status(status, JackFailure | JackServerFailed);
            return nullptr;
        }
        for (int attempt = 0; attempt < 100 && !socket; ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            socket = ipc::connect_seqpacket(paths::server_socket_path(server));
        }
        if (!socket) {
            set_status(status, JackFailure | JackServerFailed);
            return nullptr;
        }
        bits |= JackServerStarted;
    }

    ipc::OpenRequest request{};
    request.options = options;
    request.pid = uint32_t(getpid());
    if (!ipc::copy_name(request.name, name)) {
        set_status(status, bits | JackFailure | JackInvalidOption);
        return nullptr;
    }
    if (!ipc::send_message(socket.get(), uint32_t(ipc::RequestType::open), &request,
                           sizeof request)) {
        set_status(status, bits | JackFailure | JackServerError);
        return nullptr;
    }
    std::byte buffer[sizeof(ipc::MessageHeader) + sizeof(ipc::Reply)];
    int fds[ipc::kOpenReplyFds];
    int fd_count = 0;
    long length = ipc::receive_message(socket.get(), buffer, sizeof buffer, kOpenTimeoutMs, fds,
                                       ipc::kOpenReplyFds, &fd_count);
    ipc::Reply reply{};
    if (length != long(sizeof buffer)) {
        for (int i = 0; i < fd_count; ++i)
            ::close(fds[i]);
        set_status(status, bits | JackFailure | JackServerError);
        return nullptr;
    }
    std::memcpy(&reply, buffer + sizeof(ipc::MessageHeader), sizeof reply);
    if (reply.status < 0 || fd_count != ipc::kOpenReplyFds) {
        for (int i = 0; i < fd_count; ++i)
            ::close(fds[i]);
        set_status(status, bits | reply.jack_status | JackFailure);
        return nullptr;
    }
    auto* client = new Client();
    client->notifications_.reset(fds[2]);
    try {
        client->link_ = &ServerLink::attach(fds[0], fds[1]);
        client->control_ = &client->link_->control();
        client->data_ = &client->link_->data();
    } catch (const std::exception& error) {
        BANTAM_ERROR("cannot attach to server '%s': %s", server.c_str(), error.what());
        delete client;
        set_status(status, bits | JackFailure | JackVersionError);
        return nullptr;
    }
    client->requests_ = std::move(socket);
    client->refnum_ = reply.value;
    client->name_ = ipc::terminated(reply.name);
    client->server_name_ = server;
    client->link_->add_client(client, client->refnum_);
    client->notification_thread_ = std::thread([client] { client->notification_loop(); });
    set_status(status, bits | (reply.jack_status & JackNameNotUnique));
    return client;
}

Client::~Client() {
    if (link_) link_->remove_client(this, refnum_);
}

// ---- requests ----------------------------------------------------------------------------------

bool Client::request(ipc::RequestType type, const void* payload, size_t size, ipc::Reply& reply) {
    NoCancellation quiet;
    std::unique_lock lock(request_mutex_);
    if (server_gone_.load() || !requests_) return false;
    if (!ipc::send_message(requests_.get(), uint32_t(type), payload, size)) return false;
    std::byte buffer[sizeof(ipc::MessageHeader) + sizeof(ipc::Reply)];
    long length = ipc::receive_message(requests_.get(), buffer, sizeof buffer, -1);
    if (length != long(sizeof buffer)) return false;
    std::memcpy(&reply, buffer + sizeof(ipc::MessageHeader), sizeof reply);
    await_notifications_up_to(reply.notified_up_to, lock);
    return true;
}

// The callbacks for a request's own changes (its port registered, its connection made) have run
// when the request returns, as in JACK1: a program that counts them after the call sees them all.
void Client::await_notifications_up_to(uint32_t serial,
                                       std::unique_lock<std::mutex>& request_lock) {
    if (serial == 0 || on_notification_thread) {
        request_lock.unlock();
        return;
    }
    std::unique_lock lock(dispatch_mutex_);
    ++awaiting_; // before the request lock goes: a callback closing the client waits for it
    request_lock.unlock();
    dispatched_.wait_for(lock, kOwnNotificationsWait, [&] {
        return notifications_ended_ || int32_t(dispatched_serial_ - serial) >= 0;
    });
    --awaiting_;
    // A client closed from its own callback meanwhile is deleted once no thread waits here.
    if (notifications_ended_) dispatched_.notify_all();
}

void Client::stop_dispatching_before_delete() {
    end_dispatching();
    std::unique_lock lock(dispatch_mutex_);
    dispatched_.wait(lock, [&] { return awaiting_ == 0; });
}

void Client::mark_dispatched(uint32_t serial) {
    {
        std::lock_guard lock(dispatch_mutex_);
        dispatched_serial_ = serial;
    }
    dispatched_.notify_all();
}

void Client::end_dispatching() {
    {
        std::lock_guard lock(dispatch_mutex_);
        notifications_ended_ = true;
    }
    dispatched_.notify_all();
}

int Client::simple_request(ipc::RequestType type, const void* payload, size_t size) {
    ipc::Reply reply{};
    if (!request(type, payload, size, reply)) return -1;
    return reply.status;
}

// ---- lifecycle ---------------------------------------------------------------------------------

bool Client::has_realtime_role() const noexcept {
    // Sync and timebase callbacks run on the process thread too.
    return callbacks_.process || callbacks_.process_thread || callbacks_.sync.load() ||
           callbacks_.timebase.load();
}

int Client::activate() {
    NoCancellation quiet;
    if (active_.load()) return 0;
    if (server_gone_.load()) return -1;
    // A process thread still inside a callback from before the last deactivation shares rt_.
    if (process_running_.load() && !process_thread_.joinable()) return -1;
    bool realtime = has_realtime_role();
    if (realtime) start_process_thread();
    active_ = true;
    ipc::ActivateRequest payload{};
    payload.realtime_role = realtime;
    payload.latency_callback = callbacks_.latency != nullptr;
    payload.process_tid = realtime ? process_tid_.load() : 0;
    if (simple_request(ipc::RequestType::activate, &payload, sizeof payload) != 0) {
        active_ = false;
        stop_process_thread();
        return -1;
    }
    return 0;
}

int Client::ensure_process_thread() {
    if (!active_.load() || process_thread_.joinable()) return 0;
    start_process_thread();
    ipc::ActivateRequest payload{};
    payload.realtime_role = 1;
    payload.process_tid = process_tid_.load();
    return simple_request(ipc::RequestType::activate, &payload, sizeof payload) == 0 ? 0 : -1;
}

void Client::start_process_thread() {
    // As JACK2: the process thread's buffer-size and thread-init callbacks have returned
    // before the client is scheduled, so a slow init cannot cost cycles.
    stop_process_.store(false);
    quiescing_.store(false);
    process_ready_.store(false);
    process_running_.store(true);
    process_thread_ = std::thread([this] { process_loop(); });
    process_ready_.wait(false);
}

void Client::stop_process_thread() {
    if (!process_thread_.joinable()) return;
    stop_process_.store(true);
    link_->data().activations[refnum_].wakeup.signal();
    if (process_thread_.get_id() == std::this_thread::get_id()) {
        process_thread_.detach(); // deactivated from its own process callback
        process_pthread_ = 0;
        process_thread_pointer_ = nullptr;
        return;
    }
    bool ended = wait_process_thread_wound_down(kProcessCancelGrace);
    if (!ended) {
        pthread_cancel(process_thread_.native_handle());
        ended = wait_process_thread_wound_down(kProcessStopWait - kProcessCancelGrace);
    }
    if (ended) {
        process_thread_.join();
    } else {
        BANTAM_WARN("client '%s': the process thread did not return from its callback within %d s; "
                    "left running",
                    name_.c_str(), int(kProcessStopWait.count()));
        abandoned_ = true;
        process_thread_.detach();
    }
    process_pthread_ = 0;
    process_thread_pointer_ = nullptr;
}

bool Client::wait_process_thread_wound_down(std::chrono::milliseconds patience) const {
    // Rare and short (the callback of one cycle), so polling.
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (process_running_.load(std::memory_order_acquire)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

int Client::deactivate() {
    NoCancellation quiet;
    if (!active_.load()) return 0;
    quiescing_.store(true);
    ipc::EmptyRequest payload{};
    int rc = simple_request(ipc::RequestType::deactivate, &payload, sizeof payload);
    active_ = false;
    stop_process_thread();
    return server_gone_.load() ? 0 : (rc == 0 ? 0 : -1);
}

int Client::close() {
    NoCancellation quiet;
    Deleter deleter = Deleter::caller;
    if (on_process_thread())
        deleter = Deleter::process_thread;
    else if (notification_thread_.get_id() == std::this_thread::get_id())
        deleter = Deleter::notification_thread;
    deleter_.store(deleter);
    closing_ = true;
    deactivate();
    {
        ipc::EmptyRequest payload{};
        ipc::Reply reply{};
        request(ipc::RequestType::close, &payload, sizeof payload, reply);
        std::lock_guard lock(request_mutex_);
        ::shutdown(requests_.get(), SHUT_RDWR);
        ::shutdown(notifications_.get(), SHUT_RDWR);
    }
    if (notification_thread_.joinable()) {
        if (notification_thread_.get_id() == std::this_thread::get_id())
            notification_thread_.detach();
        else
            notification_thread_.join();
    }
    if (deleter != Deleter::caller) return 0;
    // After a deactivation from inside the process callback, that thread winds down alone.
    if (abandoned_.load() || !wait_process_thread_wound_down(kProcessStopWait)) {
        BANTAM_WARN("client '%s' closed with its process thread still in a callback; its memory "
                    "is kept",
                    name_.c_str());
        return 0;
    }
    delete this;
    return 0;
}

void Client::shutdown_from_server(const char* reason) {
    server_gone_ = true;
    if (closing_.load() || shutdown_delivered_.exchange(true)) return;
    stop_process_.store(true);
    link_->data().activations[refnum_].wakeup.signal();
    if (callbacks_.info_shutdown)
        callbacks_.info_shutdown(jack_status_t(JackFailure | JackServerError), reason,
                                 callbacks_.info_shutdown_arg);
    else if (callbacks_.shutdown)
        callbacks_.shutdown(callbacks_.shutdown_arg);
}

uint64_t Client::uuid_value() const {
    ClientInfo info;
    return link_->read_client_info(refnum_, info) ? info.uuid : 0;
}

char* Client::uuid_string() const {
    return strdup(std::to_string(uuid_value()).c_str());
}

jack_nframes_t Client::cycle_wait_or_exit() {
    jack_nframes_t frames = cycle_wait();
    if (frames != 0) run_sync_callback();
    if (frames == 0 && on_process_thread()) {
        wind_down_process_thread(); // close() waits for it, and may delete the client after it
        pthread_exit(nullptr);
    }
    return frames;
}

void Client::cycle_signal_from_user(int status) {
    if (rt_.in_cycle && status == 0) run_timebase_callback(header().buffer_size.load());
    cycle_signal(status);
}

Callbacks& Client::callbacks_for_setting(int& status) noexcept {
    status = active_.load() ? -1 : 0;
    return callbacks_;
}

void Client::call_sample_rate_now() {
    if (callbacks_.sample_rate)
        callbacks_.sample_rate(header().sample_rate.load(), callbacks_.sample_rate_arg);
}

// ---- notifications
// -------------------------------------------------------------------------------

void Client::notification_loop() {
    pthread_setname_np(pthread_self(), "jack-notify");
    on_notification_thread = true;
    for (;;) {
        std::byte buffer[sizeof(ipc::MessageHeader) + sizeof(ipc::Notification)];
        long length = ipc::receive_message(notifications_.get(), buffer, sizeof buffer, -1);
        if (length <= 0) {
            shutdown_from_server("JACK server has been closed");
            end_dispatching();
            return;
        }
        if (length != long(sizeof buffer)) continue;
        ipc::Notification notification;
        std::memcpy(&notification, buffer + sizeof(ipc::MessageHeader), sizeof notification);
        dispatch(notification);
        if (deleter_.load() == Deleter::notification_thread) {
            stop_dispatching_before_delete();
            delete this; // closed from inside a callback on this thread
            return;
        }
        if (notification.sync) {
            ipc::NotificationAck ack{notification.serial};
            ipc::send_message(notifications_.get(), 0, &ack, sizeof ack);
        }
        mark_dispatched(notification.serial);
        if (notification.type == ipc::NotificationType::shutdown) {
            end_dispatching();
            return;
        }
    }
}

void Client::dispatch(const ipc::Notification& n) {
    using ipc::NotificationType;
    auto& cb = callbacks_;
    if (n.type == NotificationType::port_renamed) {
        if (Port* port = link_->port(n.a)) port->set_name(n.name2);
    }
    if (n.type == NotificationType::port_registered) {
        if (Port* port = link_->port(n.a)) port->refresh(link_->control().ports[n.a]);
    }
    if (n.type == NotificationType::shutdown) {
        shutdown_from_server(n.name1[0] ? n.name1 : "JACK server has been closed");
        return;
    }
    if (!active_.load() || closing_.load()) return; // nothing is delivered while inactive
    switch (n.type) {
    case NotificationType::client_registered:
        if (cb.client_registration && std::strcmp(n.name1, name_.c_str()) != 0)
            cb.client_registration(n.name1, int(n.a), cb.client_registration_arg);
        break;
    case NotificationType::port_registered:
        if (cb.port_registration) cb.port_registration(n.a, int(n.b), cb.port_registration_arg);
        break;
    case NotificationType::port_connected:
        if (cb.port_connect) cb.port_connect(n.a, n.b, int(n.c), cb.port_connect_arg);
        break;
    case NotificationType::port_renamed:
        if (cb.port_rename) cb.port_rename(n.a, n.name1, n.name2, cb.port_rename_arg);
        break;
    case NotificationType::graph_order:
        if (cb.graph_order) cb.graph_order(cb.graph_order_arg);
        break;
    case NotificationType::xrun:
        if (cb.xrun) cb.xrun(cb.xrun_arg);
        break;
    case NotificationType::buffer_size:
        if (cb.buffer_size) cb.buffer_size(n.a, cb.buffer_size_arg);
        break;
    case NotificationType::freewheel: {
        // Freewheeling is not real-time: the process thread leaves SCHED_FIFO meanwhile.
        sched_param param{};
        const pthread_t process_thread = process_pthread_.load();
        if (n.a && process_thread) pthread_setschedparam(process_thread, SCHED_OTHER, &param);
        if (cb.freewheel) cb.freewheel(int(n.a), cb.freewheel_arg);
        if (!n.a && process_thread && process_thread_priority() > 0) {
            param.sched_priority = process_thread_priority();
            pthread_setschedparam(process_thread, SCHED_FIFO, &param);
        }
        break;
    }
    case NotificationType::latency:
        if (cb.latency) cb.latency(jack_latency_callback_mode_t(n.a), cb.latency_arg);
        break;
    case NotificationType::session:
        deliver_session_event(n);
        break;
    case NotificationType::property_changed:
        if (cb.property_change)
            cb.property_change(uint64_t(n.a) | (uint64_t(n.b) << 32),
                               (n.c & 0x100) ? nullptr : n.name1,
                               jack_property_change_t(n.c & 0xff), cb.property_change_arg);
        break;
    case NotificationType::sample_rate:
        if (cb.sample_rate) cb.sample_rate(n.a, cb.sample_rate_arg);
        break;
    default:
        break;
    }
}

// ---- ports
// ---------------------------------------------------------------------------------------

Port* Client::register_port(const char* short_name, const char* type, unsigned long flags) {
    if (!short_name || !type) return nullptr;
    ipc::PortRegisterRequest payload{};
    if (std::strcmp(type, kAudioTypeName) == 0)
        payload.type = PortType::audio;
    else if (std::strcmp(type, kMidiTypeName) == 0)
        payload.type = PortType::midi;
    else
        return nullptr;
    payload.flags = uint32_t(flags);
    if (!ipc::copy_name(payload.short_name, short_name)) return nullptr;
    ipc::Reply reply{};
    if (!request(ipc::RequestType::port_register, &payload, sizeof payload, reply) ||
        reply.status != 0)
        return nullptr;
    Port* port = link_->port(reply.value);
    if (port) port->refresh(link_->control().ports[reply.value]);
    return port;
}

bool Client::owns(const Port* port) const noexcept {
    return port && &port->link() == link_ && port->in_use() && port->owner() == refnum_;
}

int Client::unregister_port(Port* port) {
    if (!owns(port)) return -1;
    ipc::PortRequest payload{port->id()};
    int rc = simple_request(ipc::RequestType::port_unregister, &payload, sizeof payload);
    port->refresh(link_->control().ports[port->id()]);
    return rc == 0 ? 0 : -1;
}

int Client::rename_port(Port* port, const char* short_name) {
    if (!port || !short_name) return -1;
    ipc::PortNameRequest payload{port->id(), {}};
    if (!ipc::copy_name(payload.name, short_name)) return -1;
    int rc = simple_request(ipc::RequestType::port_rename, &payload, sizeof payload);
    if (rc == 0) port->refresh(link_->control().ports[port->id()]);
    return rc == 0 ? 0 : -1;
}

int Client::set_alias(Port* port, const char* alias, bool set) {
    if (!port || !alias) return -1;
    ipc::PortNameRequest payload{port->id(), {}};
    if (!ipc::copy_name(payload.name, alias)) return -1;
    int rc =
        simple_request(set ? ipc::RequestType::port_set_alias : ipc::RequestType::port_unset_alias,
                       &payload, sizeof payload);
    return rc == 0 ? 0 : -1;
}

int Client::connect(const char* source, const char* destination) {
    if (!source || !destination) return -1;
    ipc::ConnectRequest payload{};
    if (!ipc::copy_name(payload.source, source) ||
        !ipc::copy_name(payload.destination, destination))
        return -1;
    int rc = simple_request(ipc::RequestType::connect, &payload, sizeof payload);
    return rc == EEXIST ? EEXIST : (rc == 0 ? 0 : -1);
}

int Client::disconnect(const char* source, const char* destination) {
    if (!source || !destination) return -1;
    ipc::ConnectRequest payload{};
    if (!ipc::copy_name(payload.source, source) ||
        !ipc::copy_name(payload.destination, destination))
        return -1;
    return simple_request(ipc::RequestType::disconnect, &payload, sizeof payload) == 0 ? 0 : -1;
}

int Client::disconnect_all(Port* port) {
    // Any client's port, as jackd2: a patchbay disconnects other clients' ports this way.
    if (!port || &port->link() != link_ || !port->in_use()) return -1;
    ipc::PortRequest payload{port->id()};
    return simple_request(ipc::RequestType::port_disconnect_all, &payload, sizeof payload) == 0
               ? 0
               : -1;
}

int Client::set_latency_range(Port* port, jack_latency_callback_mode_t mode,
                              jack_latency_range_t range) {
    if (!port) return -1;
    ipc::LatencyRequest payload{port->id(), uint32_t(mode), {range.min, range.max}};
    return simple_request(ipc::RequestType::set_latency_range, &payload, sizeof payload) == 0 ? 0
                                                                                              : -1;
}

int Client::reset_max_delay() {
    ipc::EmptyRequest payload{};
    return simple_request(ipc::RequestType::reset_max_delay, &payload, sizeof payload) == 0 ? 0
                                                                                            : -1;
}

int Client::request_monitor(Port* port, int change) {
    if (!port) return -1;
    ipc::MonitorRequest payload{port->id(), change};
    return simple_request(ipc::RequestType::request_monitor, &payload, sizeof payload) == 0 ? 0
                                                                                            : -1;
}

int Client::recompute_latencies() {
    ipc::EmptyRequest payload{};
    return simple_request(ipc::RequestType::recompute_latencies, &payload, sizeof payload) == 0
               ? 0
               : -1;
}

// jackd2 refuses every request from a notification callback. Bantam serves the others, as JACK1
// does, but not these two: each makes the server wait for every client's callback, the
// caller's own among them, whose thread is the one waiting here (a 2 s stall of the graph).
int Client::set_freewheel(bool on) {
    if (on_notification_thread) return -1;
    ipc::FreewheelRequest payload{on};
    return simple_request(ipc::RequestType::set_freewheel, &payload, sizeof payload) == 0 ? 0 : -1;
}

int Client::set_buffer_size(uint32_t frames) {
    if (on_notification_thread) return -1;
    ipc::BufferSizeRequest payload{frames, on_process_thread() ? 1u : 0u};
    return simple_request(ipc::RequestType::set_buffer_size, &payload, sizeof payload) == 0 ? 0
                                                                                            : -1;
}

} // namespace bantam::client
