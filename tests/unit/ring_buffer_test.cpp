// jack_ringbuffer_* through the C ABI (and a little of the C++ core behind it): sizes, the
// one free byte, wraparound, the two-part vectors, peek, reset/reset_size, a randomized
// comparison against a simple model, and a two-thread producer/consumer stress test.

#include "rt/ring_buffer.hpp"

#include <jack/ringbuffer.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

struct RingDeleter {
    void operator()(jack_ringbuffer_t* rb) const noexcept { jack_ringbuffer_free(rb); }
};
using Ring = std::unique_ptr<jack_ringbuffer_t, RingDeleter>;

Ring make_ring(std::size_t size) {
    Ring rb(jack_ringbuffer_create(size));
    EXPECT_NE(rb, nullptr);
    return rb;
}

std::size_t write_str(jack_ringbuffer_t* rb, const std::string& s) {
    return jack_ringbuffer_write(rb, s.data(), s.size());
}

std::string read_str(jack_ringbuffer_t* rb, std::size_t n) {
    std::string out(n, '\0');
    out.resize(jack_ringbuffer_read(rb, out.data(), n));
    return out;
}

// Moves both pointers of an empty ring to `offset` (0 <= offset < size).
void move_empty_ring_to(jack_ringbuffer_t* rb, std::size_t offset) {
    ASSERT_EQ(jack_ringbuffer_read_space(rb), 0U);
    const std::size_t start = rb->write_ptr;
    const std::size_t steps = (offset - start) & rb->size_mask;
    jack_ringbuffer_write_advance(rb, steps);
    jack_ringbuffer_read_advance(rb, steps);
    ASSERT_EQ(rb->write_ptr, offset);
    ASSERT_EQ(rb->read_ptr, offset);
}

TEST(RingBuffer, CreateRoundsUpToPowerOfTwoWithMinimumTwo) {
    const std::pair<std::size_t, std::size_t> cases[] = {
        {0, 2}, {1, 2},  {2, 2},       {3, 4},       {4, 4},       {5, 8},         {7, 8},
        {8, 8}, {9, 16}, {1000, 1024}, {1024, 1024}, {1025, 2048}, {65536, 65536}, {65537, 131072},
    };
    for (const auto& [requested, expected] : cases) {
        SCOPED_TRACE(requested);
        Ring rb = make_ring(requested);
        ASSERT_NE(rb, nullptr);
        EXPECT_EQ(rb->size, expected);
        EXPECT_EQ(rb->size_mask, expected - 1);
        EXPECT_EQ(rb->write_ptr, 0U);
        EXPECT_EQ(rb->read_ptr, 0U);
        EXPECT_EQ(rb->mlocked, 0);
        EXPECT_NE(rb->buf, nullptr);
        EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
        EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), expected - 1);
    }
}

TEST(RingBuffer, CreateStartsWithZeroedBuffer) {
    Ring rb = make_ring(256);
    EXPECT_TRUE(std::all_of(rb->buf, rb->buf + rb->size, [](char c) { return c == 0; }));
}

TEST(RingBuffer, CreateFailsWhenSizeCannotBeRounded) {
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(jack_ringbuffer_create(max), nullptr);
    EXPECT_EQ(jack_ringbuffer_create(max / 2 + 2), nullptr);
}

TEST(RingBuffer, CapacityIsSizeMinusOne) {
    Ring rb = make_ring(8);
    EXPECT_EQ(write_str(rb.get(), "0123456789"), 7U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 7U);
    EXPECT_EQ(write_str(rb.get(), "x"), 0U);
    EXPECT_EQ(read_str(rb.get(), 100), "0123456");
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 7U);
}

TEST(RingBuffer, SmallestRingHoldsOneByte) {
    Ring rb = make_ring(1);
    ASSERT_EQ(rb->size, 2U);
    EXPECT_EQ(write_str(rb.get(), "ab"), 1U);
    EXPECT_EQ(write_str(rb.get(), "c"), 0U);
    EXPECT_EQ(read_str(rb.get(), 2), "a");
    EXPECT_EQ(write_str(rb.get(), "de"), 1U);
    EXPECT_EQ(rb->write_ptr, 0U); // wrapped
    EXPECT_EQ(read_str(rb.get(), 2), "d");
}

