// The driver thread's wait: poll the device until a period is due, recovering from xruns and
// suspends on the way. This is the driver's one blocking point; recovery (prepare, resume,
// restart) is done here too, never in read_capture/write_playback, which only note an error
// for the next wait. Nothing here allocates or logs (reports go to DeferredReports); the
// libasound calls are ioctls on a hw device (a plugin device such as the test device may take
// its own mutex inside them).

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <poll.h>

#include "common/clock.hpp"
#include "drivers/alsa/alsa_driver.hpp"

namespace bantam::drivers::alsa {

namespace {
// Recoveries in one wait before the cycle runs anyway (on silence), so a device that fails
// at every period cannot keep the driver thread from ever seeing a stop request.
constexpr int kRecoveriesPerWait = 3;
} // namespace

int AlsaDriver::prepare_all() noexcept {
    rt_.playback_written = true; // preparing queues a whole buffer of silence
    rt_.follower_primed = false;
    rt_.follower_avail = 0;
    int err = 0;
    for (AlsaPcm* pcm : {capture_.get(), playback_.get()})
        if (pcm && err == 0) err = pcm->prepare_and_fill();
    return err;
}

int AlsaDriver::start_all() noexcept {
    // Linked devices start together from one call; others one right after the other.
    int err = 0;
    if (capture_ && !linked_) err = capture_->start();
    if (err == 0 && playback_) err = playback_->start();
    return err;
}

int AlsaDriver::restart_all() noexcept {
    int err = prepare_all();
    if (err == 0) err = start_all();
    if (err < 0) {
        if (!rt_.broken) reports_.post({DeviceEvent::restart_failed, bool(playback_), err});
        rt_.broken = true;
        return err;
    }
    rt_.broken = false;
    return 0;
}

void AlsaDriver::restart_follower(int error) noexcept {
    reports_.post(
        {error == -ESTRPIPE ? DeviceEvent::suspend_restarted : DeviceEvent::xrun_recovered, false,
         error});
    rt_.follower_primed = false;
    rt_.follower_avail = 0;
    int err = capture_->prepare_and_fill();
    if (err == 0) err = capture_->start();
    if (err < 0) reports_.post({DeviceEvent::restart_failed, false, err});
}

bool AlsaDriver::resume_suspended() noexcept {
    for (AlsaPcm* pcm : {capture_.get(), playback_.get()})
        if (pcm && snd_pcm_state(pcm->handle()) == SND_PCM_STATE_SUSPENDED && pcm->resume() < 0)
            return false;
    return true;
}

void AlsaDriver::recover(AlsaPcm& pcm, int error) noexcept {
    if (error == -EIO || error == -EAGAIN) error = pcm.error_from_state();
    if (capture_follows_ && &pcm == capture_.get()) {
        if (error == -ESTRPIPE && pcm.resume() == 0)
            reports_.post({DeviceEvent::suspend_resumed, false, 0});
        else
            restart_follower(error);
        return;
    }
    if (error == -ESTRPIPE) {
        if (resume_suspended()) {
            reports_.post({DeviceEvent::suspend_resumed, pcm.playback(), 0});
            return;
        }
        reports_.post({DeviceEvent::suspend_restarted, pcm.playback(), error});
    } else {
        reports_.post({DeviceEvent::xrun_recovered, pcm.playback(), error});
    }
    restart_all();
}

bool AlsaDriver::top_up_playback() noexcept {
    // A cycle that wrote no playback (the first one in async mode) leaves a period of silence,
    // or the device would run a period short from then on.
    snd_pcm_sframes_t avail = playback_->update_avail();
    if (avail >= 0)
        avail = playback_->write_silence(uint32_t(std::min<snd_pcm_sframes_t>(avail, period_)));
    if (avail >= 0) return true;
    recover(*playback_, int(avail));
    return false;
}

bool AlsaDriver::poll_for_period(uint32_t timeout_ms) noexcept {
    AlsaPcm* followed[2] = {playback_.get(), capture_follows_ ? nullptr : capture_.get()};
    bool waiting[2] = {followed[0] != nullptr, followed[1] != nullptr};
    for (;;) {
        pollfd fds[2 * AlsaPcm::kMaxPollFds];
        int first[2] = {0, 0}, count = 0;
        for (int d = 0; d < 2; ++d) {
            if (!waiting[d]) continue;
            first[d] = count;
            std::copy_n(followed[d]->poll_fds(), followed[d]->poll_count(), fds + count);
            count += followed[d]->poll_count();
        }
        if (count == 0) return true;
        int ready = poll(fds, nfds_t(count), int(timeout_ms));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            reports_.post({DeviceEvent::stalled, true, ready < 0 ? -errno : 0});
            restart_all();
            return false;
        }
        for (int d = 0; d < 2; ++d) {
            if (!waiting[d]) continue;
            AlsaPcm& pcm = *followed[d];
            const unsigned short events = pcm.revents(fds + first[d]);
            snd_pcm_sframes_t avail = 0;
            if (events & POLLERR)
                avail = pcm.error_from_state();
            else if (events & (POLLIN | POLLOUT))
                avail = pcm.update_avail();
            if (avail < 0) {
                recover(pcm, int(avail));
                return false;
            }
            if (avail >= snd_pcm_sframes_t(period_)) waiting[d] = false;
        }
    }
}

