#include "adapter/drift_adapter.hpp"

#include <algorithm>
#include <cmath>

namespace bantam::adapter {

namespace {
// Input beyond one period's worth that the capture side offers the resampler, so a sinc filter
// whose history is short still produces the whole period in one call.
constexpr size_t kResamplerSlack = 16;
// Calls to the resampler per cycle before giving up (one suffices in steady state).
constexpr int kMaxResamplerCalls = 8;
// Positions the device publishes after a (re)start before the JACK side centres on them.
constexpr uint64_t kSteadyPositions = 3;

double nominal_ratio_of(const AdapterConfig& config) {
    return config.direction == Direction::capture ? config.jack_rate / config.device_rate
                                                  : config.device_rate / config.jack_rate;
}

size_t device_frames_capacity_of(const AdapterConfig& config) {
    const double per_period = jack_period_in_device_frames(config, kMaxJackPeriod);
    const double headroom = 1 + 2 * config.tuning.max_correction_ppm * 1e-6;
    return size_t(std::ceil(per_period * headroom)) + 2 * kResamplerSlack;
}

// JACK cycles spanning two device periods (at least one cycle, at most the history kept).
RT_NONBLOCKING size_t recent_window_for(const AdapterConfig& config, uint32_t jack_period) {
    const double cycles =
        std::ceil(2 * config.device_period / jack_period_in_device_frames(config, jack_period)) + 1;
    return size_t(std::clamp(cycles, 1.0, double(kRecentErrors)));
}

AdapterConfig checked(const AdapterConfig& config) {
    validate(config);
    return config;
}
} // namespace

DriftAdapter::RtState::RtState(const AdapterConfig& config, size_t capacity)
    : resampler(config.quality, config.channels),
      controller(config.device_rate, config.jack_period / config.jack_rate, config.tuning),
      jack_frames(std::make_unique<float[]>(kMaxJackPeriod * config.channels)),
      device_frames(std::make_unique<float[]>(capacity * config.channels)),
      device_frames_capacity(capacity), sizing(size_adapter(config, config.jack_period)),
      jack_period(config.jack_period),
      recent_window(recent_window_for(config, config.jack_period)) {}

DriftAdapter::DriftAdapter(const AdapterConfig& config, size_t instrumentation_slots)
    : config_(checked(config)), nominal_ratio_(nominal_ratio_of(config_)),
      fifo_(config_.channels, size_adapter(config_, config_.jack_period).fifo_frames),
      rt_(config_, device_frames_capacity_of(config_)) {
    if (instrumentation_slots > 0)
        instrumentation_ = std::make_unique<rt::SpscQueue<LoopSample>>(instrumentation_slots);
    target_.store(rt_.sizing.target, std::memory_order_relaxed);
    ratio_.store(nominal_ratio_, std::memory_order_relaxed);
}

double DriftAdapter::measure_latency(const DevicePosition& position,
                                     int64_t now_ns) const noexcept {
    const double device_now =
        double(position.frames) + double(now_ns - position.time_ns) * 1e-9 * config_.device_rate;
    return config_.direction == Direction::capture ? device_now - rt_.input_position
                                                   : double(fifo_.written_total()) - device_now;
}

void DriftAdapter::resize_for(uint32_t jack_period) noexcept {
    rt_.jack_period = jack_period;
    rt_.recent_window = recent_window_for(config_, jack_period);
    rt_.recent_count = 0;
    rt_.sizing = size_adapter(config_, jack_period);
    rt_.controller.set_interval(jack_period / config_.jack_rate);
    target_.store(rt_.sizing.target, std::memory_order_relaxed);
}

bool DriftAdapter::begin_cycle(uint32_t frames, int64_t now_ns, double& error) noexcept {
    cycles_.fetch_add(1, std::memory_order_relaxed);
    rt_.fifo_at_start = config_.direction == Direction::capture
                            ? double(fifo_.read_space())
                            : double(fifo_.capacity() - fifo_.write_space());
    if (frames != rt_.jack_period) {
        resize_for(frames);
        if (rt_.state == State::running) enter_centring();
    }
    make_up_for_missed_cycles(now_ns);
    mailbox_.read(rt_.position); // on a torn read, last cycle's position is still good
    if (rt_.position.epoch == 0) return false;
    if (rt_.position.epoch != rt_.epoch_seen) {
        rt_.epoch_seen = rt_.position.epoch;
        enter_centring();
    }
    // One late wake-up of either thread makes one measurement far off; only an error that lasts
    // means the buffer really moved (a FIFO that actually runs dry or over re-centres at once).
    if (rt_.state == State::running &&
        std::fabs(rt_.controller.smoothed_error()) > rt_.sizing.max_diff)
        enter_centring();
    if (rt_.state == State::running) {
        error = best_recent_error(measure_latency(rt_.position, now_ns) - rt_.sizing.target);
        settle_once(error);
        return true;
    }
    if (rt_.position.count == 0) { // the device is restarting: nothing to measure yet
        finish_cycle(now_ns, 0);
        return false;
    }
    if (config_.direction == Direction::capture) {
        // Start the resampler afresh so its input position is known again (see input_position).
        rt_.resampler.reset();
        rt_.input_position = double(fifo_.read_total());
    }
    // Centre once the device has run a few periods, and only on a position it has just
    // published: until the FIFO is fed, the playback device pads with silence, so the latency is
    // a sawtooth that tops out at each transfer, where it will stay once the FIFO is fed.
    error = measure_latency(rt_.position, now_ns) - rt_.sizing.target;
    const bool fresh = rt_.position.count != rt_.count_seen;
    rt_.count_seen = rt_.position.count;
    if (fresh && rt_.position.count >= kSteadyPositions && centre(error)) {
        rt_.recent_count = 0; // the latency moved by what centring did
        error = best_recent_error(error);
        return true;
    }
    finish_cycle(now_ns, error);
    return false;
}

// Centring had one fresh measurement, and a late one is off in the one direction this side can
// correct (playback: the latency came out long, so too little silence was added; capture: short,
// so too little was dropped). A few windows of recent measurements later (the device thread is
// not late for long), their best shows what is left; that is corrected once, as part of
// centring, rather than steered away at the ratio's limit for seconds (a hundred frames or more
// is ten seconds at 500 ppm).
void DriftAdapter::settle_once(double& error) noexcept {
    constexpr double kLeftToTheLoop = 24; // frames
    constexpr size_t kWindowsFirst = 4;
    if (++rt_.cycles_since_centring != kWindowsFirst * rt_.recent_window) return;
    if (std::fabs(error) > kLeftToTheLoop && move_fill_toward_target(error))
        rt_.controller.restart_measurement(error);
}

// What this side can do alone, on its end of the FIFO: capture drops frames it has too many of,
// playback adds silence for frames it lacks. Returns whether the fill moved.
bool DriftAdapter::move_fill_toward_target(double& error) noexcept {
    size_t moved = 0;
    if (config_.direction == Direction::capture && error >= 1) {
        moved = fifo_.discard(size_t(error));
        rt_.input_position += double(moved);
        error -= double(moved);
    } else if (config_.direction == Direction::playback && error <= -1) {
        moved = fifo_.write_silence(size_t(-error));
        error += double(moved);
    }
    if (moved > 0) rt_.recent_count = 0; // measured before the move
    return moved > 0;
}

// Thread: JACK. The measurements so far describe a buffer that is about to change.
void DriftAdapter::enter_centring() noexcept {
    rt_.state = State::centring;
    rt_.recent_count = 0;
}

// The device's pointer lags the truth whenever the device thread reads it late, or the device
// moves it only a period at a time, so a measurement can only be off in one direction: the
// latency comes out short for capture and long for playback. The best of the measurements
// spanning the last two device periods is the one closest to the truth; the late ones would
// otherwise reach the ratio as jitter of a hundred ppm or more.
double DriftAdapter::best_recent_error(double error) noexcept {
    rt_.recent_errors[rt_.recent_next] = error;
    rt_.recent_next = (rt_.recent_next + 1) % rt_.recent_errors.size();
    rt_.recent_count = std::min(rt_.recent_count + 1, rt_.recent_window);
    const bool capture = config_.direction == Direction::capture;
    const size_t size = rt_.recent_errors.size();
    double best = error;
    for (size_t back = 1; back <= rt_.recent_count; ++back) {
        const double value = rt_.recent_errors[(rt_.recent_next + size - back) % size];
        best = capture ? std::max(best, value) : std::min(best, value);
    }
    return best;
}

// JACK cycles this side did not run (the server skipped the client, or stalled): their audio is
// lost in the graph anyway, so the FIFO is put where those cycles would have left it, at the
// same moment (capture: the frames they would have taken are dropped; playback: the frames they
// would have given are silence), rather than steered back at the ratio's limit for seconds.
void DriftAdapter::make_up_for_missed_cycles(int64_t now_ns) noexcept {
    constexpr double kMostPeriodsMadeUp = 16; // beyond that, centre afresh
    const int64_t last_ns = rt_.last_cycle_ns;
    rt_.last_cycle_ns = now_ns;
    if (rt_.state != State::running || last_ns == 0) return;
    // The time beyond one period since the last cycle: whole periods when the server skipped
    // this client, any amount when its clock restarted after a stall.
    const double period_ns = rt_.jack_period * 1e9 / config_.jack_rate;
    const double missed_periods = double(now_ns - last_ns) / period_ns - 1;
    if (missed_periods < 0.25) return; // cycle-time jitter, not a missed cycle
    missed_cycles_.fetch_add(uint64_t(std::max(1L, std::lround(missed_periods))),
                             std::memory_order_relaxed);
    if (missed_periods > kMostPeriodsMadeUp) {
        enter_centring();
        return;
    }
    const size_t frames = size_t(
        std::lround(missed_periods * rt_.jack_period * config_.device_rate / config_.jack_rate));
    if (config_.direction == Direction::capture)
        rt_.input_position += double(fifo_.discard(frames));
    else
        fifo_.write_silence(frames);
}

// Moves L to the target where this side can; false while it has to wait for the device.
bool DriftAdapter::centre(double& error) noexcept {
    const bool capture = config_.direction == Direction::capture;
    // Capture lets the device capture more first; playback drops JACK input until the device
    // has played enough.
    if (capture ? error < 0 : error > 0) return false;
    move_fill_toward_target(error);
    // The rest of a capture's excess is still in the hardware buffer: drop it once the device
    // has delivered it (within a device period), rather than steer it away for seconds.
    if (capture && error >= 1) return false;
    if (rt_.centred_once) resyncs_.fetch_add(1, std::memory_order_relaxed);
    rt_.centred_once = true;
    rt_.cycles_since_centring = 0;
    streaming_.store(true, std::memory_order_relaxed);
    rt_.controller.restart_measurement(error);
    rt_.state = State::running;
    return true;
}

void DriftAdapter::finish_cycle(int64_t now_ns, double error) noexcept {
    const DriftController& controller = rt_.controller;
    const double fifo_frames = rt_.fifo_at_start;
    const LoopSample sample{now_ns,
                            error,
                            controller.smoothed_error(),
                            nominal_ratio_ * (1 + controller.correction()),
                            controller.correction(),
                            fifo_frames};
    fill_error_.store(sample.fill_error, std::memory_order_relaxed);
    smoothed_error_.store(sample.smoothed_error, std::memory_order_relaxed);
    ratio_.store(sample.ratio, std::memory_order_relaxed);
    correction_.store(sample.correction, std::memory_order_relaxed);
    fifo_frames_.store(fifo_frames, std::memory_order_relaxed);
    last_time_ns_.store(now_ns, std::memory_order_relaxed);
    if (instrumentation_) instrumentation_->try_push(sample);
}

void DriftAdapter::jack_pull(float* const* outputs, uint32_t frames, int64_t now_ns) noexcept {
    const size_t channels = config_.channels;
    double error = 0;
    size_t produced = 0;
    if (frames <= kMaxJackPeriod && begin_cycle(frames, now_ns, error)) {
        const double correction = rt_.controller.update(error);
        produced = resample_from_fifo(frames, nominal_ratio_ * (1 + correction));
        if (produced < frames) {
            underruns_.fetch_add(1, std::memory_order_relaxed);
            enter_centring();
        }
        finish_cycle(now_ns, error);
    }
    const float* interleaved = rt_.jack_frames.get();
    for (size_t c = 0; c < channels; ++c) {
        float* out = outputs[c];
        for (size_t i = 0; i < produced; ++i)
            out[i] = interleaved[i * channels + c];
        std::fill(out + produced, out + frames, 0.0f);
    }
}

size_t DriftAdapter::resample_from_fifo(uint32_t frames, double ratio) noexcept {
    const size_t channels = config_.channels;
    float* input = rt_.device_frames.get();
    float* output = rt_.jack_frames.get();
    size_t produced = 0;
    for (int call = 0; call < kMaxResamplerCalls && produced < frames; ++call) {
        const size_t wanted =
            size_t(std::ceil(double(frames - produced) / ratio)) + kResamplerSlack;
        const size_t offered = fifo_.peek(input, std::min(wanted, rt_.device_frames_capacity));
        const Resampler::Result result = rt_.resampler.process(
            input, offered, output + produced * channels, frames - produced, ratio);
        fifo_.discard(result.input_used);
        produced += result.output_generated;
        rt_.input_position += double(result.output_generated) / ratio;
        if (!result.ok || (result.input_used == 0 && result.output_generated == 0)) break;
    }
    return produced;
}

void DriftAdapter::jack_push(const float* const* inputs, uint32_t frames, int64_t now_ns) noexcept {
    double error = 0;
    if (frames > kMaxJackPeriod || !begin_cycle(frames, now_ns, error)) return;
    const size_t channels = config_.channels;
    float* interleaved = rt_.jack_frames.get();
    for (size_t c = 0; c < channels; ++c) {
        const float* in = inputs[c];
        for (size_t i = 0; i < frames; ++i)
            interleaved[i * channels + c] = in[i];
    }
    const double correction = rt_.controller.update(error);
    if (!resample_into_fifo(frames, nominal_ratio_ * (1 + correction))) {
        overflows_.fetch_add(1, std::memory_order_relaxed);
        enter_centring();
    }
    finish_cycle(now_ns, error);
}

bool DriftAdapter::resample_into_fifo(uint32_t frames, double ratio) noexcept {
    const size_t channels = config_.channels;
    const float* input = rt_.jack_frames.get();
    float* output = rt_.device_frames.get();
    size_t consumed = 0;
    for (int call = 0; call < kMaxResamplerCalls && consumed < frames; ++call) {
        const Resampler::Result result =
            rt_.resampler.process(input + consumed * channels, frames - consumed, output,
                                  rt_.device_frames_capacity, ratio);
        consumed += result.input_used;
        if (fifo_.write(output, result.output_generated) < result.output_generated) return false;
        if (!result.ok || (result.input_used == 0 && result.output_generated == 0)) break;
    }
    return true;
}

} // namespace bantam::adapter
