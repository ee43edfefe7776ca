// bantam: the control tool for people. `bantam status [--watch]` shows the running server:
// its settings, the graph (clients, ports, connections), DSP load and xruns.

#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "client/client.hpp"
#include "common/paths.hpp"

using namespace bantam;

namespace {

std::atomic<bool> interrupted{false};

int usage(FILE* out) {
    std::fprintf(
        out,
        "usage: bantam [--server NAME] COMMAND\n"
        "  status [--watch]          settings, graph, DSP load, xruns (--watch: every second)\n"
        "  ports                     every port, one per line\n"
        "  connect SOURCE DEST       connect two ports\n"
        "  disconnect SOURCE DEST    disconnect two ports\n");
    return out == stderr ? 2 : 0;
}

void print_status(client::Client& client, const std::string& server) {
    const auto& header = client.header();
    uint32_t rate = header.sample_rate.load(), frames = header.buffer_size.load();
    std::printf("server '%s': %u Hz, %u frames per period (%.2f ms), %s, %s\n", server.c_str(),
                rate, frames, 1000.0 * frames / rate, header.sync_mode.load() ? "sync" : "async",
                header.realtime.load() ? "real-time" : "normal scheduling");
    // An xrun not from the driver (woken late, device lost data) is blamed on the clients that
    // had not finished in time, each counted below.
    std::printf("cycles: %llu   DSP load: %.1f %%   xruns: %llu (%llu from the driver)   "
                "longest driver delay: %.2f ms\n",
                static_cast<unsigned long long>(header.cycle.load()),
                std::bit_cast<float>(header.cpu_load_bits.load()),
                static_cast<unsigned long long>(header.xrun_count.load()),
                static_cast<unsigned long long>(header.driver_xrun_count.load()),
                std::bit_cast<float>(header.max_delayed_bits.load()) / 1000.0);
    auto& link = client.link();
    std::printf("clients:\n");
    for (uint32_t refnum = 0; refnum < kMaxClients; ++refnum) {
        client::ClientInfo info;
        if (refnum == client.refnum() || !link.read_client_info(refnum, info)) continue;
        std::printf("  %s  xruns %llu\n", info.name.c_str(),
                    static_cast<unsigned long long>(info.xruns));
    }
    std::printf("graph:\n");
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
    std::string server = paths::default_server_name();
    if (args.size() >= 2 && (args[0] == "--server" || args[0] == "-s")) {
        server = args[1];
        args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty()) return usage(stderr);
    if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") return usage(stdout);
    const std::string command = args[0];
    bool watch = false;
    std::vector<std::string> operands;
    for (size_t i = 1; i < args.size(); ++i) {
        if (command == "status" && (args[i] == "--watch" || args[i] == "-w"))
            watch = true;
        else if (args[i].size() > 1 && args[i][0] == '-') {
            std::fprintf(stderr, "bantam: unknown option '%s'\n", args[i].c_str());
            return usage(stderr);
        } else
            operands.push_back(args[i]);
    }
    const bool pair = command == "connect" || command == "disconnect";
    const bool known = pair || command == "status" || command == "ports";
    if (!known || operands.size() != (pair ? 2u : 0u)) {
        std::fprintf(stderr, "bantam: bad command line\n");
        return usage(stderr);
    }

    jack_status_t status;
    client::Client* client =
        client::Client::open("bantam-tool", JackNoStartServer, &status, server.c_str());
    if (!client) {
        std::fprintf(stderr, "bantam: no server '%s' is running (status 0x%x)\n", server.c_str(),
                     status);
        return 1;
    }
    if (command == "ports") {
        for (const auto& name : client->link().matching_ports(nullptr, nullptr, 0))
            std::printf("%s\n", name.c_str());
        client->close();
        return 0;
    }
    if (pair) {
        const char *source = operands[0].c_str(), *destination = operands[1].c_str();
        int rc = command == "connect" ? client->connect(source, destination)
                                      : client->disconnect(source, destination);
        client->close();
        if (rc != 0)
            std::fprintf(stderr, "bantam: cannot %s %s and %s%s\n", command.c_str(), source,
                         destination, rc == EEXIST ? " (already connected)" : "");
        return rc == 0 ? 0 : 1;
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
