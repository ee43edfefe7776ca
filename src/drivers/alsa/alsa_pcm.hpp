#pragma once

// One direction of one ALSA device, opened for mmap access and configured as close to the
// request as the device allows. What the device really runs at is in setup(); the driver
// reports that, never the request.
//
// Data moves through the device's own ring buffer (snd_pcm_mmap_begin/commit): the real-time
// path converts samples in place and makes no copy of its own.

#include <alsa/asoundlib.h>
#include <poll.h>
#include <span>
#include <string>

#include "drivers/alsa/sample_format.hpp"
#include "rt/annotations.hpp"

namespace bantam::drivers::alsa {

struct PcmRequest {
    std::string device;
    bool playback = true;
    uint32_t sample_rate = 48000;
    uint32_t period = 1024;
    uint32_t periods = 2;
    uint32_t channels = 0; // 0: as many as the device has
    bool shorts_only = false;
    bool exact_timing = false; // rate and period must be exactly these (the second device)
};

struct PcmSetup {
    SampleFormat format = SampleFormat::s32;
    bool interleaved = false;
    uint32_t sample_rate = 0;
    uint32_t period = 0;
    uint32_t periods = 0;
    uint32_t buffer = 0; // frames
    uint32_t channels = 0;
};

class AlsaPcm {
  public:
    static constexpr int kMaxPollFds = 4;

    // Thread: control. Throws std::runtime_error, one line naming the device and the reason.
    explicit AlsaPcm(const PcmRequest& request);
    ~AlsaPcm();
    AlsaPcm(const AlsaPcm&) = delete;
    AlsaPcm& operator=(const AlsaPcm&) = delete;

    const PcmSetup& setup() const noexcept { return setup_; }
    const PcmRequest& request() const noexcept { return request_; }
    const std::string& device() const noexcept { return request_.device; }
    bool playback() const noexcept { return request_.playback; }
    snd_pcm_t* handle() const noexcept { return pcm_; }
    // "playback device 'hw:0'"
    std::string describe() const;

    // Thread: control, device stopped. Reconfigures for `frames` per period exactly; on
    // failure keeps the previous setup and returns false.
    bool change_period(uint32_t frames);

    // Thread: driver, outside the real-time path (starting and recovering). Return 0 or a
    // negative errno.
    int prepare_and_fill() noexcept; // drop, prepare; playback: a whole buffer of silence
    int start() noexcept;
    void drop() noexcept;
    int resume() noexcept;                 // 0 only if the device is running again
    int error_from_state() const noexcept; // -EPIPE, -ESTRPIPE, -ENODEV or -EIO

    // Thread: driver. The descriptors to poll, and what poll() found on them.
    int poll_count() const noexcept { return poll_count_; }
    const pollfd* poll_fds() const noexcept { return poll_fds_; }
    unsigned short revents(pollfd* polled) noexcept;
    // Frames that can be transferred now, or a negative errno. The transfers below move at
    // most what the last call found.
    snd_pcm_sframes_t update_avail() noexcept;

    // Thread: driver (RT). Frames moved, or a negative errno. A short read is completed
    // with silence.
    RT_NONBLOCKING snd_pcm_sframes_t read(std::span<float* const> channels,
                                          uint32_t frames) noexcept;
    RT_NONBLOCKING snd_pcm_sframes_t write(std::span<const float* const> channels,
                                           uint32_t frames) noexcept;
    RT_NONBLOCKING snd_pcm_sframes_t write_silence(uint32_t frames) noexcept;

  private:
    void configure(const PcmRequest& request);
    void configure_software();

    PcmRequest request_;
    PcmSetup setup_;
    snd_pcm_t* pcm_ = nullptr;
    pollfd poll_fds_[kMaxPollFds] = {};
    int poll_count_ = 0;
};

} // namespace bantam::drivers::alsa
