// jack_uuid_* through the C ABI and the C++ core behind it, against jackd2 1.9.21's behaviour:
// type bits in the high 32 bits, decimal text, sscanf-style parsing.

#include "common/uuid.hpp"

#include <jack/uuid.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::uint64_t port_type = std::uint64_t{1} << 32;
constexpr std::uint64_t client_type = std::uint64_t{2} << 32;
constexpr std::uint64_t max_uuid = std::numeric_limits<std::uint64_t>::max();

std::string unparse(jack_uuid_t u) {
    char buf[JACK_UUID_STRING_SIZE];
    std::memset(buf, 'X', sizeof buf);
    jack_uuid_unparse(u, buf);
    return std::string(buf, strnlen(buf, sizeof buf));
}

TEST(Uuid, ClientUuidsHaveClientTypeAndCountUp) {
    const jack_uuid_t a = jack_client_uuid_generate();
    const jack_uuid_t b = jack_client_uuid_generate();
    EXPECT_EQ(a >> 32, 2U);
    EXPECT_EQ(b >> 32, 2U);
    EXPECT_NE(a & 0xffffffffU, 0U);
    EXPECT_EQ(b, a + 1);
    // The core keeps its own counter here: libjack.so links a hidden copy of bantam_core.
    const bantam::Uuid c = bantam::generate_client_uuid();
    EXPECT_EQ(bantam::uuid_type_bits(c), static_cast<std::uint32_t>(bantam::UuidType::client));
    EXPECT_EQ(bantam::generate_client_uuid(), c + 1);
}

TEST(Uuid, ClientUuidsAreUniqueAcrossThreads) {
    constexpr int threads = 4;
    constexpr int per_thread = 5000;
    std::vector<std::vector<jack_uuid_t>> made(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&made, t] {
            for (int i = 0; i < per_thread; ++i)
                made[t].push_back(jack_client_uuid_generate());
        });
    }
    for (auto& worker : workers)
        worker.join();
    std::set<jack_uuid_t> all;
    for (const auto& list : made)
        all.insert(list.begin(), list.end());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
    EXPECT_TRUE(std::all_of(all.begin(), all.end(), [](jack_uuid_t u) { return u >> 32 == 2; }));
}

TEST(Uuid, PortUuidIsTypeOneAndIdPlusOne) {
    EXPECT_EQ(jack_port_uuid_generate(0), port_type | 1);
    EXPECT_EQ(jack_port_uuid_generate(41), port_type | 42);
    EXPECT_EQ(jack_port_uuid_generate(0xfffffffeU), port_type | 0xffffffffU);
    EXPECT_EQ(jack_port_uuid_generate(0xffffffffU), port_type); // 32-bit wrap, as in jackd2
    static_assert(bantam::port_uuid(7) == port_type + 8);
}

TEST(Uuid, ToIndexInvertsPortUuidUsingLow16Bits) {
    for (std::uint32_t id : {0U, 1U, 41U, 1000U, 65534U}) {
        EXPECT_EQ(jack_uuid_to_index(jack_port_uuid_generate(id)), id);
    }
    EXPECT_EQ(jack_uuid_to_index(jack_port_uuid_generate(0x10005)), 5U); // only 16 bits
    EXPECT_EQ(jack_uuid_to_index(jack_port_uuid_generate(65535)), 0xffffffffU);
    EXPECT_EQ(jack_uuid_to_index(0), 0xffffffffU);
    EXPECT_EQ(jack_uuid_to_index(client_type | 3), 2U);
}

TEST(Uuid, CompareIsUnsignedThreeWay) {
    EXPECT_EQ(jack_uuid_compare(5, 5), 0);
    EXPECT_EQ(jack_uuid_compare(4, 5), -1);
    EXPECT_EQ(jack_uuid_compare(6, 5), 1);
    EXPECT_EQ(jack_uuid_compare(max_uuid, 1), 1);
    EXPECT_EQ(jack_uuid_compare(port_type | 9, client_type | 1), -1);
    // The full 64 bits count: a difference only in the high bits is seen.
    EXPECT_EQ(jack_uuid_compare(client_type | 1, port_type | 1), 1);
}

TEST(Uuid, CopyClearEmpty) {
    jack_uuid_t u = 0;
    EXPECT_EQ(jack_uuid_empty(u), 1);
    jack_uuid_copy(&u, client_type | 77);
    EXPECT_EQ(u, client_type | 77);
    EXPECT_EQ(jack_uuid_empty(u), 0);
    jack_uuid_clear(&u);
    EXPECT_EQ(u, static_cast<jack_uuid_t>(JACK_UUID_EMPTY_INITIALIZER));
    EXPECT_EQ(jack_uuid_empty(u), 1);
    jack_uuid_copy(nullptr, 5); // ignored instead of crashing
    jack_uuid_clear(nullptr);
}

