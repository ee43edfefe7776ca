#pragma once

// The private request/notification protocol between libjack and bantamd. Every message is
// one SOCK_SEQPACKET datagram: a MessageHeader followed by one trivially copyable payload of
// exactly the size its type declares. decode_request() is the only way the server reads a
// request, and it rejects anything of the wrong size or unknown type.

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>

#include "ipc/limits.hpp"
#include "ipc/shared_layout.hpp"

namespace bantam::ipc {

enum class RequestType : uint32_t {
    open = 1,
    close,
    activate,
    deactivate,
    port_register,
    port_unregister,
    port_rename,
    port_set_alias,
    port_unset_alias,
    connect,
    disconnect,
    port_disconnect_all,
    set_buffer_size,
    set_latency_range,
    set_timebase,
    release_timebase,
    set_sync_timeout,
    metadata, // variable size: MetadataRequest + key, value, type bytes
    set_freewheel,
    recompute_latencies,
    request_monitor,
    reset_max_delay,
    set_session_callback,
    session_notify, // answered once every notified client has replied (or gone)
    session_reply,
    internal_load,   // InternalLoadRequest; answered once the loader thread has finished
    internal_unload, // InternalClientRequest (handle); answered once the client is gone
    internal_handle, // InternalClientRequest (name); value = handle
    internal_name,   // InternalClientRequest (handle); name = the internal client's name
    count_
};

// Served by the Server itself, not the Engine (src/server/server_internal.cpp).
constexpr bool is_internal_client_request(RequestType type) noexcept {
    return type == RequestType::internal_load || type == RequestType::internal_unload ||
           type == RequestType::internal_handle || type == RequestType::internal_name;
}

struct MessageHeader {
    uint32_t type = 0;
    uint32_t size = 0; // payload bytes
};

struct OpenRequest {
    uint32_t protocol = kProtocolVersion;
    uint32_t options = 0; // jack_options_t
    uint32_t pid = 0;
    char name[kClientNameSize] = {};
};
struct EmptyRequest {
    uint32_t reserved = 0;
};
struct ActivateRequest {
    uint32_t realtime_role = 0;    // has a process / thread callback: takes part in cycles
    uint32_t latency_callback = 0; // sets its own ports' latencies from a latency callback
    int32_t process_tid = 0;       // the thread that runs its cycles, for CPU placement
};
struct PortRegisterRequest {
    uint32_t flags = 0;
    PortType type = PortType::audio;
    char short_name[kPortNameSize] = {};
};
struct PortRequest {
    uint32_t port = 0;
};
struct PortNameRequest {
    uint32_t port = 0;
    char name[kPortNameSize] = {};
};
struct ConnectRequest {
    char source[kPortNameSize] = {};
    char destination[kPortNameSize] = {};
};
struct BufferSizeRequest {
    uint32_t frames = 0;
    // Sent by the client's process thread, from inside its cycle: that cycle cannot end before
    // the reply, so the server does not wait for it.
    uint32_t from_process_thread = 0;
};
struct LatencyRequest {
    uint32_t port = 0;
    uint32_t mode = 0; // jack_latency_callback_mode_t
    LatencyRange range;
};

struct TimebaseRequest {
    uint32_t conditional = 0;
};
struct MonitorRequest {
    uint32_t port = 0;
    int32_t change = 0; // +1 / -1 (request), or 2 / 3 (ensure off / on)
};
struct SessionNotifyRequest {
    uint32_t type = 0;                 // jack_session_event_type_t
    char target[kClientNameSize] = {}; // empty: every client with a session callback
    char path[kPortNameSize] = {};
};
struct SessionReplyRequest {
    uint32_t flags = 0; // jack_session_flags_t
    char command[2048] = {};
};
// A request whose reply the server sends later, from another request's handling.
inline constexpr int32_t kReplyDeferred = INT32_MIN;

struct FreewheelRequest {
    uint32_t on = 0;
};
struct SyncTimeoutRequest {
    uint64_t usecs = 0;
};

// Internal clients: shared objects bantamd loads and runs as its own clients. The handle is the
// internal client's refnum.
inline constexpr size_t kLoadNameSize = 4096; // a path, as PATH_MAX
inline constexpr size_t kLoadInitSize = 1024; // JACK_LOAD_INIT_LIMIT
struct InternalLoadRequest {
    uint32_t options = 0;  // jack_options_t: only JackUseExactName reaches the server
    uint32_t has_init = 0; // else jack_initialize() gets NULL
    char name[kClientNameSize] = {};
    char object[kLoadNameSize] = {}; // a name to search for, or an absolute path
    char init[kLoadInitSize] = {};
};
struct InternalClientRequest {
    uint32_t handle = 0;
    char name[kClientNameSize] = {};
};

enum class MetadataOp : uint32_t {
    set = 1,
    get,         // one subject's one key
    get_subject, // every property of one subject
    get_all,     // every property of every subject
    remove,
    remove_subject,
    remove_all,
};
struct MetadataRequest {
    MetadataOp op{};
    uint32_t reserved = 0;
    uint64_t subject = 0;
    uint32_t key_size = 0;
    uint32_t value_size = 0;
    uint32_t type_size = 0;
    uint32_t reserved2 = 0;
};
// Keys, values and MIME types together; a larger property is refused with E2BIG.
inline constexpr size_t kMaxMetadataBytes = 60000;
// Metadata replies carry a list of properties after the Reply, up to this many bytes.
inline constexpr size_t kMaxReplyBlob = 1 << 20;

// Every reply: status is 0 or a JACK-style error (negative errno, or a positive EEXIST for a
// duplicate connection, as jack_connect returns).
struct Reply {
    int32_t status = 0;
    uint32_t value = 0;       // a port id, a refnum
    uint32_t jack_status = 0; // jack_status_t bits, for open
    // The serial of the last notification sent to the requesting client before this reply: the
    // client returns once its notification thread has dispatched it (0: nothing to wait for).
    uint32_t notified_up_to = 0;
    char name[kPortNameSize] = {};
};

// Sent with the open reply, as SCM_RIGHTS: control segment, data segment, notification socket.
inline constexpr int kOpenReplyFds = 3;

enum class NotificationType : uint32_t {
    client_registered = 1, // name1 = client, a = 1 registered / 0 gone
    port_registered,       // a = port id, b = 1/0
    port_connected,        // a, b = port ids, c = 1/0
    port_renamed,          // a = port id, name1 = old, name2 = new
    graph_order,
    xrun,
    buffer_size,      // a = frames; sync: the client replies once its callback returned
    sample_rate,      // a = rate
    shutdown,         // name1 = reason
    freewheel,        // a = 1 entering, 0 leaving; sync
    session,          // a = jack_session_event_type_t, name1 = session directory
    property_changed, // a, b = subject low and high 32 bits, c = change (| 0x100: no key), name1 =
                      // key
    activated,        // sync: thread_init already ran; bookkeeping only
    latency,          // a = jack_latency_callback_mode_t; sync
};

struct Notification {
    NotificationType type{};
    uint32_t sync = 0;
    uint32_t serial = 0;
    uint32_t a = 0, b = 0, c = 0;
    char name1[kPortNameSize] = {};
    char name2[kPortNameSize] = {};
};
struct NotificationAck {
    uint32_t serial = 0;
};

template <typename T> constexpr bool is_wire_type = std::is_trivially_copyable_v<T>;

static_assert(is_wire_type<OpenRequest> && is_wire_type<Reply> && is_wire_type<Notification>);

// Largest request, so the receiver can read any datagram into one buffer.
inline constexpr size_t kMaxMessageSize =
    sizeof(MessageHeader) + sizeof(MetadataRequest) + kMaxMetadataBytes;
static_assert(sizeof(MessageHeader) + sizeof(InternalLoadRequest) <= kMaxMessageSize);

// The payload size each request type must have; 0 for unknown types.
size_t request_payload_size(RequestType type) noexcept;

// A request whose size matches its type. bytes/length: one received datagram.
struct DecodedRequest {
    RequestType type;
    const std::byte* payload;
    size_t size;

    template <typename T> T as() const noexcept {
        static_assert(is_wire_type<T>);
        T value;
        std::memcpy(&value, payload, sizeof(T));
        return value;
    }
};
std::optional<DecodedRequest> decode_request(const std::byte* bytes, size_t length) noexcept;

// Copies a C string into a fixed field, always NUL-terminated; false if it did not fit.
template <size_t N> bool copy_name(char (&field)[N], const char* text) noexcept {
    size_t length = text ? std::strlen(text) : 0;
    if (length >= N) {
        std::memcpy(field, text, N - 1);
        field[N - 1] = '\0';
        return false;
    }
    std::memcpy(field, text ? text : "", length + 1);
    return true;
}

// A fixed field read from the wire as a string even if the sender left it unterminated.
template <size_t N> const char* terminated(char (&field)[N]) noexcept {
    field[N - 1] = '\0';
    return field;
}

} // namespace bantam::ipc
