#pragma once

// DriftAdapter: one direction of audio between the JACK graph and a device with its own clock.
//
//   capture:  device thread --device_write()--> FrameFifo --resampler--> jack_pull() --> ports
//   playback: ports --> jack_push() --resampler--> FrameFifo --device_read()--> device thread
//
// The FIFO always holds device-rate frames, and the resampler always runs on the JACK thread
// (once per JACK cycle), so the control loop, the resampler and the ratio are owned by one
// thread. At each cycle the JACK side measures the latency L (adapter_config.hpp) from the
// device's last published position, extrapolated to the cycle's start time, and its own count of
// FIFO frames, takes the best of the measurements spanning two device periods (the device's
// pointer can only lag), and the DriftController turns that error into the ratio for this
// cycle's resampling.
//
// Start and faults: until the device has published a few positions (its first period or two are
// often irregular: first-touch page faults, lazy symbol binding) the JACK side is silent. It then
// centres L on the target once (capture: waits for enough frames, then drops the excess;
// playback: pads with silence, or drops JACK input while there is too much), and steers from
// there. A device restart (new epoch), a starved or overflowing FIFO, or a smoothed error
// beyond max_diff centres again and counts a resync. JACK cycles the client missed are made up
// for at once (see make_up_for_missed_cycles).
//
// Threads: jack_* members on the JACK process thread, device_* members on the device thread,
// status()/take_loop_sample() on any one other thread. The constructor allocates everything;
// no other member allocates, locks or blocks.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "adapter/adapter_config.hpp"
#include "adapter/device_position.hpp"
#include "adapter/drift_controller.hpp"
#include "adapter/frame_fifo.hpp"
#include "adapter/resampler.hpp"
#include "rt/annotations.hpp"
#include "rt/spsc_queue.hpp"

namespace bantam::adapter {

// One JACK cycle as the loop saw it (for -i instrumentation and the drift simulation).
struct LoopSample {
    int64_t time_ns = 0;
    double fill_error = 0;     // L - target, device frames: the best recent measurement
    double smoothed_error = 0; // what the controller acted on
    double ratio = 0;          // output/input rate of this cycle's resampling
    double correction = 0;     // ratio relative to nominal, minus 1
    double fifo_frames = 0;    // the FIFO's fill when the cycle began
};

struct AdapterStatus {
    LoopSample last;
    uint64_t cycles = 0;
    uint64_t resyncs = 0;       // re-centrings after the first
    uint64_t underruns = 0;     // a side found the FIFO empty
    uint64_t overflows = 0;     // a side found the FIFO full
    uint64_t missed_cycles = 0; // JACK cycles this client did not run (made up for at once)
    double target = 0;
    double nominal_ratio = 0;
};

// Measurements the adapter keeps to pick the best of (see DriftAdapter::best_recent_error).
inline constexpr size_t kRecentErrors = 64;

class DriftAdapter {
  public:
    // Throws std::invalid_argument (see validate()) or std::runtime_error (libsamplerate).
    // instrumentation_slots > 0 keeps that many LoopSamples for take_loop_sample().
    explicit DriftAdapter(const AdapterConfig& config, size_t instrumentation_slots = 0);

    const AdapterConfig& config() const noexcept { return config_; }

    // Thread: JACK (capture). Fills `frames` frames of each channel's output.
    RT_NONBLOCKING void jack_pull(float* const* outputs, uint32_t frames, int64_t now_ns) noexcept;

    // Thread: JACK (playback). Takes `frames` frames of each channel's input.
    RT_NONBLOCKING void jack_push(const float* const* inputs, uint32_t frames,
                                  int64_t now_ns) noexcept;

    // Thread: device (capture). Queues captured frames; returns how many fit.
    RT_NONBLOCKING size_t device_write(const float* interleaved, size_t frames) noexcept;

    // Thread: device (playback). Always fills `frames` frames (silence where the FIFO ran dry).
    RT_NONBLOCKING void device_read(float* interleaved, size_t frames) noexcept;

