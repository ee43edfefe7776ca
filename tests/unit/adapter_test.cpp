// DriftAdapter's state machine, driven by hand: silent until the device speaks, centring on the
// target (and correcting once what a late first position left), re-centring after a device
// restart, a starved FIFO, a new JACK buffer size.

#include "adapter/drift_adapter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace bantam::adapter;

namespace {

constexpr int64_t kPeriodNs = 256 * 1000000000LL / 48000;

// A capture adapter with a perfect device: 256 frames of a constant every JACK period.
struct CaptureRig {
    DriftAdapter adapter{[] {
        AdapterConfig c;
        c.direction = Direction::capture;
        c.channels = 1;
        return c;
    }()};
    std::vector<float> device = std::vector<float>(256, 0.25f);
    std::vector<float> out = std::vector<float>(8192);
    float* outs[1] = {out.data()};
    int64_t now = 0;

    void device_period() {
        adapter.device_write(device.data(), 256);
        adapter.device_publish(0, now);
    }
    void jack_cycle(uint32_t frames = 256) {
        adapter.jack_pull(outs, frames, now);
        now += kPeriodNs * frames / 256;
    }
    void run(int cycles) {
        for (int i = 0; i < cycles; ++i) {
            device_period();
            jack_cycle();
        }
    }
};

TEST(DriftAdapter, IsSilentUntilTheDevicePublishes) {
    CaptureRig rig;
    std::fill(rig.out.begin(), rig.out.end(), 1.0f);
    rig.jack_cycle();
    EXPECT_EQ(rig.out[0], 0.0f);
    EXPECT_EQ(rig.out[255], 0.0f);
    EXPECT_EQ(rig.out[256], 1.0f) << "wrote past the period";
    const AdapterStatus status = rig.adapter.status();
    EXPECT_EQ(status.cycles, 1u);
    EXPECT_EQ(status.resyncs + status.underruns + status.overflows, 0u);
}

TEST(DriftAdapter, CentresOnceThenPassesTheSignal) {
    CaptureRig rig;
    rig.run(200);
    const AdapterStatus status = rig.adapter.status();
    EXPECT_EQ(status.resyncs, 0u) << "the first centring is not a resync";
    EXPECT_EQ(status.underruns, 0u);
    EXPECT_LT(std::abs(status.last.fill_error), 2);
    EXPECT_NEAR(rig.out[100], 0.25f, 1e-3);
}

TEST(DriftAdapter, ADeviceRestartReCentresAndCountsAResync) {
    CaptureRig rig;
    rig.run(100);
    // Restarting, the device delivers nothing for a while: the JACK side stops using its old
    // position at once, so this is one resync and no underrun.
    rig.adapter.device_restarted();
    for (int i = 0; i < 4; ++i)
        rig.jack_cycle();
    rig.run(100);
    const AdapterStatus status = rig.adapter.status();
    EXPECT_EQ(status.resyncs, 1u);
    EXPECT_EQ(status.underruns, 0u);
    EXPECT_NEAR(rig.out[100], 0.25f, 1e-3);
}

TEST(DriftAdapter, AStarvedFifoIsAnUnderrunAndReCentres) {
    CaptureRig rig;
    rig.run(100);
    for (int i = 0; i < 6; ++i) // the device stops delivering but its clock runs on
        rig.jack_cycle();
    rig.run(100);
    const AdapterStatus status = rig.adapter.status();
    EXPECT_GE(status.underruns, 1u);
    EXPECT_EQ(status.resyncs, 1u);
    EXPECT_LT(std::abs(status.last.smoothed_error), 5);
}

TEST(DriftAdapter, FollowsANewJackBufferSize) {
    CaptureRig rig;
    rig.run(50);
    EXPECT_EQ(rig.adapter.status().target, 256 + 256 + 256);
    for (int i = 0; i < 100; ++i) {
        rig.device_period();
        rig.device_period();
        rig.jack_cycle(512);
    }
    const AdapterStatus status = rig.adapter.status();
    EXPECT_EQ(status.target, 256 + 512 + 512) << "device period, JACK period, larger of both";
    EXPECT_EQ(status.underruns, 0u);
    EXPECT_NEAR(rig.out[511], 0.25f, 1e-3);
}

// The device thread read the first positions, the one the adapter centres on among them, 150
// frames late; the honest ones after show what centring left, and that is corrected once, not
// steered away for seconds. (Capture needs no such test: its centring waits for an error of
// at least zero, so a short, late measurement only makes it wait for the next.)
constexpr int64_t kLateNs = 150 * 1000000000LL / 48000;

TEST(DriftAdapter, PlaybackCorrectsOnceWhatALateFirstPositionLeft) {
    AdapterConfig c;
    c.direction = Direction::playback;
    c.channels = 1;
    DriftAdapter adapter(c);
    std::vector<float> jack(256, 0.25f), device(256);
    const float* ins[1] = {jack.data()};
    int64_t now = 0;
    for (int i = 0; i < 48; ++i) {
        adapter.device_read(device.data(), 256);
        adapter.device_publish(0, i < 3 ? now + kLateNs : now);
        adapter.jack_push(ins, 256, now);
        now += kPeriodNs;
    }
    const AdapterStatus status = adapter.status();
    EXPECT_LT(std::abs(status.last.fill_error), 5) << "at 500 ppm the loop would need 6 s";
    EXPECT_EQ(status.resyncs, 0u) << "part of the first centring";
    EXPECT_EQ(status.underruns + status.overflows, 0u);
    EXPECT_NEAR(device[100], 0.25f, 1e-3);
}

TEST(DriftAdapter, PlaybackPadsTheDeviceWithSilenceUntilJackSpeaks) {
    AdapterConfig c;
    c.direction = Direction::playback;
    c.channels = 2;
    DriftAdapter adapter(c);
    std::vector<float> device(2 * 256, 1.0f);
    adapter.device_read(device.data(), 256);
    EXPECT_EQ(device[0], 0.0f);
    EXPECT_EQ(device[511], 0.0f);
    EXPECT_EQ(adapter.status().underruns, 0u) << "silence before the start is no underrun";
}

} // namespace
