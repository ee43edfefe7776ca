// Internal client requests: load, unload, and the two lookups. The server does the work.

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#include "client/client.hpp"

namespace bantam::client {

namespace {
void set_status(jack_status_t* status, unsigned bits) {
    if (status) *status = jack_status_t(bits);
}

// The server resolves paths from its own working directory, so a relative one is made
// absolute here, from the caller's.
std::string absolute_object(const char* object) {
    std::string path = object;
    if (path.find('/') == std::string::npos || path.front() == '/') return path;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return path;
    return std::string(cwd) + "/" + path;
}

bool valid_handle(jack_intclient_t handle) {
    return handle != 0 && handle < kMaxClients;
}
} // namespace

jack_intclient_t Client::load_internal_client(const char* name, jack_options_t options,
                                              const char* object, const char* init,
                                              jack_status_t* status) {
    ipc::InternalLoadRequest payload{};
    payload.options = uint32_t(options) & JackUseExactName;
    payload.has_init = init != nullptr;
    // Without JackLoadName the object is named like the client (intclient.h).
    std::string path = absolute_object(object && *object ? object : name ? name : "");
    if (!name || !ipc::copy_name(payload.name, name) ||
        !ipc::copy_name(payload.object, path.c_str()) ||
        (init && !ipc::copy_name(payload.init, init))) {
        set_status(status, JackFailure | JackInvalidOption);
        return 0;
    }
    ipc::Reply reply{};
    if (!request(ipc::RequestType::internal_load, &payload, sizeof payload, reply)) {
        set_status(status, JackFailure | JackServerError);
        return 0;
    }
    if (reply.status != 0) {
        set_status(status, reply.jack_status | JackFailure);
        return 0;
    }
    set_status(status, reply.jack_status);
    return reply.value;
}

jack_status_t Client::unload_internal_client(jack_intclient_t handle) {
    if (!valid_handle(handle)) return jack_status_t(JackFailure | JackNoSuchClient);
    ipc::InternalClientRequest payload{};
    payload.handle = uint32_t(handle);
    ipc::Reply reply{};
    if (!request(ipc::RequestType::internal_unload, &payload, sizeof payload, reply))
        return jack_status_t(JackFailure | JackServerError);
    return jack_status_t(reply.status == 0 ? 0 : reply.jack_status | JackFailure);
}

jack_intclient_t Client::internal_client_handle(const char* name, jack_status_t* status) {
    ipc::InternalClientRequest payload{};
    if (!name || !ipc::copy_name(payload.name, name)) {
        set_status(status, JackFailure | JackNoSuchClient);
        return 0;
    }
    ipc::Reply reply{};
    if (!request(ipc::RequestType::internal_handle, &payload, sizeof payload, reply)) {
        set_status(status, JackFailure | JackServerError);
        return 0;
    }
    set_status(status, reply.status == 0 ? 0 : reply.jack_status | JackFailure);
    return reply.status == 0 ? reply.value : 0;
}

char* Client::internal_client_name(jack_intclient_t handle) {
    if (!valid_handle(handle)) return nullptr;
    ipc::InternalClientRequest payload{};
    payload.handle = uint32_t(handle);
    ipc::Reply reply{};
    if (!request(ipc::RequestType::internal_name, &payload, sizeof payload, reply) ||
        reply.status != 0)
        return nullptr;
    return strdup(ipc::terminated(reply.name));
}

} // namespace bantam::client
