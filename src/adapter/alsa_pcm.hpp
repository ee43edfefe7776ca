#pragma once

// AlsaPcm: one direction of an ALSA device, as the adapter's device thread uses it.
//
// Opened non-blocking (the thread waits in snd_pcm_wait with a timeout, so it can be stopped
// even if the device's clock stalls), read/write access (interleaved, else non-interleaved) in
// the first of float, S32, S24 (in 4 or 3 bytes) and S16 the device takes. The rate, period and
// period count are the nearest the device accepts; rate() and friends report what it really runs
// at, and the adapter resamples from that.
//
// Open and close throw or allocate; every other member is for the device thread, works in
// buffers allocated at open, and takes and returns frames of interleaved floats. They call into
// alsa-lib (system calls, the plugin's own locks): the device thread is an I/O thread, never
// the JACK process thread.

#include <alsa/asoundlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapter/adapter_config.hpp"
#include "rt/annotations.hpp"

namespace bantam::adapter {

struct PcmRequest {
    std::string device = "hw:0";
    Direction direction = Direction::capture;
    unsigned channels = 2;
    unsigned rate = 48000;
    unsigned period = 256;
    unsigned periods = 2;
};

class AlsaPcm {
  public:
    // Throws std::runtime_error naming the device and what it refused.
    explicit AlsaPcm(const PcmRequest& request);
    ~AlsaPcm();
    AlsaPcm(const AlsaPcm&) = delete;
    AlsaPcm& operator=(const AlsaPcm&) = delete;

    unsigned rate() const noexcept { return rate_; }
    unsigned period() const noexcept { return unsigned(period_); }
    unsigned periods() const noexcept { return periods_; }
    unsigned channels() const noexcept { return channels_; }
    Direction direction() const noexcept { return direction_; }
    // "hw:1 capture: 48000 Hz, 2 x 256 frames, S32_LE, RW_INTERLEAVED, 2 channels"
    std::string describe() const;

    // Thread: device. Prepares the stream (playback: fills the buffer with silence) and starts
    // it. Returns 0 or a negative errno.
    int start() noexcept;

    // Thread: device. Waits until a period can be transferred: 1 ready, 0 timed out, or a
    // negative errno (-EPIPE xrun, -ESTRPIPE suspended).
    int wait(int timeout_ms) noexcept;

    // Thread: device. Transfers up to `frames` frames (at most one period); returns the count,
    // 0 if the device is not ready, or a negative errno.
    long read(float* interleaved, unsigned frames) noexcept;
    long write(const float* interleaved, unsigned frames) noexcept;

    // Thread: device. Capture: frames captured not yet read; playback: frames written not yet
    // played. False if the device could not say.
    bool hardware_frames(int64_t& frames) noexcept;

    // Thread: device. After an error: -EPIPE (xrun) prepares again, -ESTRPIPE (suspend) resumes
    // when the device can, else prepares; then start(). Returns 0 or the error it could not
    // recover from.
    int recover(int error) noexcept;

  private:
    void configure(const PcmRequest& request);
    RT_NONBLOCKING void encode(const float* interleaved, unsigned frames) noexcept;
    RT_NONBLOCKING void decode(float* interleaved, unsigned frames) const noexcept;

    snd_pcm_t* pcm_ = nullptr;
    std::string device_;
    Direction direction_;
    unsigned channels_ = 0, rate_ = 0, periods_ = 0;
    snd_pcm_uframes_t period_ = 0;
    snd_pcm_format_t format_ = SND_PCM_FORMAT_UNKNOWN;
    snd_pcm_access_t access_ = SND_PCM_ACCESS_RW_INTERLEAVED;
    unsigned sample_bytes_ = 0;
    unsigned significant_bits_ = 0;   // 24 for S24_LE in its 4 bytes
    std::vector<unsigned char> raw_;  // one period in the device's format
    std::vector<void*> channel_data_; // non-interleaved: each channel's part of raw_
};

} // namespace bantam::adapter
