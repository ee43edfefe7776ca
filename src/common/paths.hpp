#pragma once

#include <string>

namespace bantam::paths {

// The server name a client or server uses when none is given: $JACK_DEFAULT_SERVER, else
// "default", as in JACK.
std::string default_server_name();

// Per-user directory holding every server's socket, created mode 0700 and checked to be ours
// (an attacker's pre-created directory is refused). $BANTAM_RUNTIME_DIR overrides it, else
// /dev/shm/bantam-<uid> (/tmp/bantam-<uid> without /dev/shm): independent of XDG_RUNTIME_DIR,
// so that every process of the user finds the same servers, as with jackd2.
// Throws std::runtime_error with a clear message on failure.
std::string ensure_user_dir();
std::string user_dir();
// Why a client must not connect through user_dir() (another user owns it, or may write to it),
// or empty when it may (also when it does not exist yet).
std::string untrusted_user_dir_reason();

std::string server_socket_path(const std::string& server_name);
std::string server_lock_path(const std::string& server_name);

} // namespace bantam::paths
