#pragma once

// bantamd as a whole: the shared segments, the driver and its thread, the engine, and the
// control thread's event loop over the listening socket and every client's socket.

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/socket.hpp"
#include "server/cycle_runner.hpp"
#include "server/engine.hpp"
#include "server/internal_clients.hpp"
#include "server/options.hpp"
#include "server/thread_placement.hpp"

namespace bantam::server {

sigset_t termination_signals();
// Call first thing in main(): SIGINT/SIGTERM/SIGHUP are then read from a signalfd.
void block_termination_signals();

class Server {
  public:
    // Throws std::runtime_error with a clear message (name in use, no permissions, ...).
    Server(ServerOptions options, std::unique_ptr<drivers::Driver> driver);
    ~Server();

    // Runs until SIGINT/SIGTERM, or with -T until the last client leaves. Returns the exit code.
    int run();

  private:
    void claim_name();
    void accept_client();
    void serve_open(ipc::UniqueFd connection);
    void serve_request(uint32_t refnum);
    void drop_client(uint32_t refnum, const char* why);
    void forward_xruns();
    void remove_zombies(); // clients that ran no cycle within the client timeout (-t)
    void watch(int fd, uint64_t tag);
    void unwatch(int fd);
    int shut_down(); // the last cycle, then every client hears of the shutdown

    // Internal clients (server_internal.cpp). serve_internal_request() returns false when the
    // reply is deferred until a loader thread has finished.
    bool serve_internal_request(uint32_t refnum, const ipc::DecodedRequest& request,
                                ipc::Reply& reply);
    void finish_internal_jobs();
    void reply_later(uint32_t refnum, uint64_t uuid, const ipc::Reply& reply);
    void unload_internal_client(uint32_t refnum, uint32_t requester);
    // Once stopping: unloads every internal client; true when none is left or loading.
    bool internal_clients_unloaded();

    ServerOptions options_;
    std::unique_ptr<drivers::Driver> driver_;
    ipc::SharedMemory control_memory_, data_memory_;
    ipc::ControlSegment* control_ = nullptr;
    ipc::DataSegment* data_ = nullptr;
    std::unique_ptr<CycleRunner> runner_;
    std::unique_ptr<ThreadPlacement> placement_;
    std::unique_ptr<Engine> engine_;
    ipc::UniqueFd lock_, listener_, epoll_, signals_, xrun_events_;
    std::string socket_path_, lock_path_;
    std::thread relay_;
    std::atomic<bool> relay_stop_{false};
    bool had_client_ = false;
    std::vector<std::byte> request_buffer_ = std::vector<std::byte>(ipc::kMaxMessageSize + 64);
    std::vector<std::byte> reply_buffer_;
    bool stopping_ = false; // a termination signal came; internal clients are being unloaded
    uint64_t stop_deadline_ns_ = 0;
    uint64_t next_zombie_check_ns_ = 0;
    std::unique_ptr<InternalClientHost> internal_;
};

} // namespace bantam::server
