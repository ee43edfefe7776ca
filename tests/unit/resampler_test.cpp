// The libsamplerate wrapper: the -q numbering, rate conversion at the right ratio, and a ratio
// that changes on every call without a discontinuity in a sine.

#include "adapter/resampler.hpp"
#include "adapter/sine_continuity.hpp"

#include <samplerate.h>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace bantam::adapter;

namespace {

TEST(Resampler, QualityNumbersFollowJackd2) {
    EXPECT_EQ(converter_for_quality(0), SRC_LINEAR);
    EXPECT_EQ(converter_for_quality(1), SRC_ZERO_ORDER_HOLD);
    EXPECT_EQ(converter_for_quality(2), SRC_SINC_FASTEST);
    EXPECT_EQ(converter_for_quality(3), SRC_SINC_MEDIUM_QUALITY);
    EXPECT_EQ(converter_for_quality(4), SRC_SINC_BEST_QUALITY);
    EXPECT_EQ(converter_for_quality(5), -1);
    EXPECT_EQ(converter_for_quality(-1), -1);
    EXPECT_THROW(Resampler(7, 2), std::runtime_error);
}

// Streams a sine through the resampler in 256-frame blocks, the ratio set per block by
// ratio_of(block), and returns the output.
template <typename RatioOf>
std::vector<float> stream_sine(int quality, double cycles_per_input, size_t blocks,
                               RatioOf ratio_of) {
    Resampler resampler(quality, 1);
    std::vector<float> input(256), output(1024), all;
    for (size_t b = 0; b < blocks; ++b) {
        for (size_t i = 0; i < 256; ++i)
            input[i] = float(0.5 * std::sin(2 * M_PI * cycles_per_input * double(b * 256 + i)));
        size_t used = 0;
        while (used < 256) {
            const auto r = resampler.process(input.data() + used, 256 - used, output.data(),
                                             output.size(), ratio_of(b));
            EXPECT_TRUE(r.ok);
            used += r.input_used;
            all.insert(all.end(), output.begin(), output.begin() + long(r.output_generated));
            if (r.input_used == 0 && r.output_generated == 0) break;
        }
    }
    return all;
}

TEST(Resampler, ConvertsAtTheRequestedRatio) {
    const double ratio = 48000.0 / 44100.0;
    const auto out =
        stream_sine(kDefaultQuality, 1000.0 / 44100, 400, [&](size_t) { return ratio; });
    // 400 blocks of 256 input frames, less the filter's delay.
    EXPECT_NEAR(double(out.size()), 400 * 256 * ratio, 64);
    // A 1 kHz tone stays a clean 1 kHz tone at the new rate (after the filter's start-up).
    SineContinuityChecker checker(1000.0 / 48000, 0.5);
    checker.push(out.data() + 4800, out.size() - 4800);
    EXPECT_GT(checker.samples_checked(), 90000u);
    EXPECT_EQ(checker.discontinuities(), 0u);
}

TEST(Resampler, FollowsARatioChangingEveryCallWithoutAJump) {
    // A correction swinging +-500 ppm, far more often than the drift loop ever moves it.
    const auto out = stream_sine(kDefaultQuality, 997.0 / 48000, 600,
                                 [](size_t b) { return 1 + 500e-6 * std::sin(double(b) / 10); });
    SineContinuityChecker checker(997.0 / 48000, 0.5);
    checker.push(out.data() + 4800, out.size() - 4800);
    EXPECT_GT(checker.samples_checked(), 140000u);
    EXPECT_EQ(checker.discontinuities(), 0u);
    EXPECT_LT(checker.worst_residual(), 0.05);
}

TEST(Resampler, ResetForgetsTheHistory) {
    Resampler resampler(kDefaultQuality, 2);
    std::vector<float> loud(2 * 512, 0.9f), out(2 * 1024);
    resampler.process(loud.data(), 512, out.data(), 1024, 1.0);
    resampler.reset();
    std::vector<float> quiet(2 * 512, 0.0f);
    const auto r = resampler.process(quiet.data(), 512, out.data(), 1024, 1.0);
    ASSERT_GT(r.output_generated, 0u);
    for (size_t i = 0; i < r.output_generated * 2; ++i)
        ASSERT_EQ(out[i], 0.0f) << "sample " << i;
}

} // namespace
