#pragma once

#include <string>

namespace bantam::client {

// Starts a server on demand, as libjack does: the command in ~/.jackdrc (its jackd replaced by
// bantamd), else `bantamd -T -d dummy`, detached from this process. Returns false if nothing
// could be started. Thread: control.
bool start_server(const std::string& server_name);

// Whether jack_client_open may start a server (JACK_NO_START_SERVER unset).
bool autostart_allowed();

} // namespace bantam::client
