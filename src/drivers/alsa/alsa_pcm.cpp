// Opening a device and negotiating its hardware parameters, the way jackd does: mmap access
// (non-interleaved first), the first format of kFormatPreference the device takes, then the
// rate, channels, period size and number of periods nearest the request.

#include "drivers/alsa/alsa_pcm.hpp"

#include <algorithm>
#include <stdexcept>

#include "drivers/driver.hpp"

namespace bantam::drivers::alsa {

namespace {

snd_pcm_format_t to_alsa(SampleFormat format) {
    switch (format) {
    case SampleFormat::s32:
        return SND_PCM_FORMAT_S32_LE;
    case SampleFormat::s24_3:
        return SND_PCM_FORMAT_S24_3LE;
    case SampleFormat::s24:
        return SND_PCM_FORMAT_S24_LE;
    case SampleFormat::s16:
        return SND_PCM_FORMAT_S16_LE;
    case SampleFormat::float32:
        return SND_PCM_FORMAT_FLOAT_LE;
    }
    return SND_PCM_FORMAT_UNKNOWN;
}

// Devices behind ALSA's plug layer claim thousands of channels; nobody wants that many ports.
constexpr unsigned kMostChannelsByDefault = 256;

} // namespace

AlsaPcm::AlsaPcm(const PcmRequest& request) : request_(request) {
    int err = snd_pcm_open(&pcm_, request.device.c_str(),
                           request.playback ? SND_PCM_STREAM_PLAYBACK : SND_PCM_STREAM_CAPTURE,
                           SND_PCM_NONBLOCK);
    if (err < 0) {
        pcm_ = nullptr;
        throw std::runtime_error("cannot open " + describe() + ": " + snd_strerror(err) +
                                 (err == -EBUSY ? " (another program is using it)" : ""));
    }
    try {
        configure(request);
    } catch (...) {
        snd_pcm_close(pcm_);
        pcm_ = nullptr;
        throw;
    }
}

AlsaPcm::~AlsaPcm() {
    if (pcm_) snd_pcm_close(pcm_);
}

std::string AlsaPcm::describe() const {
    return std::string(request_.playback ? "playback" : "capture") + " device '" + request_.device +
           "'";
}

void AlsaPcm::configure(const PcmRequest& request) {
    auto fail = [&](const std::string& why) { throw std::runtime_error(describe() + ": " + why); };
    snd_pcm_hw_params_t* hw;
    snd_pcm_hw_params_alloca(&hw);
    if (int err = snd_pcm_hw_params_any(pcm_, hw); err < 0)
        fail(std::string("cannot read its capabilities: ") + snd_strerror(err));

    if (snd_pcm_hw_params_set_access(pcm_, hw, SND_PCM_ACCESS_MMAP_NONINTERLEAVED) == 0)
        setup_.interleaved = false;
    else if (snd_pcm_hw_params_set_access(pcm_, hw, SND_PCM_ACCESS_MMAP_INTERLEAVED) == 0)
        setup_.interleaved = true;
    else
        fail("does not support mmap access (try the plughw: device)");

    bool have_format = false;
    for (SampleFormat format : kFormatPreference) {
        if (request.shorts_only && format != SampleFormat::s16) continue;
        if (snd_pcm_hw_params_set_format(pcm_, hw, to_alsa(format)) == 0) {
            setup_.format = format;
            have_format = true;
            break;
        }
    }
    if (!have_format)
        fail(request.shorts_only ? "does not support S16_LE (-S)"
                                 : "supports none of S32_LE, S24_3LE, S24_LE, S16_LE, FLOAT_LE");

    unsigned rate = request.sample_rate;
    int err = request.exact_timing ? snd_pcm_hw_params_set_rate(pcm_, hw, rate, 0)
                                   : snd_pcm_hw_params_set_rate_near(pcm_, hw, &rate, nullptr);
    // A second device must match the first exactly: the cycle serves both.
    const char* as_the_other = request.exact_timing ? " (as the other direction does)" : "";
    if (err < 0) fail("cannot run at " + std::to_string(rate) + " Hz" + as_the_other);

    unsigned least = 0, most = 0;
    snd_pcm_hw_params_get_channels_min(hw, &least);
    snd_pcm_hw_params_get_channels_max(hw, &most);
    unsigned channels = request.channels;
    if (!channels) channels = most <= kMostChannelsByDefault ? most : std::max(least, 2u);
    if (snd_pcm_hw_params_set_channels(pcm_, hw, channels) < 0)
        fail("cannot use " + std::to_string(channels) + " channels (it supports " +
             std::to_string(least) + ".." + std::to_string(most) + ")");

    snd_pcm_uframes_t period = request.period;
    err = request.exact_timing ? snd_pcm_hw_params_set_period_size(pcm_, hw, period, 0)
                               : snd_pcm_hw_params_set_period_size_near(pcm_, hw, &period, nullptr);
    if (err < 0) fail("cannot use periods of " + std::to_string(period) + " frames" + as_the_other);
    unsigned periods = request.periods;
    snd_pcm_hw_params_set_periods_integer(pcm_, hw);
    if (snd_pcm_hw_params_set_periods_near(pcm_, hw, &periods, nullptr) < 0)
        fail("cannot use " + std::to_string(request.periods) + " periods");
    if ((err = snd_pcm_hw_params(pcm_, hw)) < 0)
        fail(std::string("cannot apply its hardware parameters: ") + snd_strerror(err));

    snd_pcm_uframes_t buffer = 0;
    snd_pcm_hw_params_get_rate(hw, &rate, nullptr);
    snd_pcm_hw_params_get_period_size(hw, &period, nullptr);
    snd_pcm_hw_params_get_periods(hw, &periods, nullptr);
    snd_pcm_hw_params_get_buffer_size(hw, &buffer);
    if (period < 1 || period > kMaxFramesForDriver)
        fail("runs at " + std::to_string(period) + " frames per period (at most " +
             std::to_string(kMaxFramesForDriver) + " supported)");
    setup_.sample_rate = rate;
    setup_.period = uint32_t(period);
    setup_.periods = periods;
    setup_.buffer = uint32_t(buffer);
    setup_.channels = channels;
    configure_software();

    poll_count_ = snd_pcm_poll_descriptors_count(pcm_);
    if (poll_count_ < 1 || poll_count_ > kMaxPollFds)
        fail("has " + std::to_string(poll_count_) + " poll descriptors (1.." +
             std::to_string(kMaxPollFds) + " supported)");
    snd_pcm_poll_descriptors(pcm_, poll_fds_, unsigned(poll_count_));
}

void AlsaPcm::configure_software() {
    // Started explicitly (never by a write reaching a threshold), stopped with an xrun when
    // the driver falls a whole buffer behind, woken once per period.
    snd_pcm_sw_params_t* sw;
    snd_pcm_sw_params_alloca(&sw);
    snd_pcm_uframes_t boundary = 0;
    int err = snd_pcm_sw_params_current(pcm_, sw);
    if (err >= 0) err = snd_pcm_sw_params_get_boundary(sw, &boundary);
    if (err >= 0) err = snd_pcm_sw_params_set_start_threshold(pcm_, sw, boundary);
    if (err >= 0) err = snd_pcm_sw_params_set_stop_threshold(pcm_, sw, setup_.buffer);
    if (err >= 0) err = snd_pcm_sw_params_set_avail_min(pcm_, sw, setup_.period);
    if (err >= 0) err = snd_pcm_sw_params_set_silence_threshold(pcm_, sw, 0);
    if (err >= 0) err = snd_pcm_sw_params(pcm_, sw);
    if (err < 0)
        throw std::runtime_error(describe() +
                                 ": cannot apply its software parameters: " + snd_strerror(err));
}

bool AlsaPcm::change_period(uint32_t frames) {
    const PcmSetup previous = setup_;
    PcmRequest wanted = request_;
    wanted.sample_rate = previous.sample_rate;
    wanted.channels = previous.channels;
    wanted.period = frames;
    wanted.exact_timing = true;
    snd_pcm_drop(pcm_);
    snd_pcm_hw_free(pcm_);
    try {
        configure(wanted);
        return true;
    } catch (const std::exception&) {
    }
    wanted.period = previous.period;
    snd_pcm_hw_free(pcm_);
    try {
        configure(wanted);
    } catch (const std::exception&) {
        setup_ = previous; // the next start fails and is retried; nothing better to do here
    }
    return false;
}

} // namespace bantam::drivers::alsa
