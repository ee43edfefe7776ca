// The client's side of JACK-Session (deprecated in JACK, kept as JACK2 behaves).

#include <cstdlib>
#include <cstring>
#include <string>

#include "client/client.hpp"
#include "common/cancellation.hpp"

namespace bantam::client {

int Client::set_session_callback(JackSessionCallback callback, void* arg) {
    callbacks_.session_arg = arg;
    callbacks_.session = callback;
    ipc::FreewheelRequest payload{callback != nullptr}; // {uint32 on}
    return simple_request(ipc::RequestType::set_session_callback, &payload, sizeof payload) == 0
               ? 0
               : -1;
}

void Client::deliver_session_event(const ipc::Notification& n) {
    if (!callbacks_.session) {
        // Nobody will answer: reply empty so the notifier does not wait forever.
        jack_session_event_t empty{};
        session_reply(empty);
        return;
    }
    // The callback owns the event: it replies with jack_session_reply and frees it with
    // jack_session_event_free.
    auto* event = static_cast<jack_session_event_t*>(std::calloc(1, sizeof(jack_session_event_t)));
    if (!event) return;
    event->type = jack_session_event_type_t(n.a);
    event->session_dir = strdup(n.name1);
    std::string uuid = std::to_string(uuid_value());
    event->client_uuid = strdup(uuid.c_str());
    callbacks_.session(event, callbacks_.session_arg);
}

int Client::session_reply(const jack_session_event_t& event) {
    ipc::SessionReplyRequest payload{};
    payload.flags = uint32_t(event.flags);
    if (!ipc::copy_name(payload.command, event.command_line ? event.command_line : "")) return -1;
    return simple_request(ipc::RequestType::session_reply, &payload, sizeof payload) == 0 ? 0 : -1;
}

jack_session_command_t* Client::session_notify(const char* target, jack_session_event_type_t type,
                                               const char* path) {
    ipc::SessionNotifyRequest payload{};
    payload.type = uint32_t(type);
    // No path is allowed (jack_session_notify quit passes none): clients get no directory.
    if (!ipc::copy_name(payload.target, target ? target : "") ||
        !ipc::copy_name(payload.path, path ? path : ""))
        return nullptr;
    std::vector<std::byte> answer(sizeof(ipc::MessageHeader) + sizeof(ipc::Reply) +
                                  ipc::kMaxReplyBlob);
    long length;
    {
        NoCancellation quiet;
        std::lock_guard lock(request_mutex_);
        if (server_gone_.load() || !requests_) return nullptr;
        if (!ipc::send_message(requests_.get(), uint32_t(ipc::RequestType::session_notify),
                               &payload, sizeof payload))
            return nullptr;
        length = ipc::receive_message(requests_.get(), answer.data(), answer.size(), -1);
    }
    size_t at = sizeof(ipc::MessageHeader) + sizeof(ipc::Reply);
    if (length < long(at)) return nullptr;
    ipc::Reply reply;
    std::memcpy(&reply, answer.data() + sizeof(ipc::MessageHeader), sizeof reply);
    if (reply.status != 0) return nullptr;
    auto* commands = static_cast<jack_session_command_t*>(
        std::calloc(size_t(reply.value) + 1, sizeof(jack_session_command_t)));
    if (!commands) return nullptr;
    size_t end = size_t(length);
    for (uint32_t i = 0; i < reply.value && at + 20 <= end; ++i) {
        uint64_t uuid;
        uint32_t sizes[3];
        std::memcpy(&uuid, answer.data() + at, 8);
        std::memcpy(sizes, answer.data() + at + 8, 12);
        at += 20;
        if (uint64_t(sizes[1]) + sizes[2] > end - at) break;
        const char* text = reinterpret_cast<const char*>(answer.data() + at);
        commands[i].uuid = strdup(std::to_string(uuid).c_str());
        commands[i].client_name = strndup(text, sizes[1]);
        commands[i].command = strndup(text + sizes[1], sizes[2]);
        commands[i].flags = jack_session_flags_t(sizes[0]);
        at += sizes[1] + sizes[2];
    }
    return commands; // ends with an entry whose uuid is NULL
}

} // namespace bantam::client
