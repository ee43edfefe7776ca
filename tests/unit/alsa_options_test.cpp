// The ALSA driver's command line: jackd's rules for -d, -C, -P and -D, and clear errors.

#include <gtest/gtest.h>

#include <stdexcept>

#include "drivers/alsa/alsa_options.hpp"

using namespace bantam::drivers::alsa;

namespace {

AlsaOptions parse(std::vector<std::string> args) {
    return parse_alsa_options(args);
}

std::string error_of(std::vector<std::string> args) {
    try {
        parse_alsa_options(args);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "(no error)";
}

} // namespace

TEST(alsa_options, defaults_are_jackds) {
    AlsaOptions options = parse({});
    EXPECT_EQ(options.capture_device, "hw:0");
    EXPECT_EQ(options.playback_device, "hw:0");
    EXPECT_EQ(options.sample_rate, 48000u);
    EXPECT_EQ(options.period, 1024u);
    EXPECT_EQ(options.periods, 2u);
    EXPECT_EQ(options.capture_channels, 0u);
    EXPECT_FALSE(options.shorts_only);
    EXPECT_FALSE(options.split());
}

TEST(alsa_options, directions_and_devices) {
    AlsaOptions device = parse({"-d", "hw:1"});
    EXPECT_EQ(device.capture_device, "hw:1");
    EXPECT_EQ(device.playback_device, "hw:1");

    AlsaOptions playback_only = parse({"-d", "hw:1", "-P"});
    EXPECT_EQ(playback_only.capture_device, "");
    EXPECT_EQ(playback_only.playback_device, "hw:1");

    AlsaOptions capture_only = parse({"-C", "-d", "hw:2"});
    EXPECT_EQ(capture_only.capture_device, "hw:2");
    EXPECT_EQ(capture_only.playback_device, "");

    AlsaOptions both_flags = parse({"-C", "-P"});
    EXPECT_TRUE(both_flags.duplex());
    EXPECT_FALSE(both_flags.split());

    AlsaOptions split = parse({"-P", "hw:2", "-C", "hw:3"});
    EXPECT_EQ(split.playback_device, "hw:2");
    EXPECT_EQ(split.capture_device, "hw:3");
    EXPECT_TRUE(split.split());

    AlsaOptions capture_elsewhere = parse({"-Chw:3"});
    EXPECT_EQ(capture_elsewhere.capture_device, "hw:3");
    EXPECT_EQ(capture_elsewhere.playback_device, "");

    AlsaOptions duplex_with_split = parse({"-D", "-P", "hw:2"});
    EXPECT_EQ(duplex_with_split.capture_device, "hw:0");
    EXPECT_EQ(duplex_with_split.playback_device, "hw:2");
    EXPECT_TRUE(duplex_with_split.split());
}

TEST(alsa_options, numbers_and_flags) {
    AlsaOptions options = parse({"-r", "44100", "-p", "128", "-n", "3", "-i", "4", "-o", "6", "-S",
                                 "-s", "-I", "32", "--output-latency=64"});
    EXPECT_EQ(options.sample_rate, 44100u);
    EXPECT_EQ(options.period, 128u);
    EXPECT_EQ(options.periods, 3u);
    EXPECT_EQ(options.capture_channels, 4u);
    EXPECT_EQ(options.playback_channels, 6u);
    EXPECT_TRUE(options.shorts_only);
    EXPECT_TRUE(options.soft_mode);
    EXPECT_EQ(options.extra_capture_latency, 32u);
    EXPECT_EQ(options.extra_playback_latency, 64u);
    EXPECT_TRUE(options.warnings.empty());
}

TEST(alsa_options, accepted_but_unsupported_options_warn) {
    AlsaOptions options = parse({"-z", "n", "-X", "none"});
    EXPECT_TRUE(options.warnings.empty());
    options = parse({"-z", "t", "-X", "seq", "-H", "-M", "-m"});
    EXPECT_EQ(options.warnings.size(), 5u);
}

TEST(alsa_options, bad_options_are_one_clear_line) {
    EXPECT_EQ(error_of({"-q"}), "alsa driver: unknown option '-q'");
    EXPECT_EQ(error_of({"-n", "1"}), "invalid number of periods '1' (expected 2..64)");
    EXPECT_EQ(error_of({"-p", "8"}), "invalid period size '8' (expected 16..8192)");
    EXPECT_EQ(error_of({"-r", "fast"}), "invalid sample rate 'fast' (expected 1000..768000)");
    EXPECT_EQ(error_of({"-i", "0"}), "invalid capture channel count '0' (expected 1..256)");
    EXPECT_EQ(error_of({"-z", "q"}),
              "alsa driver: invalid dither mode 'q' (expected n, r, s or t)");
    EXPECT_EQ(error_of({"-X", "jack"}),
              "alsa driver: invalid MIDI driver 'jack' (expected none, seq or raw)");
    EXPECT_EQ(error_of({"-d"}), "alsa driver: option '-d' needs a value");
    EXPECT_EQ(error_of({"extra"}), "alsa driver: unexpected argument 'extra'");
}
