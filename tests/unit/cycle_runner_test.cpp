// The engine, the cycle runner and the dummy driver together, in one process: snapshots are
// switched at cycle start while the driver thread runs, and buffer size changes stop and
// restart it. Also run under ThreadSanitizer.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "drivers/dummy/dummy_driver.hpp"
#include "server/cycle_runner.hpp"
#include "server/engine.hpp"

using namespace bantam;
using namespace std::chrono_literals;

namespace {

struct EngineRig {
    ipc::SharedMemory control_memory =
        ipc::SharedMemory::create("test-control", sizeof(ipc::ControlSegment));
    ipc::SharedMemory data_memory =
        ipc::SharedMemory::create("test-data", sizeof(ipc::DataSegment));
    ipc::ControlSegment* control = new (control_memory.data()) ipc::ControlSegment();
    ipc::DataSegment* data = new (data_memory.data()) ipc::DataSegment();
    drivers::DummyDriver driver{drivers::DummyOptions{48000, 64, 2, 2, 2, "", ""}};
    server::CycleRunner runner{*control, *data, driver, false};
    server::Engine engine{*control, *data, runner, driver, 256};

    EngineRig() {
        control->header.sample_rate = 48000;
        control->header.buffer_size = 64;
        control->header.timer.period_usecs_x1000 = 64u * 1000000000u / 48000u;
        engine.add_driver_ports(2, 2);
        runner.set_driver_ports(engine.capture_ports(), engine.playback_ports());
        runner.start(false, 0);
    }
    ~EngineRig() { runner.stop(); }

    void wait_cycles(uint64_t count) {
        uint64_t target = control->header.cycle.load() + count;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (control->header.cycle.load() < target) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the driver stopped cycling";
            std::this_thread::sleep_for(1ms);
        }
    }
};

} // namespace

TEST(CycleRunner, AdoptsEachPublishedSnapshotAtACycleStart) {
    EngineRig rig;
    rig.wait_cycles(3);
    for (int i = 0; i < 20; ++i) {
        uint64_t before = rig.engine.graph_generation();
        ASSERT_EQ(rig.engine.connect(0, "system:capture_1", "system:playback_1"), 0);
        uint32_t slot = rig.control->header.latest_snapshot.load();
        // publish_graph returned only once the driver runs on the new graph.
        EXPECT_EQ(rig.control->header.cycle_snapshot.load(), slot);
        EXPECT_EQ(rig.control->snapshots[slot].generation, before + 1);
        EXPECT_EQ(rig.control->snapshots[slot].ports[3].peer_count, 1u);
        // Every cycle since records the slot it ran on, where a late client looks it up.
        rig.wait_cycles(std::size(rig.control->header.cycle_slots) + 1);
        for (const auto& recorded : rig.control->header.cycle_slots)
            EXPECT_EQ(recorded.load(), slot);
        ASSERT_EQ(rig.engine.disconnect(0, "system:capture_1", "system:playback_1"), 0);
        EXPECT_EQ(
            rig.control->snapshots[rig.control->header.cycle_snapshot.load()].ports[3].peer_count,
            0u);
    }
    rig.wait_cycles(3);
}

TEST(CycleRunner, DuplicateAndInvalidConnectionsAreRefused) {
    EngineRig rig;
    EXPECT_EQ(rig.engine.connect(0, "system:capture_1", "system:playback_2"), 0);
    EXPECT_EQ(rig.engine.connect(0, "system:capture_1", "system:playback_2"), EEXIST);
    EXPECT_LT(rig.engine.connect(0, "system:playback_1", "system:capture_1"), 0);
    EXPECT_LT(rig.engine.connect(0, "system:capture_1", "nobody:in"), 0);
    EXPECT_LT(rig.engine.disconnect(0, "system:capture_2", "system:playback_2"), 0);
}

TEST(CycleRunner, BufferSizeChangeStopsAndRestartsCycling) {
    EngineRig rig;
    rig.wait_cycles(5);
    ASSERT_EQ(rig.engine.set_buffer_size(128), 0);
    EXPECT_EQ(rig.control->header.buffer_size.load(), 128u);
    EXPECT_EQ(rig.driver.buffer_size(), 128u);
    rig.wait_cycles(5);
    EXPECT_LT(rig.engine.set_buffer_size(8), 0);
    EXPECT_LT(rig.engine.set_buffer_size(kMaxBufferFrames * 2), 0);
    EXPECT_EQ(rig.control->header.buffer_size.load(), 128u);
}

