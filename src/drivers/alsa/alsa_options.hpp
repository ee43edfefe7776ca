#pragma once

// The ALSA driver's command line: jackd's `-d alsa` options.

#include <cstdint>
#include <string>
#include <vector>

namespace bantam::drivers::alsa {

struct AlsaOptions {
    std::string capture_device;  // empty: no capture
    std::string playback_device; // empty: no playback
    uint32_t sample_rate = 48000;
    uint32_t period = 1024;
    uint32_t periods = 2;
    uint32_t capture_channels = 0;  // 0: every channel the device has
    uint32_t playback_channels = 0; // 0: every channel the device has
    bool shorts_only = false;       // -S: 16-bit samples only
    bool soft_mode = false;         // -s: device xruns are recovered but not reported
    uint32_t extra_capture_latency = 0;
    uint32_t extra_playback_latency = 0;
    // jackd options accepted for compatibility with existing command lines but without effect
    // here; each is one warning when the driver starts.
    std::vector<std::string> warnings;

    bool duplex() const { return !capture_device.empty() && !playback_device.empty(); }
    // -P DEV -C DEV naming two different devices: two clocks, possibly unlinked.
    bool split() const { return duplex() && capture_device != playback_device; }
};

// Throws std::invalid_argument with a one-line message on bad options.
AlsaOptions parse_alsa_options(const std::vector<std::string>& args);
std::string alsa_usage();

} // namespace bantam::drivers::alsa
