// JACK-Session (deprecated in JACK, kept as JACK2 behaves): a client asks the others to save
// their state in a directory; each answers with the command line that restores it.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "server/engine.hpp"

namespace bantam::server {

namespace {
void put(std::vector<std::byte>& out, const void* data, size_t size) {
    const auto* bytes = static_cast<const std::byte*>(data);
    out.insert(out.end(), bytes, bytes + size);
}
} // namespace

int Engine::session_notify(uint32_t refnum, const ipc::SessionNotifyRequest& request,
                           std::vector<std::byte>& reply_bytes) {
    (void)reply_bytes;
    if (session_) return -EBUSY; // one session operation at a time, as JACK2
    ipc::SessionNotifyRequest copy = request;
    std::string target = ipc::terminated(copy.target);
    std::string path = ipc::terminated(copy.path);
    if (!path.empty() && path.back() != '/') path += '/';
    PendingSession pending;
    pending.requester = refnum;
    pending.requester_uuid = clients_[refnum].uuid;
    for (uint32_t other = 1; other < kMaxClients; ++other) {
        const ClientState& client = clients_[other];
        if (!client.in_use || !client.session_callback) continue;
        if (!target.empty() && client.name != target) continue;
        // As JACK2: each client gets its own directory under the session path.
        std::string directory = path.empty() ? std::string() : path + client.name + "/";
        if (!directory.empty()) mkdir(directory.c_str(), 0755);
        ipc::Notification n{};
        n.type = ipc::NotificationType::session;
        n.a = request.type;
        ipc::copy_name(n.name1, directory.c_str());
        pending.waiting.push_back(other);
        notify_client(other, n);
    }
    session_ = std::move(pending);
    if (session_->waiting.empty()) {
        finish_session();
    }
    return ipc::kReplyDeferred;
}

int Engine::session_reply(uint32_t refnum, const ipc::SessionReplyRequest& request) {
    if (!session_) return -EINVAL;
    auto& waiting = session_->waiting;
    auto found = std::find(waiting.begin(), waiting.end(), refnum);
    if (found == waiting.end()) return -EINVAL;
    waiting.erase(found);
    ipc::SessionReplyRequest copy = request;
    session_->answers.push_back({clients_[refnum].uuid, clients_[refnum].name,
                                 ipc::terminated(copy.command), request.flags});
    if (waiting.empty()) finish_session();
    return 0;
}

void Engine::session_client_gone(uint32_t refnum) {
    if (!session_) return;
    if (session_->requester == refnum) session_->requester_uuid = 0; // nobody to answer
    std::erase(session_->waiting, refnum);
    if (session_->waiting.empty()) finish_session();
}

void Engine::finish_session() {
    PendingSession done = std::move(*session_);
    session_.reset();
    const ClientState& requester = clients_[done.requester];
    if (!requester.in_use || requester.uuid != done.requester_uuid || !requester.requests) return;
    // The deferred reply: a Reply, then per answer
    // [u64 uuid][u32 flags][u32 name size][u32 command size][name][command].
    std::vector<std::byte> bytes(sizeof(ipc::Reply));
    ipc::Reply reply{};
    reply.status = 0;
    reply.value = uint32_t(done.answers.size());
    std::memcpy(bytes.data(), &reply, sizeof reply);
    for (const auto& answer : done.answers) {
        uint32_t sizes[3] = {answer.flags, uint32_t(answer.name.size()),
                             uint32_t(answer.command.size())};
        put(bytes, &answer.uuid, sizeof answer.uuid);
        put(bytes, sizes, sizeof sizes);
        put(bytes, answer.name.data(), answer.name.size());
        put(bytes, answer.command.data(), answer.command.size());
    }
    ipc::send_message(requester.requests.get(), 0, bytes.data(), bytes.size());
}

} // namespace bantam::server