TEST(RingBuffer, ReadFromEmptyReturnsZeroAndLeavesDestination) {
    Ring rb = make_ring(16);
    char dest[4] = {'k', 'e', 'e', 'p'};
    EXPECT_EQ(jack_ringbuffer_read(rb.get(), dest, sizeof dest), 0U);
    EXPECT_EQ(jack_ringbuffer_peek(rb.get(), dest, sizeof dest), 0U);
    EXPECT_EQ(std::string(dest, 4), "keep");
}

TEST(RingBuffer, ZeroCountTransfersNothing) {
    Ring rb = make_ring(16);
    EXPECT_EQ(jack_ringbuffer_write(rb.get(), "abc", 0), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
    write_str(rb.get(), "abc");
    char dest[3] = {};
    EXPECT_EQ(jack_ringbuffer_read(rb.get(), dest, 0), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 3U);
}

TEST(RingBuffer, PartialReadsKeepOrder) {
    Ring rb = make_ring(32);
    ASSERT_EQ(write_str(rb.get(), "hello, world"), 12U);
    EXPECT_EQ(read_str(rb.get(), 5), "hello");
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 7U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 31U - 7U);
    EXPECT_EQ(read_str(rb.get(), 50), ", world");
}

TEST(RingBuffer, WriteAndReadWrapAroundTheEnd) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 5);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 7U);
    ASSERT_EQ(write_str(rb.get(), "ABCDEF"), 6U);
    EXPECT_EQ(rb->write_ptr, 3U); // 5 + 6 - 8
    EXPECT_EQ(std::string(rb->buf + 5, 3), "ABC");
    EXPECT_EQ(std::string(rb->buf, 3), "DEF");
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 6U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 1U);
    EXPECT_EQ(read_str(rb.get(), 6), "ABCDEF");
    EXPECT_EQ(rb->read_ptr, 3U);
}

TEST(RingBuffer, FillsCompletelyFromEveryStartOffset) {
    for (std::size_t offset = 0; offset < 8; ++offset) {
        SCOPED_TRACE(offset);
        Ring rb = make_ring(8);
        move_empty_ring_to(rb.get(), offset);
        EXPECT_EQ(write_str(rb.get(), "abcdefghij"), 7U);
        EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 0U);
        EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 7U);
        EXPECT_EQ(read_str(rb.get(), 10), "abcdefg");
        EXPECT_EQ(rb->read_ptr, rb->write_ptr);
    }
}

TEST(RingBuffer, PeekDoesNotConsume) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 6);
    ASSERT_EQ(write_str(rb.get(), "wxyz!"), 5U); // spans the end
    char dest[8] = {};
    EXPECT_EQ(jack_ringbuffer_peek(rb.get(), dest, 4), 4U);
    EXPECT_EQ(std::string(dest, 4), "wxyz");
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 5U);
    EXPECT_EQ(rb->read_ptr, 6U);
    EXPECT_EQ(jack_ringbuffer_peek(rb.get(), dest, sizeof dest), 5U);
    EXPECT_EQ(std::string(dest, 5), "wxyz!");
    EXPECT_EQ(read_str(rb.get(), 8), "wxyz!");
    EXPECT_EQ(jack_ringbuffer_peek(rb.get(), dest, sizeof dest), 0U);
}

TEST(RingBuffer, VectorsOfEmptyRingAtStart) {
    Ring rb = make_ring(8);
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_read_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf);
    EXPECT_EQ(vec[0].len, 0U);
    EXPECT_EQ(vec[1].len, 0U);
    jack_ringbuffer_get_write_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf);
    EXPECT_EQ(vec[0].len, 7U);
    EXPECT_EQ(vec[1].len, 0U);
}

