// bantamd: jackd's command line, Bantam's engine.

#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <vector>

#include "common/log.hpp"
#include "drivers/driver.hpp"
#include "server/options.hpp"
#include "server/server.hpp"

int main(int argc, char** argv) {
    using namespace bantam;
    log::set_program("bantamd");
    server::block_termination_signals();
    std::vector<std::string> args(argv, argv + argc);
    server::ServerOptions options;
    std::unique_ptr<drivers::Driver> driver;
    try {
        options = server::parse_server_options(args);
        if (options.show_version) {
            std::printf("bantamd " BANTAM_VERSION " (JACK API 0.124.0 compatible)\n");
            return 0;
        }
        if (options.show_help) {
            std::printf("%s", server::server_usage().c_str());
            return 0;
        }
        for (const auto& arg : options.driver_args)
            if (arg == "--help" || arg == "-h") {
                std::printf("%s", drivers::driver_usage(options.driver).c_str());
                return 0;
            }
        driver = drivers::create_driver(options.driver, options.driver_args);
    } catch (const std::exception& error) {
        const char* message = error.what();
        if (std::string(message).rfind("bantamd: ", 0) == 0) message += 9;
        std::fprintf(stderr, "bantamd: %s (see bantamd --help)\n", message);
        return 2;
    }
    log::set_verbose(options.verbose);
    if (options.realtime && mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0)
        BANTAM_DEBUG("memory not locked (no permission); continuing");
    try {
        server::Server server(std::move(options), std::move(driver));
        return server.run();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bantamd: %s\n", error.what());
        return 1;
    }
}
