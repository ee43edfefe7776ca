#include "server/cycle_runner.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <string>

#include "common/clock.hpp"
#include "ipc/port_buffers.hpp"
#include "rt/tsan.hpp"

namespace bantam::server {

using ipc::Activation;
using ipc::pack_pending;

CycleRunner::CycleRunner(ipc::ControlSegment& control, ipc::DataSegment& data,
                         drivers::Driver& driver, bool sync)
    : control_(control), data_(data), driver_(driver), sync_(sync), transport_(control, data) {}

CycleRunner::~CycleRunner() {
    stop();
}

void CycleRunner::set_driver_ports(std::vector<uint32_t> capture, std::vector<uint32_t> playback) {
    capture_ports_ = std::move(capture);
    playback_ports_ = std::move(playback);
    capture_buffers_.clear();
    for (uint32_t port : capture_ports_)
        capture_buffers_.push_back(data_.buffers[port].samples);
    playback_buffers_.assign(playback_ports_.size(), nullptr);
}

void CycleRunner::set_own_scheduling(bool realtime) noexcept {
    if (!control_.header.rt_priority.load()) return; // never had real-time scheduling
    sched_param param{};
    param.sched_priority = realtime ? control_.header.rt_priority.load() : 0;
    pthread_setschedparam(pthread_self(), realtime ? SCHED_FIFO : SCHED_OTHER, &param);
}

std::string CycleRunner::start(bool realtime, int priority) {
    driver_.start();
    thread_ = std::thread([this] { thread_main(); });
    pthread_setname_np(thread_.native_handle(), "bantam-driver");
    if (!realtime) return {};
    sched_param param{};
    param.sched_priority = priority;
    int rc = pthread_setschedparam(thread_.native_handle(), SCHED_FIFO, &param);
    if (rc != 0)
        return "cannot use real-time scheduling (SCHED_FIFO priority " + std::to_string(priority) +
               "): " + std::strerror(rc) +
               "; running with normal scheduling (see README: real-time permissions)";
    control_.header.realtime = 1;
    control_.header.rt_priority = priority;
    return {};
}

void CycleRunner::stop() noexcept {
    if (!thread_.joinable()) return;
    stopping_ = true;
    resume();
    thread_.join();
    // Graph changes go on after the driver stops (internal clients are unloaded then), and
    // rewrite snapshots a client's last cycle may still read.
    settle_clients();
}

void CycleRunner::pause(uint32_t in_cycle) noexcept {
    if (!thread_.joinable()) return;
    pause_requested_ = true;
    while (!paused_.load())
        paused_.wait(false);
    // No cycle may straddle the pause (a buffer size change happens in it), but the one of the
    // client waiting for this request: it ends after the pause, heard as nothing.
    settle_clients(in_cycle);
}

void CycleRunner::settle_clients(uint32_t in_cycle) noexcept {
    // A wakeup a client has not acted on yet is withdrawn, and a cycle a client already runs
    // is waited for (up to a second: a stuck client is the zombie check's business).
    const uint64_t cycle = control_.header.cycle.load();
    const ipc::Snapshot& snapshot =
        control_.snapshots[control_.header.cycle_snapshot.load() % kSnapshotSlots];
    const uint32_t count = std::min(snapshot.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i)
        data_.activations[snapshot.order[i] % kMaxClients].pending.store(
            pack_pending(cycle, Activation::kSkipped));
    const uint64_t deadline = monotonic_usecs() + 1000000;
    for (uint32_t i = 0; i < count; ++i) {
        if (snapshot.order[i] == in_cycle) continue;
        const Activation& activation = data_.activations[snapshot.order[i] % kMaxClients];
        while (activation.state.load() == ipc::RunState::running && monotonic_usecs() < deadline) {
            timespec nap{0, 200000};
            nanosleep(&nap, nullptr);
        }
    }
}

void CycleRunner::resume() noexcept {
    pause_requested_ = false;
    pause_requested_.notify_all();
}

bool CycleRunner::wait_until_adopted(uint32_t slot, uint32_t timeout_ms) noexcept {
    uint64_t deadline = monotonic_usecs() + uint64_t(timeout_ms) * 1000;
    while (control_.header.cycle_snapshot.load() != slot) {
        if (!thread_.joinable() || paused_.load()) {
            control_.header.cycle_snapshot = slot; // nothing runs: adopt directly
            return true;
        }
        if (monotonic_usecs() > deadline) return false;
        timespec pause{0, 200000};
        nanosleep(&pause, nullptr);
    }
    return true;
}

uint64_t CycleRunner::take_xruns(std::vector<uint32_t>& late_clients) noexcept {
    late_clients.clear();
    for (uint32_t refnum = 0; refnum < kMaxClients; ++refnum)
        if (late_counts_[refnum].exchange(0) != 0) late_clients.push_back(refnum);
    return xruns_.exchange(0);
}

void CycleRunner::thread_main() noexcept {
    while (!stopping_.load(std::memory_order_relaxed)) {
        if (pause_requested_.load()) {
            paused_ = true;
            paused_.notify_all();
            while (pause_requested_.load())
                pause_requested_.wait(true);
            paused_ = false;
            driver_.start();
            continue;
        }
        if (freewheel_requested_.load(std::memory_order_acquire)) {
            run_freewheel_cycle();
            continue;
        }
        if (rt_.freewheeling) {
            rt_.freewheeling = false;
            set_own_scheduling(true);
            driver_.start(); // the device clock starts afresh after freewheeling
        }
        drivers::CycleTiming timing = driver_.wait_for_cycle();
        run_cycle(timing, false);
        if (sync_) finish_sync_cycle(timing.start_usecs);
    }
    // Off the real-time path from here: thread teardown frees memory, and the allocation
    // guard in the tests watches threads by this name.
    pthread_setname_np(pthread_self(), "bantam-stopped");
}

void CycleRunner::update_frame_timer(uint64_t start_usecs) noexcept {
    auto& timer = control_.header.timer;
    uint32_t frames = control_.header.buffer_size.load(std::memory_order_relaxed);
    uint32_t rate = control_.header.sample_rate.load(std::memory_order_relaxed);
    uint64_t period_usecs_x1000 = uint64_t(frames) * 1000000000ull / rate;
    timer.seq.fetch_add(1, std::memory_order_acq_rel);
    timer.frames.store(rt_.frames, std::memory_order_relaxed);
    timer.current_usecs.store(start_usecs, std::memory_order_relaxed);
    timer.next_usecs.store(start_usecs + period_usecs_x1000 / 1000, std::memory_order_relaxed);
    timer.period_usecs_x1000.store(uint32_t(period_usecs_x1000), std::memory_order_relaxed);
    timer.seq.fetch_add(1, std::memory_order_release);
    rt_.frames += frames;
}

void CycleRunner::note_previous_cycle(const ipc::Snapshot& previous, uint64_t previous_cycle,
                                      bool driver_xrun, uint64_t delayed_usecs) noexcept {
    bool graph_late = ipc::pending_tag(data_.graph_pending.load()) == uint32_t(previous_cycle) &&
                      ipc::pending_count(data_.graph_pending.load()) != 0;
    uint64_t graph_end = previous_cycle ? rt_.previous_start_usecs : 0;
    // One fault, one xrun. A client skipped because it was still busy with an older cycle
    // produced silence: an xrun too, even if the rest of the graph finished in time; but only
    // when it gets stuck, not again for every cycle it stays so. Likewise a client that missed
    // the cycle before and did not even start this one (a dead process whose hang-up is not
    // handled yet, a stopped one) is the same fault going on, and a client whose upstream never
    // finished was never woken: neither counts again.
    bool newly_stuck = false;
    uint32_t count = std::min(previous.order_count, kMaxClients);
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t refnum = previous.order[i];
        if (refnum >= kMaxClients) continue;
        const Activation& activation = data_.activations[refnum];
        bool skipped = activation.pending.load() ==
                       pack_pending(uint32_t(previous_cycle), Activation::kSkipped);
        if (skipped) {
            if (!rt_.stuck[refnum]) {
                newly_stuck = true;
                late_counts_[refnum].fetch_add(1, std::memory_order_relaxed);
            }
            rt_.stuck[refnum] = true;
            continue;
        }
        if (activation.finished_cycle.load() != previous_cycle) {
            if (!graph_late) continue;
            const uint64_t pending = activation.pending.load();
            const bool woken = ipc::pending_tag(pending) == uint32_t(previous_cycle) &&
                               ipc::pending_count(pending) == 0;
            const bool started = activation.running_cycle.load() == previous_cycle;
            if (!woken || (rt_.stuck[refnum] && !started)) continue;
            late_counts_[refnum].fetch_add(1, std::memory_order_relaxed);
            rt_.stuck[refnum] = true;
            newly_stuck = true;
        } else {
            rt_.stuck[refnum] = false;
            graph_end = std::max(graph_end, activation.finished_usecs.load());
        }
    }
    float& delayed_max = rt_.max_delayed_usecs;
    if (reset_max_delay_.exchange(false, std::memory_order_acq_rel)) delayed_max = 0;
    delayed_max = std::max(delayed_max, float(delayed_usecs));
    control_.header.max_delayed_bits.store(std::bit_cast<uint32_t>(delayed_max));
    if (driver_xrun || newly_stuck) {
        control_.header.xrun_count.fetch_add(1);
        if (driver_xrun) control_.header.driver_xrun_count.fetch_add(1);
        control_.header.xrun_delayed_bits.store(std::bit_cast<uint32_t>(float(delayed_usecs)));
        xruns_.fetch_add(1);
        attention_.signal();
    }

