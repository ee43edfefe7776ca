#pragma once

// Logging for control threads only. Never call from a real-time thread: it formats and
// writes to stderr.

#include <cstdarg>

namespace bantam::log {

enum class Level { error, warning, info, debug };

void set_verbose(bool verbose) noexcept;
void set_program(const char* name) noexcept;
void write(Level level, const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

#define BANTAM_ERROR(...) ::bantam::log::write(::bantam::log::Level::error, __VA_ARGS__)
#define BANTAM_WARN(...) ::bantam::log::write(::bantam::log::Level::warning, __VA_ARGS__)
#define BANTAM_INFO(...) ::bantam::log::write(::bantam::log::Level::info, __VA_ARGS__)
#define BANTAM_DEBUG(...) ::bantam::log::write(::bantam::log::Level::debug, __VA_ARGS__)

} // namespace bantam::log
