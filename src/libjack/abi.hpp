#pragma once

// Shared plumbing for the C ABI layer. Every exported function is a few lines: check
// arguments, convert handles, call one C++ method, map the result. Nothing throws across
// extern "C": abi_guard turns any exception into the JACK failure value.

#include <exception>
#include <utility>

#define JACK_EXPORT extern "C" __attribute__((visibility("default")))

namespace bantam::libjack {

void report_abi_exception(const char* what) noexcept;

template <typename Result, typename Body> Result abi_guard(Result failure, Body&& body) noexcept {
    try {
        return std::forward<Body>(body)();
    } catch (const std::exception& e) {
        report_abi_exception(e.what());
    } catch (...) {
        report_abi_exception("unknown exception");
    }
    return failure;
}

template <typename Body> void abi_guard_void(Body&& body) noexcept {
    try {
        std::forward<Body>(body)();
    } catch (const std::exception& e) {
        report_abi_exception(e.what());
    } catch (...) {
        report_abi_exception("unknown exception");
    }
}

} // namespace bantam::libjack

#include <jack/jack.h>

#include "client/client.hpp"

namespace bantam::libjack {

// jack_client_t and jack_port_t are opaque to programs; they point straight at our objects.
inline client::Client* from_handle(jack_client_t* client) noexcept {
    return reinterpret_cast<client::Client*>(client);
}
inline jack_client_t* to_handle(client::Client* client) noexcept {
    return reinterpret_cast<jack_client_t*>(client);
}
inline client::Port* from_handle(const jack_port_t* port) noexcept {
    return reinterpret_cast<client::Port*>(const_cast<jack_port_t*>(port));
}
inline jack_port_t* to_handle(client::Port* port) noexcept {
    return reinterpret_cast<jack_port_t*>(port);
}

// A malloc'd NULL-terminated array of strings in one block, freed whole by jack_free(), as
// JACK's jack_get_ports() and jack_port_get_connections() return. NULL when empty.
const char** make_name_array(const std::vector<std::string>& names) noexcept;

void report_error(const char* format, ...) noexcept __attribute__((format(printf, 1, 2)));

} // namespace bantam::libjack
