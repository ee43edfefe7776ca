#pragma once

// The driver thread: one cycle per period. At each cycle start it adopts the newest graph
// snapshot, checks who missed the previous cycle, resets every client's tagged activation
// counter and wakes the clients with no upstream; from there clients wake each other. The
// server is not in the per-hop path.
//
// A client still busy with an older cycle is skipped: its counter is tagged with the new
// cycle and marked kSkipped, the driver signals its downstream on its behalf, and readers
// treat its outputs as silence. So a stopped or crashed client never stalls the server.

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "drivers/driver.hpp"
#include "ipc/shared_layout.hpp"
#include "rt/annotations.hpp"
#include "server/transport.hpp"

namespace bantam::server {

class CycleRunner {
  public:
    CycleRunner(ipc::ControlSegment& control, ipc::DataSegment& data, drivers::Driver& driver,
                bool sync);
    ~CycleRunner();

    // Thread: control, before start().
    void set_driver_ports(std::vector<uint32_t> capture, std::vector<uint32_t> playback);
    // Starts the driver thread; returns a warning (empty if none) when real-time scheduling
    // could not be had.
    std::string start(bool realtime, int priority);
    void stop() noexcept;
    std::thread::native_handle_type native_handle() noexcept { return thread_.native_handle(); }

    // Thread: control. Stops cycling at a cycle boundary, and restarts the clock. The cycle of
    // `in_cycle` (a client whose request this pause serves, made from inside its cycle) is not
    // waited for: it cannot end before the reply.
    void pause(uint32_t in_cycle = kMaxClients) noexcept;
    void resume() noexcept;
    bool paused() const noexcept { return paused_.load(); }
    bool running() const noexcept { return thread_.joinable() && !paused_.load(); }

    // Thread: control. The driver thread owns the maximum; it clears it at the next cycle.
    void reset_max_delay() noexcept { reset_max_delay_.store(true, std::memory_order_release); }

    // Thread: control. Freewheeling takes effect at the next cycle boundary.
    void set_freewheel(bool on) noexcept {
        control_.header.freewheel.store(on);
        freewheel_requested_.store(on, std::memory_order_release);
    }

    // Thread: control. Waits until a cycle has started on snapshot `slot`.
    bool wait_until_adopted(uint32_t slot, uint32_t timeout_ms) noexcept;

    // Thread: control. Xruns seen since the last call, and the refnums blamed for them.
    uint64_t take_xruns(std::vector<uint32_t>& late_clients) noexcept;
    // Signaled from the RT thread when there is something to take.
    ipc::Wakeup& attention() noexcept { return attention_; }

    uint64_t cycles() const noexcept { return control_.header.cycle.load(); }

  private:
    void thread_main() noexcept;
    RT_NONBLOCKING void run_cycle(const drivers::CycleTiming& timing, bool freewheeling) noexcept;
    // Sync mode: waits for this cycle's graph (never past the next period), then plays it.
    void finish_sync_cycle(uint64_t start_usecs) noexcept;
    void run_freewheel_cycle() noexcept;
    void set_own_scheduling(bool realtime) noexcept;
    // Waits until every client of the current cycle has finished, or the deadline.
    void wait_for_graph(uint64_t deadline_usecs) noexcept;
    RT_NONBLOCKING void note_previous_cycle(const ipc::Snapshot& previous, uint64_t previous_cycle,
                                            bool driver_xrun, uint64_t delayed_usecs) noexcept;
    RT_NONBLOCKING void write_playback(const ipc::Snapshot& snapshot, uint64_t cycle) noexcept;
    // With the driver thread stopped or paused: no client is left in a cycle.
    void settle_clients(uint32_t in_cycle = kMaxClients) noexcept;
    // Some client of this snapshot is still busy with an older cycle.
    RT_NONBLOCKING bool any_client_running(const ipc::Snapshot& snapshot) const noexcept;
    RT_NONBLOCKING void update_frame_timer(uint64_t start_usecs) noexcept;

    ipc::ControlSegment& control_;
    ipc::DataSegment& data_;
    drivers::Driver& driver_;
    const bool sync_;
    std::vector<uint32_t> capture_ports_, playback_ports_;
    std::vector<float*> capture_buffers_;
    std::vector<const float*> playback_buffers_;

    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> pause_requested_{false};
    std::atomic<bool> paused_{false};
    std::atomic<bool> freewheel_requested_{false};
    std::atomic<bool> reset_max_delay_{false};
    ipc::Wakeup attention_;
    TransportEngine transport_;
    std::atomic<uint64_t> xruns_{0};
    std::array<std::atomic<uint32_t>, kMaxClients> late_counts_{};

    // Touched only by the driver thread.
    struct {
        uint64_t frames = 0;
        uint64_t previous_start_usecs = 0;
        std::array<float, 32> load_window{};
        uint32_t load_index = 0;
        float max_delayed_usecs = 0;
        bool freewheeling = false;
        // By refnum: missed its last cycle (late or skipped). One stuck client is one xrun, not
        // one per cycle until it recovers or is removed.
        std::array<bool, kMaxClients> stuck{};
    } rt_;
};

} // namespace bantam::server
