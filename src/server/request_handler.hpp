#pragma once

// One datagram from a client, from bytes to reply bytes, as the control loop serves it: the
// part of Server::serve_open and Server::serve_request that touches no socket, so that it can
// also be driven in-process (tests/fuzz/request_fuzzer.cpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "ipc/protocol.hpp"
#include "server/engine.hpp"

namespace bantam::server {

// The first datagram on a new connection must open a client. Returns the new client's refnum
// with `reply` filled for it (value, name, jack_status); kOpenRefused with `reply` holding the
// refusal to send; or kOpenMalformed: not an open request, the connection is dropped unanswered.
inline constexpr int kOpenRefused = -1;
inline constexpr int kOpenMalformed = -2;
int open_client_from_bytes(Engine& engine, const std::byte* bytes, size_t length,
                           ipc::Reply& reply);

enum class RequestOutcome {
    reply,     // send reply_bytes (a Reply, then any data)
    deferred,  // the reply is sent later, from another request's handling
    close,     // send reply_bytes, then close the client
    malformed, // not a valid request: the client is dropped unanswered
};

// Internal-client requests are the Server's: the handler fills the Reply and returns false when
// it answers later.
using InternalRequestHandler = std::function<bool(const ipc::DecodedRequest&, ipc::Reply&)>;

// A request from opened client `refnum`: decoded, then handled by the engine (or `internal`).
RequestOutcome handle_request_bytes(Engine& engine, uint32_t refnum, const std::byte* bytes,
                                    size_t length, std::vector<std::byte>& reply_bytes,
                                    const InternalRequestHandler& internal);

} // namespace bantam::server
