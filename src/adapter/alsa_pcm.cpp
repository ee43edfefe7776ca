#include "adapter/alsa_pcm.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace bantam::adapter {

namespace {

constexpr snd_pcm_format_t kFormats[] = {SND_PCM_FORMAT_FLOAT_LE, SND_PCM_FORMAT_S32_LE,
                                         SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_S24_3LE,
                                         SND_PCM_FORMAT_S16_LE};

const char* stream_name(Direction direction) {
    return direction == Direction::capture ? "capture" : "playback";
}

// Full scale of each integer format, as a double so clipping is exact.
double full_scale(snd_pcm_format_t format) {
    switch (format) {
    case SND_PCM_FORMAT_S32_LE:
        return 2147483648.0;
    case SND_PCM_FORMAT_S24_LE:
    case SND_PCM_FORMAT_S24_3LE:
        return 8388608.0;
    case SND_PCM_FORMAT_S16_LE:
        return 32768.0;
    default:
        return 1.0;
    }
}

RT_NONBLOCKING int32_t to_integer(float value, double scale) noexcept {
    const double scaled = std::clamp(double(value) * scale, -scale, scale - 1);
    return int32_t(std::lrint(scaled));
}

} // namespace

AlsaPcm::AlsaPcm(const PcmRequest& request)
    : device_(request.device), direction_(request.direction) {
    const snd_pcm_stream_t stream =
        direction_ == Direction::capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK;
    const int error = snd_pcm_open(&pcm_, device_.c_str(), stream, SND_PCM_NONBLOCK);
    if (error < 0)
        throw std::runtime_error("cannot open ALSA device '" + device_ + "' for " +
                                 stream_name(direction_) + ": " + snd_strerror(error));
    try {
        configure(request);
    } catch (...) {
        snd_pcm_close(pcm_);
        throw;
    }
}

AlsaPcm::~AlsaPcm() {
    snd_pcm_drop(pcm_);
    snd_pcm_close(pcm_);
}

void AlsaPcm::configure(const PcmRequest& request) {
    auto fail = [&](const std::string& what, int error) {
        throw std::runtime_error("ALSA device '" + device_ + "' (" + stream_name(direction_) +
                                 "): " + what + ": " + snd_strerror(error));
    };
    snd_pcm_hw_params_t* hw;
    snd_pcm_hw_params_alloca(&hw);
    int error = snd_pcm_hw_params_any(pcm_, hw);
    if (error < 0) fail("no configuration", error);
    if (snd_pcm_hw_params_set_access(pcm_, hw, SND_PCM_ACCESS_RW_INTERLEAVED) == 0) {
        access_ = SND_PCM_ACCESS_RW_INTERLEAVED;
    } else if ((error = snd_pcm_hw_params_set_access(pcm_, hw, SND_PCM_ACCESS_RW_NONINTERLEAVED)) ==
               0) {
        access_ = SND_PCM_ACCESS_RW_NONINTERLEAVED;
    } else {
        fail("neither interleaved nor non-interleaved read/write access", error);
    }
    format_ = SND_PCM_FORMAT_UNKNOWN;
    for (snd_pcm_format_t format : kFormats)
        if (snd_pcm_hw_params_set_format(pcm_, hw, format) == 0) {
            format_ = format;
            break;
        }
    if (format_ == SND_PCM_FORMAT_UNKNOWN) fail("none of FLOAT, S32, S24, S16", -EINVAL);
    if ((error = snd_pcm_hw_params_set_channels(pcm_, hw, request.channels)) < 0) {
        unsigned lowest = 0, highest = 0;
        snd_pcm_hw_params_get_channels_min(hw, &lowest);
        snd_pcm_hw_params_get_channels_max(hw, &highest);
        fail(std::to_string(request.channels) + " channels (it has " + std::to_string(lowest) +
                 (lowest == highest ? "" : ".." + std::to_string(highest)) + ")",
             error);
    }
    channels_ = request.channels;
    rate_ = request.rate;
    if ((error = snd_pcm_hw_params_set_rate_resample(pcm_, hw, 0)) < 0) fail("rate", error);
    if ((error = snd_pcm_hw_params_set_rate_near(pcm_, hw, &rate_, nullptr)) < 0)
        fail("rate " + std::to_string(request.rate), error);
    period_ = request.period;
    if ((error = snd_pcm_hw_params_set_period_size_near(pcm_, hw, &period_, nullptr)) < 0)
        fail("period of " + std::to_string(request.period) + " frames", error);
    periods_ = request.periods;
    if ((error = snd_pcm_hw_params_set_periods_near(pcm_, hw, &periods_, nullptr)) < 0)
        fail(std::to_string(request.periods) + " periods", error);
    if ((error = snd_pcm_hw_params(pcm_, hw)) < 0) fail("hardware parameters", error);
    snd_pcm_hw_params_get_period_size(hw, &period_, nullptr);
    snd_pcm_uframes_t buffer = 0;
    snd_pcm_hw_params_get_buffer_size(hw, &buffer);
    periods_ = unsigned(buffer / period_);

    snd_pcm_sw_params_t* sw;
    snd_pcm_sw_params_alloca(&sw);
    snd_pcm_sw_params_current(pcm_, sw);
    snd_pcm_sw_params_set_avail_min(pcm_, sw, period_);
    // Playback starts explicitly, once the buffer is full; capture at start() too.
    snd_pcm_sw_params_set_start_threshold(pcm_, sw, buffer * 2);
    snd_pcm_sw_params_set_stop_threshold(pcm_, sw, buffer);
    if ((error = snd_pcm_sw_params(pcm_, sw)) < 0) fail("software parameters", error);

    sample_bytes_ = unsigned(snd_pcm_format_physical_width(format_) / 8);
    significant_bits_ = unsigned(snd_pcm_format_width(format_));
    raw_.assign(period_ * channels_ * sample_bytes_, 0);
    for (unsigned c = 0; c < channels_; ++c)
        channel_data_.push_back(raw_.data() + c * period_ * sample_bytes_);
}