TEST(CycleRunner, XrunsAreBlamedOnClientsEvenAfterTheyLeft) {
    EngineRig rig;
    std::string name = "player";
    uint32_t status = 0;
    int refnum = rig.engine.open_client(name, 0, 0, status);
    ASSERT_GT(refnum, 0);
    EXPECT_EQ(rig.engine.blame_xrun(uint32_t(refnum)), "player");
    EXPECT_EQ(rig.engine.blame_xrun(uint32_t(refnum)), "player");
    EXPECT_EQ(rig.control->clients[refnum].xruns, 2u);
    // The driver notes a cycle at the next cycle start: a client that died in it may be gone.
    rig.engine.close_client(uint32_t(refnum));
    EXPECT_EQ(rig.engine.blame_xrun(uint32_t(refnum)), "player");
    EXPECT_EQ(rig.control->clients[refnum].xruns, 0u);
    EXPECT_EQ(rig.engine.blame_xrun(kMaxClients - 1), "");
    EXPECT_EQ(rig.engine.blame_xrun(kMaxClients), "");
}

TEST(CycleRunner, EveryBusyClientIsMarkedSkippedBeforeAnyCounterIsReset) {
    // A client may claim a cycle as soon as its counter is reset (a wakeup left from a cycle it
    // missed), before the driver wakes anyone. A client it feeds that is still busy with an
    // older cycle must already be marked skipped then, or the writer does not know its outputs
    // are being read late (Client::feeds_a_skipped_client). The writer comes first in the
    // order, the busy reader last, idle clients between them.
    EngineRig rig;
    auto open = [&](std::string name) {
        uint32_t status = 0;
        int refnum = rig.engine.open_client(name, 0, 0, status);
        EXPECT_GT(refnum, 0);
        return uint32_t(refnum);
    };
    const uint32_t writer = open("writer");
    ASSERT_GT(rig.engine.register_port(writer, "out", PortType::audio, JackPortIsOutput), 0);
    std::vector<uint32_t> idle;
    for (int i = 0; i < 100; ++i)
        idle.push_back(open("idle" + std::to_string(i)));
    const uint32_t reader = open("reader");
    ASSERT_GT(rig.engine.register_port(reader, "in", PortType::audio, JackPortIsInput), 0);
    for (uint32_t refnum : idle)
        ASSERT_EQ(rig.engine.activate(refnum, true), 0);
    ASSERT_EQ(rig.engine.activate(writer, true), 0);
    ASSERT_EQ(rig.engine.activate(reader, true), 0);
    ASSERT_EQ(rig.engine.connect(writer, "writer:out", "reader:in"), 0);
    const ipc::Snapshot& snapshot =
        rig.control->snapshots[rig.control->header.cycle_snapshot.load() % kSnapshotSlots];
    ASSERT_EQ(snapshot.order[0], writer);
    ASSERT_EQ(snapshot.order[snapshot.order_count - 1], reader);

    ipc::Activation& busy = rig.data->activations[reader];
    const std::atomic<uint64_t>& counter = rig.data->activations[writer].pending;
    busy.state.store(ipc::RunState::running); // never finishes its cycle
    int unmarked = 0;
    for (int cycles = 0; cycles < 50; ++cycles) {
        const uint32_t last = ipc::pending_tag(counter.load());
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (ipc::pending_tag(counter.load()) == last)
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the driver stopped cycling";
        // Where the writer would claim it: the reader must show as skipped for this cycle.
        const uint32_t tag = ipc::pending_tag(counter.load());
        if (busy.pending.load() != ipc::pack_pending(tag, ipc::Activation::kSkipped)) ++unmarked;
    }
    busy.state.store(ipc::RunState::waiting);
    EXPECT_EQ(unmarked, 0) << "cycles whose writer's counter was reset before the busy reader "
                              "was marked skipped, of 50";
}
