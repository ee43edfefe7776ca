// Error and info reporting: the two writable function pointers programs may assign directly.

#include <cstdarg>
#include <cstdio>

#include "libjack/abi.hpp"

namespace {
void default_error(const char* message) {
    std::fprintf(stderr, "%s\n", message);
}
void default_info(const char* message) {
    std::fprintf(stdout, "%s\n", message);
}
} // namespace

// Declared extern "C" by <jack/jack.h>; defined here with default visibility, as data.
__attribute__((visibility("default"))) void (*jack_error_callback)(const char* msg) = default_error;
__attribute__((visibility("default"))) void (*jack_info_callback)(const char* msg) = default_info;

JACK_EXPORT void jack_set_error_function(void (*func)(const char*)) {
    jack_error_callback = func ? func : default_error;
}

JACK_EXPORT void jack_set_info_function(void (*func)(const char*)) {
    jack_info_callback = func ? func : default_info;
}

namespace bantam::libjack {

void report_error(const char* format, ...) noexcept {
    char message[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (jack_error_callback) jack_error_callback(message);
}

void report_abi_exception(const char* what) noexcept {
    report_error("bantam: %s", what);
}

} // namespace bantam::libjack
