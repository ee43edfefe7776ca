// The engine's metadata requests: JACK's property API over the server's MetadataStore.

#include <cerrno>
#include <cstring>
#include <jack/metadata.h>

#include "server/engine.hpp"

namespace bantam::server {

namespace {
constexpr uint32_t kNoKey = 0x100; // a change that concerns every key (removals)
}

void Engine::announce_property(uint64_t subject, const char* key, uint32_t change) {
    ipc::Notification n{};
    n.type = ipc::NotificationType::property_changed;
    n.a = uint32_t(subject);
    n.b = uint32_t(subject >> 32);
    n.c = change | (key ? 0 : kNoKey);
    ipc::copy_name(n.name1, key ? key : "");
    notify_all(n);
}

void Engine::forget_properties(uint64_t subject) {
    if (metadata_.remove_subject(subject) > 0) announce_property(subject, nullptr, PropertyDeleted);
}

int Engine::handle_metadata(uint32_t refnum, const ipc::DecodedRequest& request,
                            std::vector<std::byte>& reply_bytes) {
    (void)refnum; // JACK lets any client set properties on any subject
    ipc::MetadataRequest fixed;
    std::memcpy(&fixed, request.payload, sizeof fixed);
    const char* strings = reinterpret_cast<const char*>(request.payload) + sizeof fixed;
    std::string key(strings, fixed.key_size);
    std::string value(strings + fixed.key_size, fixed.value_size);
    std::string type(strings + fixed.key_size + fixed.value_size, fixed.type_size);
    auto append_all = [&](uint64_t subject) {
        if (const auto* list = metadata_.properties(subject))
            for (const auto& property : *list)
                append_property(reply_bytes, subject, property);
    };
    switch (fixed.op) {
    case ipc::MetadataOp::set: {
        if (key.empty()) return -EINVAL;
        bool created = metadata_.set(fixed.subject, key, value, type);
        announce_property(fixed.subject, key.c_str(), created ? PropertyCreated : PropertyChanged);
        return 0;
    }
    case ipc::MetadataOp::get: {
        const Property* property = metadata_.get(fixed.subject, key);
        if (!property) return -ENOENT;
        append_property(reply_bytes, fixed.subject, *property);
        return 0;
    }
    case ipc::MetadataOp::get_subject:
        append_all(fixed.subject);
        return 0;
    case ipc::MetadataOp::get_all:
        for (uint64_t subject : metadata_.subjects())
            append_all(subject);
        return 0;
    case ipc::MetadataOp::remove:
        if (!metadata_.remove(fixed.subject, key)) return -ENOENT;
        announce_property(fixed.subject, key.c_str(), PropertyDeleted);
        return 0;
    case ipc::MetadataOp::remove_subject: {
        size_t count = metadata_.remove_subject(fixed.subject);
        if (count > 0) announce_property(fixed.subject, nullptr, PropertyDeleted);
        return int(count);
    }
    case ipc::MetadataOp::remove_all:
        metadata_.clear();
        announce_property(0, nullptr, PropertyDeleted);
        return 0;
    }
    return -EINVAL;
}

} // namespace bantam::server
