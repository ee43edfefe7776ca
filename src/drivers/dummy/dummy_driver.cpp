#include "drivers/dummy/dummy_driver.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "common/clock.hpp"
#include "common/option_parser.hpp"

namespace bantam::drivers {

DummyOptions parse_dummy_options(const std::vector<std::string>& args) {
    DummyOptions options;
    std::vector<OptionSpec> specs = {
        {'r', "rate", true, false,
         [&](const std::string& v) {
             options.sample_rate = parse_unsigned(v, "sample rate", 1000, 768000);
         }},
        {'p', "period", true, false,
         [&](const std::string& v) {
             options.buffer_size = parse_unsigned(v, "period size", 16, kMaxFramesForDriver);
         }},
        {'n', "nperiods", true, false,
         [&](const std::string& v) {
             options.periods = parse_unsigned(v, "number of periods", 2, 64);
         }},
        {'C', "capture", true, false,
         [&](const std::string& v) {
             options.capture_channels = parse_unsigned(v, "capture channel count", 0, 256);
         }},
        {'P', "playback", true, false,
         [&](const std::string& v) {
             options.playback_channels = parse_unsigned(v, "playback channel count", 0, 256);
         }},
        {'w', "wait", true, false,
         [&](const std::string& v) { parse_unsigned(v, "wait time", 0, 100000000); }},
        {'m', "monitor", false, false, [&](const std::string&) {}},
        {'\0', "capture-file", true, false,
         [&](const std::string& v) { options.capture_file = v; }},
        {'\0', "loopback", false, false, [&](const std::string&) { options.loopback = true; }},
        {'\0', "playback-file", true, false,
         [&](const std::string& v) { options.playback_file = v; }},
    };
    parse_options(args, 0, specs, "dummy driver");
    return options;
}

std::string dummy_usage() {
    return "dummy driver options:\n"
           "  -r, --rate RATE          sample rate (default 48000)\n"
           "  -p, --period FRAMES      frames per period (default 1024)\n"
           "  -n, --nperiods N         periods of playback latency (default 2)\n"
           "  -C, --capture N          capture ports (default 2)\n"
           "  -P, --playback N         playback ports (default 2)\n"
           "  -w, --wait USECS         accepted for jackd compatibility; the period sets the pace\n"
           "  --capture-file WAV       feed capture ports from a WAV file (then silence)\n"
           "  --loopback               capture ports hear the playback ports after exactly the\n"
           "                           latency the ports report (for measuring it)\n"
           "  --playback-file WAV      write what reaches the playback ports to a WAV file\n";
}

DummyDriver::DummyDriver(DummyOptions options) : options_(std::move(options)) {
    if (!options_.capture_file.empty())
        source_ = std::make_unique<WavSource>(options_.capture_file, options_.sample_rate);
    if (!options_.playback_file.empty())
        sink_ = std::make_unique<WavSink>(options_.playback_file, options_.sample_rate,
                                          options_.playback_channels);
}

DummyDriver::~DummyDriver() = default;

void DummyDriver::start() {
    origin_nanos_ = monotonic_nanos();
    frames_since_origin_ = 0;
}

void DummyDriver::stop() noexcept {}

bool DummyDriver::set_buffer_size(uint32_t frames) {
    if (frames < 1 || frames > kMaxFramesForDriver) return false;
    options_.buffer_size = frames;
    return true;
}

CycleTiming DummyDriver::wait_for_cycle() noexcept {
    // Deadline of the period that starts after the frames already delivered, computed from the
    // origin each time so rounding never accumulates.
    uint64_t deadline =
        origin_nanos_ + (frames_since_origin_ * 1000000000ull) / options_.sample_rate;
    timespec ts{time_t(deadline / 1000000000ull), long(deadline % 1000000000ull)};
    RT_ASSUME_SAFE_BEGIN
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
    RT_ASSUME_SAFE_END
    uint64_t now = monotonic_nanos();
    CycleTiming timing;
    timing.start_usecs = deadline / 1000;
    timing.delayed_usecs = now > deadline ? (now - deadline) / 1000 : 0;
    uint64_t period_nanos = uint64_t(options_.buffer_size) * 1000000000ull / options_.sample_rate;
    if (now > deadline + period_nanos) {
        // Woke more than a period late: a real device would have lost data. Report it and
        // restart the clock from now rather than racing to catch up.
        timing.xrun = true;
        origin_nanos_ = now;
        frames_since_origin_ = 0;
        timing.start_usecs = now / 1000;
    }
    frames_since_origin_ += options_.buffer_size;
    return timing;
}

void DummyDriver::set_reported_playback_latency(uint32_t frames) {
    if (!options_.loopback) return;
    // A period written at FIFO position w is read back w / period cycles after it was
    // produced (whether the engine plays before capturing, async, or after, sync), so priming
    // the FIFO with the whole reported round trip makes the loop exactly that long.
    const size_t round_trip = size_t(frames) + capture_latency();
    loop_.size = round_trip + 2 * size_t(kMaxFramesForDriver);
    loop_.fifo.assign(std::max(options_.capture_channels, options_.playback_channels),
                      std::vector<float>(loop_.size, 0.0f));
    loop_.read = 0;
    loop_.write = round_trip;
}

void DummyDriver::read_capture(std::span<float* const> channels, uint32_t frames) noexcept {
    if (options_.loopback && loop_.size) {
        for (size_t c = 0; c < channels.size(); ++c)
            for (uint32_t i = 0; i < frames; ++i)
                channels[c][i] =
                    c < loop_.fifo.size() ? loop_.fifo[c][(loop_.read + i) % loop_.size] : 0.0f;
        loop_.read = (loop_.read + frames) % loop_.size;
        return;
    }
    if (source_) {
        source_->read(channels, frames);
        return;
    }
    for (float* channel : channels)
        for (uint32_t i = 0; i < frames; ++i)
            channel[i] = 0.0f;
}

void DummyDriver::write_playback(std::span<const float* const> channels, uint32_t frames) noexcept {
    if (sink_) sink_->write(channels, frames);
    if (options_.loopback && loop_.size) {
        for (size_t c = 0; c < loop_.fifo.size(); ++c)
            for (uint32_t i = 0; i < frames; ++i)
                loop_.fifo[c][(loop_.write + i) % loop_.size] =
                    c < channels.size() ? channels[c][i] : 0.0f;
        loop_.write = (loop_.write + frames) % loop_.size;
    }
}

} // namespace bantam::drivers