TEST(RingBuffer, ReadVectorSpansTheEnd) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 6);
    ASSERT_EQ(write_str(rb.get(), "12345"), 5U);
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_read_vector(rb.get(), vec);
    ASSERT_EQ(vec[0].buf, rb->buf + 6);
    ASSERT_EQ(vec[0].len, 2U);
    ASSERT_EQ(vec[1].buf, rb->buf);
    ASSERT_EQ(vec[1].len, 3U);
    EXPECT_EQ(std::string(vec[0].buf, vec[0].len) + std::string(vec[1].buf, vec[1].len), "12345");
    jack_ringbuffer_read_advance(rb.get(), 5);
    EXPECT_EQ(rb->read_ptr, 3U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
}

TEST(RingBuffer, ReadVectorEndingExactlyAtTheEndIsOnePart) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 5);
    ASSERT_EQ(write_str(rb.get(), "abc"), 3U);
    EXPECT_EQ(rb->write_ptr, 0U);
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_read_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf + 5);
    EXPECT_EQ(vec[0].len, 3U);
    EXPECT_EQ(vec[1].len, 0U);
}

TEST(RingBuffer, WriteVectorSpansTheEnd) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 5);
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_write_vector(rb.get(), vec);
    ASSERT_EQ(vec[0].buf, rb->buf + 5);
    ASSERT_EQ(vec[0].len, 3U);
    ASSERT_EQ(vec[1].buf, rb->buf);
    ASSERT_EQ(vec[1].len, 4U); // 3 + 4 = write_space: the byte before read_ptr stays free
    const std::string payload = "PQRSTUV";
    std::copy_n(payload.data(), 3, vec[0].buf);
    std::copy_n(payload.data() + 3, 4, vec[1].buf);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U); // nothing published yet
    jack_ringbuffer_write_advance(rb.get(), 7);
    EXPECT_EQ(rb->write_ptr, 4U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 0U);
    EXPECT_EQ(read_str(rb.get(), 7), payload);
}

TEST(RingBuffer, WriteVectorBehindReadPointerIsOnePart) {
    Ring rb = make_ring(16);
    move_empty_ring_to(rb.get(), 10);
    ASSERT_EQ(write_str(rb.get(), "0123456789"), 10U); // write_ptr wraps to 4
    ASSERT_EQ(read_str(rb.get(), 3), "012");           // read_ptr 13
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_write_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf + 4);
    EXPECT_EQ(vec[0].len, 8U); // 4..11, byte 12 stays free
    EXPECT_EQ(vec[1].len, 0U);
    jack_ringbuffer_get_read_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf + 13);
    EXPECT_EQ(vec[0].len, 3U);
    EXPECT_EQ(vec[1].buf, rb->buf);
    EXPECT_EQ(vec[1].len, 4U);
}

TEST(RingBuffer, VectorsOfFullRing) {
    Ring rb = make_ring(8);
    move_empty_ring_to(rb.get(), 3);
    ASSERT_EQ(write_str(rb.get(), "abcdefg"), 7U);
    jack_ringbuffer_data_t vec[2];
    jack_ringbuffer_get_write_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].len + vec[1].len, 0U);
    jack_ringbuffer_get_read_vector(rb.get(), vec);
    EXPECT_EQ(vec[0].buf, rb->buf + 3);
    EXPECT_EQ(vec[0].len, 5U);
    EXPECT_EQ(vec[1].len, 2U);
}

TEST(RingBuffer, AdvanceIsModuloSizeLikeJack) {
    Ring rb = make_ring(8);
    jack_ringbuffer_write_advance(rb.get(), 8 + 3);
    EXPECT_EQ(rb->write_ptr, 3U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 3U);
    jack_ringbuffer_read_advance(rb.get(), 16 + 2);
    EXPECT_EQ(rb->read_ptr, 2U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 1U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 6U);
}

TEST(RingBuffer, ResetEmptiesAndZeroes) {
    Ring rb = make_ring(16);
    move_empty_ring_to(rb.get(), 9);
    ASSERT_EQ(write_str(rb.get(), "some bytes"), 10U);
    jack_ringbuffer_reset(rb.get());
    EXPECT_EQ(rb->read_ptr, 0U);
    EXPECT_EQ(rb->write_ptr, 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 15U);
    EXPECT_TRUE(std::all_of(rb->buf, rb->buf + rb->size, [](char c) { return c == 0; }));
    ASSERT_EQ(write_str(rb.get(), "again"), 5U);
    EXPECT_EQ(read_str(rb.get(), 5), "again");
}

