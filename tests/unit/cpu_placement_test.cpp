#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "server/cpu_placement.hpp"
#include "server/graph.hpp"

using namespace bantam;
using namespace bantam::server;

namespace {

struct PlacementFixture : ::testing::Test {
    GraphInput input;
    std::unique_ptr<ipc::Snapshot> snapshot = std::make_unique<ipc::Snapshot>();
    PlacementCosts costs;
    uint32_t next_port = 1;
    const std::vector<int> two_cpus{0, 1};

    PlacementFixture() {
        input.scheduled.assign(kMaxClients, false);
        input.port_owner.assign(kMaxPorts, 0);
        costs.work_usecs.assign(kMaxClients, 0);
    }
    uint32_t port(uint32_t owner) {
        input.port_owner[next_port] = owner;
        if (owner != 0) input.scheduled[owner] = true;
        return next_port++;
    }
    // capture -> first -> ... -> last -> playback
    void chain(uint32_t first, uint32_t last) {
        uint32_t upstream = port(0);
        for (uint32_t refnum = first; refnum <= last; ++refnum) {
            input.connections.push_back({upstream, port(refnum)});
            upstream = port(refnum);
        }
        input.connections.push_back({upstream, port(0)});
    }
    std::vector<int> plan(const std::vector<int>& cpus) {
        EXPECT_TRUE(build_snapshot(input, 1, *snapshot));
        return plan_cpu_placement(*snapshot, costs, cpus);
    }
};

} // namespace

TEST_F(PlacementFixture, ALongChainStaysOnTheDriversCore) {
    chain(1, 64);
    for (uint32_t refnum = 1; refnum <= 64; ++refnum)
        costs.work_usecs[refnum] = 50; // heavy work does not make a sequential chain move
    auto placement = plan(two_cpus);
    for (uint32_t refnum = 1; refnum <= 64; ++refnum)
        EXPECT_EQ(placement[refnum], 0) << refnum;
    EXPECT_EQ(placement[65], -1);
}

TEST_F(PlacementFixture, LightParallelClientsShareACoreUntilTheCrossCoreWakePaysOff) {
    for (uint32_t refnum = 1; refnum <= 3; ++refnum)
        chain(refnum, refnum); // three one-client branches side by side
    auto placement = plan(two_cpus);
    // 3 clients of 3 us each finish at 9 us on one core; the other core would start at 10 us.
    EXPECT_EQ(placement[1], 0);
    EXPECT_EQ(placement[2], 0);
    EXPECT_EQ(placement[3], 0);
}

TEST_F(PlacementFixture, HeavyParallelBranchesSpreadEvenly) {
    for (uint32_t refnum = 1; refnum <= 8; ++refnum) {
        chain(refnum, refnum);
        costs.work_usecs[refnum] = 100;
    }
    auto placement = plan(two_cpus);
    long on_first = std::count(placement.begin() + 1, placement.begin() + 9, 0);
    long on_second = std::count(placement.begin() + 1, placement.begin() + 9, 1);
    EXPECT_EQ(on_first, 4);
    EXPECT_EQ(on_second, 4);
}

TEST_F(PlacementFixture, TwoHeavyChainsRunOnTwoCoresAndEachStaysOnItsOwn) {
    chain(1, 4);
    chain(5, 8);
    for (uint32_t refnum = 1; refnum <= 8; ++refnum)
        costs.work_usecs[refnum] = 100;
    auto placement = plan(two_cpus);
    for (uint32_t refnum = 2; refnum <= 4; ++refnum)
        EXPECT_EQ(placement[refnum], placement[1]);
    for (uint32_t refnum = 6; refnum <= 8; ++refnum)
        EXPECT_EQ(placement[refnum], placement[5]);
    EXPECT_NE(placement[1], placement[5]);
}

TEST_F(PlacementFixture, UsesOnlyTheGivenCpusAndNothingWithoutAny) {
    chain(1, 2);
    chain(3, 4);
    for (uint32_t refnum = 1; refnum <= 4; ++refnum)
        costs.work_usecs[refnum] = 100;
    auto placement = plan({3, 7});
    for (uint32_t refnum = 1; refnum <= 4; ++refnum)
        EXPECT_TRUE(placement[refnum] == 3 || placement[refnum] == 7) << placement[refnum];
    EXPECT_EQ(placement[1], 3); // the driver's core is the first
    auto none = plan_cpu_placement(*snapshot, costs, {});
    EXPECT_TRUE(std::all_of(none.begin(), none.end(), [](int cpu) { return cpu == -1; }));
}

TEST_F(PlacementFixture, ParallelBranchesStayOnOneCoreWhileTheWholeGraphFitsInHalfAPeriod) {
    for (uint32_t refnum = 1; refnum <= 8; ++refnum) {
        chain(refnum, refnum);
        costs.work_usecs[refnum] = 100; // 8 x 103 us = 824 us
    }
    costs.period_usecs = 2000; // 824 us is under half of it: no cross-core wakes
    auto placement = plan(two_cpus);
    EXPECT_EQ(std::count(placement.begin() + 1, placement.begin() + 9, 0), 8);
    costs.period_usecs = 1333; // now over half: spread
    placement = plan(two_cpus);
    EXPECT_EQ(std::count(placement.begin() + 1, placement.begin() + 9, 1), 4);
}
