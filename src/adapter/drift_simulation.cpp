#include "adapter/drift_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <random>

#include "adapter/drift_adapter.hpp"
#include "adapter/sine_continuity.hpp"

namespace bantam::adapter {

namespace {

using Glitch = DriftScenario::Glitch;

// The device's sample clock: frames elapsed since it started, against reference time.
class DeviceClock {
  public:
    DeviceClock(const DriftScenario& s, double start)
        : rate_(s.device_rate), start_(start), ppm_start_(s.ppm_start),
          ppm_slope_((s.ppm_end - s.ppm_start) / s.seconds) {}

    double ppm(double t) const { return ppm_start_ + ppm_slope_ * t; }

    double frames_at(double t) const {
        const double u = t - start_;
        const double drift = ppm_start_ * u + ppm_slope_ * (t * t - start_ * start_) / 2;
        return rate_ * (u + 1e-6 * drift);
    }

    double time_of(double frames) const { // Newton; frames_at is nearly linear
        double t = start_ + frames / rate_;
        for (int i = 0; i < 3; ++i)
            t -= (frames_at(t) - frames) / (rate_ * (1 + 1e-6 * ppm(t)));
        return t;
    }

    double start() const { return start_; }

  private:
    double rate_, start_, ppm_start_, ppm_slope_;
};

// A sine per channel on one sample clock; skip_at drops one sample (the source glitch).
class SineSource {
  public:
    SineSource(const DriftScenario& s, double rate, uint64_t skip_at)
        : channels_(s.channels), amplitude_(s.amplitude), skip_at_(skip_at) {
        for (size_t c = 0; c < channels_; ++c)
            step_.push_back(2 * std::numbers::pi * s.sine_hz * (1 + 0.25 * double(c)) / rate);
    }
    float sample(size_t channel, uint64_t index) const {
        const uint64_t n = index >= skip_at_ ? index + 1 : index;
        return float(amplitude_ * std::sin(step_[channel] * double(n)));
    }

  private:
    size_t channels_;
    double amplitude_;
    uint64_t skip_at_;
    std::vector<double> step_;
};

class Simulation {
  public:
    Simulation(const DriftScenario& s, double interval,
               const std::function<void(const SecondFigures&)>& on_interval)
        : s_(s), capture_(s.direction == Direction::capture), interval_(interval),
          on_interval_(on_interval), clock_(s, 0.0123), rng_(s.seed),
          source_(s, capture_ ? s.device_rate : s.jack_rate,
                  s.glitch == Glitch::skip_source ? s.glitch_frame : UINT64_MAX),
          jack_buffers_(s.channels, std::vector<float>(s.jack_period)),
          device_buffer_(s.device_period * s.channels) {
        AdapterConfig config;
        config.direction = s.direction;
        config.channels = s.channels;
        config.jack_rate = s.jack_rate;
        config.jack_period = s.jack_period;
        config.device_rate = s.device_rate;
        config.device_period = s.device_period;
        config.device_periods = s.device_periods;
        config.quality = s.quality;
        config.tuning = s.tuning;
        adapter_ = std::make_unique<DriftAdapter>(config);
        for (size_t c = 0; c < s.channels; ++c)
            checkers_.emplace_back(s.sine_hz * (1 + 0.25 * double(c)) /
                                       (capture_ ? s.jack_rate : s.device_rate),
                                   s.amplitude);
        for (auto& buffer : jack_buffers_)
            jack_pointers_.push_back(buffer.data());
        report_.target_frames = adapter_->status().target;
        figures_.fill_error_min = figures_.ratio_ppm_min = INFINITY;
        figures_.fill_error_max = figures_.ratio_ppm_max = -INFINITY;
    }

    DriftReport run() {
        const double jack_step = double(s_.jack_period) / s_.jack_rate;
        uint64_t jack_cycle = 0, device_period = 1;
        start_device();
        double device_wake = next_wake(device_period, clock_.start());
        double jack_offset = 0; // how long the JACK side has stalled
        while (true) {
            const double jack_time = double(jack_cycle) * jack_step + jack_offset;
            if (std::min(jack_time, device_wake) > s_.seconds) break;
            if (device_wake <= jack_time) {
                device_event(device_period++, device_wake);
                device_wake = next_wake(device_period, device_wake);
            } else if (!stalled_ && s_.jack_stall_at >= 0 && jack_time >= s_.jack_stall_at) {
                stalled_ = true;
                jack_offset += s_.jack_stall_periods * jack_step;
                record_stall(jack_time);
            } else {
                jack_event(jack_cycle++, jack_time);
            }
        }
        finish();
        return report_;
    }

