// audioadapter: an internal client that shows an extra ALSA device as JACK ports, resampled to
// follow the device's clock (src/adapter/). jackd2's audioadapter command line, option for
// option:
//
//   jack_load myUsbSoundcard_0 audioadapter -i "-i 1 -o 2 -D -p 256 -n 2 -dalsa -dhw:Audio -r
//   48000"
//
// Ports NAME:capture_N and NAME:playback_N. A bad option or a device that cannot be opened fails
// the load (JackInitFailure) with one line in bantamd's log; -h prints the options there, -v the
// loop's state every second.
#include <jack/jack.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>

#include "adapter/adapter_options.hpp"
#include "adapter/jack_adapter_client.hpp"

using bantam::adapter::AdapterClient;

extern "C" JACK_LIB_EXPORT int jack_initialize(jack_client_t* client, const char* load_init) {
    const char* name = jack_get_client_name(client);
    try {
        const auto options =
            bantam::adapter::parse_audioadapter_options(load_init ? load_init : "");
        auto adapter = std::make_unique<AdapterClient>(client, options);
        for (const std::string& line : adapter->describe())
            std::fprintf(stderr, "audioadapter %s: %s\n", name, line.c_str());
        adapter->start();
        if (options.verbose)
            adapter->report_periodically(stderr, std::chrono::seconds(1),
                                         std::string("audioadapter ") + name + ": ");
        adapter.release(); // owned by the server until jack_finish
        return 0;
    } catch (const bantam::adapter::HelpRequested& help) {
        std::fputs(help.what(), stderr);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "audioadapter %s: %s\n", name, error.what());
    }
    return 1;
}

// Called with the process argument (the AdapterClient) once the client is closed.
extern "C" JACK_LIB_EXPORT void jack_finish(void* arg) {
    delete static_cast<AdapterClient*>(arg);
}
