#pragma once

// The C++ client runtime behind libjack: one Client per jack_client_t.
//
// Threads: the caller's threads make requests (serialised by request_mutex_); the notification
// thread runs every non-real-time callback and never holds request_mutex_ while doing so; the
// process thread runs thread_init and process and makes no request and no syscall but the
// futex wait/wake while cycling. A request returns once the notification thread has dispatched
// what the server sent the client before replying (waiting a bounded time, and never on a
// notification thread).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <jack/jack.h>
#include <jack/metadata.h>
#include <jack/session.h>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

#include "client/port.hpp"
#include "client/server_link.hpp"
#include "ipc/protocol.hpp"
#include "ipc/socket.hpp"
#include "rt/annotations.hpp"

namespace bantam::client {

struct Callbacks {
    JackProcessCallback process = nullptr;
    void* process_arg = nullptr;
    JackThreadCallback process_thread = nullptr;
    void* process_thread_arg = nullptr;
    JackThreadInitCallback thread_init = nullptr;
    void* thread_init_arg = nullptr;
    JackBufferSizeCallback buffer_size = nullptr;
    void* buffer_size_arg = nullptr;
    JackSampleRateCallback sample_rate = nullptr;
    void* sample_rate_arg = nullptr;
    JackClientRegistrationCallback client_registration = nullptr;
    void* client_registration_arg = nullptr;
    JackPortRegistrationCallback port_registration = nullptr;
    void* port_registration_arg = nullptr;
    JackPortConnectCallback port_connect = nullptr;
    void* port_connect_arg = nullptr;
    JackPortRenameCallback port_rename = nullptr;
    void* port_rename_arg = nullptr;
    JackGraphOrderCallback graph_order = nullptr;
    void* graph_order_arg = nullptr;
    JackXRunCallback xrun = nullptr;
    void* xrun_arg = nullptr;
    JackFreewheelCallback freewheel = nullptr;
    void* freewheel_arg = nullptr;
    JackShutdownCallback shutdown = nullptr;
    void* shutdown_arg = nullptr;
    JackInfoShutdownCallback info_shutdown = nullptr;
    void* info_shutdown_arg = nullptr;
    JackSessionCallback session = nullptr;
    void* session_arg = nullptr;
    JackLatencyCallback latency = nullptr;
    void* latency_arg = nullptr;
    // These two may be set and released while the client is active, as JACK allows, and are
    // read by the process thread: the callback is cleared before its argument changes and set
    // after, so the process thread never pairs a callback with another's argument.
    std::atomic<JackSyncCallback> sync{nullptr};
    std::atomic<void*> sync_arg{nullptr};
    std::atomic<JackTimebaseCallback> timebase{nullptr};
    std::atomic<void*> timebase_arg{nullptr};
    // Stored now; called once metadata exists (issue 3). Until then no property ever changes.
    JackPropertyChangeCallback property_change = nullptr;
    void* property_change_arg = nullptr;
};

struct PropertyRecord {
    uint64_t subject = 0;
    std::string key, value, type;
};

class Client {
  public:
    // Returns nullptr on failure with *status set as JACK documents. `options` are JackOptions
    // bits as the caller gave them, unknown ones included (the server refuses those).
    static Client* open(const char* name, uint32_t options, jack_status_t* status,
                        const char* server_name);
    ~Client();

    int close();
    int activate();
    int deactivate();
    bool active() const noexcept { return active_.load(); }
    // False once the server went away or removed this client: its view of the graph in shared
    // memory is stale from then on, so queries answer as JACK documents failure.
    bool connected() const noexcept { return !server_gone_.load(); }
    const char* name() const noexcept { return name_.c_str(); }
    uint32_t refnum() const noexcept { return refnum_; }
    ServerLink& link() const noexcept { return *link_; }
    const ipc::EngineHeader& header() const noexcept { return control_->header; }

    // Callback setters: fail (-1) while active, as JACK2 does.
    Callbacks& callbacks_for_setting(int& status) noexcept;
    const Callbacks& callbacks_for_setting_view() const noexcept { return callbacks_; }
    void call_sample_rate_now();

