// The adapter's lock-free pieces: FrameFifo (interleaved frames, totals, wraparound, a
// two-thread stress run that TSan checks) and DevicePositionMailbox (never a torn value).

#include "adapter/device_position.hpp"
#include "adapter/frame_fifo.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using bantam::adapter::DevicePosition;
using bantam::adapter::DevicePositionMailbox;
using bantam::adapter::FrameFifo;

namespace {

std::vector<float> frames_from(float first, size_t frames, size_t channels) {
    std::vector<float> v(frames * channels);
    for (size_t i = 0; i < frames; ++i)
        for (size_t c = 0; c < channels; ++c)
            v[i * channels + c] = first + float(i) + 0.25f * float(c);
    return v;
}

TEST(FrameFifo, HoldsExactlyItsCapacityInFrames) {
    FrameFifo fifo(2, 8);
    EXPECT_EQ(fifo.write_space(), 8u);
    const auto in = frames_from(0, 10, 2);
    EXPECT_EQ(fifo.write(in.data(), 10), 8u);
    EXPECT_EQ(fifo.write_space(), 0u);
    EXPECT_EQ(fifo.read_space(), 8u);
    std::vector<float> out(16);
    EXPECT_EQ(fifo.read(out.data(), 8), 8u);
    EXPECT_EQ(out, std::vector<float>(in.begin(), in.begin() + 16));
    EXPECT_EQ(fifo.read(out.data(), 1), 0u);
}

TEST(FrameFifo, WrapsAroundAndCountsTotals) {
    FrameFifo fifo(3, 5);
    std::vector<float> out(3 * 4);
    float next = 0;
    for (int round = 0; round < 7; ++round) {
        const auto in = frames_from(next, 4, 3);
        ASSERT_EQ(fifo.write(in.data(), 4), 4u);
        ASSERT_EQ(fifo.peek(out.data(), 4), 4u);
        EXPECT_EQ(out, in) << "peek, round " << round;
        ASSERT_EQ(fifo.read(out.data(), 4), 4u);
        EXPECT_EQ(out, in) << "read, round " << round;
        next += 4;
    }
    EXPECT_EQ(fifo.written_total(), 28u);
    EXPECT_EQ(fifo.read_total(), 28u);
}

TEST(FrameFifo, SilenceAndDiscard) {
    FrameFifo fifo(2, 6);
    const auto in = frames_from(1, 2, 2);
    fifo.write(in.data(), 2);
    EXPECT_EQ(fifo.write_silence(3), 3u);
    EXPECT_EQ(fifo.discard(1), 1u);
    std::vector<float> out(8, -1.0f);
    EXPECT_EQ(fifo.read(out.data(), 4), 4u);
    EXPECT_EQ(out, (std::vector<float>{2, 2.25f, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(fifo.discard(5), 0u);
    EXPECT_EQ(fifo.read_total(), 5u);
}

TEST(FrameFifo, RejectsAnEmptyShape) {
    EXPECT_THROW(FrameFifo(0, 8), std::invalid_argument);
    EXPECT_THROW(FrameFifo(2, 0), std::invalid_argument);
}

// One producer, one consumer, odd-sized chunks: every frame arrives once, in order.
TEST(FrameFifo, TwoThreadsPassEveryFrameInOrder) {
    constexpr size_t kChannels = 2, kFrames = 200000;
    FrameFifo fifo(kChannels, 257);
    std::thread producer([&] {
        std::vector<float> chunk(37 * kChannels);
        size_t sent = 0;
        while (sent < kFrames) {
            const size_t n = std::min<size_t>(1 + sent % 37, kFrames - sent);
            for (size_t i = 0; i < n; ++i)
                for (size_t c = 0; c < kChannels; ++c)
                    chunk[i * kChannels + c] = float(sent + i) * (c ? -1.0f : 1.0f);
            sent += fifo.write(chunk.data(), n);
        }
    });
    std::vector<float> chunk(41 * kChannels);
    size_t received = 0;
    bool in_order = true;
    while (received < kFrames) {
        const size_t n = fifo.read(chunk.data(), 1 + received % 41);
        for (size_t i = 0; i < n; ++i)
            in_order = in_order && chunk[i * kChannels] == float(received + i) &&
                       chunk[i * kChannels + 1] == -float(received + i);
        received += n;
    }
    producer.join();
    EXPECT_TRUE(in_order);
    EXPECT_EQ(fifo.read_total(), kFrames);
}

// The reader only ever sees a position, time, epoch and count that were published together.
TEST(DevicePositionMailbox, NeverReturnsATornValue) {
    DevicePositionMailbox mailbox;
    DevicePosition seen;
    EXPECT_TRUE(mailbox.read(seen));
    EXPECT_EQ(seen.epoch, 0u) << "nothing published yet";
    std::atomic<bool> done{false};
    // The writer goes on until the reader has read a thousand published values: on a loaded
    // machine it could otherwise finish before the reader first ran (an ASan run of the test
    // command once saw no read at all).
    std::atomic<uint64_t> reads{0};
    std::thread writer([&] {
        for (int64_t i = 1; i <= 300000 || reads.load(std::memory_order_relaxed) < 1000; ++i)
            mailbox.publish({i, 3 * i, uint64_t(i) / 1000 + 1, uint64_t(i) * 7});
        done = true;
    });
    uint64_t torn = 0;
    int64_t last = 0;
    bool monotonic = true;
    while (!done) {
        DevicePosition p;
        if (!mailbox.read(p)) continue;
        if (p.epoch == 0) continue;
        ++reads;
        torn += p.time_ns != 3 * p.frames || p.epoch != uint64_t(p.frames) / 1000 + 1 ||
                p.count != uint64_t(p.frames) * 7;
        monotonic = monotonic && p.frames >= last;
        last = p.frames;
    }
    writer.join();
    EXPECT_GE(reads.load(), 1000u);
    EXPECT_EQ(torn, 0u);
    EXPECT_TRUE(monotonic);
}

} // namespace
