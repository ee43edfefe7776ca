// jack.h: ports, connections and port lookup.

#include <cstdlib>
#include <cstring>

#include "libjack/abi.hpp"

using namespace bantam;
using namespace bantam::libjack;
using bantam::client::Port;

namespace bantam::libjack {
const char** make_name_array(const std::vector<std::string>& names) noexcept {
    if (names.empty()) return nullptr;
    size_t bytes = (names.size() + 1) * sizeof(char*);
    for (const auto& name : names)
        bytes += name.size() + 1;
    auto** array = static_cast<char**>(std::malloc(bytes));
    if (!array) return nullptr;
    char* text = reinterpret_cast<char*>(array + names.size() + 1);
    for (size_t i = 0; i < names.size(); ++i) {
        array[i] = text;
        std::memcpy(text, names[i].c_str(), names[i].size() + 1);
        text += names[i].size() + 1;
    }
    array[names.size()] = nullptr;
    return const_cast<const char**>(array);
}
} // namespace bantam::libjack

namespace {
// The client to send a request through for functions that take only a port.
client::Client* client_for(Port* port) {
    return port ? port->link().any_client() : nullptr;
}
} // namespace

JACK_EXPORT jack_port_t* jack_port_register(jack_client_t* client, const char* port_name,
                                            const char* port_type, unsigned long flags,
                                            unsigned long buffer_size) {
    (void)buffer_size; // only meaningful for custom types, which JACK2 does not support either
    if (!client) return nullptr;
    return abi_guard<jack_port_t*>(nullptr, [&] {
        return to_handle(from_handle(client)->register_port(port_name, port_type, flags));
    });
}

JACK_EXPORT int jack_port_unregister(jack_client_t* client, jack_port_t* port) {
    if (!client || !port) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->unregister_port(from_handle(port)); });
}

JACK_EXPORT RT_HOT void* jack_port_get_buffer(jack_port_t* port, jack_nframes_t frames) {
    Port* p = from_handle(port);
    if (!p) return nullptr;
    // The common case costs what it did: the owner here, the port in use. Anything else (a port
    // unregistered while its client runs, another process's port) is served as jackd2 serves
    // it, never with NULL: programs write through the pointer without looking.
    client::Client* owner = p->link().client_by_refnum(p->owner());
    if (owner && p->in_use()) [[likely]]
        return owner->port_buffer(p, frames);
    return p->link().unserved_buffer(*p, frames);
}

JACK_EXPORT jack_uuid_t jack_port_uuid(const jack_port_t* port) {
    client::PortInfo info;
    Port* p = from_handle(port);
    return p && p->link().read_port(p->id(), info) ? info.uuid : 0;
}

JACK_EXPORT const char* jack_port_name(const jack_port_t* port) {
    return port ? from_handle(port)->name() : nullptr;
}

JACK_EXPORT const char* jack_port_short_name(const jack_port_t* port) {
    return port ? from_handle(port)->short_name() : nullptr;
}

// A missing port or client gives what jackd2 gives: -1 from the int functions below.
JACK_EXPORT int jack_port_flags(const jack_port_t* port) {
    return port ? int(from_handle(port)->flags()) : -1;
}

JACK_EXPORT const char* jack_port_type(const jack_port_t* port) {
    return port ? from_handle(port)->type_name() : nullptr;
}

JACK_EXPORT jack_port_type_id_t jack_port_type_id(const jack_port_t* port) {
    return port ? jack_port_type_id_t(from_handle(port)->type()) : 0;
}

JACK_EXPORT int jack_port_is_mine(const jack_client_t* client, const jack_port_t* port) {
    if (!client || !port) return -1;
    return from_handle(const_cast<jack_client_t*>(client))->owns(from_handle(port)) ? 1 : 0;
}

JACK_EXPORT int jack_port_connected(const jack_port_t* port) {
    if (!port) return -1;
    return abi_guard(0, [&] {
        Port* p = from_handle(port);
        return int(p->link().peers(p->id()).size());
    });
}

JACK_EXPORT int jack_port_connected_to(const jack_port_t* port, const char* port_name) {
    if (!port || !port_name) return -1;
    return abi_guard(0, [&] {
        Port* p = from_handle(port);
        Port* other = p->link().find_port(port_name);
        if (!other) return 0;
        for (uint32_t peer : p->link().peers(p->id()))
            if (peer == other->id()) return 1;
        return 0;
    });
}

JACK_EXPORT const char** jack_port_get_connections(const jack_port_t* port) {
    if (!port) return nullptr;
    return abi_guard<const char**>(nullptr, [&] {
        Port* p = from_handle(port);
        return make_name_array(p->link().connection_names(p->id()));
    });
}