CycleTiming AlsaDriver::wait_while_broken(bool xrun) noexcept {
    // Nothing to poll: keep the engine's clock going at the nominal rate and retry.
    const uint64_t period_nanos = uint64_t(period_) * 1000000000u / sample_rate_;
    timespec nap{time_t(period_nanos / 1000000000u), long(period_nanos % 1000000000u)};
    nanosleep(&nap, nullptr);
    CycleTiming timing;
    timing.start_usecs = monotonic_usecs();
    const bool restarted = restart_all() == 0;
    timing.xrun = (xrun || restarted) && !options_.soft_mode;
    rt_.last_wake_usecs = 0;
    return timing;
}

CycleTiming AlsaDriver::wait_for_cycle() noexcept {
    bool xrun = false;
    if (rt_.start_pending) {
        // Started here rather than in start(): the driver thread may begin a while after
        // start() returns, and the device would overflow meanwhile.
        rt_.start_pending = false;
        if (start_all() < 0) restart_all();
    }
    if (rt_.pending_error) {
        AlsaPcm& pcm = rt_.pending_on_playback ? *playback_ : *capture_;
        recover(pcm, rt_.pending_error);
        rt_.pending_error = 0;
        xrun = true;
    }
    if (rt_.broken) return wait_while_broken(xrun);
    if (playback_ && !rt_.playback_written && !top_up_playback()) xrun = true;
    if (rt_.broken) return wait_while_broken(xrun);
    rt_.playback_written = false;

    const uint64_t period_usecs = uint64_t(period_) * 1000000u / sample_rate_;
    const uint32_t timeout_ms = uint32_t(std::max<uint64_t>(4 * period_usecs / 1000, 100));
    for (int recoveries = 0; !poll_for_period(timeout_ms);) {
        xrun = true;
        if (rt_.broken) return wait_while_broken(true);
        if (++recoveries == kRecoveriesPerWait) break;
    }
    if (capture_follows_) {
        rt_.follower_avail = capture_->update_avail();
        if (rt_.follower_avail < 0) {
            recover(*capture_, int(rt_.follower_avail));
            rt_.follower_avail = 0;
            xrun = true;
        }
    }

    CycleTiming timing;
    timing.start_usecs = monotonic_usecs();
    const uint64_t expected = rt_.last_wake_usecs + period_usecs;
    if (rt_.last_wake_usecs && timing.start_usecs > expected)
        timing.delayed_usecs = timing.start_usecs - expected;
    timing.xrun = xrun && !options_.soft_mode;
    rt_.last_wake_usecs = xrun ? 0 : timing.start_usecs;
    return timing;
}

} // namespace bantam::drivers::alsa
