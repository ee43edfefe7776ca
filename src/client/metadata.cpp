// The client's side of JACK metadata: requests to the server and the reply's property list.

#include <cstring>

#include "client/client.hpp"
#include "common/cancellation.hpp"

namespace bantam::client {

int Client::metadata_request(ipc::MetadataOp op, uint64_t subject, const char* key,
                             const char* value, const char* type,
                             std::vector<PropertyRecord>* results) {
    size_t key_size = key ? std::strlen(key) : 0;
    size_t value_size = value ? std::strlen(value) : 0;
    size_t type_size = type ? std::strlen(type) : 0;
    if (key_size + value_size + type_size > ipc::kMaxMetadataBytes) return -1;
    ipc::MetadataRequest fixed{};
    fixed.op = op;
    fixed.subject = subject;
    fixed.key_size = uint32_t(key_size);
    fixed.value_size = uint32_t(value_size);
    fixed.type_size = uint32_t(type_size);
    std::vector<std::byte> payload(sizeof fixed + key_size + value_size + type_size);
    std::memcpy(payload.data(), &fixed, sizeof fixed);
    char* strings = reinterpret_cast<char*>(payload.data()) + sizeof fixed;
    if (key_size) std::memcpy(strings, key, key_size);
    if (value_size) std::memcpy(strings + key_size, value, value_size);
    if (type_size) std::memcpy(strings + key_size + value_size, type, type_size);

    std::vector<std::byte> answer(sizeof(ipc::MessageHeader) + sizeof(ipc::Reply) +
                                  ipc::kMaxReplyBlob);
    NoCancellation quiet;
    std::unique_lock lock(request_mutex_);
    if (server_gone_.load() || !requests_) return -1;
    if (!ipc::send_message(requests_.get(), uint32_t(ipc::RequestType::metadata), payload.data(),
                           payload.size()))
        return -1;
    long length = ipc::receive_message(requests_.get(), answer.data(), answer.size(), -1);
    size_t head = sizeof(ipc::MessageHeader) + sizeof(ipc::Reply);
    if (length < long(head)) return -1;
    ipc::Reply reply;
    std::memcpy(&reply, answer.data() + sizeof(ipc::MessageHeader), sizeof reply);
    await_notifications_up_to(reply.notified_up_to, lock);
    if (reply.status < 0) return -1;
    if (results) {
        size_t at = head, end = size_t(length);
        while (at + 20 <= end) {
            PropertyRecord record;
            uint32_t sizes[3];
            std::memcpy(&record.subject, answer.data() + at, 8);
            std::memcpy(sizes, answer.data() + at + 8, 12);
            at += 20;
            uint64_t total = uint64_t(sizes[0]) + sizes[1] + sizes[2];
            if (total > end - at) return -1;
            const char* text = reinterpret_cast<const char*>(answer.data() + at);
            record.key.assign(text, sizes[0]);
            record.value.assign(text + sizes[0], sizes[1]);
            record.type.assign(text + sizes[0] + sizes[1], sizes[2]);
            at += total;
            results->push_back(std::move(record));
        }
    }
    return reply.status;
}

} // namespace bantam::client
