// intclient.h: internal clients, loaded into and run by the server (see
// src/server/internal_clients.hpp). Handles are the internal clients' refnums.

#include <cstdarg>
#include <jack/intclient.h>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

JACK_EXPORT char* jack_get_internal_client_name(jack_client_t* client, jack_intclient_t intclient) {
    if (!client) return nullptr;
    return abi_guard<char*>(nullptr,
                            [&] { return from_handle(client)->internal_client_name(intclient); });
}

JACK_EXPORT jack_intclient_t jack_internal_client_handle(jack_client_t* client,
                                                         const char* client_name,
                                                         jack_status_t* status) {
    jack_status_t local;
    if (!status) status = &local;
    *status = jack_status_t(JackFailure | JackNoSuchClient);
    if (!client) return 0;
    return abi_guard<jack_intclient_t>(
        0, [&] { return from_handle(client)->internal_client_handle(client_name, status); });
}

// Variable arguments, in this order: the object to load (JackLoadName; otherwise the client
// name), then the string for its jack_initialize (JackLoadInit; otherwise NULL).
JACK_EXPORT jack_intclient_t jack_internal_client_load(jack_client_t* client,
                                                       const char* client_name,
                                                       jack_options_t options,
                                                       jack_status_t* status, ...) {
    jack_status_t local;
    if (!status) status = &local;
    *status = jack_status_t(JackFailure | JackInvalidOption);
    if (!client || (options & ~JackLoadOptions)) return 0;
    const char* load_name = nullptr;
    const char* load_init = nullptr;
    va_list args;
    va_start(args, status);
    if (options & JackLoadName) load_name = va_arg(args, const char*);
    if (options & JackLoadInit) load_init = va_arg(args, const char*);
    va_end(args);
    return abi_guard<jack_intclient_t>(0, [&] {
        return from_handle(client)->load_internal_client(client_name, options, load_name, load_init,
                                                         status);
    });
}

JACK_EXPORT jack_status_t jack_internal_client_unload(jack_client_t* client,
                                                      jack_intclient_t intclient) {
    auto failure = jack_status_t(JackFailure | JackNoSuchClient);
    if (!client) return failure;
    return abi_guard(failure,
                     [&] { return from_handle(client)->unload_internal_client(intclient); });
}

// Deprecated; as in JACK2, they report so and do nothing.
JACK_EXPORT int jack_internal_client_new(const char*, const char*, const char*) {
    report_error("jack_internal_client_new: deprecated");
    return -1;
}

JACK_EXPORT void jack_internal_client_close(const char*) {
    report_error("jack_internal_client_close: deprecated");
}
