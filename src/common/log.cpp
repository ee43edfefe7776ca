#include "common/log.hpp"

#include <atomic>
#include <cstdio>

#include "common/cancellation.hpp"

namespace bantam::log {
namespace {
std::atomic<bool> verbose_{false};
std::atomic<const char*> program_{"bantam"};
} // namespace

void set_verbose(bool verbose) noexcept {
    verbose_ = verbose;
}
void set_program(const char* name) noexcept {
    program_ = name;
}

void write(Level level, const char* format, ...) noexcept {
    if (level == Level::debug && !verbose_) return;
    NoCancellation quiet; // stderr's write is a cancellation point
    static const char* const prefixes[] = {"error: ", "warning: ", "", ""};
    char line[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    std::fprintf(stderr, "%s: %s%s\n", program_.load(), prefixes[int(level)], line);
}

} // namespace bantam::log
