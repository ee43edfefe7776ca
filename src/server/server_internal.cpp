// The control thread's side of internal clients: requests, deferred replies, unload at stop.
// Loading and unloading themselves run on loader threads (internal_clients.hpp): the internal
// client's own requests come back to this thread, which must stay free to serve them.

#include <cerrno>
#include <jack/types.h>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "server/server.hpp"

namespace bantam::server {

namespace {
bool valid_client_name(const std::string& name) {
    return !name.empty() && name.size() < kClientNameSize && name.find(':') == std::string::npos;
}

void refuse(ipc::Reply& reply, int error, uint32_t jack_status) {
    reply.status = -error;
    reply.jack_status = JackFailure | jack_status;
}
} // namespace

bool Server::serve_internal_request(uint32_t refnum, const ipc::DecodedRequest& request,
                                    ipc::Reply& reply) {
    using ipc::RequestType;
    if (request.type == RequestType::internal_load) {
        auto r = request.as<ipc::InternalLoadRequest>();
        InternalJob job;
        job.requester = refnum;
        job.requester_uuid = engine_->client(refnum).uuid;
        job.name = ipc::terminated(r.name);
        job.object = ipc::terminated(r.object);
        if (job.object.empty()) job.object = job.name;
        job.has_init = r.has_init != 0;
        job.init = ipc::terminated(r.init);
        job.options = r.options;
        if (!valid_client_name(job.name) || (r.options & ~uint32_t(JackLoadOptions))) {
            refuse(reply, EINVAL, JackInvalidOption);
            return true;
        }
        if (stopping_) {
            refuse(reply, ESHUTDOWN, JackServerError);
            return true;
        }
        if (!internal_->start(std::move(job))) {
            refuse(reply, EAGAIN, JackLoadFailure);
            return true;
        }
        return false;
    }

    auto r = request.as<ipc::InternalClientRequest>();
    switch (request.type) {
    case RequestType::internal_unload:
        if (!internal_->contains(r.handle)) {
            refuse(reply, ENOENT, JackNoSuchClient);
            return true;
        }
        if (r.handle == refnum) {
            // Its own request would wait for its own deactivation: it cannot unload itself.
            refuse(reply, EDEADLK, 0);
            return true;
        }
        unload_internal_client(r.handle, refnum);
        return false;
    case RequestType::internal_handle: {
        std::string name = ipc::terminated(r.name);
        for (uint32_t handle : internal_->refnums())
            if (engine_->client(handle).name == name) {
                reply.value = handle;
                return true;
            }
        refuse(reply, ENOENT, JackNoSuchClient);
        return true;
    }
    case RequestType::internal_name:
        if (!internal_->contains(r.handle)) {
            refuse(reply, ENOENT, JackNoSuchClient);
            return true;
        }
        ipc::copy_name(reply.name, engine_->client(r.handle).name.c_str());
        return true;
    default:
        reply.status = -EPROTO;
        return true;
    }
}

void Server::unload_internal_client(uint32_t refnum, uint32_t requester) {
    InternalJob job;
    job.kind = InternalJob::Kind::unload;
    job.requester = requester;
    job.requester_uuid = requester ? engine_->client(requester).uuid : 0;
    job.refnum = refnum;
    job.name = engine_->client(refnum).name;
    job.module = *internal_->remove(refnum);
    if (internal_->start(job)) return;
    internal_->add(refnum, job.module);
    ipc::Reply reply{};
    refuse(reply, EAGAIN, 0);
    reply_later(requester, job.requester_uuid, reply);
}

void Server::finish_internal_jobs() {
    for (InternalResult& result : internal_->take_finished()) {
        const InternalJob& job = result.job;
        ipc::Reply reply{};
        reply.jack_status = result.jack_status;
        if (result.jack_status & JackFailure) {
            reply.status = -1;
        } else if (job.kind == InternalJob::Kind::unload) {
            BANTAM_DEBUG("internal client '%s' unloaded", job.name.c_str());
        } else if (result.refnum >= kMaxClients || !engine_->client(result.refnum).in_use ||
                   engine_->client(result.refnum).name != result.client_name) {
            // It closed its own client during jack_initialize; its object stays loaded.
            BANTAM_WARN("internal client '%s' closed itself while loading",
                        result.client_name.c_str());
            refuse(reply, ENOENT, JackInitFailure);
        } else {
            internal_->add(result.refnum, result.module);
            reply.value = result.refnum;
            ipc::copy_name(reply.name, result.client_name.c_str());
        }
        reply_later(job.requester, job.requester_uuid, reply);
    }
}

void Server::reply_later(uint32_t refnum, uint64_t uuid, const ipc::Reply& reply) {
    if (refnum == kDriverRefnum || refnum >= kMaxClients) return;
    const ClientState& client = engine_->client(refnum);
    if (!client.in_use || client.uuid != uuid) return; // it left while waiting
    ipc::send_message(client.requests.get(), 0, &reply, sizeof reply);
}

bool Server::internal_clients_unloaded() {
    // As JACK2 at exit: every internal client gets its jack_finish, then its client closes.
    for (uint32_t refnum : internal_->refnums())
        unload_internal_client(refnum, 0);
    if (!internal_->busy() && internal_->refnums().empty()) return true;
    if (monotonic_nanos() < stop_deadline_ns_) return false;
    BANTAM_WARN("internal clients did not unload in time; stopping anyway");
    return true;
}

} // namespace bantam::server
