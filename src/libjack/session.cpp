// JACK-Session (deprecated in JACK), kept as JACK2 behaves. The *_free functions release what
// JACK hands out (malloc'd strings and structures) and accept NULL. Name reservation for
// session restore is not supported: it fails with -1.

// <jack/jack.h> and <jack/session.h> declare some of these functions weak for client programs;
// the library must define them as ordinary (strong) symbols, as Debian's libjack does.
#define JACK_WEAK_EXPORT

#include "libjack/abi.hpp"

#include <jack/jack.h>
#include <jack/session.h>

#include <cstdlib>

using namespace bantam::libjack;

JACK_EXPORT int jack_reserve_client_name(jack_client_t*, const char*, const char*) {
    return -1;
}

// An event handed to a session callback: its strings, then the event itself.
JACK_EXPORT void jack_session_event_free(jack_session_event_t* event) {
    if (event == nullptr) return;
    std::free(const_cast<char*>(event->session_dir));
    std::free(const_cast<char*>(event->client_uuid));
    std::free(event->command_line);
    std::free(event);
}

// The array jack_session_notify returns ends with an entry whose uuid is NULL; every string up
// to and including that entry is owned by the array.
JACK_EXPORT void jack_session_commands_free(jack_session_command_t* cmds) {
    if (cmds == nullptr) return;
    for (jack_session_command_t* cmd = cmds;; ++cmd) {
        std::free(const_cast<char*>(cmd->client_name));
        std::free(const_cast<char*>(cmd->command));
        if (cmd->uuid == nullptr) break;
        std::free(const_cast<char*>(cmd->uuid));
    }
    std::free(cmds);
}

JACK_EXPORT int jack_set_session_callback(jack_client_t* client, JackSessionCallback callback,
                                          void* arg) {
    if (!client) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->set_session_callback(callback, arg); });
}

JACK_EXPORT int jack_session_reply(jack_client_t* client, jack_session_event_t* event) {
    if (!client || !event) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->session_reply(*event); });
}

JACK_EXPORT jack_session_command_t* jack_session_notify(jack_client_t* client, const char* target,
                                                        jack_session_event_type_t type,
                                                        const char* path) {
    if (!client) return nullptr;
    return abi_guard<jack_session_command_t*>(
        nullptr, [&] { return from_handle(client)->session_notify(target, type, path); });
}

// Documented: 0 = no session callback, 1 = has one, -1 = error (no such client).
JACK_EXPORT int jack_client_has_session_callback(jack_client_t* client, const char* client_name) {
    if (!client || !client_name) return -1;
    return abi_guard(-1, [&] {
        auto found = from_handle(client)->link().find_client(
            [&](const bantam::client::ClientInfo& info) { return info.name == client_name; });
        return found ? (found->session_callback ? 1 : 0) : -1;
    });
}
