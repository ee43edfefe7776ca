#pragma once

// The ALSA driver: the device's clock drives the cycle. wait_for_cycle() polls the device's
// descriptors until a period can be read and written, recovering on the way from xruns
// (-EPIPE: prepare and restart) and suspends (-ESTRPIPE: resume, else prepare and restart),
// each reported as an xrun of the cycle that follows.
//
// Capture and playback on one device, or on two devices that snd_pcm_link() can tie to one
// start, wait for both directions. Two devices that cannot be linked (-P hw:X -C hw:Y on
// separate cards) run on separate clocks: the cycle follows the playback device, and the
// capture device is read when it has a whole period (else the cycle hears silence). There is
// no drift correction: as the clocks drift apart the capture side runs short or overflows
// (an xrun, recovered like any other).

#include <memory>
#include <vector>

#include "drivers/alsa/alsa_options.hpp"
#include "drivers/alsa/alsa_pcm.hpp"
#include "drivers/alsa/deferred_reports.hpp"
#include "drivers/alsa/device_reservation.hpp"
#include "drivers/driver.hpp"

namespace bantam::drivers::alsa {

class AlsaDriver final : public Driver {
  public:
    // Thread: control. Opens and configures the device(s); throws std::runtime_error with
    // one line when that is impossible.
    explicit AlsaDriver(AlsaOptions options);
    ~AlsaDriver() override;

    const char* name() const noexcept override { return "alsa"; }
    uint32_t sample_rate() const noexcept override { return sample_rate_; }
    uint32_t buffer_size() const noexcept override { return period_; }
    uint32_t periods() const noexcept override;
    uint32_t capture_channels() const noexcept override;
    uint32_t playback_channels() const noexcept override;
    uint32_t capture_latency() const noexcept override;
    uint32_t playback_latency() const noexcept override;

    void start() override;
    void stop() noexcept override;
    bool set_buffer_size(uint32_t frames) override;

    CycleTiming wait_for_cycle() noexcept override;
    RT_NONBLOCKING void read_capture(std::span<float* const> channels,
                                     uint32_t frames) noexcept override;
    RT_NONBLOCKING void write_playback(std::span<const float* const> channels,
                                       uint32_t frames) noexcept override;

  private:
    void reserve_cards();
    void open_devices();
    void link_devices();
    void log_setup() const;

    // Thread: driver, outside the RT path (alsa_cycle.cpp).
    int prepare_all() noexcept;
    int start_all() noexcept;
    int restart_all() noexcept;
    void restart_follower(int error) noexcept;
    void recover(AlsaPcm& pcm, int error) noexcept;
    bool resume_suspended() noexcept;
    bool top_up_playback() noexcept; // false if it had to recover the device
    // Polls until every direction the cycle follows has a period; false after a recovery.
    bool poll_for_period(uint32_t timeout_ms) noexcept;
    CycleTiming wait_while_broken(bool xrun) noexcept;
    RT_NONBLOCKING void note_error(bool playback, int error) noexcept;

    AlsaOptions options_;
    // Released only after the devices are closed (members are destroyed in reverse order).
    std::vector<std::unique_ptr<DeviceReservation>> reservations_;
    std::unique_ptr<AlsaPcm> capture_, playback_;
    bool linked_ = false;
    bool capture_follows_ = false; // split, unlinked devices: the cycle follows playback only
    uint32_t sample_rate_ = 0, period_ = 0;
    DeferredReports reports_;

    // Touched only by the driver thread (and by start()/set_buffer_size() while it waits).
    struct {
        bool playback_written = true; // write_playback ran since the last wait returned
        int pending_error = 0;        // seen by read_capture/write_playback, handled next wait
        bool pending_on_playback = false;
        bool start_pending = false;   // prepared by start(); started by the first wait
        bool broken = false;          // the last restart failed; retried every period
        bool follower_primed = false; // the follower delivered a period since its start
        snd_pcm_sframes_t follower_avail = 0;
        uint64_t last_wake_usecs = 0;
    } rt_;
};

std::unique_ptr<Driver> create_alsa_driver(const std::vector<std::string>& args);

} // namespace bantam::drivers::alsa
