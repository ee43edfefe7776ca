// jack.h: callback setters. Each fails (-1) while the client is active, as in JACK2.

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;

namespace {
template <typename Set> int set_callback(jack_client_t* client, Set&& set) noexcept {
    if (!client) return -1;
    int status = 0;
    client::Callbacks& callbacks = from_handle(client)->callbacks_for_setting(status);
    if (status == 0) set(callbacks);
    return status;
}
} // namespace

JACK_EXPORT int jack_set_process_callback(jack_client_t* client, JackProcessCallback callback,
                                          void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.process = callback;
        c.process_arg = arg;
    });
}

JACK_EXPORT int jack_set_process_thread(jack_client_t* client, JackThreadCallback callback,
                                        void* arg) {
    // The two thread models exclude each other.
    if (client && callback && from_handle(client)->callbacks_for_setting_view().process) return -1;
    return set_callback(client, [&](client::Callbacks& c) {
        c.process_thread = callback;
        c.process_thread_arg = arg;
    });
}

JACK_EXPORT int jack_set_thread_init_callback(jack_client_t* client,
                                              JackThreadInitCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.thread_init = callback;
        c.thread_init_arg = arg;
    });
}

JACK_EXPORT void jack_on_shutdown(jack_client_t* client, JackShutdownCallback callback, void* arg) {
    set_callback(client, [&](client::Callbacks& c) {
        c.shutdown = callback;
        c.shutdown_arg = arg;
    });
}

JACK_EXPORT void jack_on_info_shutdown(jack_client_t* client, JackInfoShutdownCallback callback,
                                       void* arg) {
    set_callback(client, [&](client::Callbacks& c) {
        c.info_shutdown = callback;
        c.info_shutdown_arg = arg;
    });
}

JACK_EXPORT int jack_set_freewheel_callback(jack_client_t* client, JackFreewheelCallback callback,
                                            void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.freewheel = callback;
        c.freewheel_arg = arg;
    });
}

JACK_EXPORT int jack_set_buffer_size_callback(jack_client_t* client,
                                              JackBufferSizeCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.buffer_size = callback;
        c.buffer_size_arg = arg;
    });
}

JACK_EXPORT int jack_set_sample_rate_callback(jack_client_t* client,
                                              JackSampleRateCallback callback, void* arg) {
    int status = set_callback(client, [&](client::Callbacks& c) {
        c.sample_rate = callback;
        c.sample_rate_arg = arg;
    });
    // JACK calls it at once, on the caller's thread, with the current rate.
    if (status == 0) abi_guard_void([&] { from_handle(client)->call_sample_rate_now(); });
    return status;
}

JACK_EXPORT int jack_set_client_registration_callback(jack_client_t* client,
                                                      JackClientRegistrationCallback callback,
                                                      void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.client_registration = callback;
        c.client_registration_arg = arg;
    });
}

JACK_EXPORT int jack_set_port_registration_callback(jack_client_t* client,
                                                    JackPortRegistrationCallback callback,
                                                    void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.port_registration = callback;
        c.port_registration_arg = arg;
    });
}

JACK_EXPORT int jack_set_port_connect_callback(jack_client_t* client,
                                               JackPortConnectCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.port_connect = callback;
        c.port_connect_arg = arg;
    });
}

JACK_EXPORT int jack_set_port_rename_callback(jack_client_t* client,
                                              JackPortRenameCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.port_rename = callback;
        c.port_rename_arg = arg;
    });
}

JACK_EXPORT int jack_set_graph_order_callback(jack_client_t* client,
                                              JackGraphOrderCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.graph_order = callback;
        c.graph_order_arg = arg;
    });
}

JACK_EXPORT int jack_set_xrun_callback(jack_client_t* client, JackXRunCallback callback,
                                       void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.xrun = callback;
        c.xrun_arg = arg;
    });
}

JACK_EXPORT int jack_set_latency_callback(jack_client_t* client, JackLatencyCallback callback,
                                          void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.latency = callback;
        c.latency_arg = arg;
    });
}

JACK_EXPORT int jack_set_property_change_callback(jack_client_t* client,
                                                  JackPropertyChangeCallback callback, void* arg) {
    return set_callback(client, [&](client::Callbacks& c) {
        c.property_change = callback;
        c.property_change_arg = arg;
    });
}