    // Ports.
    Port* register_port(const char* short_name, const char* type, unsigned long flags);
    int unregister_port(Port* port);
    int rename_port(Port* port, const char* short_name);
    int set_alias(Port* port, const char* alias, bool set);
    int connect(const char* source, const char* destination);
    int disconnect(const char* source, const char* destination);
    int disconnect_all(Port* port);
    int set_latency_range(Port* port, jack_latency_callback_mode_t mode,
                          jack_latency_range_t range);
    int set_buffer_size(uint32_t frames);
    int set_freewheel(bool on);
    int recompute_latencies();
    int request_monitor(Port* port, int change);
    int reset_max_delay();
    // JACK-Session (src/client/session.cpp).
    int set_session_callback(JackSessionCallback callback, void* arg);
    int session_reply(const jack_session_event_t& event);
    jack_session_command_t* session_notify(const char* target, jack_session_event_type_t type,
                                           const char* path);
    bool owns(const Port* port) const noexcept;

    // Thread: any, lock-free. The buffer of one of this client's ports in use (the others go to
    // ServerLink::unserved_buffer). See ipc::resolve_input for inputs.
    RT_NONBLOCKING void* port_buffer(Port* port, uint32_t frames) noexcept;

    // Alternate thread model and the loop behind the process callback.
    // Blocks until this client's turn (the one wait on the real-time path).
    RT_HOT jack_nframes_t cycle_wait() noexcept;
    RT_NONBLOCKING void cycle_signal(int status) noexcept;
    // A client this one feeds was skipped this cycle, still busy with an older one.
    RT_NONBLOCKING bool feeds_a_skipped_client() const noexcept;
    // A cycle while quiescing: this client's connected ports read as silence downstream.
    RT_NONBLOCKING void silence_own_ports(jack_nframes_t frames) noexcept;
    // ThreadSanitizer only: what ordered this cycle after other clients' in other processes.
    RT_NONBLOCKING void tsan_acquire_unseen_hops() const noexcept;

    pthread_t process_thread_id() const noexcept { return active() ? process_pthread_.load() : 0; }
    bool on_own_process_thread() const noexcept { return on_process_thread(); }
    int process_thread_priority() const noexcept;

    // Transport (src/client/transport.cpp). Requests are real-time safe: they write to the
    // data segment and the driver acts on them at the next cycle start.
    RT_NONBLOCKING void transport_command(uint32_t command) noexcept;
    RT_NONBLOCKING int transport_reposition(const jack_position_t& position) noexcept;
    RT_NONBLOCKING jack_transport_state_t transport_query(jack_position_t* position) const noexcept;
    RT_NONBLOCKING jack_nframes_t transport_frame() const noexcept;
    int set_sync_callback(JackSyncCallback callback, void* arg);
    int set_timebase_callback(bool conditional, JackTimebaseCallback callback, void* arg);
    int release_timebase();
    int set_sync_timeout(jack_time_t usecs);

    // Metadata (src/client/metadata.cpp). Returns the server's status (>= 0) or -1; query
    // results are appended to `results`.
    int metadata_request(ipc::MetadataOp op, uint64_t subject, const char* key, const char* value,
                         const char* type, std::vector<PropertyRecord>* results = nullptr);

    // Internal clients (src/client/internal_clients.cpp). A load or unload is answered once the
    // server's loader thread has finished it. Handles are the internal clients' refnums; 0 and
    // JackFailure mean failure. `object` is a name the server searches for or a path (made
    // absolute here); `init` may be NULL. Names come back malloc'd.
    jack_intclient_t load_internal_client(const char* name, jack_options_t options,
                                          const char* object, const char* init,
                                          jack_status_t* status);
    jack_status_t unload_internal_client(jack_intclient_t handle);
    jack_intclient_t internal_client_handle(const char* name, jack_status_t* status);
    char* internal_client_name(jack_intclient_t handle);

    void shutdown_from_server(const char* reason);
    // The client's uuid as JACK formats it, malloc'd (freed with jack_free).
    char* uuid_string() const;
    uint64_t uuid_value() const;
    // jack_cycle_wait for the alternate thread model: when the client stops, the thread exits
    // here as it does in JACK2, so a user loop never spins on a 0 frame count.
    RT_HOT jack_nframes_t cycle_wait_or_exit();
    // jack_cycle_signal: the timebase callback (if master) runs here, as in JACK2.
    RT_HOT void cycle_signal_from_user(int status);

