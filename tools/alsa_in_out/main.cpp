// bantam-alsa-in / bantam-alsa-out: an ALSA device as the ports of a JACK client, resampled to
// follow the device's clock, with alsa_in/alsa_out's options (src/adapter/adapter_options.hpp).
// Built twice from this file: BANTAM_ALSA_CAPTURE is 1 for bantam-alsa-in, 0 for -out.
//
//   bantam-alsa-in -j usb_in -d hw:Audio -c 2 -p 256 -n 2      ports usb_in:capture_1/2
//   bantam-alsa-out -d hw:Audio -q 4 -v                       ports alsa_out:playback_1/2
//
// Runs until SIGINT/SIGTERM, the server going away (exit 1) or the device failing (exit 1). A bad
// option is one line on stderr and exit code 2.

#include <jack/jack.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapter/adapter_options.hpp"
#include "adapter/jack_adapter_client.hpp"

using namespace bantam::adapter;

namespace {

constexpr Direction kDirection = BANTAM_ALSA_CAPTURE ? Direction::capture : Direction::playback;
constexpr const char* kProgram = BANTAM_ALSA_CAPTURE ? "bantam-alsa-in" : "bantam-alsa-out";

std::atomic<bool> quitting{false};
std::atomic<bool> server_gone{false};

void on_signal(int) {
    quitting = true;
}

void on_shutdown(void*) {
    server_gone = true;
}

// Prints the loop's state until asked to stop; returns the exit code.
int monitor(AdapterClient& adapter, const AdapterOptions& options) {
    using namespace std::chrono;
    auto next_status = steady_clock::now();
    while (!quitting && !server_gone) {
        std::this_thread::sleep_for(milliseconds(options.instrument ? 1 : 50));
        if (options.instrument) {
            adapter.print_loop_samples(stdout);
            std::fflush(stdout);
        }
        if (options.verbose && steady_clock::now() >= next_status) {
            for (const std::string& line : adapter.status_lines())
                std::printf("%s\n", line.c_str());
            std::fflush(stdout);
            next_status += milliseconds(500);
        }
        if (adapter.device_failed()) {
            std::fprintf(stderr, "%s: the ALSA device failed and could not be recovered\n",
                         kProgram);
            return 1;
        }
    }
    if (server_gone) std::fprintf(stderr, "%s: the JACK server went away\n", kProgram);
    return server_gone ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    AdapterOptions options;
    try {
        options =
            parse_alsa_io_options(kDirection, std::vector<std::string>(argv + 1, argv + argc));
    } catch (const HelpRequested& help) {
        std::fputs(help.what(), stdout);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 2;
    }
    jack_status_t status{};
    const jack_options_t open_options =
        options.server_name.empty() ? JackNullOption : JackServerName;
    jack_client_t* client = jack_client_open(options.client_name.c_str(), open_options, &status,
                                             options.server_name.c_str());
    if (!client) {
        std::fprintf(stderr, "%s: cannot connect to the JACK server (status 0x%x)\n", kProgram,
                     unsigned(status));
        return 1;
    }
    jack_on_shutdown(client, on_shutdown, nullptr);
    std::unique_ptr<AdapterClient> adapter;
    int code = 1;
    try {
        adapter = std::make_unique<AdapterClient>(client, options);
        for (const std::string& line : adapter->describe())
            std::printf("%s: %s\n", jack_get_client_name(client), line.c_str());
        std::fflush(stdout);
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        adapter->start();
        code = monitor(*adapter, options);
        jack_deactivate(client);
        adapter->stop();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s: %s\n", kProgram, error.what());
    }
    // Closing joins libjack's threads, so no callback can still be using the adapter.
    jack_client_close(client);
    adapter.reset();
    return code;
}
