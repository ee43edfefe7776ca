#include "adapter/jack_adapter_client.hpp"

#include <jack/thread.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <stdexcept>

#include "rt/annotations.hpp"

namespace bantam::adapter {

namespace {

constexpr size_t kInstrumentationSlots = 8192; // a few seconds of cycles between two prints

const char* direction_name(Direction direction) {
    return direction == Direction::capture ? "capture" : "playback";
}

std::string format(const char* pattern, double a, double b, double c, double d) {
    char line[256];
    std::snprintf(line, sizeof line, pattern, a, b, c, d);
    return line;
}

} // namespace

AdapterClient::AdapterClient(jack_client_t* client, const AdapterOptions& options)
    : client_(client), options_(options) {
    if (!options.capture_device.empty())
        open_side(capture_, Direction::capture, options.capture_device, options.capture_channels);
    if (!options.playback_device.empty())
        open_side(playback_, Direction::playback, options.playback_device,
                  options.playback_channels);
    if (jack_set_process_callback(client_, process, this) != 0 ||
        jack_set_freewheel_callback(client_, freewheel, this) != 0 ||
        jack_set_latency_callback(client_, latency, this) != 0)
        throw std::runtime_error("cannot set the JACK callbacks");
}

AdapterClient::~AdapterClient() {
    stop();
}

void AdapterClient::open_side(Side& side, Direction direction, const std::string& device,
                              unsigned channels) {
    const unsigned jack_rate = jack_get_sample_rate(client_);
    const unsigned jack_period = jack_get_buffer_size(client_);
    PcmRequest request;
    request.device = device;
    request.direction = direction;
    request.channels = channels;
    request.rate = options_.rate ? options_.rate : jack_rate;
    request.period = options_.period ? options_.period : jack_period;
    request.periods = options_.periods;
    side.pcm = std::make_unique<AlsaPcm>(request);

    AdapterConfig config;
    config.direction = direction;
    config.channels = channels;
    config.jack_rate = jack_rate;
    config.jack_period = jack_period;
    config.device_rate = side.pcm->rate();
    config.device_period = side.pcm->period();
    config.device_periods = side.pcm->periods();
    config.quality = options_.quality;
    config.target_frames = options_.target_frames;
    config.max_diff_frames = options_.max_diff_frames;
    config.fifo_frames = options_.fifo_frames;
    side.adapter =
        std::make_unique<DriftAdapter>(config, options_.instrument ? kInstrumentationSlots : 0);
    side.thread = std::make_unique<DeviceThread>(*side.pcm, *side.adapter,
                                                 jack_client_real_time_priority(client_));

    const bool capture = direction == Direction::capture;
    const unsigned long flags =
        (capture ? JackPortIsOutput : JackPortIsInput) | JackPortIsPhysical | JackPortIsTerminal;
    for (unsigned c = 0; c < channels; ++c) {
        const std::string name =
            std::string(direction_name(direction)) + "_" + std::to_string(c + 1);
        jack_port_t* port =
            jack_port_register(client_, name.c_str(), JACK_DEFAULT_AUDIO_TYPE, flags, 0);
        if (!port) throw std::runtime_error("cannot register port " + name);
        side.ports.push_back(port);
    }
    side.buffers.assign(channels, nullptr);
}

void AdapterClient::start() {
    for (Side* side : {&capture_, &playback_})
        if (side->thread) side->thread->start();
    if (jack_activate(client_) != 0) throw std::runtime_error("cannot activate the JACK client");
}

void AdapterClient::stop() noexcept {
    {
        std::lock_guard lock(reporter_lock_);
        reporter_stop_ = true;
    }
    reporter_wake_.notify_all();
    if (reporter_.joinable()) reporter_.join();
    for (Side* side : {&capture_, &playback_})
        if (side->thread) side->thread->stop();
}

void AdapterClient::report_periodically(std::FILE* out, std::chrono::milliseconds every,
                                        std::string prefix) {
    reporter_ = std::thread([this, out, every, prefix = std::move(prefix)] {
        std::unique_lock lock(reporter_lock_);
        while (!reporter_wake_.wait_for(lock, every, [this] { return reporter_stop_; })) {
            for (const std::string& line : status_lines())
                std::fprintf(out, "%s%s\n", prefix.c_str(), line.c_str());
            std::fflush(out);
        }
    });
}

void AdapterClient::freewheel(int starting, void* self) noexcept {
    static_cast<AdapterClient*>(self)->freewheeling_.store(starting != 0,
                                                           std::memory_order_relaxed);
}

int AdapterClient::process(jack_nframes_t frames, void* self) noexcept {
    auto& me = *static_cast<AdapterClient*>(self);
    if (me.freewheeling_.load(std::memory_order_relaxed)) {
        RT_ASSUME_SAFE_BEGIN
        for (jack_port_t* port : me.capture_.ports)
            std::fill_n(static_cast<float*>(jack_port_get_buffer(port, frames)), frames, 0.0f);
        RT_ASSUME_SAFE_END
        return 0;
    }
    // The cycle's start on CLOCK_MONOTONIC, where the device threads timestamp too; Bantam's
    // libjack reads it from shared memory without a system call.
    RT_ASSUME_SAFE_BEGIN
    jack_nframes_t cycle_frames = 0;
    jack_time_t cycle_usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    if (jack_get_cycle_times(me.client_, &cycle_frames, &cycle_usecs, &next_usecs, &period_usecs) !=
        0)
        cycle_usecs = jack_get_time();
    const int64_t now_ns = int64_t(cycle_usecs) * 1000;
    for (Side* side : {&me.capture_, &me.playback_}) {
        if (!side->adapter) continue;
        for (size_t c = 0; c < side->ports.size(); ++c)
            side->buffers[c] = static_cast<float*>(jack_port_get_buffer(side->ports[c], frames));
        if (side == &me.capture_)
            side->adapter->jack_pull(side->buffers.data(), frames, now_ns);
        else
            side->adapter->jack_push(side->buffers.data(), frames, now_ns);
    }
    RT_ASSUME_SAFE_END
    return 0;
}

void AdapterClient::latency(jack_latency_callback_mode_t mode, void* self) noexcept {
    auto& me = *static_cast<AdapterClient*>(self);
    Side& side = mode == JackCaptureLatency ? me.capture_ : me.playback_;
    if (!side.adapter) return;
    const AdapterConfig& config = side.adapter->config();
    const double target = side.adapter->status().target;
    jack_latency_range_t range;
    range.min = range.max =
        jack_nframes_t(std::lround(target * config.jack_rate / config.device_rate));
    for (jack_port_t* port : side.ports)
        jack_port_set_latency_range(port, mode, &range);
}

std::vector<std::string> AdapterClient::describe() const {
    std::vector<std::string> lines;
    for (const Side* side : {&capture_, &playback_}) {
        if (!side->adapter) continue;
        const AdapterStatus status = side->adapter->status();
        const double ms = status.target * 1000 / side->adapter->config().device_rate;
        lines.push_back(side->pcm->describe() + "; latency target " +
                        std::to_string(int(status.target)) + " frames (" +
                        std::to_string(int(std::lround(ms))) + " ms), " +
                        quality_name(side->adapter->config().quality));
        if (options_.rate && side->pcm->rate() != options_.rate)
            lines.push_back("the device runs at " + std::to_string(side->pcm->rate()) +
                            " Hz, not the " + std::to_string(options_.rate) +
                            " Hz asked for; resampling from that");
    }
    for (const std::string& ignored : options_.ignored)
        lines.push_back("ignoring " + ignored + " (alsa_in's loop tuning; this loop differs)");
    return lines;
}

std::vector<std::string> AdapterClient::status_lines() const {
    std::vector<std::string> lines;
    for (const Side* side : {&capture_, &playback_}) {
        if (!side->adapter) continue;
        const AdapterStatus s = side->adapter->status();
        std::string line =
            std::string(direction_name(side->adapter->config().direction)) +
            format(": fill error %+.1f frames (smoothed %+.2f), ratio %.6f "
                   "(%+.1f ppm)",
                   s.last.fill_error, s.last.smoothed_error, s.last.ratio, s.last.correction * 1e6);
        line += ", resyncs " + std::to_string(s.resyncs) + ", underruns " +
                std::to_string(s.underruns) + ", overflows " + std::to_string(s.overflows) +
                ", missed cycles " + std::to_string(s.missed_cycles) + ", device xruns " +
                std::to_string(side->thread->xruns()) + ", suspends " +
                std::to_string(side->thread->suspends());
        line += side->thread->realtime() ? ", SCHED_FIFO" : ", not real-time";
        if (side->thread->failed()) line += ", DEVICE FAILED";
        lines.push_back(line);
    }
    return lines;
}

void AdapterClient::print_loop_samples(std::FILE* out) {
    for (Side* side : {&capture_, &playback_}) {
        if (!side->adapter) continue;
        const char* name = direction_name(side->adapter->config().direction);
        LoopSample sample;
        while (side->adapter->take_loop_sample(sample))
            std::fprintf(out, "%s %.6f %.2f %.3f %.9f %.0f\n", name, double(sample.time_ns) * 1e-9,
                         sample.fill_error, sample.smoothed_error, sample.ratio,
                         sample.fifo_frames);
    }
}

bool AdapterClient::device_failed() const {
    for (const Side* side : {&capture_, &playback_})
        if (side->thread && side->thread->failed()) return true;
    return false;
}

} // namespace bantam::adapter