TEST(RingBuffer, ResetSizeShrinksAndRestoresTheUsableSize) {
    Ring rb = make_ring(64);
    ASSERT_EQ(write_str(rb.get(), "leftover"), 8U);

    jack_ringbuffer_reset_size(rb.get(), 16);
    EXPECT_EQ(rb->size, 16U);
    EXPECT_EQ(rb->size_mask, 15U);
    EXPECT_EQ(rb->read_ptr, 0U);
    EXPECT_EQ(rb->write_ptr, 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 15U);
    EXPECT_EQ(std::string(rb->buf, 8), "leftover"); // JACK does not clear here

    const std::string twenty = "abcdefghijklmnopqrst";
    EXPECT_EQ(write_str(rb.get(), twenty), 15U);
    EXPECT_EQ(read_str(rb.get(), 10), "abcdefghij");
    EXPECT_EQ(write_str(rb.get(), "0123456789"), 10U); // wraps at 16, not 64
    EXPECT_EQ(rb->write_ptr, 9U);
    EXPECT_EQ(read_str(rb.get(), 20), "klmno0123456789");

    jack_ringbuffer_reset_size(rb.get(), 64); // back up to the allocated size
    EXPECT_EQ(rb->size, 64U);
    EXPECT_EQ(rb->size_mask, 63U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 63U);
}

TEST(RingBuffer, ResetSizeKeepsTheRingInsideItsAllocation) {
    Ring rb = make_ring(64);
    jack_ringbuffer_reset_size(rb.get(), 1000); // more than allocated: limited
    EXPECT_EQ(rb->size, 64U);
    jack_ringbuffer_reset_size(rb.get(), 24); // not a power of two: rounded down
    EXPECT_EQ(rb->size, 16U);
    EXPECT_EQ(rb->size_mask, 15U);
    jack_ringbuffer_reset_size(rb.get(), 1); // same as JACK: holds nothing
    EXPECT_EQ(rb->size, 1U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 0U);
    EXPECT_EQ(write_str(rb.get(), "x"), 0U);
    jack_ringbuffer_reset_size(rb.get(), 0); // JACK would wrap the mask; treated as 1
    EXPECT_EQ(rb->size, 1U);
    EXPECT_EQ(rb->size_mask, 0U);
    EXPECT_EQ(jack_ringbuffer_write_space(rb.get()), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 0U);
}

TEST(RingBuffer, MlockSetsFlagOnlyOnSuccess) {
    Ring rb = make_ring(4096);
    const int result = jack_ringbuffer_mlock(rb.get());
    if (result == 0) {
        EXPECT_EQ(rb->mlocked, 1);
    } else {
        EXPECT_EQ(result, -1);
        EXPECT_EQ(rb->mlocked, 0);
    }
    ASSERT_EQ(write_str(rb.get(), "locked"), 6U); // still usable, freed (unlocked) by Ring
    EXPECT_EQ(read_str(rb.get(), 6), "locked");
}

TEST(RingBuffer, NullArgumentsDoNothing) {
    jack_ringbuffer_free(nullptr);
    char byte = 0;
    EXPECT_EQ(jack_ringbuffer_read(nullptr, &byte, 1), 0U);
    EXPECT_EQ(jack_ringbuffer_write(nullptr, &byte, 1), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(nullptr), 0U);
    EXPECT_EQ(jack_ringbuffer_write_space(nullptr), 0U);
    EXPECT_EQ(jack_ringbuffer_mlock(nullptr), -1);
    jack_ringbuffer_data_t vec[2] = {{&byte, 5}, {&byte, 5}};
    jack_ringbuffer_get_read_vector(nullptr, vec);
    EXPECT_EQ(vec[0].len + vec[1].len, 0U);

    Ring rb = make_ring(8);
    write_str(rb.get(), "ab");
    EXPECT_EQ(jack_ringbuffer_read(rb.get(), nullptr, 2), 0U);
    EXPECT_EQ(jack_ringbuffer_write(rb.get(), nullptr, 2), 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(rb.get()), 2U);
}