TEST(Uuid, UnparseIsDecimal) {
    EXPECT_EQ(unparse(port_type | 1), "4294967297");
    EXPECT_EQ(unparse(client_type | 1), "8589934593");
    EXPECT_EQ(unparse(0), "0");
    EXPECT_EQ(unparse(max_uuid), "18446744073709551615");
    EXPECT_EQ(bantam::uuid_to_string(port_type | 42), "4294967338");
}

TEST(Uuid, UnparseMatchesSnprintf) {
    for (std::uint64_t u : {std::uint64_t{0}, std::uint64_t{9}, std::uint64_t{10}, port_type,
                            client_type | 12345, max_uuid - 1, max_uuid}) {
        char expected[JACK_UUID_STRING_SIZE];
        std::snprintf(expected, sizeof expected, "%" PRIu64, u);
        EXPECT_EQ(unparse(u), expected);
    }
}

TEST(Uuid, ParseRoundTrips) {
    for (jack_uuid_t u :
         {port_type, port_type | 1, client_type | 99, max_uuid, jack_client_uuid_generate()}) {
        jack_uuid_t parsed = 0;
        ASSERT_EQ(jack_uuid_parse(unparse(u).c_str(), &parsed), 0) << u;
        EXPECT_EQ(parsed, u);
    }
}

TEST(Uuid, ParseRejectsNumbersWithoutTypeBitsButStoresThem) {
    jack_uuid_t u = 1234;
    EXPECT_EQ(jack_uuid_parse("42", &u), -1);
    EXPECT_EQ(u, 42U); // jackd2 writes the number before checking it
    EXPECT_EQ(jack_uuid_parse("4294967295", &u), -1);
    EXPECT_EQ(u, 4294967295U);
    EXPECT_EQ(jack_uuid_parse("0", &u), -1);
    EXPECT_EQ(jack_uuid_parse("4294967296", &u), 0);
    EXPECT_EQ(u, port_type);
}

TEST(Uuid, ParseRejectsTextWithoutNumberAndLeavesTarget) {
    for (const char* text : {"", "   ", "abc", "-", "+", "x8589934593", "- 8589934593"}) {
        jack_uuid_t u = 1234;
        EXPECT_EQ(jack_uuid_parse(text, &u), -1) << '"' << text << '"';
        EXPECT_EQ(u, 1234U) << '"' << text << '"';
    }
    jack_uuid_t u = 1234;
    EXPECT_EQ(jack_uuid_parse(nullptr, &u), -1);
    EXPECT_EQ(u, 1234U);
    EXPECT_EQ(jack_uuid_parse("8589934593", nullptr), -1);
}

TEST(Uuid, ParseFollowsSscanfQuirks) {
    jack_uuid_t u = 0;
    EXPECT_EQ(jack_uuid_parse(" \t\n8589934593", &u), 0); // leading space skipped
    EXPECT_EQ(u, client_type | 1);
    EXPECT_EQ(jack_uuid_parse("8589934594-trailing", &u), 0); // rest ignored
    EXPECT_EQ(u, client_type | 2);
    EXPECT_EQ(jack_uuid_parse("+4294967297", &u), 0);
    EXPECT_EQ(u, port_type | 1);
    EXPECT_EQ(jack_uuid_parse("-1", &u), 0); // negated modulo 2^64
    EXPECT_EQ(u, max_uuid);
    EXPECT_EQ(jack_uuid_parse("99999999999999999999999", &u), 0); // saturates
    EXPECT_EQ(u, max_uuid);
}

// The parser must agree with glibc's sscanf("%" SCNu64), which is what jackd2 calls.
TEST(Uuid, ScanMatchesSscanf) {
    const char* inputs[] = {
        "0",
        "8589934593",
        "  42",
        "\v\f\r 17abc",
        "+5",
        "-5",
        "-0",
        "--5",
        "+-5",
        "0x1f",
        "007",
        "18446744073709551615",
        "18446744073709551616",
        "184467440737095516150",
        "-18446744073709551615",
        "-18446744073709551616",
        "",
        " ",
        "abc",
        "1 2",
    };
    for (const char* text : inputs) {
        std::uint64_t expected = 0;
        const bool matched = std::sscanf(text, "%" SCNu64, &expected) == 1;
        const auto scanned = bantam::scan_uuid_number(text);
        EXPECT_EQ(scanned.has_value(), matched) << '"' << text << '"';
        if (matched && scanned) {
            EXPECT_EQ(*scanned, expected) << '"' << text << '"';
        }
    }
}

TEST(Uuid, CoreParseChecksTypeBits) {
    EXPECT_EQ(bantam::parse_uuid("8589934593"), client_type | 1);
    EXPECT_EQ(bantam::parse_uuid("42"), std::nullopt);
    EXPECT_EQ(bantam::parse_uuid("nope"), std::nullopt);
    EXPECT_EQ(bantam::uuid_type_bits(client_type | 5),
              static_cast<std::uint32_t>(bantam::UuidType::client));
    EXPECT_EQ(bantam::uuid_type_bits(bantam::port_uuid(3)),
              static_cast<std::uint32_t>(bantam::UuidType::port));
}

} // namespace
