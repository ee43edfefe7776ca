// thread.h and the thread parts of jack.h.

#include <cerrno>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "libjack/abi.hpp"
#include <jack/thread.h>

using namespace bantam;
using namespace bantam::libjack;

namespace {
jack_thread_creator_t thread_creator = nullptr;

int set_fifo(jack_native_thread_t thread, int priority) {
    sched_param param{};
    param.sched_priority = priority;
    return pthread_setschedparam(thread, SCHED_FIFO, &param);
}
} // namespace

JACK_EXPORT jack_native_thread_t jack_client_thread_id(jack_client_t* client) {
    return client ? from_handle(client)->process_thread_id() : 0;
}

JACK_EXPORT int jack_client_real_time_priority(jack_client_t* client) {
    return client ? from_handle(client)->process_thread_priority() : -1;
}

JACK_EXPORT int jack_client_max_real_time_priority(jack_client_t* client) {
    if (!client) return -1;
    const auto& header = from_handle(client)->header();
    return header.realtime.load() ? header.rt_priority.load() - 1 : -1;
}

JACK_EXPORT int jack_acquire_real_time_scheduling(jack_native_thread_t thread, int priority) {
    return set_fifo(thread, priority);
}

JACK_EXPORT int jack_drop_real_time_scheduling(jack_native_thread_t thread) {
    sched_param param{};
    return pthread_setschedparam(thread, SCHED_OTHER, &param);
}

JACK_EXPORT int jack_client_create_thread(jack_client_t* client, jack_native_thread_t* thread,
                                          int priority, int realtime, void* (*start_routine)(void*),
                                          void* arg) {
    (void)client;
    if (!thread || !start_routine) return EINVAL;
    int rc = thread_creator ? thread_creator(thread, nullptr, start_routine, arg)
                            : pthread_create(thread, nullptr, start_routine, arg);
    if (rc != 0) return rc;
    // Without permission for SCHED_FIFO the thread still runs, at normal priority, as jackd2's
    // library does after it warns.
    if (realtime) set_fifo(*thread, priority);
    return 0;
}

JACK_EXPORT int jack_client_stop_thread(jack_client_t* client, jack_native_thread_t thread) {
    (void)client;
    return pthread_join(thread, nullptr);
}

JACK_EXPORT int jack_client_kill_thread(jack_client_t* client, jack_native_thread_t thread) {
    (void)client;
    pthread_cancel(thread);
    return pthread_join(thread, nullptr);
}

JACK_EXPORT void jack_set_thread_creator(jack_thread_creator_t creator) {
    thread_creator = creator;
}

JACK_EXPORT RT_HOT jack_nframes_t jack_cycle_wait(jack_client_t* client) {
    return client ? from_handle(client)->cycle_wait_or_exit() : 0;
}

JACK_EXPORT RT_HOT void jack_cycle_signal(jack_client_t* client, int status) {
    if (client) from_handle(client)->cycle_signal_from_user(status);
}

JACK_EXPORT jack_nframes_t jack_thread_wait(jack_client_t* client, int status) {
    // Deprecated. JACK1: signal the cycle just run, then wait for the next, which is what a
    // client's own process thread gets here. jackd2 returns 0 at once: so does any other
    // thread, which has no cycle to signal or wait for.
    if (!client || !from_handle(client)->on_own_process_thread()) return 0;
    from_handle(client)->cycle_signal_from_user(status);
    return from_handle(client)->cycle_wait_or_exit();
}
