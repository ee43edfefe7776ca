#include "adapter/device_thread.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/clock.hpp"

namespace bantam::adapter {

namespace {
int64_t now_ns() noexcept {
    return int64_t(monotonic_nanos());
}
} // namespace

DeviceThread::DeviceThread(AlsaPcm& pcm, DriftAdapter& adapter, int rt_priority)
    : pcm_(pcm), adapter_(adapter), rt_priority_(rt_priority),
      // Four periods, at least 50 ms: long enough never to fire on a running device.
      wait_timeout_ms_(std::max(50, int(4000ull * pcm.period() / pcm.rate()))),
      buffer_(size_t(pcm.period()) * pcm.channels()) {}

DeviceThread::~DeviceThread() {
    stop();
}

void DeviceThread::start() {
    const int error = pcm_.start();
    if (error < 0)
        throw std::runtime_error("cannot start " + pcm_.describe() + ": " + snd_strerror(error));
    restart_pacing();
    thread_ = std::thread([this] { run(); });
}

void DeviceThread::stop() noexcept {
    stopping_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
}

void DeviceThread::run() noexcept {
    pthread_setname_np(pthread_self(), pcm_.direction() == Direction::capture ? "adapter-capture"
                                                                              : "adapter-playback");
    if (rt_priority_ > 0) {
        sched_param param{};
        param.sched_priority = rt_priority_;
        realtime_.store(pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0,
                        std::memory_order_relaxed);
    }
    if (pcm_.direction() == Direction::capture)
        run_capture();
    else
        run_playback();
}

// Only ever right after a transfer: many devices move their pointer a period at a time, so a
// position read at any other moment would lag by a different amount, and the JACK side, which
// centres on the first position it gets, would then see a step of up to a period.
void DeviceThread::publish_position() noexcept {
    int64_t frames = 0;
    if (pcm_.hardware_frames(frames)) adapter_.device_publish(frames, now_ns());
}

bool DeviceThread::recover(int error) noexcept {
    (error == -ESTRPIPE ? suspends_ : xruns_).fetch_add(1, std::memory_order_relaxed);
    if (pcm_.recover(error) < 0) {
        failed_.store(true, std::memory_order_relaxed);
        return false;
    }
    adapter_.device_restarted();
    restart_pacing();
    return true;
}

void DeviceThread::run_capture() noexcept {
    while (!stopping_.load(std::memory_order_relaxed)) {
        const int ready = pcm_.wait(wait_timeout_ms_);
        if (ready < 0 && !recover(ready)) return;
        if (ready <= 0) continue;
        const long got = pcm_.read(buffer_.data(), pcm_.period());
        if (got < 0 && !recover(int(got))) return;
        if (got <= 0) continue;
        adapter_.device_write(buffer_.data(), size_t(got));
        publish_position();
        pace(unsigned(got));
    }
}

void DeviceThread::run_playback() noexcept {
    unsigned pending = 0, offset = 0; // of the period in buffer_
    const unsigned channels = pcm_.channels();
    while (!stopping_.load(std::memory_order_relaxed)) {
        const int ready = pcm_.wait(wait_timeout_ms_);
        if (ready < 0 && !recover(ready)) return;
        if (ready <= 0) continue;
        if (pending == 0) {
            adapter_.device_read(buffer_.data(), pcm_.period());
            pending = pcm_.period();
            offset = 0;
        }
        const long put = pcm_.write(buffer_.data() + size_t(offset) * channels, pending);
        if (put < 0) {
            pending = 0; // the restarted device begins with a buffer of silence
            if (!recover(int(put))) return;
            continue;
        }
        offset += unsigned(put);
        pending -= unsigned(put);
        publish_position();
        pace(unsigned(put));
    }
}

void DeviceThread::restart_pacing() noexcept {
    pacing_start_ns_ = now_ns();
    pacing_frames_ = 0;
}

// Sleeps while the device has moved more than a buffer beyond what its nominal rate allows
// since it started: only a device without a clock ever gets there.
void DeviceThread::pace(unsigned frames) noexcept {
    pacing_frames_ += frames;
    const double allowed_ahead = double(pcm_.period()) * (pcm_.periods() + 1);
    const double due_ns = (double(pacing_frames_) - allowed_ahead) * 1e9 / pcm_.rate();
    const int64_t wake = pacing_start_ns_ + int64_t(due_ns);
    if (wake <= now_ns()) return;
    timespec until{time_t(wake / 1000000000), long(wake % 1000000000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

} // namespace bantam::adapter