  private:
    Client() = default;
    bool request(ipc::RequestType type, const void* payload, size_t size, ipc::Reply& reply);
    int simple_request(ipc::RequestType type, const void* payload, size_t size);
    void notification_loop();
    void mark_dispatched(uint32_t serial);
    void end_dispatching(); // no notification follows: waiting requests return
    // Called with the request lock held; releases it (before waiting, if it waits).
    void await_notifications_up_to(uint32_t serial, std::unique_lock<std::mutex>& request_lock);
    // Before a client closed from one of its own callbacks deletes itself: returns once no
    // thread waits in await_notifications_up_to.
    void stop_dispatching_before_delete();
    void dispatch(const ipc::Notification& notification);
    void deliver_session_event(const ipc::Notification& notification);
    RT_HOT void process_loop();
    // The process thread's last steps, whichever way it ends (its loop returns, or
    // jack_cycle_wait ends it): after this it touches nothing of the client.
    void wind_down_process_thread();
    // Thread: RT, around the process callback of each cycle.
    // Not noexcept: a user callback may end the thread by forced unwinding (pthread_exit,
    // as Python does to threads that call back into it during interpreter shutdown).
    RT_HOT void run_sync_callback();
    RT_HOT void run_timebase_callback(jack_nframes_t frames);
    static void leave_realtime_role() noexcept;
    bool has_realtime_role() const noexcept;
    void start_process_thread();
    // Returns once the process thread has wound down (cancelled, at a cancellation point, if its
    // callback has not returned after a grace period), or after kProcessStopWait with the
    // thread still inside a user callback: then it is detached and abandoned_ set.
    void stop_process_thread();
    bool wait_process_thread_wound_down(std::chrono::milliseconds patience) const;
    // A sync or timebase callback set while active needs a process thread to run on.
    int ensure_process_thread();

    std::string name_;
    std::string server_name_;
    uint32_t refnum_ = 0;
    ServerLink* link_ = nullptr;
    // The link's segments, kept here too: a cycle then reads no page of the link itself (see
    // RT_HOT in rt/annotations.hpp for what a page costs).
    const ipc::ControlSegment* control_ = nullptr;
    ipc::DataSegment* data_ = nullptr;
    ipc::UniqueFd requests_, notifications_;
    std::mutex request_mutex_;
    std::mutex dispatch_mutex_;
    std::condition_variable dispatched_;
    uint32_t dispatched_serial_ = 0;   // guarded by dispatch_mutex_
    bool notifications_ended_ = false; // guarded by dispatch_mutex_
    int awaiting_ = 0;                 // guarded by dispatch_mutex_
    std::atomic<bool> server_gone_{false};
    std::atomic<bool> active_{false};
    std::atomic<bool> closing_{false};
    // jack_client_close called from one of the client's own threads (inside a callback): that
    // thread deletes the client when its loop has unwound, never while it is still inside it.
    enum class Deleter { caller, process_thread, notification_thread };
    std::atomic<Deleter> deleter_{Deleter::caller};
    // The process thread has not finished: a thread that deactivated its client from its own
    // callback detaches itself and winds down alone, and the client must outlive that.
    std::atomic<bool> process_running_{false};
    // A process thread that did not wind down in time (a callback that never returns): the
    // client is never deleted, so that thread can never touch freed memory.
    std::atomic<bool> abandoned_{false};
    std::atomic<bool> stop_process_{false};
    // Set by deactivate before it asks the server: from then on the process thread answers
    // the cycles the server still gives it with silence, without calling back into the
    // program. Programs free what their callback uses between unregistering their ports and
    // closing (mpg123 does), and jackd2, which cancels the thread right after the request,
    // lets a cycle land there only while the request is under way.
    std::atomic<bool> quiescing_{false};
    std::atomic<bool> process_ready_{false};
    std::atomic<bool> shutdown_delivered_{false};
    Callbacks callbacks_;
    std::thread notification_thread_;
    std::thread process_thread_;
    // Set by the process thread itself before it reports ready; read by any thread.
    std::atomic<pthread_t> process_pthread_{0};
    // The same thread's thread pointer, which tells it apart without a call into libc (one
    // page less per cycle in jack_port_get_buffer; see RT_HOT in rt/annotations.hpp).
    std::atomic<const void*> process_thread_pointer_{nullptr};
    RT_NONBLOCKING bool on_process_thread() const noexcept {
        return __builtin_thread_pointer() ==
               process_thread_pointer_.load(std::memory_order_relaxed);
    }
    std::atomic<pid_t> process_tid_{0}; // the kernel's id of it, for the server's CPU placement

    // Touched only by the process thread while it cycles.
    struct {
        uint64_t cycle = 0;
        uint64_t last_run = 0;
        const ipc::Snapshot* snapshot = nullptr;
        bool in_cycle = false;
        bool hidden_from_tsan = false; // see rt/tsan.hpp
    } rt_;
};

} // namespace bantam::client
