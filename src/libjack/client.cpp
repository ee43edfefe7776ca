// jack.h: clients, activation, server properties.

#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <string>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

JACK_EXPORT jack_client_t* jack_client_open(const char* client_name, jack_options_t options,
                                            jack_status_t* status, ...) {
    // The caller's bits as they are: an unknown one (which the server refuses) is no value of
    // the enum, and reading the parameter as one would be undefined.
    uint32_t bits;
    std::memcpy(&bits, &options, sizeof bits);
    const char* server_name = nullptr;
    if (bits & JackServerName) {
        va_list args;
        va_start(args, status);
        server_name = va_arg(args, const char*);
        va_end(args);
    }
    return abi_guard<jack_client_t*>(nullptr, [&] {
        return to_handle(client::Client::open(client_name, bits, status, server_name));
    });
}

JACK_EXPORT jack_client_t* jack_client_new(const char* client_name) {
    // Deprecated form: exact name, and no server start unless JACK_START_SERVER is set.
    int options = JackUseExactName;
    if (!std::getenv("JACK_START_SERVER")) options |= JackNoStartServer;
    return jack_client_open(client_name, jack_options_t(options), nullptr);
}

JACK_EXPORT int jack_client_close(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->close(); });
}

JACK_EXPORT int jack_activate(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->activate(); });
}

JACK_EXPORT int jack_deactivate(jack_client_t* client) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->deactivate(); });
}

JACK_EXPORT char* jack_get_client_name(jack_client_t* client) {
    return client ? const_cast<char*>(from_handle(client)->name()) : nullptr;
}

JACK_EXPORT int jack_client_name_size(void) {
    return int(kClientNameSize);
}

JACK_EXPORT int jack_get_client_pid(const char* name) {
    return abi_guard(0, [&] { return client::find_client_pid(name); });
}

JACK_EXPORT char* jack_client_get_uuid(jack_client_t* client) {
    if (!client) return nullptr;
    return abi_guard<char*>(nullptr, [&] { return from_handle(client)->uuid_string(); });
}

JACK_EXPORT int jack_is_realtime(jack_client_t* client) {
    return client ? int(from_handle(client)->header().realtime.load()) : -1; // -1 as jackd2
}

JACK_EXPORT RT_HOT jack_nframes_t jack_get_sample_rate(jack_client_t* client) {
    return client ? from_handle(client)->header().sample_rate.load() : 0;
}

JACK_EXPORT RT_HOT jack_nframes_t jack_get_buffer_size(jack_client_t* client) {
    return client ? from_handle(client)->header().buffer_size.load() : 0;
}

JACK_EXPORT int jack_set_buffer_size(jack_client_t* client, jack_nframes_t nframes) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->set_buffer_size(nframes); });
}

JACK_EXPORT float jack_cpu_load(jack_client_t* client) {
    if (!client) return 0.0f;
    uint32_t bits = from_handle(client)->header().cpu_load_bits.load();
    float load;
    std::memcpy(&load, &bits, sizeof load);
    return load;
}

JACK_EXPORT void jack_get_version(int* major_ptr, int* minor_ptr, int* micro_ptr, int* proto_ptr) {
    // What jackd2 1.9.21 reports: zeros here, the real version in the string.
    if (major_ptr) *major_ptr = 0;
    if (minor_ptr) *minor_ptr = 0;
    if (micro_ptr) *micro_ptr = 0;
    if (proto_ptr) *proto_ptr = 0;
}

JACK_EXPORT const char* jack_get_version_string(void) {
    return "1.9.21";
}

JACK_EXPORT void jack_free(void* ptr) {
    std::free(ptr);
}

JACK_EXPORT char* jack_get_uuid_for_client_name(jack_client_t* client, const char* client_name) {
    if (!client || !client_name) return nullptr;
    return abi_guard<char*>(nullptr, [&]() -> char* {
        auto found = from_handle(client)->link().find_client(
            [&](const client::ClientInfo& info) { return info.name == client_name; });
        return found ? strdup(std::to_string(found->uuid).c_str()) : nullptr;
    });
}

JACK_EXPORT char* jack_get_client_name_by_uuid(jack_client_t* client, const char* client_uuid) {
    if (!client || !client_uuid) return nullptr;
    return abi_guard<char*>(nullptr, [&]() -> char* {
        auto found = from_handle(client)->link().find_client([&](const client::ClientInfo& info) {
            return std::to_string(info.uuid) == client_uuid;
        });
        return found ? strdup(found->name.c_str()) : nullptr;
    });
}

JACK_EXPORT int jack_set_freewheel(jack_client_t* client, int onoff) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->set_freewheel(onoff != 0); });
}
