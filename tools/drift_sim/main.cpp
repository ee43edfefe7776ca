// bantam-drift-sim: runs the adapter's drift simulation (src/adapter/drift_simulation.hpp) and
// prints its figures: fill error over time, the resampling ratio, discontinuities in the sine.
//
//   bantam-drift-sim --minutes 10 --ppm 200        the documented 10-minute run
//
// By default four scenarios run one after the other: capture and playback, with the device
// clock +PPM and -PPM off JACK's; --sweep adds a drift that moves from -PPM to +PPM over the run
// in both directions. Exit status 0 only if every scenario found no discontinuity, no resync,
// no underrun or overflow after the warm-up.

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapter/drift_simulation.hpp"
#include "common/option_parser.hpp"

using namespace bantam;
using namespace bantam::adapter;

namespace {

struct Options {
    double seconds = 60;
    double ppm = 200;
    double every = 0; // 0: a tenth of the run, at least one second
    bool sweep = false;
    DriftScenario base;
};

void usage() {
    std::puts(
        "usage: bantam-drift-sim [--minutes M | --seconds S] [--ppm PPM] [--sweep] [--every S]\n"
        "                        [--rate HZ] [--device-rate HZ] [--jack-period N]\n"
        "                        [--device-period N] [--periods N] [--quality 0-4]\n"
        "                        [--jitter-us US] [--granularity FRAMES] [--seed N]\n"
        "Simulates the drift-compensating adapter between two clocks PPM apart and prints, per\n"
        "interval: fill error min/max (device frames from target, the adapter's measurement\n"
        "each cycle), the smoothed error the loop acts on, the ratio's correction (ppm from\n"
        "nominal: mean, min, max), the simulated drift and the discontinuities found in the\n"
        "output sine.");
}

double parse_number(const std::string& text, const char* what) {
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !std::isfinite(value))
        throw std::invalid_argument(std::string("invalid ") + what + " '" + text + "'");
    return value;
}

Options parse(int argc, char** argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto number = [](const char* what, double& target) {
        return [what, &target](const std::string& v) { target = parse_number(v, what); };
    };
    auto count = [](const char* what, uint32_t& target, uint32_t min, uint32_t max) {
        return [=, &target](const std::string& v) { target = parse_unsigned(v, what, min, max); };
    };
    double minutes = 0;
    uint32_t quality = kDefaultQuality, seed = 1;
    DriftScenario& b = o.base;
    parse_options(
        args, 0,
        {{'h', "help", false, false, [](const std::string&) { usage(), std::exit(0); }},
         {'m', "minutes", true, false, number("minutes", minutes)},
         {'s', "seconds", true, false, number("seconds", o.seconds)},
         {'p', "ppm", true, false, number("ppm", o.ppm)},
         {'e', "every", true, false, number("interval", o.every)},
         {'S', "sweep", false, false, [&](const std::string&) { o.sweep = true; }},
         {'r', "rate", true, false, count("rate", b.jack_rate, 8000, 384000)},
         {'R', "device-rate", true, false, count("device rate", b.device_rate, 8000, 384000)},
         {'P', "jack-period", true, false, count("JACK period", b.jack_period, 16, 8192)},
         {'d', "device-period", true, false, count("device period", b.device_period, 16, 8192)},
         {'n', "periods", true, false, count("periods", b.device_periods, 2, 32)},
         {'q', "quality", true, false, count("quality", quality, 0, 4)},
         {'j', "jitter-us", true, false, number("jitter", b.wake_jitter_us)},
         {'g', "granularity", true, false, count("granularity", b.position_granularity, 1, 8192)},
         {'x', "seed", true, false, count("seed", seed, 0, UINT32_MAX)}},
        "bantam-drift-sim");
    if (minutes > 0) o.seconds = minutes * 60;
    if (o.seconds < 2 * b.warmup_seconds)
        throw std::invalid_argument("the run must last at least 10 s");
    if (std::fabs(o.ppm) > b.tuning.max_correction_ppm)
        throw std::invalid_argument("ppm beyond the loop's +-500 ppm range");
    if (o.every <= 0) o.every = std::max(1.0, std::round(o.seconds / 10));
    b.quality = int(quality);
    b.seed = seed;
    b.seconds = o.seconds;
    return o;
}

