#pragma once

// JACK UUIDs as jackd2 1.9.21 makes them: a 64-bit number whose high 32 bits say what it names
// (1 = port, 2 = client) and whose low 32 bits are a per-process counter (clients) or the port
// id + 1 (ports). 0 is the empty UUID. The text form is the number in decimal.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bantam {

using Uuid = std::uint64_t; // == jack_uuid_t

enum class UuidType : std::uint32_t {
    none = 0,
    port = 1,
    client = 2,
};

inline constexpr Uuid empty_uuid = 0;

// Room for the text form and its terminating NUL (JACK_UUID_STRING_SIZE).
inline constexpr std::size_t uuid_string_size = 37;

[[nodiscard]] constexpr Uuid make_uuid(UuidType type, std::uint32_t low) noexcept {
    return (Uuid{static_cast<std::uint32_t>(type)} << 32) | low;
}

// The type bits: the high 32 bits.
[[nodiscard]] constexpr std::uint32_t uuid_type_bits(Uuid uuid) noexcept {
    return static_cast<std::uint32_t>(uuid >> 32);
}

// jackd2 only accepts parsed UUIDs whose type bits are non-zero.
[[nodiscard]] constexpr bool uuid_has_type(Uuid uuid) noexcept {
    return uuid_type_bits(uuid) != 0;
}

[[nodiscard]] constexpr bool uuid_is_empty(Uuid uuid) noexcept {
    return uuid == empty_uuid;
}

// A fresh client UUID: type 2, low bits 1, 2, 3, ... per process (wrapping at 2^32 like
// jackd2's 32-bit counter). Thread safe.
[[nodiscard]] Uuid generate_client_uuid() noexcept;

// The UUID of port `port_id`: type 1, low bits port_id + 1 computed in 32 bits, so
// 0xffffffff wraps to 0 exactly as in jackd2.
[[nodiscard]] constexpr Uuid port_uuid(std::uint32_t port_id) noexcept {
    return make_uuid(UuidType::port, port_id + 1U);
}

// The inverse of port_uuid() for port ids below 65535: jackd2 only looks at the low 16 bits,
// (uuid & 0xffff) - 1, so a UUID with low 16 bits 0 gives 0xffffffff.
[[nodiscard]] constexpr std::uint32_t uuid_to_index(Uuid uuid) noexcept {
    return static_cast<std::uint32_t>(uuid & 0xffffU) - 1U;
}

// -1, 0 or 1 as `a` is below, equal to or above `b` as unsigned numbers.
[[nodiscard]] constexpr int compare_uuids(Uuid a, Uuid b) noexcept {
    if (a == b) return 0;
    return a < b ? -1 : 1;
}

// The number at the start of `text`, read the way jackd2 reads it (sscanf "%" PRIu64, i.e.
// strtoull base 10): leading white space is skipped, one '+' or '-' is allowed ('-' negates
// modulo 2^64), at least one digit is needed, anything after the digits is ignored, and a
// value too big for 64 bits becomes UINT64_MAX. nullopt if there is no number. No type check.
[[nodiscard]] std::optional<Uuid> scan_uuid_number(std::string_view text) noexcept;

// scan_uuid_number() plus jackd2's check that the type bits are set.
[[nodiscard]] std::optional<Uuid> parse_uuid(std::string_view text) noexcept;

// Writes the decimal form of `uuid` and a terminating NUL into `out`.
void format_uuid(Uuid uuid, std::span<char, uuid_string_size> out) noexcept;

[[nodiscard]] std::string uuid_to_string(Uuid uuid);

} // namespace bantam
