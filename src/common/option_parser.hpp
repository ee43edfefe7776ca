#pragma once

// A small getopt_long-like parser that works on a vector of arguments and reports errors as
// std::invalid_argument with one clear line, so bantamd's server and driver options share it.
// Accepts "-p 64", "-p64", "--period 64", "--period=64". Parsing stops at `stop_at` (e.g.
// "-d" for the server's options) and returns the index of that argument.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bantam {

struct OptionSpec {
    char short_name;
    const char* long_name;
    bool takes_value;
    bool value_optional; // value only when attached or when the next argument is not an option
    std::function<void(const std::string& value)> apply;
};

size_t parse_options(const std::vector<std::string>& args, size_t first,
                     const std::vector<OptionSpec>& specs, const char* context,
                     const char* stop_at = nullptr);

// Strict number parsing: the whole string must be a number within [min, max].
uint32_t parse_unsigned(const std::string& text, const char* what, uint32_t min, uint32_t max);
int32_t parse_signed(const std::string& text, const char* what, int32_t min, int32_t max);

} // namespace bantam
