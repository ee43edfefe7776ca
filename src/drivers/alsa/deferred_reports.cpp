#include "drivers/alsa/deferred_reports.hpp"

#include <alsa/asoundlib.h>
#include <pthread.h>

#include "common/log.hpp"

namespace bantam::drivers::alsa {

DeferredReports::DeferredReports() {
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), "bantam-alsa-log");
}

DeferredReports::~DeferredReports() {
    stopping_ = true;
    wakeup_.signal();
    thread_.join();
}

void DeferredReports::post(DeviceReport report) noexcept {
    if (!queue_.try_push(report)) overflowed_.fetch_add(1, std::memory_order_relaxed);
    wakeup_.signal();
}

void DeferredReports::run() noexcept {
    for (;;) {
        const bool last_round = stopping_.load();
        DeviceReport report;
        while (queue_.try_pop(report))
            log(report);
        if (uint64_t lost = overflowed_.exchange(0))
            BANTAM_WARN("alsa: %llu more device events not shown", (unsigned long long)lost);
        if (last_round) return;
        wakeup_.wait(0);
    }
}

void DeferredReports::log(const DeviceReport& report) noexcept {
    const char* direction = report.playback ? "playback" : "capture";
    const char* reason = report.error ? snd_strerror(report.error) : "";
    switch (report.event) {
    case DeviceEvent::xrun_recovered:
        BANTAM_WARN("alsa: %s xrun (%s); device restarted", direction, reason);
        break;
    case DeviceEvent::suspend_resumed:
        BANTAM_WARN("alsa: %s device was suspended; resumed", direction);
        break;
    case DeviceEvent::suspend_restarted:
        BANTAM_WARN("alsa: %s device was suspended and cannot resume; prepared and restarted",
                    direction);
        break;
    case DeviceEvent::stalled:
        BANTAM_WARN("alsa: no period from the device within the poll timeout; restarted");
        break;
    case DeviceEvent::restart_failed:
        BANTAM_ERROR("alsa: cannot restart the %s device (%s); retrying", direction, reason);
        break;
    case DeviceEvent::follower_short:
        BANTAM_WARN("alsa: the capture device had no full period (its clock drifts from the "
                    "playback device's); a period of silence was inserted");
        break;
    }
}

} // namespace bantam::drivers::alsa
