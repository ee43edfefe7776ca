// The drift test: the adapter between two clocks +-200 ppm apart keeps its fill error bounded
// and its output sine continuous (the shortened CI run of bantam-drift-sim; the 10-minute run
// is documented). The discontinuity detector is proven first: a single dropped or repeated
// frame is found at any phase of the sine, in a plain stream and inside the simulation.

#include "adapter/drift_simulation.hpp"
#include "adapter/sine_continuity.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace bantam::adapter;

namespace {

constexpr double kCycles = 997.0 / 48000;

std::vector<float> sine(size_t frames, double cycles = kCycles, double phase = 0) {
    std::vector<float> v(frames);
    for (size_t i = 0; i < frames; ++i)
        v[i] = float(0.5 * std::sin(2 * M_PI * cycles * double(i) + phase));
    return v;
}

uint64_t discontinuities_in(const std::vector<float>& stream) {
    SineContinuityChecker checker(kCycles, 0.5);
    checker.push(stream.data(), stream.size());
    return checker.discontinuities();
}

TEST(SineContinuity, CleanSineWithDriftingFrequencyPasses) {
    std::vector<float> v(200000);
    double phase = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        v[i] = float(0.5 * std::sin(phase));
        phase += 2 * M_PI * kCycles * (1 + 500e-6 * std::sin(double(i) / 20000));
    }
    SineContinuityChecker checker(kCycles, 0.5);
    checker.push(v.data(), v.size());
    EXPECT_EQ(checker.discontinuities(), 0u);
    EXPECT_LT(checker.worst_residual(), 0.01);
}

// Every phase of one cycle of the sine (48 samples), for a drop and for a repeat.
TEST(SineContinuity, OneDroppedOrRepeatedFrameIsFoundAtAnyPhase) {
    for (size_t offset = 0; offset < 49; ++offset) {
        const size_t at = 20000 + offset;
        std::vector<float> dropped = sine(40000);
        dropped.erase(dropped.begin() + long(at));
        EXPECT_EQ(discontinuities_in(dropped), 1u) << "drop at " << at;
        std::vector<float> repeated = sine(40000);
        repeated.insert(repeated.begin() + long(at), repeated[at]);
        EXPECT_EQ(discontinuities_in(repeated), 1u) << "repeat at " << at;
    }
}

TEST(SineContinuity, AnotherFrequencyIsFound) {
    // The next channel's sine in the simulation: a swap of channels from the very start.
    EXPECT_GE(discontinuities_in(sine(40000, kCycles * 1.25)), 1u);
    EXPECT_EQ(discontinuities_in(sine(40000, kCycles * 1.0005)), 0u) << "500 ppm is the drift";
}

TEST(SineContinuity, GapsAndLevelJumpsAreFound) {
    std::vector<float> gap = sine(40000);
    std::fill(gap.begin() + 20000, gap.begin() + 20256, 0.0f);
    EXPECT_GE(discontinuities_in(gap), 1u);
    std::vector<float> quieter = sine(40000);
    for (size_t i = 20000; i < quieter.size(); ++i)
        quieter[i] *= 0.8f;
    EXPECT_GE(discontinuities_in(quieter), 1u);
}

DriftScenario scenario(Direction direction, double ppm, double seconds, size_t channels = 2) {
    DriftScenario s;
    s.direction = direction;
    s.ppm_start = s.ppm_end = ppm;
    s.seconds = seconds;
    s.channels = channels;
    return s;
}

// The bounds every clean run must meet after the warm-up.
void expect_steady(const DriftReport& r, double expected_ppm, const char* what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(r.discontinuities, 0u);
    EXPECT_EQ(r.resyncs, 0u);
    EXPECT_EQ(r.underruns, 0u);
    EXPECT_EQ(r.overflows, 0u);
    EXPECT_GT(r.samples_checked, 0u);
    EXPECT_LT(r.worst_residual, 0.05) << "the sine is far from the detection threshold";
    // The measurement itself moves in 48-frame steps; what the loop acts on is much steadier.
    // Right after the warm-up the start's transient (peak rate*drift/(wn*e), 11 frames) remains.
    EXPECT_LT(r.max_abs_fill_error, 40);
    EXPECT_LT(r.max_abs_smoothed_error, 20);
    EXPECT_NEAR(r.final_ratio_ppm, expected_ppm, 40);
    EXPECT_GT(r.fifo_min, 0) << "a JACK cycle found the FIFO empty";
}

TEST(DriftSimulation, CaptureHoldsItsFillAtPlus200PpmForAMinute) {
    const DriftReport r = simulate_drift(scenario(Direction::capture, 200, 60, 1));
    // The device delivers 200 ppm too many frames: the JACK side consumes 200 ppm more.
    expect_steady(r, -200, "capture +200 ppm");
    ASSERT_EQ(r.seconds.size(), 60u);
    for (const auto& second : r.seconds)
        EXPECT_EQ(second.discontinuities, 0u) << "second " << second.time;
    // The loop settles: the last half minute stays within a few frames and ppm.
    for (size_t i = 30; i < 60; ++i) {
        EXPECT_LT(std::fabs(r.seconds[i].smoothed_error), 5) << "second " << i;
        EXPECT_NEAR(r.seconds[i].ratio_ppm_min, -200, 40) << "second " << i;
        EXPECT_NEAR(r.seconds[i].ratio_ppm_max, -200, 40) << "second " << i;
    }
}