TEST(RingBuffer, CoreApiMatchesCApi) {
    namespace ring = bantam::rt::ringbuffer;
    ring::UniqueRingbuffer rb(ring::create(10));
    ASSERT_NE(rb, nullptr);
    EXPECT_EQ(ring::allocated_size(*rb), 16U);
    move_empty_ring_to(rb.get(), 14);
    ASSERT_EQ(ring::write(*rb, "12345", 5), 5U);
    const auto parts = ring::read_vector(*rb);
    EXPECT_EQ(parts[0].buf, rb->buf + 14);
    EXPECT_EQ(parts[0].len, 2U);
    EXPECT_EQ(parts[1].buf, rb->buf);
    EXPECT_EQ(parts[1].len, 3U);
    EXPECT_EQ(ring::read_space(*rb), jack_ringbuffer_read_space(rb.get()));
    EXPECT_EQ(ring::write_space(*rb), 10U);
}

// Random operations on a 16-byte ring checked against a deque after every step.
TEST(RingBuffer, RandomOperationsMatchModel) {
    Ring rb = make_ring(16);
    std::deque<char> model;
    std::mt19937 rng(12345);
    char next = 0;
    char buffer[32];
    for (int step = 0; step < 20000; ++step) {
        const std::size_t count = rng() % 20;
        switch (rng() % 6) {
        case 0: { // write
            for (std::size_t i = 0; i < count; ++i)
                buffer[i] = static_cast<char>(next + i);
            const std::size_t n = jack_ringbuffer_write(rb.get(), buffer, count);
            ASSERT_EQ(n, std::min(count, 15 - model.size()));
            model.insert(model.end(), buffer, buffer + n);
            next = static_cast<char>(next + n);
            break;
        }
        case 1: { // read
            const std::size_t n = jack_ringbuffer_read(rb.get(), buffer, count);
            ASSERT_EQ(n, std::min(count, model.size()));
            ASSERT_TRUE(std::equal(buffer, buffer + n, model.begin()));
            model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
            break;
        }
        case 2: { // peek
            const std::size_t n = jack_ringbuffer_peek(rb.get(), buffer, count);
            ASSERT_EQ(n, std::min(count, model.size()));
            ASSERT_TRUE(std::equal(buffer, buffer + n, model.begin()));
            break;
        }
        case 3: { // write through the vector
            jack_ringbuffer_data_t vec[2];
            jack_ringbuffer_get_write_vector(rb.get(), vec);
            ASSERT_EQ(vec[0].len + vec[1].len, 15 - model.size());
            const std::size_t n = std::min(count, vec[0].len + vec[1].len);
            for (std::size_t i = 0; i < n; ++i) {
                const char value = static_cast<char>(next + i);
                if (i < vec[0].len) {
                    vec[0].buf[i] = value;
                } else {
                    vec[1].buf[i - vec[0].len] = value;
                }
                model.push_back(value);
            }
            jack_ringbuffer_write_advance(rb.get(), n);
            next = static_cast<char>(next + n);
            break;
        }
        case 4: { // read through the vector
            jack_ringbuffer_data_t vec[2];
            jack_ringbuffer_get_read_vector(rb.get(), vec);
            ASSERT_EQ(vec[0].len + vec[1].len, model.size());
            std::string seen(vec[0].buf, vec[0].len);
            seen.append(vec[1].buf, vec[1].len);
            ASSERT_TRUE(std::equal(seen.begin(), seen.end(), model.begin(), model.end()));
            const std::size_t n = std::min(count, model.size());
            jack_ringbuffer_read_advance(rb.get(), n);
            model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
            break;
        }
        default:
            ASSERT_EQ(jack_ringbuffer_read_space(rb.get()), model.size());
            ASSERT_EQ(jack_ringbuffer_write_space(rb.get()), 15 - model.size());
            break;
        }
        ASSERT_LT(rb->read_ptr, rb->size);
        ASSERT_LT(rb->write_ptr, rb->size);
    }
}

