#include "common/option_parser.hpp"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace bantam {

namespace {
[[noreturn]] void bad(const std::string& message) {
    throw std::invalid_argument(message);
}

const OptionSpec* find_short(const std::vector<OptionSpec>& specs, char name) {
    for (const auto& spec : specs)
        if (spec.short_name == name) return &spec;
    return nullptr;
}
const OptionSpec* find_long(const std::vector<OptionSpec>& specs, const std::string& name) {
    for (const auto& spec : specs)
        if (spec.long_name && name == spec.long_name) return &spec;
    return nullptr;
}
} // namespace

size_t parse_options(const std::vector<std::string>& args, size_t first,
                     const std::vector<OptionSpec>& specs, const char* context,
                     const char* stop_at) {
    size_t i = first;
    while (i < args.size()) {
        const std::string& arg = args[i];
        if (stop_at &&
            (arg == stop_at || (arg.rfind(stop_at, 0) == 0 && arg.size() > 2 && arg[1] != '-')))
            return i;
        if (arg.size() < 2 || arg[0] != '-')
            bad(std::string(context) + ": unexpected argument '" + arg + "'");
        const OptionSpec* spec = nullptr;
        std::string value;
        bool has_value = false;
        if (arg[1] == '-') {
            std::string name = arg.substr(2);
            auto equals = name.find('=');
            if (equals != std::string::npos) {
                value = name.substr(equals + 1);
                name = name.substr(0, equals);
                has_value = true;
            }
            spec = find_long(specs, name);
            if (!spec) bad(std::string(context) + ": unknown option '--" + name + "'");
        } else {
            spec = find_short(specs, arg[1]);
            if (!spec) bad(std::string(context) + ": unknown option '-" + arg[1] + "'");
            if (arg.size() > 2) {
                if (!spec->takes_value)
                    bad(std::string(context) + ": option '-" + arg[1] + "' takes no value");
                value = arg.substr(2);
                has_value = true;
            }
        }
        ++i;
        if (spec->takes_value && !has_value) {
            bool next_is_value = i < args.size() && !(args[i].size() > 1 && args[i][0] == '-');
            if (next_is_value) {
                value = args[i++];
                has_value = true;
            } else if (!spec->value_optional) {
                bad(std::string(context) + ": option '" + arg + "' needs a value");
            }
        }
        if (!spec->takes_value && has_value)
            bad(std::string(context) + ": option '" + arg + "' takes no value");
        spec->apply(value);
    }
    return i;
}

uint32_t parse_unsigned(const std::string& text, const char* what, uint32_t min, uint32_t max) {
    if (text.empty() || text[0] == '-' || text[0] == '+')
        bad(std::string("invalid ") + what + " '" + text + "'");
    errno = 0;
    char* end = nullptr;
    unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        bad(std::string("invalid ") + what + " '" + text + "' (expected " + std::to_string(min) +
            ".." + std::to_string(max) + ")");
    return uint32_t(value);
}

int32_t parse_signed(const std::string& text, const char* what, int32_t min, int32_t max) {
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || *end != '\0' || value < min || value > max)
        bad(std::string("invalid ") + what + " '" + text + "' (expected " + std::to_string(min) +
            ".." + std::to_string(max) + ")");
    return int32_t(value);
}

} // namespace bantam
