#pragma once

// The two command lines that set up an adapter, parsed into one AdapterOptions:
//
//  - the audioadapter internal client's init string, as jackd2's audioadapter reads it:
//      jack_load NAME audioadapter -i "-i 1 -o 2 -D -p 256 -n 2 -dalsa -dhw:Audio -r 48000"
//    -i/-o capture/playback channels (default 2 each; 0 turns a direction off), -d DEVICE
//    (a `-d alsa` naming the backend is accepted and skipped, so "-dalsa -dhw:X" works as in
//    jackd2), -C/-P [DEVICE] a separate capture/playback device, -D duplex (the default), -r
//    device rate, -p device period (default: JACK's, like the rate), -n periods (default 2),
//    -q quality 0..4, -g FIFO frames (jackd2's fixed ring buffer), -h help; and -v, Bantam's
//    own: the loop's state in bantamd's log every second.
//
//  - bantam-alsa-in / bantam-alsa-out's arguments, alsa_in/alsa_out's:
//      -j NAME -S SERVER -d DEVICE -c CHANNELS -p PERIOD -n PERIODS -r RATE -q QUALITY
//      -t TARGET -m MAX_DIFF -v -i, and -s/-C/-f/-F/-Q (alsa_in's tuning of its own loop,
//      accepted and ignored: this loop is tuned differently).
//
// Errors throw std::invalid_argument with one line; -h throws HelpRequested carrying the text.

#include <stdexcept>
#include <string>
#include <vector>

#include "adapter/adapter_config.hpp"

namespace bantam::adapter {

struct AdapterOptions {
    std::string client_name;    // the tools' -j (the internal client gets jack_load's NAME)
    std::string server_name;    // the tools' -S
    std::string capture_device; // empty: no capture direction
    std::string playback_device;
    unsigned capture_channels = 0;
    unsigned playback_channels = 0;
    unsigned rate = 0;   // device rate; 0: JACK's
    unsigned period = 0; // device period; 0: JACK's buffer size
    unsigned periods = 2;
    int quality = kDefaultQuality;
    unsigned target_frames = 0;
    unsigned max_diff_frames = 0;
    unsigned fifo_frames = 0;
    bool verbose = false;
    bool instrument = false;
    std::vector<std::string> ignored; // options accepted for compatibility that do nothing
};

struct HelpRequested : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Splits an init string into words as jackd2 does: at spaces, "double quoted" words kept whole.
std::vector<std::string> split_init_string(const std::string& init);

AdapterOptions parse_audioadapter_options(const std::string& init);
AdapterOptions parse_alsa_io_options(Direction direction, const std::vector<std::string>& args);

std::string audioadapter_usage();
std::string alsa_io_usage(Direction direction);

} // namespace bantam::adapter
