#pragma once

// What a DriftAdapter is built from, and how its buffer is sized.
//
// Latency L is measured in device frames as everything buffered between the two clocks: for
// capture, the frames the device has captured that the JACK side has not yet taken into the
// resampler (hardware buffer + FIFO); for playback, the frames the resampler has produced that
// the device has not yet played (FIFO + hardware buffer). The loop steers L to `target`; once
// it is more than `max_diff` away (smoothed; see DriftAdapter), the adapter re-centres at once
// (a resync, heard as a click) instead of steering.
//
// The least latency that never starves either side:
//   capture:  one device period (what the hardware holds before the device thread reads it)
//             + one JACK period's worth of device frames (what one JACK cycle takes);
//   playback: every device period (the hardware buffer the device thread keeps full).
// The defaults add a margin of max(device period, JACK period in device frames) to that for
// jitter and for the loop's error, and allow an error of the same margin before a resync.

#include <cstddef>
#include <cstdint>

#include "adapter/drift_controller.hpp"
#include "adapter/resampler.hpp"
#include "rt/annotations.hpp"

namespace bantam::adapter {

// capture: device -> JACK (alsa_in, the audioadapter's capture_N ports);
// playback: JACK -> device (alsa_out, the audioadapter's playback_N ports).
enum class Direction { capture, playback };

inline constexpr uint32_t kMaxJackPeriod = 8192; // Bantam's largest buffer size

struct AdapterConfig {
    Direction direction = Direction::capture;
    size_t channels = 2;
    double jack_rate = 48000;
    uint32_t jack_period = 256;
    double device_rate = 48000;
    uint32_t device_period = 256;
    uint32_t device_periods = 2;
    int quality = kDefaultQuality;
    uint32_t target_frames = 0;   // 0: the default above
    uint32_t max_diff_frames = 0; // 0: the default above
    uint32_t fifo_frames = 0;     // 0: enough for any JACK period up to kMaxJackPeriod
    LoopTuning tuning;
};

struct AdapterSizing {
    double minimum = 0;  // the least latency that never starves (device frames)
    double target = 0;   // latency the loop steers to
    double max_diff = 0; // error beyond which the adapter re-centres
    size_t fifo_frames = 0;
};

// Frames of the device that one JACK period spans, at the nominal rates.
RT_NONBLOCKING double jack_period_in_device_frames(const AdapterConfig& config,
                                                   uint32_t jack_period) noexcept;

// The sizing for a JACK period (the configured one, or a new one after a buffer-size change).
// Explicit target/max_diff are kept as given. Thread: any; no allocation.
RT_NONBLOCKING AdapterSizing size_adapter(const AdapterConfig& config,
                                          uint32_t jack_period) noexcept;

// Throws std::invalid_argument with one line naming the problem if the configuration cannot work
// (no channels, a target below the minimum, a FIFO too small for it...).
void validate(const AdapterConfig& config);

} // namespace bantam::adapter
