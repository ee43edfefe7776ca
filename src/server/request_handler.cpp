#include "server/request_handler.hpp"

#include <cerrno>
#include <cstring>
#include <jack/types.h>
#include <string>

namespace bantam::server {

int open_client_from_bytes(Engine& engine, const std::byte* bytes, size_t length,
                           ipc::Reply& reply) {
    auto request = ipc::decode_request(bytes, length);
    if (!request || request->type != ipc::RequestType::open) return kOpenMalformed;
    auto open = request->as<ipc::OpenRequest>();
    if (open.protocol != ipc::kProtocolVersion) {
        reply.status = -EPROTO;
        reply.jack_status = JackFailure | JackVersionError;
        return kOpenRefused;
    }
    std::string name = ipc::terminated(open.name);
    int refnum = engine.open_client(name, open.options, open.pid, reply.jack_status);
    if (refnum < 0) {
        reply.status = refnum;
        return kOpenRefused;
    }
    reply.value = uint32_t(refnum);
    ipc::copy_name(reply.name, name.c_str());
    return refnum;
}

RequestOutcome handle_request_bytes(Engine& engine, uint32_t refnum, const std::byte* bytes,
                                    size_t length, std::vector<std::byte>& reply_bytes,
                                    const InternalRequestHandler& internal) {
    auto request = ipc::decode_request(bytes, length);
    if (!request) return RequestOutcome::malformed;
    ipc::Reply reply{};
    reply_bytes.resize(sizeof reply);
    if (request->type == ipc::RequestType::close) {
        std::memcpy(reply_bytes.data(), &reply, sizeof reply);
        return RequestOutcome::close;
    }
    if (ipc::is_internal_client_request(request->type)) {
        if (!internal(*request, reply)) return RequestOutcome::deferred;
    } else {
        engine.handle_request(refnum, *request, reply, reply_bytes);
        if (reply.status == ipc::kReplyDeferred) return RequestOutcome::deferred;
    }
    if (engine.client(refnum).in_use)
        reply.notified_up_to = engine.client(refnum).last_notification;
    std::memcpy(reply_bytes.data(), &reply, sizeof reply);
    return RequestOutcome::reply;
}

} // namespace bantam::server
