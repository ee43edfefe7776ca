// SharedMemory::discard: freed port buffers go back to the kernel, page by whole page, and read
// as zero in every mapping afterwards; bytes outside the whole pages are kept.

#include "ipc/shared_memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <unistd.h>

namespace {

using bantam::ipc::SharedMemory;

TEST(SharedMemoryTest, DiscardZeroesWholePagesInEveryMapping) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    SharedMemory memory = SharedMemory::create("discard-test", 4 * page);
    auto* bytes = static_cast<unsigned char*>(memory.data());
    std::memset(bytes, 0xab, 4 * page);
    // A second mapping of the same segment, as a client has.
    SharedMemory client = SharedMemory::attach(dup(memory.fd()), 4 * page, false);
    const auto* seen = static_cast<const unsigned char*>(client.data());

    // From the middle of page 0 to the middle of page 3: pages 1 and 2 are whole.
    ASSERT_TRUE(memory.discard(bytes + page / 2, 3 * page));
    EXPECT_EQ(bytes[page / 2], 0xab);
    EXPECT_EQ(bytes[page - 1], 0xab);
    for (size_t i = page; i < 3 * page; ++i)
        ASSERT_EQ(seen[i], 0) << "byte " << i;
    EXPECT_EQ(bytes[3 * page], 0xab);
    EXPECT_EQ(seen[4 * page - 1], 0xab);
}

TEST(SharedMemoryTest, DiscardRefusesRangesOutsideTheSegment) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    SharedMemory memory = SharedMemory::create("discard-test", 2 * page);
    auto* bytes = static_cast<unsigned char*>(memory.data());
    EXPECT_FALSE(memory.discard(bytes + page, 2 * page));
    EXPECT_TRUE(memory.discard(bytes, 10)); // no whole page inside: nothing to do
}

} // namespace
