#include <gtest/gtest.h>

#include <memory>

#include "ipc/port_buffers.hpp"

using namespace bantam;
using namespace bantam::ipc;

namespace {

struct MixingFixture : ::testing::Test {
    std::unique_ptr<Snapshot> snapshot = std::make_unique<Snapshot>();
    std::unique_ptr<DataSegment> data = std::make_unique<DataSegment>();
    static constexpr uint32_t frames = 64;
    static constexpr uint64_t cycle = 42;

    // Ports 1..3 are outputs of clients 1..3; port 10 is an input of client 4.
    void wire(std::initializer_list<uint32_t> sources, uint32_t input = 10) {
        uint32_t slot = 0;
        for (uint32_t source : sources)
            snapshot->port_peers[slot++] = source;
        snapshot->set_peers(input, 0, slot);
        for (uint32_t p = 1; p <= 3; ++p)
            snapshot->ports[p].owner = p;
        snapshot->ports[input].owner = 4;
    }
    void fill(uint32_t port, float base) {
        for (uint32_t i = 0; i < frames; ++i)
            data->buffers[port].samples[i] = base + float(i);
    }
    void finish(uint32_t refnum) { data->activations[refnum].finished_cycle = cycle; }
};

} // namespace

TEST_F(MixingFixture, UnconnectedInputReadsZeros) {
    wire({});
    data->buffers[10].samples[3] = 5.0f; // stale contents must not leak through
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle);
    ASSERT_EQ(buffer, data->buffers[10].samples);
    for (uint32_t i = 0; i < frames; ++i)
        EXPECT_EQ(buffer[i], 0.0f);
}

TEST_F(MixingFixture, SingleConnectionIsZeroCopy) {
    wire({2});
    fill(2, 1.0f);
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, 10, frames, cycle), data->buffers[2].samples);
}

TEST_F(MixingFixture, SeveralConnectionsSumExactly) {
    wire({1, 2, 3});
    fill(1, 0.25f);
    fill(2, -0.25f);
    for (uint32_t i = 0; i < frames; ++i)
        data->buffers[3].samples[i] = 1e-7f * float(i);
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle);
    ASSERT_EQ(buffer, data->buffers[10].samples);
    for (uint32_t i = 0; i < frames; ++i) {
        float expected = ((0.25f + float(i)) + (-0.25f + float(i))) + 1e-7f * float(i);
        EXPECT_EQ(buffer[i], expected) << "frame " << i;
    }
}

TEST_F(MixingFixture, OppositeSignalsCancelToExactZero) {
    wire({1, 2});
    for (uint32_t i = 0; i < frames; ++i) {
        data->buffers[1].samples[i] = 0.1f * float(i);
        data->buffers[2].samples[i] = -0.1f * float(i);
    }
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle);
    for (uint32_t i = 0; i < frames; ++i)
        EXPECT_EQ(buffer[i], 0.0f);
}

TEST_F(MixingFixture, SkippedSourceReadsAsSilence) {
    wire({1, 2});
    fill(1, 1.0f);
    fill(2, 100.0f);
    data->activations[2].pending = pack_pending(cycle, Activation::kSkipped);
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, 10, frames, cycle), data->buffers[1].samples);
    data->activations[1].pending = pack_pending(cycle, Activation::kSkipped);
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle);
    for (uint32_t i = 0; i < frames; ++i)
        EXPECT_EQ(buffer[i], 0.0f);
}

TEST_F(MixingFixture, DriverHearsOnlyFinishedSources) {
    wire({1, 2});
    fill(1, 1.0f);
    fill(2, 100.0f);
    finish(1); // client 2 is late
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, 10, frames, cycle, true),
              data->buffers[1].samples);
    finish(2);
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle, true);
    EXPECT_EQ(buffer[0], 101.0f);
}

TEST_F(MixingFixture, RejectsBadPortsAndOversizedPeriods) {
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, 0, frames, cycle), nullptr);
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, kMaxPorts, frames, cycle), nullptr);
    EXPECT_EQ(resolve_input_buffer(*snapshot, *data, 10, kMaxBufferFrames + 1, cycle), nullptr);
}

TEST_F(MixingFixture, CorruptRoutesAreBoundsChecked) {
    snapshot->ports[10].peer_begin = 0xffffff00u;
    snapshot->ports[10].peer_count = 0xffu;
    float* buffer = resolve_input_buffer(*snapshot, *data, 10, frames, cycle);
    EXPECT_EQ(buffer, data->buffers[10].samples);
}
