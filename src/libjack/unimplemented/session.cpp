// JACK-Session (deprecated in JACK) and the client-name/UUID look-ups that go with it: not
// implemented yet (issue 3: deprecated session API as JACK2 behaves).
//
// Until then every request fails (-1 / NULL). The two *_free functions are real already: they
// release what JACK hands out (malloc'd strings and structures), and accept NULL.

// <jack/jack.h> and <jack/session.h> declare some of these functions weak for client programs;
// the library must define them as ordinary (strong) symbols, as Debian's libjack does.
#define JACK_WEAK_EXPORT

#include "libjack/abi.hpp"

#include <jack/jack.h>
#include <jack/session.h>

#include <cstdlib>

JACK_EXPORT int jack_set_session_callback(jack_client_t*, JackSessionCallback, void*) {
    return -1;
}

JACK_EXPORT int jack_session_reply(jack_client_t*, jack_session_event_t*) {
    return -1;
}

JACK_EXPORT jack_session_command_t* jack_session_notify(jack_client_t*, const char*,
                                                        jack_session_event_type_t, const char*) {
    return nullptr;
}

JACK_EXPORT int jack_reserve_client_name(jack_client_t*, const char*, const char*) {
    return -1;
}

// Documented: 0 = no session callback, 1 = has one, -1 = error.
JACK_EXPORT int jack_client_has_session_callback(jack_client_t*, const char*) {
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