TEST(DriftSimulation, PlaybackHoldsItsFillAtMinus200PpmForAMinute) {
    const DriftReport r = simulate_drift(scenario(Direction::playback, -200, 60, 1));
    // The device plays 200 ppm too few frames: the JACK side produces 200 ppm fewer.
    expect_steady(r, -200, "playback -200 ppm");
    for (size_t i = 30; i < 60; ++i)
        EXPECT_LT(std::fabs(r.seconds[i].smoothed_error), 5) << "second " << i;
}

TEST(DriftSimulation, BothDirectionsBothSignsAndASweepStayContinuous) {
    expect_steady(simulate_drift(scenario(Direction::capture, -200, 15)), 200, "capture -200");
    expect_steady(simulate_drift(scenario(Direction::playback, 200, 15)), 200, "playback +200");
    DriftScenario sweep = scenario(Direction::playback, -200, 15);
    sweep.ppm_end = 200; // the drift moves 400 ppm in 15 s, far faster than a crystal warms
    expect_steady(simulate_drift(sweep), 200, "playback sweep");
}

TEST(DriftSimulation, ConvertsBetweenRatesWhileFollowingDrift) {
    DriftScenario s = scenario(Direction::capture, 200, 15);
    s.device_rate = 44100;
    s.device_period = 441;
    expect_steady(simulate_drift(s), -200, "44.1 kHz device, 48 kHz JACK");
}

// A device period four times JACK's: the playback device pads with silence until the FIFO is
// fed, so the latency is a sawtooth of a whole device period until the adapter centres; it must
// centre on the top of it, or it starts a period off and steers that away for half a minute.
TEST(DriftSimulation, LargeDevicePeriodsStartOnTarget) {
    for (Direction d : {Direction::capture, Direction::playback}) {
        DriftScenario s = scenario(d, d == Direction::capture ? 200 : -200, 16);
        s.device_period = 1024;
        s.device_periods = 3;
        s.warmup_seconds = 8;
        expect_steady(simulate_drift(s), -200,
                      d == Direction::capture ? "capture, 3 x 1024" : "playback, 3 x 1024");
    }
}

// A JACK cycle the client does not run is a period of silence in the graph (discontinuities
// there, not the adapter's); the adapter makes up for it at once, in the same gap, instead of
// drifting a period off target and steering back for seconds.
TEST(DriftSimulation, AMissedJackCycleOrAStallIsMadeUpForAtOnce) {
    // One skipped cycle; a stall after which the JACK clock restarts off its old grid.
    for (double periods : {1.0, 0.6})
        for (Direction d : {Direction::capture, Direction::playback}) {
            DriftScenario s = scenario(d, 200, 12);
            s.jack_stall_at = 8;
            s.jack_stall_periods = periods;
            const DriftReport r = simulate_drift(s);
            SCOPED_TRACE(std::string(d == Direction::capture ? "capture, " : "playback, ") +
                         std::to_string(periods) + " periods");
            EXPECT_EQ(r.missed_cycles, 1u);
            EXPECT_GE(r.discontinuities, 2u) << "the silent period is seen in both channels";
            for (uint64_t frame : r.discontinuity_frames) // 3 s into the checked stream, +- a block
                EXPECT_NEAR(double(frame), 3 * 48000.0, 5000)
                    << "a discontinuity away from the gap";
            EXPECT_EQ(r.resyncs + r.underruns + r.overflows, 0u);
            EXPECT_LT(r.max_abs_smoothed_error, 15);
            EXPECT_LT(r.max_abs_fill_error, 40);
        }
}

// Negative tests: the same pipeline with one frame lost or doubled is caught, once per channel.
DriftReport glitched(Direction direction, DriftScenario::Glitch glitch, uint64_t frame) {
    DriftScenario s = scenario(direction, 200, 6);
    s.warmup_seconds = 3;
    s.glitch = glitch;
    s.glitch_frame = frame;
    return simulate_drift(s);
}

TEST(DriftSimulation, ADroppedOrRepeatedOutputFrameIsCaught) {
    using G = DriftScenario::Glitch;
    for (Direction d : {Direction::capture, Direction::playback}) {
        EXPECT_EQ(glitched(d, G::drop_output, 48000 + 17).discontinuities, 2u);
        EXPECT_EQ(glitched(d, G::repeat_output, 48000 + 30).discontinuities, 2u);
    }
}

TEST(DriftSimulation, AFrameTheSourceSkipsIsCaughtThroughTheResampler) {
    using G = DriftScenario::Glitch;
    // Source frame 4.5 s in: after the 3 s warm-up, in the checked stream.
    EXPECT_EQ(glitched(Direction::capture, G::skip_source, 216000 + 11).discontinuities, 2u);
    EXPECT_EQ(glitched(Direction::playback, G::skip_source, 216000 + 5).discontinuities, 2u);
}

} // namespace
