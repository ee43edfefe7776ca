#include <gtest/gtest.h>

#include <memory>

#include "server/graph.hpp"

using namespace bantam;
using namespace bantam::server;

namespace {

struct GraphFixture : ::testing::Test {
    GraphInput input;
    std::unique_ptr<ipc::Snapshot> snapshot = std::make_unique<ipc::Snapshot>();
    uint32_t next_port = 1;

    GraphFixture() {
        input.scheduled.assign(kMaxClients, false);
        input.port_owner.assign(kMaxPorts, 0);
    }
    uint32_t port(uint32_t owner) {
        input.port_owner[next_port] = owner;
        if (owner != 0) input.scheduled[owner] = true;
        return next_port++;
    }
    void connect(uint32_t from, uint32_t to) { input.connections.push_back({from, to}); }
    // Each list as the table holds it; the copy of its first entry in the route (what a cycle
    // reads) must agree.
    std::vector<uint32_t> downstream(uint32_t refnum) const {
        const auto& route = snapshot->clients[refnum];
        std::vector<uint32_t> list{snapshot->downstream + route.downstream_begin,
                                   snapshot->downstream + route.downstream_begin +
                                       route.downstream_count};
        EXPECT_EQ(route.first_downstream, list.empty() ? 0 : list.front()) << "client " << refnum;
        return list;
    }
    std::vector<uint32_t> peers(uint32_t port_id) const {
        const auto& route = snapshot->ports[port_id];
        std::vector<uint32_t> list{snapshot->port_peers + route.peer_begin,
                                   snapshot->port_peers + route.peer_begin + route.peer_count};
        EXPECT_EQ(route.first_peer, list.empty() ? 0 : list.front()) << "port " << port_id;
        return list;
    }
    std::vector<uint32_t> order() const {
        return {snapshot->order, snapshot->order + snapshot->order_count};
    }
};

} // namespace

TEST_F(GraphFixture, ChainIsOrderedUpstreamFirstWhateverTheRefnums) {
    uint32_t capture = port(0);
    uint32_t c5_in = port(5), c5_out = port(5);
    uint32_t c2_in = port(2), c2_out = port(2);
    uint32_t c9_in = port(9), c9_out = port(9);
    uint32_t playback = port(0);
    connect(capture, c9_in);
    connect(c9_out, c2_in);
    connect(c2_out, c5_in);
    connect(c5_out, playback);
    ASSERT_TRUE(build_snapshot(input, 7, *snapshot));
    EXPECT_EQ(snapshot->generation, 7u);
    EXPECT_EQ(order(), (std::vector<uint32_t>{9, 2, 5}));
    EXPECT_EQ(snapshot->clients[9].upstream_count, 0u); // woken by the driver
    EXPECT_EQ(snapshot->clients[2].upstream_count, 1u);
    EXPECT_EQ(snapshot->clients[5].upstream_count, 1u);
    EXPECT_EQ(downstream(9), (std::vector<uint32_t>{2}));
    EXPECT_EQ(downstream(5), (std::vector<uint32_t>{}));
    EXPECT_EQ(snapshot->scheduled_count, 3u);
}

TEST_F(GraphFixture, SeveralPortLinksBetweenTwoClientsCountOnce) {
    uint32_t a1 = port(3), a2 = port(3), b1 = port(4), b2 = port(4);
    connect(a1, b1);
    connect(a2, b2);
    connect(a1, b2);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    EXPECT_EQ(snapshot->clients[4].upstream_count, 1u);
    EXPECT_EQ(downstream(3), (std::vector<uint32_t>{4}));
}

TEST_F(GraphFixture, FanInWaitsForEveryUpstreamClient) {
    uint32_t a = port(1), b = port(2), c = port(3), mix = port(4);
    connect(a, mix);
    connect(b, mix);
    connect(c, mix);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    EXPECT_EQ(snapshot->clients[4].upstream_count, 3u);
    EXPECT_EQ(order().back(), 4u);
    // Sources of the input, in the order they were connected.
    EXPECT_EQ(peers(mix), (std::vector<uint32_t>{a, b, c}));
    EXPECT_EQ(peers(a), (std::vector<uint32_t>{mix}));
}

TEST_F(GraphFixture, TheConnectionClosingALoopBecomesFeedback) {
    uint32_t a_in = port(1), a_out = port(1), b_in = port(2), b_out = port(2);
    connect(a_out, b_in);
    connect(b_out, a_in); // closes the loop: data flows, one cycle late
    GraphSummary summary;
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot, &summary));
    EXPECT_EQ(order(), (std::vector<uint32_t>{1, 2}));
    EXPECT_EQ(snapshot->clients[1].upstream_count, 0u);
    EXPECT_EQ(snapshot->clients[2].upstream_count, 1u);
    ASSERT_EQ(summary.feedback.size(), 1u);
    EXPECT_EQ(summary.feedback[0].source_port, b_out);
    EXPECT_EQ(peers(a_in), (std::vector<uint32_t>{b_out}));
}

TEST_F(GraphFixture, LoopDirectionFollowsConnectionOrder) {
    uint32_t a_in = port(1), a_out = port(1), b_in = port(2), b_out = port(2);
    connect(b_out, a_in);
    connect(a_out, b_in);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    EXPECT_EQ(order(), (std::vector<uint32_t>{2, 1}));
}

TEST_F(GraphFixture, SelfConnectionDoesNotGateActivation) {
    uint32_t in = port(6), out = port(6);
    connect(out, in);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    EXPECT_EQ(snapshot->clients[6].upstream_count, 0u);
    EXPECT_EQ(downstream(6), (std::vector<uint32_t>{}));
}

TEST_F(GraphFixture, UnscheduledClientsAreLeftOut) {
    uint32_t a = port(1), b = port(2);
    input.scheduled[2] = false; // inactive, or no process callback
    connect(a, b);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    EXPECT_EQ(order(), (std::vector<uint32_t>{1}));
    EXPECT_EQ(snapshot->clients[2].scheduled, 0u);
    EXPECT_EQ(downstream(1), (std::vector<uint32_t>{}));
    EXPECT_EQ(peers(b), (std::vector<uint32_t>{a})); // the connection itself stays visible
}

TEST_F(GraphFixture, ParallelBranchesAreIndependent) {
    uint32_t capture = port(0);
    uint32_t x_in = port(1), y_in = port(2), z_in = port(3);
    connect(capture, x_in);
    connect(capture, y_in);
    connect(capture, z_in);
    ASSERT_TRUE(build_snapshot(input, 1, *snapshot));
    for (uint32_t refnum : {1u, 2u, 3u})
        EXPECT_EQ(snapshot->clients[refnum].upstream_count, 0u);
}