// The sequence byte for position i: period 251 (prime) so it never lines up with the ring.
char sequence_byte(std::uint64_t i) {
    return static_cast<char>(i % 251);
}

// One producer, one consumer, ~4 MiB through a 4 KiB ring with uneven chunk sizes, both
// sides alternating between the copying calls and the in-place vectors (and the consumer
// peeking before some reads). The consumer checks every byte against the sequence.
TEST(RingBuffer, TwoThreadStressKeepsTheSequence) {
    constexpr std::uint64_t total = std::uint64_t{1} << 22;
    Ring rb = make_ring(4096);
    ASSERT_NE(rb, nullptr);
    jack_ringbuffer_t* const ring = rb.get();
    std::atomic<bool> consumer_failed{false};

    const auto started = std::chrono::steady_clock::now();

    std::thread producer([ring, &consumer_failed] {
        std::minstd_rand rng(1);
        std::vector<char> chunk(1024);
        std::uint64_t produced = 0;
        while (produced < total && !consumer_failed.load(std::memory_order_relaxed)) {
            const std::size_t want = static_cast<std::size_t>(
                std::min<std::uint64_t>(1 + rng() % 1000, total - produced));
            std::size_t done = 0;
            if (rng() % 2 == 0) {
                for (std::size_t i = 0; i < want; ++i)
                    chunk[i] = sequence_byte(produced + i);
                done = jack_ringbuffer_write(ring, chunk.data(), want);
            } else {
                jack_ringbuffer_data_t vec[2];
                jack_ringbuffer_get_write_vector(ring, vec);
                done = std::min(want, vec[0].len + vec[1].len);
                for (std::size_t i = 0; i < done; ++i) {
                    char& slot = i < vec[0].len ? vec[0].buf[i] : vec[1].buf[i - vec[0].len];
                    slot = sequence_byte(produced + i);
                }
                jack_ringbuffer_write_advance(ring, done);
            }
            produced += done;
            if (done == 0) std::this_thread::yield();
        }
    });

    std::minstd_rand rng(2);
    std::vector<char> chunk(1024);
    std::vector<char> peeked(1024);
    std::uint64_t consumed = 0;
    std::uint64_t first_bad = total;
    std::size_t space_violations = 0;
    while (consumed < total && first_bad == total) {
        const std::size_t readable = jack_ringbuffer_read_space(ring);
        if (readable > 4095) ++space_violations;
        const std::size_t want = 1 + rng() % 1000;
        std::size_t done = 0;
        switch (rng() % 3) {
        case 0:
            done = jack_ringbuffer_read(ring, chunk.data(), want);
            break;
        case 1: {
            const std::size_t seen = jack_ringbuffer_peek(ring, peeked.data(), want);
            done = jack_ringbuffer_read(ring, chunk.data(), seen);
            if (done != seen || !std::equal(chunk.begin(), chunk.begin() + done, peeked.begin())) {
                first_bad = consumed;
            }
            break;
        }
        default: {
            jack_ringbuffer_data_t vec[2];
            jack_ringbuffer_get_read_vector(ring, vec);
            done = std::min(want, vec[0].len + vec[1].len);
            for (std::size_t i = 0; i < done; ++i) {
                chunk[i] = i < vec[0].len ? vec[0].buf[i] : vec[1].buf[i - vec[0].len];
            }
            jack_ringbuffer_read_advance(ring, done);
            break;
        }
        }
        for (std::size_t i = 0; i < done && first_bad == total; ++i) {
            if (chunk[i] != sequence_byte(consumed + i)) first_bad = consumed + i;
        }
        consumed += done;
        if (done == 0) std::this_thread::yield();
    }
    consumer_failed.store(first_bad != total, std::memory_order_relaxed);
    producer.join();

    const auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(first_bad, total) << "first wrong byte at " << first_bad;
    EXPECT_EQ(consumed, total);
    EXPECT_EQ(space_violations, 0U);
    EXPECT_EQ(jack_ringbuffer_read_space(ring), 0U);
    RecordProperty(
        "elapsed_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

} // namespace