    // DSP load: how much of the period the graph took, as the maximum over a short window
    // (what jackd reports), in percent.
    uint64_t period_usecs = control_.header.timer.period_usecs_x1000.load() / 1000;
    if (period_usecs == 0 || rt_.previous_start_usecs == 0) return;
    float load = graph_late
                     ? 100.0f
                     : 100.0f * float(graph_end - rt_.previous_start_usecs) / float(period_usecs);
    rt_.load_window[rt_.load_index++ % rt_.load_window.size()] = std::min(load, 100.0f);
    float peak = *std::max_element(rt_.load_window.begin(), rt_.load_window.end());
    control_.header.cpu_load_bits.store(std::bit_cast<uint32_t>(peak));
}

void CycleRunner::write_playback(const ipc::Snapshot& snapshot, uint64_t cycle) noexcept {
    uint32_t frames = control_.header.buffer_size.load(std::memory_order_relaxed);
    for (size_t i = 0; i < playback_ports_.size(); ++i)
        playback_buffers_[i] =
            ipc::resolve_input_buffer(snapshot, data_, playback_ports_[i], frames, cycle, true);
    driver_.write_playback(playback_buffers_, frames);
}

void CycleRunner::run_freewheel_cycle() noexcept {
    // No device: the graph runs as fast as it can, each cycle waited for (up to 10 s, as
    // JACK2's freewheel driver does), and nothing counts as an xrun.
    if (!rt_.freewheeling) {
        rt_.freewheeling = true;
        uint32_t frames = control_.header.buffer_size.load(std::memory_order_relaxed);
        for (float* channel : capture_buffers_)
            for (uint32_t i = 0; i < frames; ++i)
                channel[i] = 0.0f;
        // Clients leave real-time scheduling while freewheeling; so does this thread, or it
        // would starve them.
        set_own_scheduling(false);
    }
    // No deadline to keep: a client still busy with the previous cycle is waited for, never
    // skipped.
    const ipc::Snapshot& current =
        control_.snapshots[control_.header.cycle_snapshot.load() % kSnapshotSlots];
    const uint64_t patience = monotonic_usecs() + 10000000;
    for (uint32_t i = 0; i < std::min(current.order_count, kMaxClients); ++i)
        while (data_.activations[current.order[i] % kMaxClients].state.load() ==
                   ipc::RunState::running &&
               monotonic_usecs() < patience && freewheel_requested_.load()) {
            timespec nap{0, 100000};
            nanosleep(&nap, nullptr);
        }
    drivers::CycleTiming timing;
    timing.start_usecs = monotonic_usecs();
    run_cycle(timing, true);
    wait_for_graph(timing.start_usecs + 10000000);
}

