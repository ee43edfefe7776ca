#include "ipc/protocol.hpp"

namespace bantam::ipc {

size_t request_payload_size(RequestType type) noexcept {
    switch (type) {
    case RequestType::open:
        return sizeof(OpenRequest);
    case RequestType::close:
    case RequestType::deactivate:
        return sizeof(EmptyRequest);
    case RequestType::activate:
        return sizeof(ActivateRequest);
    case RequestType::port_register:
        return sizeof(PortRegisterRequest);
    case RequestType::port_unregister:
    case RequestType::port_disconnect_all:
        return sizeof(PortRequest);
    case RequestType::port_rename:
    case RequestType::port_set_alias:
    case RequestType::port_unset_alias:
        return sizeof(PortNameRequest);
    case RequestType::connect:
    case RequestType::disconnect:
        return sizeof(ConnectRequest);
    case RequestType::set_buffer_size:
        return sizeof(BufferSizeRequest);
    case RequestType::set_latency_range:
        return sizeof(LatencyRequest);
    case RequestType::set_timebase:
        return sizeof(TimebaseRequest);
    case RequestType::release_timebase:
        return sizeof(EmptyRequest);
    case RequestType::set_sync_timeout:
        return sizeof(SyncTimeoutRequest);
    case RequestType::set_session_callback:
        return sizeof(FreewheelRequest); // {uint32 on}
    case RequestType::session_notify:
        return sizeof(SessionNotifyRequest);
    case RequestType::session_reply:
        return sizeof(SessionReplyRequest);
    case RequestType::reset_max_delay:
        return sizeof(EmptyRequest);
    case RequestType::request_monitor:
        return sizeof(MonitorRequest);
    case RequestType::recompute_latencies:
        return sizeof(EmptyRequest);
    case RequestType::set_freewheel:
        return sizeof(FreewheelRequest);
    case RequestType::internal_load:
        return sizeof(InternalLoadRequest);
    case RequestType::internal_unload:
    case RequestType::internal_handle:
    case RequestType::internal_name:
        return sizeof(InternalClientRequest);
    case RequestType::metadata:
        return sizeof(MetadataRequest); // the fixed part; the strings follow
    case RequestType::count_:
        break;
    }
    return 0;
}

std::optional<DecodedRequest> decode_request(const std::byte* bytes, size_t length) noexcept {
    if (length < sizeof(MessageHeader)) return std::nullopt;
    MessageHeader header;
    std::memcpy(&header, bytes, sizeof header);
    auto type = RequestType(header.type);
    size_t expected = request_payload_size(type);
    if (expected == 0) return std::nullopt;
    if (type == RequestType::metadata) {
        // The strings' sizes must add up exactly to what follows the fixed part.
        if (header.size < expected || length != sizeof(MessageHeader) + header.size)
            return std::nullopt;
        MetadataRequest fixed;
        std::memcpy(&fixed, bytes + sizeof(MessageHeader), sizeof fixed);
        uint64_t strings = uint64_t(fixed.key_size) + fixed.value_size + fixed.type_size;
        if (strings > kMaxMetadataBytes || header.size != expected + strings) return std::nullopt;
        return DecodedRequest{type, bytes + sizeof(MessageHeader), header.size};
    }
    if (header.size != expected || length != sizeof(MessageHeader) + expected) return std::nullopt;
    return DecodedRequest{type, bytes + sizeof(MessageHeader), expected};
}

} // namespace bantam::ipc
