#include "drivers/dummy/wav_files.hpp"

#include <chrono>
#include <cstdio>
#include <sndfile.h>
#include <stdexcept>

namespace bantam::drivers {

WavSource::WavSource(const std::string& path, uint32_t expected_rate) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (!file) throw std::runtime_error("cannot read " + path + ": " + sf_strerror(nullptr));
    if (uint32_t(info.samplerate) != expected_rate) {
        sf_close(file);
        throw std::runtime_error(path + " is at " + std::to_string(info.samplerate) +
                                 " Hz, the server runs at " + std::to_string(expected_rate));
    }
    channels_ = uint32_t(info.channels);
    frames_total_ = size_t(info.frames);
    samples_.resize(frames_total_ * channels_);
    sf_readf_float(file, samples_.data(), sf_count_t(frames_total_));
    sf_close(file);
}

void WavSource::read(std::span<float* const> channels, uint32_t frames) noexcept {
    for (uint32_t frame = 0; frame < frames; ++frame, ++position_) {
        bool inside = position_ < frames_total_;
        for (size_t channel = 0; channel < channels.size(); ++channel)
            channels[channel][frame] =
                inside && channel < channels_ ? samples_[position_ * channels_ + channel] : 0.0f;
    }
}

struct WavSink::Opaque {
    SNDFILE* file = nullptr;
};

WavSink::WavSink(const std::string& path, uint32_t rate, uint32_t channels)
    : path_(path), channels_(channels), file_(std::make_unique<Opaque>()),
      queue_(size_t(rate) * channels * 10) {
    SF_INFO info{};
    info.samplerate = int(rate);
    info.channels = int(channels);
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    file_->file = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file_->file)
        throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
    writer_ = std::thread([this] { drain_loop(); });
}

WavSink::~WavSink() {
    stopping_ = true;
    writer_.join();
    sf_close(file_->file);
    if (uint64_t dropped = dropped_.load())
        std::fprintf(stderr, "bantamd: warning: %llu frames could not be written to %s in time\n",
                     static_cast<unsigned long long>(dropped), path_.c_str());
}

void WavSink::write(std::span<const float* const> channels, uint32_t frames) noexcept {
    // Whole periods or nothing, so channels never slip against each other.
    if (queue_.free_slots() < size_t(frames) * channels_) {
        dropped_.fetch_add(frames, std::memory_order_relaxed);
        return;
    }
    for (uint32_t frame = 0; frame < frames; ++frame)
        for (uint32_t channel = 0; channel < channels_; ++channel)
            queue_.try_push(channel < channels.size() ? channels[channel][frame] : 0.0f);
}

void WavSink::drain_loop() {
    std::vector<float> chunk;
    chunk.reserve(4096 * channels_);
    for (;;) {
        bool stopping = stopping_.load();
        float sample;
        while (queue_.try_pop(sample)) {
            chunk.push_back(sample);
            if (chunk.size() == chunk.capacity()) {
                sf_writef_float(file_->file, chunk.data(), sf_count_t(chunk.size() / channels_));
                chunk.clear();
            }
        }
        // Whole frames only: the queue may have been drained in the middle of a frame the
        // driver is still pushing, and dropping that part would slip the channels for good.
        if (const size_t whole = chunk.size() / channels_ * channels_; whole != 0) {
            sf_writef_float(file_->file, chunk.data(), sf_count_t(whole / channels_));
            chunk.erase(chunk.begin(), chunk.begin() + long(whole));
        }
        if (stopping) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace bantam::drivers
