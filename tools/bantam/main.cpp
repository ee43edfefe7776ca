// bantam: the control tool for people. `bantam status [--watch]` shows the running server:
// its settings, the graph (clients, ports, connections), DSP load and xruns.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "client/client.hpp"
#include "common/paths.hpp"

using namespace bantam;

namespace {

std::atomic<bool> interrupted{false};

int usage(FILE* out) {
    std::fprintf(out, "usage: bantam status [--watch] [--server NAME]\n"
                      "  status   the running server: settings, graph, DSP load, xruns\n"
                      "  --watch  refresh every second until Ctrl-C\n");
    return out == stderr ? 2 : 0;
}

void print_status(client::Client& client, const std::string& server) {
    const auto& header = client.header();
    uint32_t rate = header.sample_rate.load(), frames = header.buffer_size.load();
    float load;
    uint32_t bits = header.cpu_load_bits.load();
    std::memcpy(&load, &bits, sizeof load);
    std::printf("server '%s': %u Hz, %u frames per period (%.2f ms), %s, %s\n", server.c_str(),
                rate, frames, 1000.0 * frames / rate, header.sync_mode.load() ? "sync" : "async",
                header.realtime.load() ? "real-time" : "normal scheduling");
    std::printf("cycles: %llu   DSP load: %.1f %%   xruns: %llu\n",
                static_cast<unsigned long long>(header.cycle.load()), load,
                static_cast<unsigned long long>(header.xrun_count.load()));
    std::printf("graph:\n");
    auto& link = client.link();
    for (const auto& port : link.live_ports()) {
        if (port.owner == client.refnum()) continue;
        auto peers = link.connection_names(port.id);
        if (!(port.flags & JackPortIsOutput)) continue;
        std::printf("  %s", port.name.c_str());
        if (peers.empty()) std::printf("  (unconnected)");
        for (size_t i = 0; i < peers.size(); ++i)
            std::printf("%s%s", i ? ", " : "  -> ", peers[i].c_str());
        std::printf("\n");
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage(stderr);
    if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") return usage(stdout);
    if (args[0] != "status") {
        std::fprintf(stderr, "bantam: unknown command '%s'\n", args[0].c_str());
        return usage(stderr);
    }
    bool watch = false;
    std::string server = paths::default_server_name();
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--watch" || args[i] == "-w")
            watch = true;
        else if ((args[i] == "--server" || args[i] == "-s") && i + 1 < args.size())
            server = args[++i];
        else {
            std::fprintf(stderr, "bantam: unknown option '%s'\n", args[i].c_str());
            return usage(stderr);
        }
    }
    jack_status_t status;
    client::Client* client =
        client::Client::open("bantam-status", JackNoStartServer, &status, server.c_str());
    if (!client) {
        std::fprintf(stderr, "bantam: no server '%s' is running (status 0x%x)\n", server.c_str(),
                     status);
        return 1;
    }
    std::signal(SIGINT, [](int) { interrupted = true; });
    std::signal(SIGTERM, [](int) { interrupted = true; });
    do {
        if (watch) std::printf("\033[H\033[2J");
        print_status(*client, server);
        std::fflush(stdout);
        for (int i = 0; watch && i < 10 && !interrupted; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (watch && !interrupted);
    client->close();
    return 0;
}