void CycleRunner::run_cycle(const drivers::CycleTiming& timing, bool freewheeling) noexcept {
    auto& header = control_.header;
    const uint64_t previous_cycle = header.cycle.load(std::memory_order_relaxed);
    const uint64_t cycle = previous_cycle + 1;
    const uint32_t frames = header.buffer_size.load(std::memory_order_relaxed);
    const ipc::Snapshot& previous =
        control_.snapshots[header.cycle_snapshot.load() % kSnapshotSlots];

    if (!freewheeling) {
        note_previous_cycle(previous, previous_cycle, timing.xrun, timing.delayed_usecs);
        // Async mode plays what the previous cycle produced, before waking anyone (one period
        // of extra latency, reported as such); sync mode waits for this cycle's graph later.
        if (!sync_ && previous_cycle != 0) write_playback(previous, previous_cycle);
    }

    const uint32_t slot = header.latest_snapshot.load(std::memory_order_acquire) % kSnapshotSlots;
    const ipc::Snapshot& snapshot = control_.snapshots[slot];
    header.cycle_snapshot.store(slot, std::memory_order_release);
    header.cycle_slots[cycle % std::size(header.cycle_slots)].store(slot,
                                                                    std::memory_order_release);
    // Sequentially consistent, as the clients' state: a client claiming an older cycle after
    // this store sees it and stands down (Client::cycle_wait).
    header.cycle.store(cycle, std::memory_order_seq_cst);
    update_frame_timer(timing.start_usecs);
    rt_.previous_start_usecs = timing.start_usecs;
    transport_.start_cycle(snapshot, cycle, timing.start_usecs, frames,
                           header.sample_rate.load(std::memory_order_relaxed));

    const uint32_t count = std::min(snapshot.order_count, kMaxClients);
    if (!freewheeling) {
        // A client still busy with the last cycle may still read its capture (rt/tsan.hpp).
        const bool hide = rt::kThreadSanitizer && any_client_running(snapshot);
        if (hide) rt::tsan_hide_accesses();
        driver_.read_capture(capture_buffers_, frames);
        if (hide) rt::tsan_show_accesses();
    }
    data_.activations[kDriverRefnum].finished_cycle.store(cycle, std::memory_order_release);

    // Reset every scheduled client's counter for this cycle, skipping the ones still busy.
    // Every state is read, and every skip marked, before any counter is reset: a client may
    // claim this cycle as soon as its own counter is reset (a wakeup left from the cycle it
    // missed), before anyone is woken. It must then find each client it feeds either seen idle
    // since its last cycle (so done reading our outputs) or marked skipped
    // (Client::feeds_a_skipped_client); otherwise the driver could find a reader further on in
    // the order still running, and that reader's late reads would not be ordered before the
    // writes of a cycle it is not even marked skipped for.
    uint32_t skipped[kMaxClients];
    uint32_t skipped_count = 0;
    bool skipping[kMaxClients] = {};
    // Set for this cycle before anyone is woken: the client that finishes the graph wakes the
    // driver only when it waits (sync mode, freewheel).
    data_.driver_waits.store(sync_ || freewheeling, std::memory_order_relaxed);
    data_.graph_pending.store(pack_pending(cycle, count), std::memory_order_release);
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t refnum = snapshot.order[i] % kMaxClients;
        Activation& activation = data_.activations[refnum];
        if (activation.state.load() != ipc::RunState::running) continue;
        activation.pending.store(pack_pending(cycle, Activation::kSkipped));
        skipping[refnum] = true;
        skipped[skipped_count++] = refnum;
    }
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t refnum = snapshot.order[i] % kMaxClients;
        if (!skipping[refnum])
            data_.activations[refnum].pending.store(
                pack_pending(cycle, snapshot.clients[refnum].upstream_count));
    }

    const uint64_t now = monotonic_usecs();
    // A skipped client's part is done for it.
    for (uint32_t i = 0; i < skipped_count; ++i) {
        ipc::signal_downstream(data_, snapshot, skipped[i], cycle, now);
        ipc::signal_tagged(data_.graph_pending, cycle);
    }
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t refnum = snapshot.order[i] % kMaxClients;
        Activation& activation = data_.activations[refnum];
        if (snapshot.clients[refnum].upstream_count == 0 &&
            activation.pending.load() == pack_pending(cycle, 0)) {
            activation.signaled_usecs.store(now, std::memory_order_relaxed);
            activation.wakeup.signal();
        }
    }
}

bool CycleRunner::any_client_running(const ipc::Snapshot& snapshot) const noexcept {
    for (uint32_t i = 0; i < std::min(snapshot.order_count, kMaxClients); ++i)
        if (data_.activations[snapshot.order[i] % kMaxClients].state.load() ==
            ipc::RunState::running)
            return true;
    return false;
}

void CycleRunner::finish_sync_cycle(uint64_t start_usecs) noexcept {
    auto& header = control_.header;
    uint64_t period_usecs = header.timer.period_usecs_x1000.load() / 1000;
    wait_for_graph(start_usecs + period_usecs);
    write_playback(control_.snapshots[header.cycle_snapshot.load() % kSnapshotSlots],
                   header.cycle.load(std::memory_order_relaxed));
}

void CycleRunner::wait_for_graph(uint64_t deadline) noexcept {
    const uint64_t cycle = control_.header.cycle.load(std::memory_order_relaxed);
    while (ipc::pending_count(data_.graph_pending.load()) != 0 &&
           ipc::pending_tag(data_.graph_pending.load()) == uint32_t(cycle)) {
        uint64_t time = monotonic_usecs();
        if (time >= deadline) break;
        data_.graph_done.wait(deadline - time);
    }
}

} // namespace bantam::server