std::string AlsaPcm::describe() const {
    return device_ + " " + stream_name(direction_) + ": " + std::to_string(rate_) + " Hz, " +
           std::to_string(periods_) + " x " + std::to_string(period_) + " frames, " +
           snd_pcm_format_name(format_) + ", " + snd_pcm_access_name(access_) + ", " +
           std::to_string(channels_) + " channels";
}

int AlsaPcm::start() noexcept {
    int error = snd_pcm_prepare(pcm_);
    if (error < 0) return error;
    if (direction_ == Direction::playback) {
        snd_pcm_format_set_silence(format_, raw_.data(), unsigned(period_ * channels_));
        for (unsigned i = 0; i < periods_; ++i) {
            const long written = access_ == SND_PCM_ACCESS_RW_INTERLEAVED
                                     ? snd_pcm_writei(pcm_, raw_.data(), period_)
                                     : snd_pcm_writen(pcm_, channel_data_.data(), period_);
            if (written < 0) return int(written);
        }
    }
    return snd_pcm_start(pcm_);
}

int AlsaPcm::wait(int timeout_ms) noexcept {
    const int ready = snd_pcm_wait(pcm_, timeout_ms);
    if (ready >= 0) return ready;
    // snd_pcm_wait reports some states only through the state itself.
    switch (snd_pcm_state(pcm_)) {
    case SND_PCM_STATE_XRUN:
        return -EPIPE;
    case SND_PCM_STATE_SUSPENDED:
        return -ESTRPIPE;
    default:
        return ready;
    }
}

long AlsaPcm::read(float* interleaved, unsigned frames) noexcept {
    frames = std::min(frames, unsigned(period_));
    const long got = access_ == SND_PCM_ACCESS_RW_INTERLEAVED
                         ? snd_pcm_readi(pcm_, raw_.data(), frames)
                         : snd_pcm_readn(pcm_, channel_data_.data(), frames);
    if (got == -EAGAIN) return 0;
    if (got > 0) decode(interleaved, unsigned(got));
    return got;
}

long AlsaPcm::write(const float* interleaved, unsigned frames) noexcept {
    frames = std::min(frames, unsigned(period_));
    encode(interleaved, frames);
    const long put = access_ == SND_PCM_ACCESS_RW_INTERLEAVED
                         ? snd_pcm_writei(pcm_, raw_.data(), frames)
                         : snd_pcm_writen(pcm_, channel_data_.data(), frames);
    return put == -EAGAIN ? 0 : put;
}

bool AlsaPcm::hardware_frames(int64_t& frames) noexcept {
    snd_pcm_sframes_t avail = 0, delay = 0;
    if (snd_pcm_avail_delay(pcm_, &avail, &delay) < 0) return false;
    frames = direction_ == Direction::capture ? avail : delay;
    return true;
}

int AlsaPcm::recover(int error) noexcept {
    if (error == -ESTRPIPE) {
        int resumed;
        for (int attempt = 0; attempt < 100 && (resumed = snd_pcm_resume(pcm_)) == -EAGAIN;
             ++attempt)
            usleep(10000); // the device is still waking up
        if (resumed == 0) return 0;
    } else if (error != -EPIPE) {
        return error;
    }
    return start();
}

// Sample s of channel c: interleaved at (frame * channels + c), non-interleaved at
// (c * period + frame), in units of the device's sample.
void AlsaPcm::encode(const float* interleaved, unsigned frames) noexcept {
    const bool split = access_ == SND_PCM_ACCESS_RW_NONINTERLEAVED;
    const double scale = full_scale(format_);
    for (unsigned f = 0; f < frames; ++f)
        for (unsigned c = 0; c < channels_; ++c) {
            const float value = interleaved[f * channels_ + c];
            const size_t index = split ? c * period_ + f : size_t(f) * channels_ + c;
            unsigned char* out = raw_.data() + index * sample_bytes_;
            if (format_ == SND_PCM_FORMAT_FLOAT_LE) {
                std::memcpy(out, &value, 4);
                continue;
            }
            const int32_t sample = to_integer(value, scale);
            for (unsigned b = 0; b < sample_bytes_; ++b)
                out[b] = (unsigned char)(uint32_t(sample) >> (8 * b));
        }
}

void AlsaPcm::decode(float* interleaved, unsigned frames) const noexcept {
    const bool split = access_ == SND_PCM_ACCESS_RW_NONINTERLEAVED;
    const double scale = full_scale(format_);
    for (unsigned f = 0; f < frames; ++f)
        for (unsigned c = 0; c < channels_; ++c) {
            const size_t index = split ? c * period_ + f : size_t(f) * channels_ + c;
            const unsigned char* in = raw_.data() + index * sample_bytes_;
            float& value = interleaved[f * channels_ + c];
            if (format_ == SND_PCM_FORMAT_FLOAT_LE) {
                std::memcpy(&value, in, 4);
                continue;
            }
            uint32_t bits = 0;
            for (unsigned b = 0; b < sample_bytes_; ++b)
                bits |= uint32_t(in[b]) << (8 * b);
            // Sign-extend from the format's significant width (24 bits in a 4-byte S24_LE).
            const int32_t sample =
                int32_t(bits << (32 - significant_bits_)) >> (32 - significant_bits_);
            value = float(double(sample) / scale);
        }
}

} // namespace bantam::adapter