  private:
    static int64_t nanos(double t) { return int64_t(std::llround(t * 1e9)); }

    // The hardware pointer as the device reports it: in whole steps of the granularity.
    double reported_frames(double t) const {
        const double g = s_.position_granularity;
        return std::floor(clock_.frames_at(t) / g) * g;
    }

    double next_wake(uint64_t period, double previous_wake) {
        const double g = s_.position_granularity;
        const double boundary =
            clock_.time_of(std::ceil(double(period) * s_.device_period / g) * g);
        std::uniform_real_distribution<double> jitter(0, s_.wake_jitter_us * 1e-6);
        return std::max(previous_wake, boundary + jitter(rng_));
    }

    // Playback starts with the hardware buffer full of silence, as the device thread does. The
    // first position is published after the first transfer, as the device thread does.
    void start_device() {
        if (!capture_) device_written_ = uint64_t(s_.device_period) * s_.device_periods;
    }

    void device_event(uint64_t period, double t) {
        const size_t frames = s_.device_period, channels = s_.channels;
        if (capture_) {
            const uint64_t first = (period - 1) * frames;
            for (size_t i = 0; i < frames; ++i)
                for (size_t c = 0; c < channels; ++c)
                    device_buffer_[i * channels + c] = source_.sample(c, first + i);
            adapter_->device_write(device_buffer_.data(), frames);
            const double avail = reported_frames(t) - double(period * frames);
            adapter_->device_publish(int64_t(std::max(0.0, avail)), nanos(t));
            return;
        }
        adapter_->device_read(device_buffer_.data(), frames);
        device_written_ += frames;
        if (t >= s_.warmup_seconds) check(device_buffer_.data(), frames, channels);
        adapter_->device_publish(int64_t(double(device_written_) - reported_frames(t)), nanos(t));
    }

    void jack_event(uint64_t cycle, double t) {
        const size_t frames = s_.jack_period, channels = s_.channels;
        if (capture_) {
            adapter_->jack_pull(jack_pointers_.data(), uint32_t(frames), nanos(t));
            if (t >= s_.warmup_seconds) {
                interleave_scratch_.resize(frames * channels);
                for (size_t i = 0; i < frames; ++i)
                    for (size_t c = 0; c < channels; ++c)
                        interleave_scratch_[i * channels + c] = jack_buffers_[c][i];
                check(interleave_scratch_.data(), frames, channels);
            }
        } else {
            for (size_t c = 0; c < channels; ++c)
                for (size_t i = 0; i < frames; ++i)
                    jack_buffers_[c][i] = source_.sample(c, cycle * frames + i);
            adapter_->jack_push(jack_pointers_.data(), uint32_t(frames), nanos(t));
        }
        record(t);
    }

    // What the graph hears from this client while the JACK side stalls: silence.
    void record_stall(double t) {
        const size_t frames = size_t(std::lround(s_.jack_stall_periods * s_.jack_period));
        if (!capture_ || t < s_.warmup_seconds) return;
        interleave_scratch_.assign(frames * s_.channels, 0.0f);
        check(interleave_scratch_.data(), frames, s_.channels);
    }

    // Feeds interleaved frames to the checkers, applying an output glitch if one is due.
    void check(const float* interleaved, size_t frames, size_t channels) {
        for (size_t i = 0; i < frames; ++i, ++checked_frames_) {
            const bool glitch_here = checked_frames_ == s_.glitch_frame;
            if (glitch_here && s_.glitch == Glitch::drop_output) continue;
            const int copies = glitch_here && s_.glitch == Glitch::repeat_output ? 2 : 1;
            for (int copy = 0; copy < copies; ++copy)
                for (size_t c = 0; c < channels; ++c)
                    checkers_[c].push(&interleaved[i * channels + c], 1);
        }
    }

    uint64_t total_discontinuities() const {
        uint64_t total = 0;
        for (const auto& checker : checkers_)
            total += checker.discontinuities();
        return total;
    }