JACK_EXPORT const char** jack_port_get_all_connections(const jack_client_t* client,
                                                       const jack_port_t* port) {
    if (!client || !from_handle(const_cast<jack_client_t*>(client))->connected()) return nullptr;
    return jack_port_get_connections(port);
}

JACK_EXPORT int jack_port_set_name(jack_port_t* port, const char* port_name) {
    client::Client* client = client_for(from_handle(port));
    if (!client) return -1;
    return abi_guard(-1, [&] { return client->rename_port(from_handle(port), port_name); });
}

JACK_EXPORT int jack_port_rename(jack_client_t* client, jack_port_t* port, const char* port_name) {
    if (!client || !port) return -1;
    return abi_guard(
        -1, [&] { return from_handle(client)->rename_port(from_handle(port), port_name); });
}

JACK_EXPORT int jack_port_set_alias(jack_port_t* port, const char* alias) {
    client::Client* client = client_for(from_handle(port));
    if (!client) return -1;
    return abi_guard(-1, [&] { return client->set_alias(from_handle(port), alias, true); });
}

JACK_EXPORT int jack_port_unset_alias(jack_port_t* port, const char* alias) {
    client::Client* client = client_for(from_handle(port));
    if (!client) return -1;
    return abi_guard(-1, [&] { return client->set_alias(from_handle(port), alias, false); });
}

JACK_EXPORT int jack_port_get_aliases(const jack_port_t* port, char* const aliases[2]) {
    if (!port || !aliases) return -1;
    return abi_guard(-1, [&] {
        Port* p = from_handle(port);
        client::PortInfo info;
        if (!p->link().read_port(p->id(), info)) return 0;
        int count = 0;
        for (const auto& alias : info.aliases) {
            if (count >= 2 || !aliases[count]) break;
            size_t length = std::min(alias.size(), kPortNameSize - 1);
            std::memcpy(aliases[count], alias.c_str(), length);
            aliases[count][length] = '\0';
            ++count;
        }
        return count;
    });
}

JACK_EXPORT int jack_connect(jack_client_t* client, const char* source_port,
                             const char* destination_port) {
    if (!client) return -1;
    return abi_guard(-1,
                     [&] { return from_handle(client)->connect(source_port, destination_port); });
}

JACK_EXPORT int jack_disconnect(jack_client_t* client, const char* source_port,
                                const char* destination_port) {
    if (!client) return -1;
    return abi_guard(
        -1, [&] { return from_handle(client)->disconnect(source_port, destination_port); });
}

JACK_EXPORT int jack_port_disconnect(jack_client_t* client, jack_port_t* port) {
    if (!client || !port) return -1;
    return abi_guard(-1, [&] { return from_handle(client)->disconnect_all(from_handle(port)); });
}

JACK_EXPORT int jack_port_name_size(void) {
    return int(kPortNameSize);
}
JACK_EXPORT int jack_port_type_size(void) {
    return int(kPortTypeSize);
}

JACK_EXPORT size_t jack_port_type_get_buffer_size(jack_client_t* client, const char* port_type) {
    if (!client || !port_type) return 0;
    size_t frames = from_handle(client)->header().buffer_size.load();
    if (std::strcmp(port_type, JACK_DEFAULT_AUDIO_TYPE) == 0) return frames * sizeof(float);
    // As JACK2: a MIDI buffer always spans the whole port buffer, whatever the period.
    if (std::strcmp(port_type, JACK_DEFAULT_MIDI_TYPE) == 0) return sizeof(ipc::PortBuffer);
    return 0;
}

JACK_EXPORT const char** jack_get_ports(jack_client_t* client, const char* port_name_pattern,
                                        const char* type_name_pattern, unsigned long flags) {
    if (!client) return nullptr;
    return abi_guard<const char**>(nullptr, [&] {
        client::Client* c = from_handle(client);
        if (!c->connected()) return static_cast<const char**>(nullptr);
        return make_name_array(
            c->link().matching_ports(port_name_pattern, type_name_pattern, flags));
    });
}

JACK_EXPORT jack_port_t* jack_port_by_name(jack_client_t* client, const char* port_name) {
    if (!client) return nullptr;
    return abi_guard<jack_port_t*>(nullptr, [&] {
        client::Client* c = from_handle(client);
        return c->connected() ? to_handle(c->link().find_port(port_name)) : nullptr;
    });
}

JACK_EXPORT jack_port_t* jack_port_by_id(jack_client_t* client, jack_port_id_t port_id) {
    if (!client) return nullptr;
    return abi_guard<jack_port_t*>(nullptr, [&] {
        client::Client* c = from_handle(client);
        return c->connected() ? to_handle(c->link().port(port_id)) : nullptr;
    });
}
