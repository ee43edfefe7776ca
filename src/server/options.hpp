#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bantam::server {

// bantamd's command line, jackd's syntax: server options, then -d DRIVER and its options.
struct ServerOptions {
    std::string name;          // -n; default $JACK_DEFAULT_SERVER or "default"
    bool realtime = true;      // -R (default) / -r
    int32_t priority = 10;     // -P
    uint32_t timeout_ms = 0;   // -t; 0: JACK's default (500 ms, at least two periods)
    uint32_t port_max = 2048;  // -p
    bool sync = false;         // -S
    bool verbose = false;      // -v
    bool silent = false;       // -s
    bool temporary = false;    // -T: exit when the last client closes
    bool cpu_placement = true; // --no-cpu-placement turns it off (cpu_placement.hpp)
    bool show_help = false;
    bool show_version = false;
    std::string driver; // -d
    std::vector<std::string> driver_args;
};

// Throws std::invalid_argument with one line describing the first bad option.
ServerOptions parse_server_options(const std::vector<std::string>& args);
std::string server_usage();

} // namespace bantam::server
