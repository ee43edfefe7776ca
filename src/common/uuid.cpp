#include "common/uuid.hpp"

#include <atomic>
#include <charconv>
#include <limits>

namespace bantam {

namespace {

std::atomic<std::uint32_t> client_uuid_counter{0};

// The C locale's isspace(), which is what strtoull uses in a program that never set a locale.
constexpr bool is_c_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

} // namespace

Uuid generate_client_uuid() noexcept {
    const std::uint32_t low = client_uuid_counter.fetch_add(1, std::memory_order_relaxed) + 1U;
    return make_uuid(UuidType::client, low);
}

std::optional<Uuid> scan_uuid_number(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && is_c_space(text[i]))
        ++i;

    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }

    constexpr Uuid max = std::numeric_limits<Uuid>::max();
    const std::size_t first_digit = i;
    Uuid value = 0;
    bool overflow = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        const auto digit = static_cast<Uuid>(text[i] - '0');
        if (value > (max - digit) / 10) {
            overflow = true;
        } else {
            value = value * 10 + digit;
        }
    }
    if (i == first_digit) return std::nullopt;
    if (overflow) return max;
    return negative ? Uuid{0} - value : value;
}

std::optional<Uuid> parse_uuid(std::string_view text) noexcept {
    const std::optional<Uuid> value = scan_uuid_number(text);
    if (!value || !uuid_has_type(*value)) return std::nullopt;
    return value;
}

void format_uuid(Uuid uuid, std::span<char, uuid_string_size> out) noexcept {
    // 20 digits at most, so this always fits with room for the NUL.
    const auto result = std::to_chars(out.data(), out.data() + out.size() - 1, uuid);
    *result.ptr = '\0';
}

std::string uuid_to_string(Uuid uuid) {
    char text[uuid_string_size];
    format_uuid(uuid, text);
    return text;
}

} // namespace bantam
