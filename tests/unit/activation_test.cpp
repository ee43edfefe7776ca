#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ipc/shared_layout.hpp"

using namespace bantam::ipc;

TEST(TaggedCounter, CountsDownOnlyForItsCycle) {
    std::atomic<uint64_t> counter{pack_pending(7, 2)};
    EXPECT_FALSE(signal_tagged(counter, 6)); // a late signal from cycle 6 changes nothing
    EXPECT_EQ(counter.load(), pack_pending(7, 2));
    EXPECT_FALSE(signal_tagged(counter, 7));
    EXPECT_TRUE(signal_tagged(counter, 7));
    EXPECT_FALSE(signal_tagged(counter, 7)); // never below zero
    EXPECT_EQ(counter.load(), pack_pending(7, 0));
}

TEST(TaggedCounter, SkippedClientsAreNeverTriggered) {
    std::atomic<uint64_t> counter{pack_pending(3, Activation::kSkipped)};
    EXPECT_FALSE(signal_tagged(counter, 3));
    EXPECT_EQ(counter.load(), pack_pending(3, Activation::kSkipped));
}

TEST(TaggedCounter, ExactlyOneOfManyConcurrentSignalersSeesZero) {
    for (int round = 0; round < 50; ++round) {
        constexpr int threads = 8;
        std::atomic<uint64_t> counter{pack_pending(uint64_t(round), threads)};
        std::atomic<int> zero_seen{0};
        std::vector<std::thread> workers;
        for (int i = 0; i < threads; ++i)
            workers.emplace_back([&] {
                if (signal_tagged(counter, uint64_t(round))) zero_seen.fetch_add(1);
            });
        for (auto& worker : workers)
            worker.join();
        ASSERT_EQ(zero_seen.load(), 1);
    }
}

TEST(Wakeup, SignalBeforeWaitIsNotLostAndDoesNotPileUp) {
    Wakeup wakeup;
    wakeup.signal();
    wakeup.signal();
    EXPECT_TRUE(wakeup.wait(1000));
    EXPECT_FALSE(wakeup.wait(1000)); // binary: two signals, one wakeup
}

TEST(Wakeup, WakesAWaiterOnAnotherThread) {
    // A ping-pong between two threads, the way chained clients wake each other.
    Wakeup ping, pong;
    std::atomic<int> value{0};
    std::thread partner([&] {
        for (int i = 0; i < 1000; ++i) {
            ASSERT_TRUE(ping.wait(2000000));
            value.fetch_add(1, std::memory_order_relaxed);
            pong.signal();
        }
    });
    for (int i = 0; i < 1000; ++i) {
        ping.signal();
        ASSERT_TRUE(pong.wait(2000000));
        ASSERT_EQ(value.load(std::memory_order_relaxed), i + 1);
    }
    partner.join();
}
