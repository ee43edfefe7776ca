#include "server/options.hpp"

#include <stdexcept>

#include "common/option_parser.hpp"
#include "common/paths.hpp"
#include "ipc/limits.hpp"

namespace bantam::server {

ServerOptions parse_server_options(const std::vector<std::string>& args) {
    ServerOptions options;
    options.name = paths::default_server_name();
    bool realtime_given = false, no_realtime_given = false;
    auto ignore = [](const std::string&) {};
    std::vector<OptionSpec> specs = {
        {'R', "realtime", false, false, [&](const std::string&) { realtime_given = true; }},
        {'r', "no-realtime", false, false, [&](const std::string&) { no_realtime_given = true; }},
        {'P', "realtime-priority", true, false,
         [&](const std::string& v) {
             options.priority = parse_signed(v, "realtime priority", 1, 99);
         }},
        {'n', "name", true, false,
         [&](const std::string& v) {
             if (v.empty() || v.find('/') != std::string::npos || v.size() >= 64)
                 throw std::invalid_argument("invalid server name '" + v + "'");
             options.name = v;
         }},
        {'t', "timeout", true, false,
         [&](const std::string& v) {
             options.timeout_ms = parse_unsigned(v, "timeout", 1, 600000);
         }},
        {'p', "port-max", true, false,
         [&](const std::string& v) {
             options.port_max = parse_unsigned(v, "port maximum", 8, kMaxPorts);
         }},
        {'S', "sync", false, false, [&](const std::string&) { options.sync = true; }},
        {'v', "verbose", false, false, [&](const std::string&) { options.verbose = true; }},
        {'s', "silent", false, false, [&](const std::string&) { options.silent = true; }},
        {'T', "temporary", false, false, [&](const std::string&) { options.temporary = true; }},
        {'\0', "no-cpu-placement", false, false,
         [&](const std::string&) { options.cpu_placement = false; }},
        {'V', "version", false, false, [&](const std::string&) { options.show_version = true; }},
        {'h', "help", false, false, [&](const std::string&) { options.show_help = true; }},
        // Accepted for jackd compatibility, without effect here.
        {'m', "no-mlock", false, false, ignore},
        {'u', "unlock", false, false, ignore},
        {'c', "clocksource", true, false, ignore},
        {'\0', "replace-registry", false, false, ignore},
    };
    size_t driver_at = parse_options(args, 1, specs, "bantamd", "-d");
    if (realtime_given && no_realtime_given)
        throw std::invalid_argument("bantamd: -R and -r are mutually exclusive");
    options.realtime = !no_realtime_given;
    if (options.show_help || options.show_version) return options;
    if (driver_at >= args.size())
        throw std::invalid_argument("bantamd: no driver given (use -d dummy or -d alsa)");
    const std::string& d = args[driver_at];
    if (d.size() > 2) {
        options.driver = d.substr(2);
        ++driver_at;
    } else {
        if (driver_at + 1 >= args.size())
            throw std::invalid_argument("bantamd: option '-d' needs a driver name");
        options.driver = args[driver_at + 1];
        driver_at += 2;
    }
    options.driver_args.assign(args.begin() + long(driver_at), args.end());
    return options;
}

std::string server_usage() {
    return "usage: bantamd [options] -d DRIVER [driver options]\n"
           "  -R, --realtime              real-time scheduling (default)\n"
           "  -r, --no-realtime           no real-time scheduling\n"
           "  -P, --realtime-priority N   SCHED_FIFO priority of the driver thread (default 10)\n"
           "  -n, --name NAME             server name (default $JACK_DEFAULT_SERVER or 'default')\n"
           "  -t, --timeout MS            client timeout (default 500, at least two periods)\n"
           "  -p, --port-max N            maximum number of ports (default 2048)\n"
           "  -S, --sync                  synchronous mode: the driver waits for the graph\n"
           "  -T, --temporary             exit when the last client closes\n"
           "  --no-cpu-placement          leave the process threads wherever the kernel puts them\n"
           "  -v, --verbose               verbose messages\n"
           "  -s, --silent                no informational messages\n"
           "  -V, --version               print the version and exit\n"
           "  -d DRIVER --help            the driver's options (drivers: dummy)\n";
}

} // namespace bantam::server
