#include "adapter/adapter_options.hpp"

#include "common/option_parser.hpp"

namespace bantam::adapter {

namespace {

constexpr unsigned kMaxChannels = 64;

using Apply = std::function<void(const std::string&)>;

Apply set_unsigned(unsigned& target, const char* what, unsigned min, unsigned max) {
    return [&target, what, min, max](const std::string& v) {
        target = parse_unsigned(v, what, min, max);
    };
}

Apply set_flag(bool& target) {
    return [&target](const std::string&) { target = true; };
}

// Runs parse_options, naming `program` at the start of every error (the number parsers don't).
void parse_for(const char* program, const std::vector<std::string>& args,
               const std::vector<OptionSpec>& specs) {
    try {
        parse_options(args, 0, specs, program);
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        if (message.rfind(program, 0) == 0) throw;
        throw std::invalid_argument(std::string(program) + ": " + message);
    }
}

Apply set_quality(int& target) {
    return [&target](const std::string& v) {
        target = int(parse_unsigned(v, "quality", 0, kMaxQuality));
    };
}

} // namespace

std::vector<std::string> split_init_string(const std::string& init) {
    std::vector<std::string> words;
    std::string word;
    bool quoted = false, in_word = false;
    for (char ch : init) {
        if (ch == '"') {
            quoted = !quoted;
            in_word = true;
        } else if (!quoted && (ch == ' ' || ch == '\t' || ch == '\n')) {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += ch;
            in_word = true;
        }
    }
    if (quoted) throw std::invalid_argument("audioadapter: unbalanced quote in \"" + init + "\"");
    if (in_word) words.push_back(word);
    return words;
}

AdapterOptions parse_audioadapter_options(const std::string& init) {
    AdapterOptions o;
    o.capture_channels = o.playback_channels = 2;
    std::string device = "hw:0", capture = "none", playback = "none";
    bool duplex = false;
    const std::vector<OptionSpec> specs = {
        {'i', "in-channels", true, false,
         set_unsigned(o.capture_channels, "capture channels", 0, kMaxChannels)},
        {'o', "out-channels", true, false,
         set_unsigned(o.playback_channels, "playback channels", 0, kMaxChannels)},
        {'d', "device", true, false,
         [&](const std::string& v) {
             if (v != "alsa") device = v; // "-d alsa" names the backend, as in jackd2
         }},
        {'C', "capture", true, true,
         [&](const std::string& v) { capture = v.empty() ? "none" : v; }},
        {'P', "playback", true, true,
         [&](const std::string& v) { playback = v.empty() ? "none" : v; }},
        {'D', "duplex", false, false, set_flag(duplex)},
        {'r', "rate", true, false, set_unsigned(o.rate, "rate", 8000, 384000)},
        {'p', "periodsize", true, false, set_unsigned(o.period, "period size", 16, kMaxJackPeriod)},
        {'n', "nperiods", true, false, set_unsigned(o.periods, "number of periods", 2, 64)},
        {'q', "quality", true, false, set_quality(o.quality)},
        {'g', "ring-buffer", true, false,
         set_unsigned(o.fifo_frames, "ring buffer size", 64, 1u << 22)},
        {'v', "verbose", false, false, set_flag(o.verbose)},
        {'h', "help", false, false,
         [](const std::string&) { throw HelpRequested(audioadapter_usage()); }},
    };
    parse_for("audioadapter", split_init_string(init), specs);
    if (o.capture_channels == 0 && o.playback_channels == 0)
        throw std::invalid_argument("audioadapter: no channels (-i and -o are both 0)");
    if (o.capture_channels > 0) o.capture_device = capture != "none" ? capture : device;
    if (o.playback_channels > 0) o.playback_device = playback != "none" ? playback : device;
    return o;
}

AdapterOptions parse_alsa_io_options(Direction direction, const std::vector<std::string>& args) {
    const bool capture = direction == Direction::capture;
    const char* program = capture ? "bantam-alsa-in" : "bantam-alsa-out";
    AdapterOptions o;
    o.client_name = capture ? "alsa_in" : "alsa_out";
    o.period = 1024;
    std::string device = "hw:0";
    unsigned channels = 2;
    auto ignore = [&o](char name) {
        return [&o, name](const std::string& v) {
            parse_unsigned(v, "value", 0, 1u << 30);
            o.ignored.push_back(std::string("-") + name + " " + v);
        };
    };
    const std::vector<OptionSpec> specs = {
        {'j', "name", true, false, [&](const std::string& v) { o.client_name = v; }},
        {'S', "server", true, false, [&](const std::string& v) { o.server_name = v; }},
        {'d', "device", true, false, [&](const std::string& v) { device = v; }},
        {'c', "channels", true, false, set_unsigned(channels, "channels", 1, kMaxChannels)},
        {'p', "period", true, false, set_unsigned(o.period, "period size", 16, kMaxJackPeriod)},
        {'n', "nperiods", true, false, set_unsigned(o.periods, "number of periods", 2, 64)},
        {'r', "rate", true, false, set_unsigned(o.rate, "rate", 8000, 384000)},
        {'q', "quality", true, false, set_quality(o.quality)},
        {'t', "target", true, false, set_unsigned(o.target_frames, "target delay", 1, 1u << 20)},
        {'m', "max-diff", true, false, set_unsigned(o.max_diff_frames, "max diff", 1, 1u << 20)},
        {'v', "verbose", false, false, set_flag(o.verbose)},
        {'i', "instrument", false, false, set_flag(o.instrument)},
        {'s', "smooth", true, false, ignore('s')},
        {'C', "pclamp", true, false, ignore('C')},
        {'f', "catch-factor", true, false, ignore('f')},
        {'F', "catch-factor2", true, false, ignore('F')},
        {'Q', "controlquant", true, false, ignore('Q')},
        {'h', "help", false, false,
         [&](const std::string&) { throw HelpRequested(alsa_io_usage(direction)); }},
    };
    parse_for(program, args, specs);
    if (o.client_name.empty())
        throw std::invalid_argument(std::string(program) + ": empty client name");
    (capture ? o.capture_device : o.playback_device) = device;
    (capture ? o.capture_channels : o.playback_channels) = channels;
    return o;
}

std::string audioadapter_usage() {
    return "audioadapter: shows an ALSA device as JACK ports, resampled to follow its clock\n"
           "  jack_load NAME audioadapter -i \"OPTIONS\"\n"
           "  -i CHANNELS      capture channels (ports NAME:capture_N; default 2, 0: none)\n"
           "  -o CHANNELS      playback channels (ports NAME:playback_N; default 2, 0: none)\n"
           "  -d DEVICE        ALSA device (default hw:0); \"-d alsa\" is accepted and skipped\n"
           "  -C [DEVICE]      capture device, if not -d's;  -P [DEVICE]  playback device\n"
           "  -D               duplex (the default)\n"
           "  -r RATE          device sample rate (default: JACK's)\n"
           "  -p FRAMES        device period (default: JACK's buffer size)\n"
           "  -n PERIODS       device periods (default 2)\n"
           "  -q QUALITY       resampler: 0 linear, 1 zero-order hold, 2 sinc fastest (default),\n"
           "                   3 sinc medium, 4 sinc best\n"
           "  -g FRAMES        adapter FIFO size (default: automatic)\n"
           "  -v               print the loop's state in bantamd's log every second (Bantam "
           "only)\n";
}

std::string alsa_io_usage(Direction direction) {
    const bool capture = direction == Direction::capture;
    return std::string("usage: ") + (capture ? "bantam-alsa-in" : "bantam-alsa-out") +
           " [options]\n" +
           (capture ? "  ALSA capture device -> JACK ports NAME:capture_N\n"
                    : "  JACK ports NAME:playback_N -> ALSA playback device\n") +
           "  -j NAME          client name (default " + (capture ? "alsa_in" : "alsa_out") +
           ")\n"
           "  -S SERVER        server to connect to\n"
           "  -d DEVICE        ALSA device (default hw:0)\n"
           "  -c CHANNELS      channels (default 2)\n"
           "  -p FRAMES        device period (default 1024)\n"
           "  -n PERIODS       device periods (default 2)\n"
           "  -r RATE          device sample rate (default: JACK's)\n"
           "  -q QUALITY       resampler 0..4 (default 2, sinc fastest)\n"
           "  -t FRAMES        target latency: device frames buffered between the clocks\n"
           "  -m FRAMES        error beyond which the adapter re-centres instead of steering\n"
           "  -v               print the loop's state every 500 ms\n"
           "  -i               print the loop's state every JACK cycle\n"
           "  -s -C -f -F -Q   alsa_in's loop tuning: accepted, no effect\n";
}

} // namespace bantam::adapter