    void record(double t) {
        const AdapterStatus status = adapter_->status();
        const double ppm = status.last.correction * 1e6;
        if (!warmed_up_ && t >= s_.warmup_seconds) {
            warmed_up_ = true;
            at_warmup_ = status;
            report_.fifo_min = report_.fifo_max = status.last.fifo_frames;
        }
        if (warmed_up_) {
            report_.max_abs_fill_error =
                std::max(report_.max_abs_fill_error, std::fabs(status.last.fill_error));
            report_.max_abs_smoothed_error =
                std::max(report_.max_abs_smoothed_error, std::fabs(status.last.smoothed_error));
            report_.fifo_min = std::min(report_.fifo_min, status.last.fifo_frames);
            report_.fifo_max = std::max(report_.fifo_max, status.last.fifo_frames);
        }
        figures_.fill_error_min = std::min(figures_.fill_error_min, status.last.fill_error);
        figures_.fill_error_max = std::max(figures_.fill_error_max, status.last.fill_error);
        figures_.ratio_ppm_min = std::min(figures_.ratio_ppm_min, ppm);
        figures_.ratio_ppm_max = std::max(figures_.ratio_ppm_max, ppm);
        ratio_ppm_sum_ += ppm;
        ++ratio_samples_;
        figures_.smoothed_error = status.last.smoothed_error;
        report_.final_ratio_ppm = ppm;
        if (t + 1e-9 >= next_interval_) emit(next_interval_);
    }

    void emit(double t) {
        figures_.time = t;
        figures_.ratio_ppm_mean = ratio_samples_ ? ratio_ppm_sum_ / double(ratio_samples_) : 0;
        ratio_ppm_sum_ = 0;
        ratio_samples_ = 0;
        figures_.device_ppm = clock_.ppm(t);
        const uint64_t total = total_discontinuities();
        figures_.discontinuities = total - discontinuities_reported_;
        discontinuities_reported_ = total;
        report_.seconds.push_back(figures_);
        if (on_interval_) on_interval_(figures_);
        figures_ = SecondFigures{};
        figures_.fill_error_min = figures_.ratio_ppm_min = INFINITY;
        figures_.fill_error_max = figures_.ratio_ppm_max = -INFINITY;
        next_interval_ += interval_;
    }

    void finish() {
        const AdapterStatus status = adapter_->status();
        report_.resyncs = status.resyncs - at_warmup_.resyncs;
        report_.underruns = status.underruns - at_warmup_.underruns;
        report_.overflows = status.overflows - at_warmup_.overflows;
        report_.missed_cycles = status.missed_cycles - at_warmup_.missed_cycles;
        report_.discontinuities = total_discontinuities();
        for (const auto& checker : checkers_) {
            report_.samples_checked += checker.samples_checked();
            report_.worst_residual = std::max(report_.worst_residual, checker.worst_residual());
            for (uint64_t frame : checker.positions())
                report_.discontinuity_frames.push_back(frame);
        }
    }

    const DriftScenario& s_;
    const bool capture_;
    const double interval_;
    const std::function<void(const SecondFigures&)>& on_interval_;
    DeviceClock clock_;
    std::mt19937_64 rng_;
    SineSource source_;
    std::unique_ptr<DriftAdapter> adapter_;
    std::vector<SineContinuityChecker> checkers_;
    std::vector<std::vector<float>> jack_buffers_;
    std::vector<float*> jack_pointers_;
    std::vector<float> device_buffer_;
    std::vector<float> interleave_scratch_;
    uint64_t device_written_ = 0;
    uint64_t checked_frames_ = 0;
    bool warmed_up_ = false;
    bool stalled_ = false;
    AdapterStatus at_warmup_;
    SecondFigures figures_;
    double next_interval_ = interval_;
    uint64_t discontinuities_reported_ = 0;
    double ratio_ppm_sum_ = 0;
    uint64_t ratio_samples_ = 0;
    DriftReport report_;
};

} // namespace

DriftReport simulate_drift(const DriftScenario& scenario, double interval_seconds,
                           const std::function<void(const SecondFigures&)>& on_interval) {
    return Simulation(scenario, interval_seconds, on_interval).run();
}

} // namespace bantam::adapter
