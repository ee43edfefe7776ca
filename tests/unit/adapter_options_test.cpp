// The adapter's two command lines: jackd2's audioadapter init string (the seed's line, option
// for option) and alsa_in/alsa_out's arguments.

#include "adapter/adapter_options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace bantam::adapter;

namespace {

TEST(AudioadapterOptions, TheSeedLineOptionForOption) {
    const AdapterOptions o =
        parse_audioadapter_options("-i 1 -o 2 -D -p 256 -n 2 -dalsa -dhw:Audio   -r 48000");
    EXPECT_EQ(o.capture_device, "hw:Audio");
    EXPECT_EQ(o.playback_device, "hw:Audio");
    EXPECT_EQ(o.capture_channels, 1u);
    EXPECT_EQ(o.playback_channels, 2u);
    EXPECT_EQ(o.period, 256u);
    EXPECT_EQ(o.periods, 2u);
    EXPECT_EQ(o.rate, 48000u);
    EXPECT_EQ(o.quality, kDefaultQuality);
}

TEST(AudioadapterOptions, DefaultsFollowJackd2) {
    const AdapterOptions o = parse_audioadapter_options("");
    EXPECT_EQ(o.capture_device, "hw:0");
    EXPECT_EQ(o.playback_device, "hw:0");
    EXPECT_EQ(o.capture_channels, 2u);
    EXPECT_EQ(o.playback_channels, 2u);
    EXPECT_EQ(o.rate, 0u) << "JACK's rate";
    EXPECT_EQ(o.period, 0u) << "JACK's buffer size";
    EXPECT_EQ(o.periods, 2u);
}

TEST(AudioadapterOptions, SeparateDevicesDirectionsAndTheRest) {
    AdapterOptions o = parse_audioadapter_options("-d alsa -d hw:1 -C hw:2 -P -q 4 -g 4096 -v");
    EXPECT_EQ(o.capture_device, "hw:2");
    EXPECT_EQ(o.playback_device, "hw:1") << "-P without a device keeps -d's";
    EXPECT_EQ(o.quality, 4);
    EXPECT_EQ(o.fifo_frames, 4096u);
    EXPECT_TRUE(o.verbose);
    o = parse_audioadapter_options("-i 0 -o 2 -d \"my card\"");
    EXPECT_EQ(o.capture_device, "") << "no capture direction";
    EXPECT_EQ(o.playback_device, "my card");
    o = parse_audioadapter_options("-P none -C none -dhw:3");
    EXPECT_EQ(o.capture_device, "hw:3");
    EXPECT_EQ(o.playback_device, "hw:3");
}

void expect_error(const std::string& init, const std::string& words) {
    try {
        parse_audioadapter_options(init);
        ADD_FAILURE() << "accepted \"" << init << "\"";
    } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("audioadapter: ", 0), 0u) << message;
        EXPECT_NE(message.find(words), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    }
}

TEST(AudioadapterOptions, BadOptionsAreOneLine) {
    expect_error("-i 2 -x", "unknown option '-x'");
    expect_error("-q 5", "invalid quality '5'");
    expect_error("-r fast", "invalid rate 'fast'");
    expect_error("-p", "needs a value");
    expect_error("-i 0 -o 0", "no channels");
    expect_error("-d \"open", "unbalanced quote");
    EXPECT_THROW(parse_audioadapter_options("-h"), HelpRequested);
}

TEST(SplitInitString, SpacesAndQuotes) {
    EXPECT_EQ(split_init_string("  -i 1\t-d \"a b\"  "),
              (std::vector<std::string>{"-i", "1", "-d", "a b"}));
    EXPECT_EQ(split_init_string(""), std::vector<std::string>{});
    EXPECT_EQ(split_init_string("-d \"\""), (std::vector<std::string>{"-d", ""}));
}

TEST(AlsaIoOptions, AlsaInsOptions) {
    const AdapterOptions o = parse_alsa_io_options(
        Direction::capture,
        {"-j", "usb", "-S",    "other", "-d", "hw:1", "-c",  "1",  "-p",  "256", "-n",
         "3",  "-r",  "44100", "-q",    "4",  "-t",   "800", "-m", "100", "-v",  "-i"});
    EXPECT_EQ(o.client_name, "usb");
    EXPECT_EQ(o.server_name, "other");
    EXPECT_EQ(o.capture_device, "hw:1");
    EXPECT_EQ(o.playback_device, "");
    EXPECT_EQ(o.capture_channels, 1u);
    EXPECT_EQ(o.period, 256u);
    EXPECT_EQ(o.periods, 3u);
    EXPECT_EQ(o.rate, 44100u);
    EXPECT_EQ(o.quality, 4);
    EXPECT_EQ(o.target_frames, 800u);
    EXPECT_EQ(o.max_diff_frames, 100u);
    EXPECT_TRUE(o.verbose);
    EXPECT_TRUE(o.instrument);
}

TEST(AlsaIoOptions, DefaultsAndAlsaInsLoopTuningIsAcceptedButIgnored) {
    const AdapterOptions o =
        parse_alsa_io_options(Direction::playback, {"-s", "128", "-C", "5", "-f", "1000"});
    EXPECT_EQ(o.client_name, "alsa_out");
    EXPECT_EQ(o.playback_device, "hw:0");
    EXPECT_EQ(o.playback_channels, 2u);
    EXPECT_EQ(o.period, 1024u);
    EXPECT_EQ(o.periods, 2u);
    EXPECT_EQ(o.rate, 0u);
    EXPECT_EQ(o.ignored, (std::vector<std::string>{"-s 128", "-C 5", "-f 1000"}));
}

TEST(AlsaIoOptions, BadOptionsNameTheProgram) {
    for (const auto& [args, words] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"-x"}, "bantam-alsa-in: unknown option '-x'"},
             {{"-c", "0"}, "bantam-alsa-in: invalid channels '0'"},
             {{"-p", "8"}, "bantam-alsa-in: invalid period size '8'"},
             {{"extra"}, "bantam-alsa-in: unexpected argument 'extra'"}}) {
        try {
            parse_alsa_io_options(Direction::capture, args);
            ADD_FAILURE() << words;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).rfind(words, 0), 0u) << e.what();
        }
    }
    EXPECT_THROW(parse_alsa_io_options(Direction::playback, {"-h"}), HelpRequested);
}

} // namespace
