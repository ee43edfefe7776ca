// jack.h: time and frame counters, from the frame timer the driver publishes each cycle.

#include "common/clock.hpp"
#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

namespace {
struct TimerView {
    uint64_t frames, current_usecs, next_usecs;
    float period_usecs;
    uint32_t rate;
};

RT_HOT TimerView read_timer(jack_client_t* client) noexcept {
    const auto& header = from_handle(client)->header();
    const auto& timer = header.timer;
    TimerView view{};
    for (;;) {
        uint32_t before = timer.seq.load(std::memory_order_acquire);
        if (before & 1) continue;
        view.frames = timer.frames.load(std::memory_order_relaxed);
        view.current_usecs = timer.current_usecs.load(std::memory_order_relaxed);
        view.next_usecs = timer.next_usecs.load(std::memory_order_relaxed);
        view.period_usecs =
            float(timer.period_usecs_x1000.load(std::memory_order_relaxed)) / 1000.0f;
        std::atomic_thread_fence(std::memory_order_acquire);
        if (timer.seq.load(std::memory_order_relaxed) == before) break;
    }
    view.rate = header.sample_rate.load(std::memory_order_relaxed);
    return view;
}

int64_t usecs_to_frames(int64_t usecs, uint32_t rate) noexcept {
    return usecs * int64_t(rate) / 1000000;
}
} // namespace

JACK_EXPORT RT_HOT jack_time_t jack_get_time(void) {
    return monotonic_usecs();
}

JACK_EXPORT RT_HOT jack_nframes_t jack_frame_time(const jack_client_t* client) {
    if (!client) return 0;
    TimerView t = read_timer(const_cast<jack_client_t*>(client));
    int64_t elapsed = int64_t(monotonic_usecs()) - int64_t(t.current_usecs);
    return jack_nframes_t(int64_t(t.frames) + usecs_to_frames(elapsed, t.rate));
}

JACK_EXPORT RT_HOT jack_nframes_t jack_last_frame_time(const jack_client_t* client) {
    return client ? jack_nframes_t(read_timer(const_cast<jack_client_t*>(client)).frames) : 0;
}

JACK_EXPORT RT_HOT jack_nframes_t jack_frames_since_cycle_start(const jack_client_t* client) {
    if (!client) return 0;
    TimerView t = read_timer(const_cast<jack_client_t*>(client));
    int64_t elapsed = int64_t(monotonic_usecs()) - int64_t(t.current_usecs);
    return elapsed > 0 ? jack_nframes_t(usecs_to_frames(elapsed, t.rate)) : 0;
}

JACK_EXPORT RT_HOT int jack_get_cycle_times(const jack_client_t* client,
                                            jack_nframes_t* current_frames,
                                            jack_time_t* current_usecs, jack_time_t* next_usecs,
                                            float* period_usecs) {
    if (!client) return -1;
    TimerView t = read_timer(const_cast<jack_client_t*>(client));
    if (t.current_usecs == 0) return -1; // no cycle has run yet
    if (current_frames) *current_frames = jack_nframes_t(t.frames);
    if (current_usecs) *current_usecs = t.current_usecs;
    if (next_usecs) *next_usecs = t.next_usecs;
    if (period_usecs) *period_usecs = t.period_usecs;
    return 0;
}

JACK_EXPORT RT_HOT jack_time_t jack_frames_to_time(const jack_client_t* client,
                                                   jack_nframes_t frames) {
    if (!client) return 0;
    TimerView t = read_timer(const_cast<jack_client_t*>(client));
    if (t.rate == 0) return 0;
    // Frame counts wrap at 32 bits: measure the distance as a signed 32-bit difference.
    int64_t delta = int32_t(frames - jack_nframes_t(t.frames));
    return jack_time_t(int64_t(t.current_usecs) + delta * 1000000 / int64_t(t.rate));
}

JACK_EXPORT RT_HOT jack_nframes_t jack_time_to_frames(const jack_client_t* client,
                                                      jack_time_t usecs) {
    if (!client) return 0;
    TimerView t = read_timer(const_cast<jack_client_t*>(client));
    int64_t elapsed = int64_t(usecs) - int64_t(t.current_usecs);
    return jack_nframes_t(int64_t(t.frames) + usecs_to_frames(elapsed, t.rate));
}

JACK_EXPORT float jack_get_max_delayed_usecs(jack_client_t* client) {
    if (!client) return 0.0f;
    return std::bit_cast<float>(from_handle(client)->header().max_delayed_bits.load());
}

JACK_EXPORT float jack_get_xrun_delayed_usecs(jack_client_t* client) {
    if (!client) return 0.0f;
    return std::bit_cast<float>(from_handle(client)->header().xrun_delayed_bits.load());
}

JACK_EXPORT void jack_reset_max_delayed_usecs(jack_client_t* client) {
    if (client) abi_guard_void([&] { from_handle(client)->reset_max_delay(); });
}