    // Thread: device. Publishes the hardware's state at time_ns (CLOCK_MONOTONIC): for capture
    // the frames captured but not yet read (avail), for playback the frames written but not yet
    // played (delay).
    RT_NONBLOCKING void device_publish(int64_t hardware_frames, int64_t time_ns) noexcept;

    // Thread: device. The device was restarted (xrun recovery): its position jumped, so the JACK
    // side re-centres on the next cycle.
    RT_NONBLOCKING void device_restarted() noexcept;

    // Thread: any. A snapshot of the counters and the last cycle.
    AdapterStatus status() const noexcept;

    // Thread: one reader. Pops the oldest instrumentation sample, if any.
    bool take_loop_sample(LoopSample& sample) noexcept;

  private:
    enum class State { waiting_for_device, centring, running };

    // Thread: JACK. The error this cycle, with the state machine applied; false if the cycle
    // must be skipped (no device yet, or still waiting to centre).
    RT_NONBLOCKING bool begin_cycle(uint32_t frames, int64_t now_ns, double& error) noexcept;
    RT_NONBLOCKING double measure_latency(const DevicePosition& position,
                                          int64_t now_ns) const noexcept;
    RT_NONBLOCKING void enter_centring() noexcept;
    RT_NONBLOCKING void make_up_for_missed_cycles(int64_t now_ns) noexcept;
    RT_NONBLOCKING double best_recent_error(double error) noexcept;
    RT_NONBLOCKING void settle_once(double& error) noexcept;
    RT_NONBLOCKING bool move_fill_toward_target(double& error) noexcept;
    RT_NONBLOCKING bool centre(double& error) noexcept;
    RT_NONBLOCKING size_t resample_from_fifo(uint32_t frames, double ratio) noexcept;
    RT_NONBLOCKING bool resample_into_fifo(uint32_t frames, double ratio) noexcept;
    RT_NONBLOCKING void finish_cycle(int64_t now_ns, double error) noexcept;
    RT_NONBLOCKING void resize_for(uint32_t jack_period) noexcept;

    const AdapterConfig config_;
    const double nominal_ratio_; // output rate / input rate
    FrameFifo fifo_;
    DevicePositionMailbox mailbox_;

    // Owned by the JACK thread.
    struct RtState {
        RtState(const AdapterConfig& config, size_t device_frames_capacity);
        Resampler resampler;
        DriftController controller;
        std::unique_ptr<float[]> jack_frames;   // interleaved, one JACK period at most
        std::unique_ptr<float[]> device_frames; // interleaved, the resampler's other side
        size_t device_frames_capacity;
        AdapterSizing sizing;
        uint32_t jack_period = 0;
        State state = State::waiting_for_device;
        uint64_t epoch_seen = 0;
        uint64_t count_seen = 0; // the position count at the last cycle
        bool centred_once = false;
        size_t cycles_since_centring = 0; // running cycles since the last centring
        DevicePosition position;
        // Capture: the input frame the resampler's output has reached, in FIFO frames. The FIFO's
        // read count would be a noisy measure, since libsamplerate loads input in bursts and
        // holds it; each output frame moves this by exactly 1/ratio instead. Re-anchored to the
        // read count whenever the resampler is reset (when the adapter centres).
        double input_position = 0;
        double fifo_at_start = 0; // the FIFO's fill when this cycle began
        int64_t last_cycle_ns = 0;
        std::array<double, kRecentErrors> recent_errors{}; // see best_recent_error
        size_t recent_next = 0, recent_count = 0, recent_window = 1;
    } rt_;

    // Owned by the device thread.
    uint64_t device_epoch_ = 1;
    uint64_t device_positions_ = 0; // published in this epoch

    // Written by the JACK or device thread, read by status().
    std::atomic<uint64_t> cycles_{0}, resyncs_{0}, underruns_{0}, overflows_{0}, missed_cycles_{0};
    std::atomic<double> fill_error_{0}, smoothed_error_{0}, ratio_{0}, correction_{0}, target_{0},
        fifo_frames_{0};
    std::atomic<int64_t> last_time_ns_{0};
    std::atomic<bool> streaming_{false}; // the JACK side has centred once
    std::unique_ptr<rt::SpscQueue<LoopSample>> instrumentation_;
};

} // namespace bantam::adapter
