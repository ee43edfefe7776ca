// The adapter's control loop against a model of its plant (the buffer integrates the rate
// difference), and the buffer sizing rules.

#include "adapter/adapter_config.hpp"
#include "adapter/drift_controller.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

using namespace bantam::adapter;

namespace {

constexpr double kRate = 48000, kInterval = 256 / kRate;

// The buffer's error integrates device_rate * (correction + drift) per second.
struct Plant {
    DriftController controller{kRate, kInterval, LoopTuning{}};
    double error = 0;
    double peak = 0;

    void run(double seconds, double drift_ppm, double noise_frames = 0, uint64_t seed = 1) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> noise(-noise_frames, noise_frames);
        for (int i = 0; i < int(seconds / kInterval); ++i) {
            const double c = controller.update(error + noise(rng));
            error += kRate * (c + drift_ppm * 1e-6) * kInterval;
            peak = std::max(peak, std::fabs(error));
        }
    }
};

TEST(DriftController, LearnsAConstantDriftAndHoldsTheFill) {
    for (double ppm : {200.0, -200.0, 37.0}) {
        Plant plant;
        plant.run(120, ppm);
        EXPECT_NEAR(plant.controller.correction() * 1e6, -ppm, 0.5) << ppm << " ppm";
        EXPECT_LT(std::fabs(plant.error), 0.5) << ppm << " ppm";
        // A critically damped loop peaks at rate*d/(wn*e) frames for a drift step d.
        const double wn = 2 * M_PI * LoopTuning{}.natural_hz;
        EXPECT_LT(plant.peak, 1.2 * kRate * std::fabs(ppm) * 1e-6 / (wn * M_E)) << ppm << " ppm";
    }
}

TEST(DriftController, FiltersMeasurementJitter) {
    // A USB card's pointer moves in 48-frame steps: +-24 frames of noise on every measurement.
    Plant plant;
    plant.run(30, 200);
    double lowest = 1e9, highest = -1e9;
    for (int second = 0; second < 30; ++second) {
        plant.run(1, 200, 24, uint64_t(second) + 7);
        lowest = std::min(lowest, plant.controller.correction() * 1e6);
        highest = std::max(highest, plant.controller.correction() * 1e6);
    }
    EXPECT_GT(lowest, -200 - 40);
    EXPECT_LT(highest, -200 + 40);
    EXPECT_LT(std::fabs(plant.error), 10);
}

TEST(DriftController, ClampsTheCorrectionWithoutWindingUp) {
    Plant plant;
    plant.run(60, 2000); // far beyond what the loop may correct
    EXPECT_DOUBLE_EQ(plant.controller.correction(), -plant.controller.max_correction());
    // The integrator stopped at the clamp: re-centred, the correction is the clamp, not more.
    plant.controller.restart_measurement(0);
    EXPECT_GE(plant.controller.correction(), -plant.controller.max_correction());
    // Once the drift is back in range, the loop recovers in seconds, not minutes.
    plant.error = 0;
    plant.peak = 0;
    plant.run(30, 100);
    EXPECT_NEAR(plant.controller.correction() * 1e6, -100, 1);
    EXPECT_LT(std::fabs(plant.error), 1);
}

TEST(DriftController, KeepsTheLearnedDriftAcrossARestart) {
    Plant plant;
    plant.run(120, -150);
    plant.controller.restart_measurement(0);
    EXPECT_NEAR(plant.controller.correction() * 1e6, 150, 0.5);
    EXPECT_DOUBLE_EQ(plant.controller.smoothed_error(), 0);
}

AdapterConfig config(Direction direction) {
    AdapterConfig c;
    c.direction = direction;
    return c;
}

TEST(AdapterSizing, DefaultsCoverOnePeriodOfEachSidePlusAMargin) {
    const AdapterSizing capture = size_adapter(config(Direction::capture), 256);
    EXPECT_EQ(capture.minimum, 512);
    EXPECT_EQ(capture.max_diff, 256);
    EXPECT_EQ(capture.target, 768);
    AdapterConfig playback = config(Direction::playback);
    playback.device_periods = 3;
    playback.device_period = 128;
    const AdapterSizing sized = size_adapter(playback, 256);
    EXPECT_EQ(sized.minimum, 384);
    EXPECT_EQ(sized.max_diff, 256) << "the JACK period is the larger side";
    EXPECT_EQ(sized.target, 640);
    EXPECT_GE(sized.fifo_frames, size_t(sized.target + sized.max_diff + 128 + 8192))
        << "room for Bantam's largest JACK period";
}

TEST(AdapterSizing, FollowsTheRatesAndExplicitValues) {
    AdapterConfig c = config(Direction::capture);
    c.device_rate = 44100;
    EXPECT_EQ(jack_period_in_device_frames(c, 256), 236); // ceil(256 * 44100 / 48000)
    c.target_frames = 1000;
    EXPECT_EQ(size_adapter(c, 256).max_diff, 1000 - (256 + 236));
    c.max_diff_frames = 100;
    EXPECT_EQ(size_adapter(c, 256).target, 1000);
    EXPECT_EQ(size_adapter(c, 256).max_diff, 100);
    EXPECT_NO_THROW(validate(c));
}

void expect_rejected(const AdapterConfig& c, const std::string& words) {
    try {
        validate(c);
        ADD_FAILURE() << "accepted; expected: " << words;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
}

TEST(AdapterSizing, RejectsWhatCannotWork) {
    AdapterConfig c = config(Direction::capture);
    c.target_frames = 400;
    expect_rejected(c, "is below the 512 frames");
    c = config(Direction::capture);
    c.target_frames = 800;
    c.max_diff_frames = 900;
    expect_rejected(c, "can not be larger than the target");
    c = config(Direction::playback);
    c.fifo_frames = 1000;
    expect_rejected(c, "ring buffer of 1000 frames is too small");
    c = config(Direction::playback);
    c.quality = 5;
    expect_rejected(c, "quality 5 out of range");
    c = config(Direction::playback);
    c.channels = 0;
    expect_rejected(c, "no channels");
    c = config(Direction::capture);
    c.device_rate = 4000;
    expect_rejected(c, "too far from JACK's");
}

} // namespace
