// Starting, recovering and moving samples through the device's mmap buffer.

#include <cerrno>
#include <ctime>

#include "drivers/alsa/alsa_pcm.hpp"

namespace bantam::drivers::alsa {

namespace {

RT_NONBLOCKING ChannelBuffer channel_at(const snd_pcm_channel_area_t& area,
                                        snd_pcm_uframes_t offset) noexcept {
    return {static_cast<std::byte*>(area.addr) + (area.first + offset * area.step) / 8,
            area.step / 8};
}

// libasound's mmap calls on a hw device are pointer arithmetic on the mmapped status and
// control pages (on old kernels, one SYNC_PTR ioctl that never blocks): the path every
// real-time ALSA program takes. The checker cannot see into libasound, so this is where we
// vouch for it.
RT_NONBLOCKING int mmap_begin(snd_pcm_t* pcm, const snd_pcm_channel_area_t** areas,
                              snd_pcm_uframes_t* offset, snd_pcm_uframes_t* frames) noexcept {
    RT_ASSUME_SAFE_BEGIN
    return snd_pcm_mmap_begin(pcm, areas, offset, frames);
    RT_ASSUME_SAFE_END
}

RT_NONBLOCKING snd_pcm_sframes_t mmap_commit(snd_pcm_t* pcm, snd_pcm_uframes_t offset,
                                             snd_pcm_uframes_t frames) noexcept {
    RT_ASSUME_SAFE_BEGIN
    snd_pcm_sframes_t committed = snd_pcm_mmap_commit(pcm, offset, frames);
    RT_ASSUME_SAFE_END
    if (committed >= 0 && snd_pcm_uframes_t(committed) != frames) return -EPIPE;
    return committed;
}

// Moves up to `frames` through the mmap buffer in as many contiguous pieces as it takes;
// `convert(areas, offset, done, count)` handles one piece. Returns frames moved or an error.
template <typename Convert>
RT_NONBLOCKING snd_pcm_sframes_t transfer(snd_pcm_t* pcm, uint32_t frames,
                                          Convert&& convert) noexcept {
    uint32_t done = 0;
    while (done < frames) {
        const snd_pcm_channel_area_t* areas = nullptr;
        snd_pcm_uframes_t offset = 0, count = frames - done;
        if (int err = mmap_begin(pcm, &areas, &offset, &count); err < 0) return err;
        if (count == 0) break;
        convert(areas, offset, done, uint32_t(count));
        if (snd_pcm_sframes_t err = mmap_commit(pcm, offset, count); err < 0) return err;
        done += uint32_t(count);
    }
    return done;
}

} // namespace

int AlsaPcm::prepare_and_fill() noexcept {
    snd_pcm_drop(pcm_);
    if (int err = snd_pcm_prepare(pcm_); err < 0) return err;
    if (!playback()) return 0;
    // Playback starts with a whole buffer queued, so the first period the device asks for
    // comes one buffer after the start, as with jackd.
    snd_pcm_sframes_t avail = snd_pcm_avail_update(pcm_);
    if (avail < 0) return int(avail);
    snd_pcm_sframes_t written = write_silence(uint32_t(avail));
    return written < 0 ? int(written) : 0;
}

int AlsaPcm::start() noexcept {
    return snd_pcm_start(pcm_);
}

void AlsaPcm::drop() noexcept {
    snd_pcm_drop(pcm_);
}

int AlsaPcm::resume() noexcept {
    int err = snd_pcm_resume(pcm_);
    // -EAGAIN: the hardware is still waking up. Give it up to a second, as jackd does.
    for (int tries = 0; err == -EAGAIN && tries < 100; ++tries) {
        timespec nap{0, 10000000};
        nanosleep(&nap, nullptr);
        err = snd_pcm_resume(pcm_);
    }
    if (err < 0) return err;
    return snd_pcm_state(pcm_) == SND_PCM_STATE_RUNNING ? 0 : -ESTRPIPE;
}

int AlsaPcm::error_from_state() const noexcept {
    switch (snd_pcm_state(pcm_)) {
    case SND_PCM_STATE_XRUN:
        return -EPIPE;
    case SND_PCM_STATE_SUSPENDED:
        return -ESTRPIPE;
    case SND_PCM_STATE_DISCONNECTED:
        return -ENODEV;
    default:
        return -EIO;
    }
}

unsigned short AlsaPcm::revents(pollfd* polled) noexcept {
    unsigned short events = 0;
    if (snd_pcm_poll_descriptors_revents(pcm_, polled, unsigned(poll_count_), &events) < 0)
        return POLLERR;
    return events;
}

snd_pcm_sframes_t AlsaPcm::update_avail() noexcept {
    return snd_pcm_avail_update(pcm_);
}

snd_pcm_sframes_t AlsaPcm::read(std::span<float* const> channels, uint32_t frames) noexcept {
    const PcmSetup& setup = setup_;
    snd_pcm_sframes_t moved =
        transfer(pcm_, frames,
                 [&](const snd_pcm_channel_area_t* areas, snd_pcm_uframes_t offset, uint32_t done,
                     uint32_t count) {
                     for (size_t c = 0; c < channels.size() && c < setup.channels; ++c)
                         decode_samples(setup.format, channel_at(areas[c], offset),
                                        channels[c] + done, count);
                 });
    const uint32_t filled = moved > 0 ? uint32_t(moved) : 0;
    for (size_t c = 0; c < channels.size(); ++c)
        for (uint32_t i = c < setup.channels ? filled : 0; i < frames; ++i)
            channels[c][i] = 0.0f;
    return moved;
}

snd_pcm_sframes_t AlsaPcm::write(std::span<const float* const> channels, uint32_t frames) noexcept {
    const PcmSetup& setup = setup_;
    return transfer(pcm_, frames,
                    [&](const snd_pcm_channel_area_t* areas, snd_pcm_uframes_t offset,
                        uint32_t done, uint32_t count) {
                        for (size_t c = 0; c < setup.channels; ++c) {
                            ChannelBuffer to = channel_at(areas[c], offset);
                            if (c < channels.size() && channels[c])
                                encode_samples(setup.format, channels[c] + done, to, count);
                            else
                                encode_silence(setup.format, to, count);
                        }
                    });
}

snd_pcm_sframes_t AlsaPcm::write_silence(uint32_t frames) noexcept {
    const PcmSetup& setup = setup_;
    return transfer(pcm_, frames,
                    [&](const snd_pcm_channel_area_t* areas, snd_pcm_uframes_t offset, uint32_t,
                        uint32_t count) {
                        for (size_t c = 0; c < setup.channels; ++c)
                            encode_silence(setup.format, channel_at(areas[c], offset), count);
                    });
}

} // namespace bantam::drivers::alsa
