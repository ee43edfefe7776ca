#pragma once

// Shared plumbing for the C ABI layer. Every exported function is a few lines: check
// arguments, convert handles, call one C++ method, map the result. Nothing throws across
// extern "C": abi_guard turns any exception into the JACK failure value.

#include <exception>
#include <utility>

#define JACK_EXPORT extern "C" __attribute__((visibility("default")))

namespace bantam::libjack {

void report_abi_exception(const char* what) noexcept;

template <typename Result, typename Body>
Result abi_guard(Result failure, Body&& body) noexcept {
    try {
        return std::forward<Body>(body)();
    } catch (const std::exception& e) {
        report_abi_exception(e.what());
    } catch (...) {
        report_abi_exception("unknown exception");
    }
    return failure;
}

template <typename Body>
void abi_guard_void(Body&& body) noexcept {
    try {
        std::forward<Body>(body)();
    } catch (const std::exception& e) {
        report_abi_exception(e.what());
    } catch (...) {
        report_abi_exception("unknown exception");
    }
}

} // namespace bantam::libjack