const char* name(Direction d) {
    return d == Direction::capture ? "capture (device -> JACK)" : "playback (JACK -> device)";
}

bool run(const DriftScenario& s, double every) {
    char drift[64];
    if (s.ppm_start == s.ppm_end)
        std::snprintf(drift, sizeof drift, "%+g ppm", s.ppm_start);
    else
        std::snprintf(drift, sizeof drift, "%+g ppm -> %+g ppm", s.ppm_start, s.ppm_end);
    std::printf("\n%s, device clock %s, %g s simulated\n", name(s.direction), drift, s.seconds);
    std::printf("  %7s %8s %8s %8s %9s %9s %9s %7s %5s\n", "time", "err_min", "err_max", "smoothed",
                "ratio", "ratio_min", "ratio_max", "drift", "disc");
    std::printf("  %7s %8s %8s %8s %9s %9s %9s %7s %5s\n", "(s)", "(frames)", "(frames)",
                "(frames)", "(ppm)", "(ppm)", "(ppm)", "(ppm)", "");
    const DriftReport r = simulate_drift(s, every, [](const SecondFigures& f) {
        std::printf("  %7.0f %8.1f %8.1f %8.2f %9.2f %9.2f %9.2f %7.1f %5llu\n", f.time,
                    f.fill_error_min, f.fill_error_max, f.smoothed_error, f.ratio_ppm_mean,
                    f.ratio_ppm_min, f.ratio_ppm_max, f.device_ppm,
                    (unsigned long long)f.discontinuities);
    });
    std::printf("  after %g s warm-up: |fill error| <= %.1f frames (smoothed <= %.2f) around a "
                "target of %.0f; FIFO %.0f..%.0f frames; final ratio %+.2f ppm\n",
                s.warmup_seconds, r.max_abs_fill_error, r.max_abs_smoothed_error, r.target_frames,
                r.fifo_min, r.fifo_max, r.final_ratio_ppm);
    std::printf("  discontinuities found: %llu in %llu samples checked (worst residual %.4f of "
                "the threshold); resyncs %llu, underruns %llu, overflows %llu\n",
                (unsigned long long)r.discontinuities, (unsigned long long)r.samples_checked,
                r.worst_residual, (unsigned long long)r.resyncs, (unsigned long long)r.underruns,
                (unsigned long long)r.overflows);
    return r.discontinuities == 0 && r.resyncs == 0 && r.underruns == 0 && r.overflows == 0;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        const std::string message = e.what();
        std::fprintf(
            stderr, "%s%s\n",
            message.rfind("bantam-drift-sim", 0) == 0 ? "" : "bantam-drift-sim: ", message.c_str());
        return 2;
    }
    const DriftScenario& b = o.base;
    std::printf("JACK %u Hz / %u frames; device %u Hz / %u x %u frames, pointer steps of %u "
                "frames, wake-up jitter up to %g us; %s, loop %.3g Hz, clamp +-%g ppm\n",
                b.jack_rate, b.jack_period, b.device_rate, b.device_period, b.device_periods,
                b.position_granularity, b.wake_jitter_us, quality_name(b.quality),
                b.tuning.natural_hz, b.tuning.max_correction_ppm);
    bool ok = true;
    for (Direction direction : {Direction::capture, Direction::playback}) {
        std::vector<std::pair<double, double>> drifts = {{o.ppm, o.ppm}, {-o.ppm, -o.ppm}};
        if (o.sweep) drifts.push_back({-o.ppm, o.ppm});
        for (auto [from, to] : drifts) {
            DriftScenario s = b;
            s.direction = direction;
            s.ppm_start = from;
            s.ppm_end = to;
            ok = run(s, o.every) && ok;
        }
    }
    std::printf("\n%s\n", ok ? "all scenarios continuous" : "FAILED");
    return ok ? 0 : 1;
}
