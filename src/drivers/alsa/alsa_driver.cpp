#include "drivers/alsa/alsa_driver.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>

#include "common/log.hpp"

namespace bantam::drivers::alsa {

namespace {

// alsa-lib prints its own diagnostics to stderr; they go to the debug log (bantamd -v) so a
// failure is one line of ours. alsa-lib calls this only on configuration errors.
void forward_alsa_lib_message(const char* file, int line, const char* function, int err,
                              const char* format, ...) {
    (void)file;
    (void)line;
    char text[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    BANTAM_DEBUG("alsa-lib: %s: %s%s%s", function, text, err ? ": " : "",
                 err ? snd_strerror(err) : "");
}

} // namespace

std::unique_ptr<Driver> create_alsa_driver(const std::vector<std::string>& args) {
    AlsaOptions options = parse_alsa_options(args);
    snd_lib_error_set_handler(&forward_alsa_lib_message);
    return std::make_unique<AlsaDriver>(std::move(options));
}

AlsaDriver::AlsaDriver(AlsaOptions options) : options_(std::move(options)) {
    for (const std::string& warning : options_.warnings)
        BANTAM_WARN("alsa: %s", warning.c_str());
    reserve_cards();
    open_devices();
    link_devices();
    log_setup();
}

AlsaDriver::~AlsaDriver() {
    stop();
    if (linked_) snd_pcm_unlink(capture_->handle());
}

void AlsaDriver::reserve_cards() {
    std::vector<int> reserved;
    for (const std::string& device : {options_.playback_device, options_.capture_device}) {
        const int card = card_of_device(device);
        if (card < 0 || std::find(reserved.begin(), reserved.end(), card) != reserved.end())
            continue;
        reserved.push_back(card);
        if (auto reservation = DeviceReservation::acquire(card, device)) {
            BANTAM_INFO("alsa: card %d reserved (%s)", card, reservation->bus_name().c_str());
            reservations_.push_back(std::move(reservation));
        }
    }
}

void AlsaDriver::open_devices() {
    // The first device opened sets the rate and period; the second must run at exactly those,
    // or the cycle could not serve both.
    PcmRequest request;
    request.sample_rate = options_.sample_rate;
    request.period = options_.period;
    request.periods = options_.periods;
    request.shorts_only = options_.shorts_only;
    if (!options_.playback_device.empty()) {
        request.device = options_.playback_device;
        request.playback = true;
        request.channels = options_.playback_channels;
        playback_ = std::make_unique<AlsaPcm>(request);
        request.sample_rate = playback_->setup().sample_rate;
        request.period = playback_->setup().period;
        request.exact_timing = true;
    }
    if (!options_.capture_device.empty()) {
        request.device = options_.capture_device;
        request.playback = false;
        request.channels = options_.capture_channels;
        // A capture device on a clock of its own is read one period behind (see
        // read_capture), so it needs a period more than the playback device.
        if (options_.split()) request.periods = std::max(options_.periods + 1, 3u);
        capture_ = std::make_unique<AlsaPcm>(request);
    }
    const AlsaPcm& first = playback_ ? *playback_ : *capture_;
    sample_rate_ = first.setup().sample_rate;
    period_ = first.setup().period;
}

void AlsaDriver::link_devices() {
    if (!capture_ || !playback_) return;
    int err = snd_pcm_link(capture_->handle(), playback_->handle());
    linked_ = err == 0;
    capture_follows_ = !linked_ && options_.split();
    if (linked_)
        BANTAM_DEBUG("alsa: capture and playback linked: one start, one clock");
    else if (capture_follows_)
        BANTAM_INFO("alsa: '%s' and '%s' cannot be linked (%s): the cycle follows the playback "
                    "device; the capture device is read as it delivers, without drift correction",
                    options_.playback_device.c_str(), options_.capture_device.c_str(),
                    snd_strerror(err));
    else
        BANTAM_DEBUG("alsa: capture and playback not linked (%s): started one after the other",
                     snd_strerror(err));
}

void AlsaDriver::log_setup() const {
    for (const AlsaPcm* pcm : {playback_.get(), capture_.get()}) {
        if (!pcm) continue;
        const PcmSetup& setup = pcm->setup();
        BANTAM_INFO("alsa: %s: %s, %s mmap, %u Hz, %u frames x %u periods, %u channels",
                    pcm->describe().c_str(), format_name(setup.format).data(),
                    setup.interleaved ? "interleaved" : "non-interleaved", setup.sample_rate,
                    setup.period, setup.periods, setup.channels);
        if (setup.periods != pcm->request().periods)
            BANTAM_WARN("alsa: %s: requested %u periods, the device runs with %u",
                        pcm->describe().c_str(), pcm->request().periods, setup.periods);
    }
    if (sample_rate_ != options_.sample_rate)
        BANTAM_WARN("alsa: requested %u Hz, the device runs at %u Hz: reporting %u Hz",
                    options_.sample_rate, sample_rate_, sample_rate_);
    if (period_ != options_.period)
        BANTAM_WARN("alsa: requested %u frames per period, the device runs at %u: reporting %u",
                    options_.period, period_, period_);
}

uint32_t AlsaDriver::periods() const noexcept {
    return (playback_ ? playback_ : capture_)->setup().periods;
}

uint32_t AlsaDriver::capture_channels() const noexcept {
    return capture_ ? capture_->setup().channels : 0;
}

uint32_t AlsaDriver::playback_channels() const noexcept {
    return playback_ ? playback_->setup().channels : 0;
}

uint32_t AlsaDriver::capture_latency() const noexcept {
    // A capture device that follows another's clock is read a period late (read_capture).
    return (capture_follows_ ? 2 : 1) * period_ + options_.extra_capture_latency;
}

uint32_t AlsaDriver::playback_latency() const noexcept {
    const uint32_t periods = playback_ ? playback_->setup().periods : 2;
    return (periods - 1) * period_ + options_.extra_playback_latency;
}

void AlsaDriver::start() {
    rt_ = {};
    if (prepare_all() < 0)
        rt_.broken = true; // reported and retried by the driver thread
    else
        rt_.start_pending = true;
}

void AlsaDriver::stop() noexcept {
    if (playback_) playback_->drop();
    if (capture_) capture_->drop();
}

bool AlsaDriver::set_buffer_size(uint32_t frames) {
    stop();
    const uint32_t previous = period_;
    bool changed = !playback_ || playback_->change_period(frames);
    if (changed && capture_) changed = capture_->change_period(frames);
    if (!changed) {
        if (playback_) playback_->change_period(previous);
        BANTAM_WARN("alsa: the device cannot run at %u frames per period; staying at %u", frames,
                    previous);
        return false;
    }
    period_ = frames;
    return true;
}

void AlsaDriver::note_error(bool playback, int error) noexcept {
    if (rt_.pending_error) return;
    rt_.pending_error = error;
    rt_.pending_on_playback = playback;
}

void AlsaDriver::read_capture(std::span<float* const> channels, uint32_t frames) noexcept {
    bool silent = !capture_ || rt_.broken;
    if (!silent && capture_follows_) {
        // A capture device on its own clock is read only once it is a whole period ahead, so
        // that its wakeups landing a little before or after the playback device's do not
        // matter. Running short (its clock is slower) loses that cushion: a period of
        // silence, reported, and it is built again.
        const snd_pcm_sframes_t needed = snd_pcm_sframes_t(frames) * (rt_.follower_primed ? 1 : 2);
        if (rt_.follower_avail < needed) {
            if (rt_.follower_primed) reports_.post({DeviceEvent::follower_short, false, 0});
            rt_.follower_primed = false;
            silent = true;
        }
    }
    if (silent) {
        for (float* channel : channels)
            for (uint32_t i = 0; i < frames; ++i)
                channel[i] = 0.0f;
        return;
    }
    snd_pcm_sframes_t moved = capture_->read(channels, frames);
    if (moved < 0) note_error(false, int(moved));
    if (capture_follows_ && moved == snd_pcm_sframes_t(frames)) rt_.follower_primed = true;
}

void AlsaDriver::write_playback(std::span<const float* const> channels, uint32_t frames) noexcept {
    rt_.playback_written = true;
    if (!playback_ || rt_.broken) return;
    snd_pcm_sframes_t moved = playback_->write(channels, frames);
    if (moved < 0) note_error(true, int(moved));
}

} // namespace bantam::drivers::alsa
