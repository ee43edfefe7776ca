#pragma once

// The drift simulation: a DriftAdapter between a simulated JACK clock and a simulated device
// clock that runs ppm fast or slow, a sine through it, and the figures that show whether the
// loop holds: fill error per second, resampling ratio, discontinuities in the output sine.
//
// Time is simulated (a 10-minute run takes seconds). The JACK clock is the reference; JACK
// cycles come exactly every period. The device's clock runs at rate * (1 + ppm * 1e-6), the ppm
// moving linearly from ppm_start to ppm_end over the run (a constant offset, or a sweep as a
// warming crystal would make). The device behaves like an ALSA device with its thread: its
// hardware pointer advances in steps of `position_granularity` frames (a USB card's 1 ms
// packets), its thread wakes up to `wake_jitter_us` late after each period boundary, transfers
// one period and publishes avail (capture) or delay (playback) at the moment it woke.
//
// Capture: the device captures a sine (its own sample clock), the JACK outputs are checked.
// Playback: JACK inputs carry a sine, what the device plays is checked. Each channel carries its
// own frequency (channel c: sine_hz * (1 + c / 4)), so a swap of channels is a discontinuity too.

#include <cstdint>
#include <functional>
#include <vector>

#include "adapter/adapter_config.hpp"

namespace bantam::adapter {

struct DriftScenario {
    Direction direction = Direction::capture;
    double seconds = 60;
    double ppm_start = 200;
    double ppm_end = 200;
    uint32_t jack_rate = 48000;
    uint32_t jack_period = 256;
    uint32_t device_rate = 48000;
    uint32_t device_period = 256;
    uint32_t device_periods = 2;
    size_t channels = 2;
    int quality = kDefaultQuality;
    double sine_hz = 997;
    double amplitude = 0.5;
    double wake_jitter_us = 500;
    uint32_t position_granularity = 48;
    double warmup_seconds = 5; // bounds and continuity are judged after this
    uint64_t seed = 1;
    LoopTuning tuning;

    // Negative tests: one frame of the checked output dropped or repeated, or one sample of the
    // source sine (device for capture, JACK for playback) skipped, at this frame index.
    enum class Glitch { none, drop_output, repeat_output, skip_source };
    Glitch glitch = Glitch::none;
    uint64_t glitch_frame = 0;
    // At this time (seconds; negative: never) the JACK side stalls for jack_stall_periods
    // periods: 1 is a cycle the server skipped, a fraction more a clock that restarted after a
    // stall. That audio is lost in the graph (capture: the recording hears silence).
    double jack_stall_at = -1;
    double jack_stall_periods = 1;
};

struct SecondFigures {
    double time = 0;                               // end of the interval, seconds
    double fill_error_min = 0, fill_error_max = 0; // the adapter's, each cycle, device frames
    double smoothed_error = 0;                     // what the loop saw, at the interval's end
    double ratio_ppm_min = 0, ratio_ppm_max = 0;   // ratio relative to nominal
    double ratio_ppm_mean = 0;
    double device_ppm = 0; // the simulated drift at the interval's end
    uint64_t discontinuities = 0;
};

struct DriftReport {
    std::vector<SecondFigures> seconds;
    // After the warm-up:
    double max_abs_fill_error = 0;
    double max_abs_smoothed_error = 0;
    double fifo_min = 0, fifo_max = 0; // FIFO fill as each JACK cycle began (device frames)
    uint64_t discontinuities = 0;
    uint64_t resyncs = 0;
    uint64_t underruns = 0;
    uint64_t overflows = 0;
    uint64_t missed_cycles = 0;
    uint64_t samples_checked = 0;
    double worst_residual = 0; // fraction of the discontinuity threshold
    std::vector<uint64_t> discontinuity_frames;
    // The whole run:
    double final_ratio_ppm = 0;
    double target_frames = 0;
};

// Runs the scenario; calls on_interval every `interval_seconds` of simulated time.
DriftReport simulate_drift(const DriftScenario& scenario, double interval_seconds = 1.0,
                           const std::function<void(const SecondFigures&)>& on_interval = {});

} // namespace bantam::adapter
