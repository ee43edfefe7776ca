#include "drivers/alsa/alsa_options.hpp"

#include <stdexcept>

#include "common/option_parser.hpp"
#include "drivers/driver.hpp"

namespace bantam::drivers::alsa {

namespace {

struct Directions {
    std::string device = "hw:0";
    bool capture = false, playback = false, duplex = false;
    std::string capture_device, playback_device;
};

void resolve_devices(const Directions& given, AlsaOptions& options) {
    // As jackd: -C and -P alone select one direction on -d's device; with a value they name
    // that direction's own device; neither (or -D) means both.
    const bool both = given.duplex || (!given.capture && !given.playback);
    if (both || given.capture)
        options.capture_device = given.capture_device.empty() ? given.device : given.capture_device;
    if (both || given.playback)
        options.playback_device =
            given.playback_device.empty() ? given.device : given.playback_device;
}

} // namespace

AlsaOptions parse_alsa_options(const std::vector<std::string>& args) {
    AlsaOptions options;
    Directions given;
    auto ignored = [&](const char* what) {
        return [&options, what](const std::string&) {
            options.warnings.push_back(std::string(what) + " is not supported; ignored");
        };
    };
    std::vector<OptionSpec> specs = {
        {'d', "device", true, false,
         [&](const std::string& v) {
             if (v.empty()) throw std::invalid_argument("alsa driver: empty device name");
             given.device = v;
         }},
        {'C', "capture", true, true,
         [&](const std::string& v) {
             given.capture = true;
             given.capture_device = v;
         }},
        {'P', "playback", true, true,
         [&](const std::string& v) {
             given.playback = true;
             given.playback_device = v;
         }},
        {'D', "duplex", false, false, [&](const std::string&) { given.duplex = true; }},
        {'r', "rate", true, false,
         [&](const std::string& v) {
             options.sample_rate = parse_unsigned(v, "sample rate", 1000, 768000);
         }},
        {'p', "period", true, false,
         [&](const std::string& v) {
             options.period = parse_unsigned(v, "period size", 16, kMaxFramesForDriver);
         }},
        {'n', "nperiods", true, false,
         [&](const std::string& v) {
             options.periods = parse_unsigned(v, "number of periods", 2, 64);
         }},
        {'i', "inchannels", true, false,
         [&](const std::string& v) {
             options.capture_channels = parse_unsigned(v, "capture channel count", 1, 256);
         }},
        {'o', "outchannels", true, false,
         [&](const std::string& v) {
             options.playback_channels = parse_unsigned(v, "playback channel count", 1, 256);
         }},
        {'S', "shorts", false, false, [&](const std::string&) { options.shorts_only = true; }},
        {'s', "softmode", false, false, [&](const std::string&) { options.soft_mode = true; }},
        {'I', "input-latency", true, false,
         [&](const std::string& v) {
             options.extra_capture_latency = parse_unsigned(v, "input latency", 0, 1000000);
         }},
        {'O', "output-latency", true, false,
         [&](const std::string& v) {
             options.extra_playback_latency = parse_unsigned(v, "output latency", 0, 1000000);
         }},
        {'z', "dither", true, false,
         [&](const std::string& v) {
             if (v != "n" && v != "r" && v != "s" && v != "t")
                 throw std::invalid_argument("alsa driver: invalid dither mode '" + v +
                                             "' (expected n, r, s or t)");
             if (v != "n") options.warnings.push_back("dithering (-z) is not supported; ignored");
         }},
        {'X', "midi-driver", true, false,
         [&](const std::string& v) {
             if (v != "none" && v != "seq" && v != "raw")
                 throw std::invalid_argument("alsa driver: invalid MIDI driver '" + v +
                                             "' (expected none, seq or raw)");
             if (v != "none")
                 options.warnings.push_back("ALSA MIDI (-X) is not supported; ignored");
         }},
        {'H', "hwmon", false, false, ignored("hardware monitoring (-H)")},
        {'M', "hwmeter", false, false, ignored("hardware metering (-M)")},
        {'m', "monitor", false, false, ignored("monitor ports (-m)")},
    };
    parse_options(args, 0, specs, "alsa driver");
    resolve_devices(given, options);
    return options;
}

std::string alsa_usage() {
    return "alsa driver options:\n"
           "  -d, --device DEV         ALSA device for both directions (default hw:0)\n"
           "  -C, --capture [DEV]      capture only, or capture from DEV\n"
           "  -P, --playback [DEV]     playback only, or play to DEV (with -C DEV: split\n"
           "                           devices, no drift correction)\n"
           "  -D, --duplex             capture and playback (the default)\n"
           "  -r, --rate RATE          sample rate (default 48000)\n"
           "  -p, --period FRAMES      frames per period (default 1024)\n"
           "  -n, --nperiods N         periods in the device buffer (default 2)\n"
           "  -i, --inchannels N       capture channels (default: all the device has)\n"
           "  -o, --outchannels N      playback channels (default: all the device has)\n"
           "  -S, --shorts             16-bit samples only\n"
           "  -s, --softmode           recover from device xruns without reporting them\n"
           "  -I, --input-latency N    extra capture latency to report, in frames\n"
           "  -O, --output-latency N   extra playback latency to report, in frames\n"
           "  -z, --dither n|r|s|t     accepted; only n (no dithering) is implemented\n"
           "  -X, --midi-driver NAME   accepted; ALSA MIDI is not implemented\n"
           "  -H, -M, -m               accepted and ignored (hardware monitoring/metering)\n"
           "  -h, --help               this text\n";
}

} // namespace bantam::drivers::alsa
