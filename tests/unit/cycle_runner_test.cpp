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
