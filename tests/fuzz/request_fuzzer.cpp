// libFuzzer target: bantamd's request decoder and its whole request handler, in-process.
//
// Each input is (a) given whole to ipc::decode_request, then (b) cut into records, each one
// datagram from one of kSlots connections to a fresh engine set up as bantamd sets it up: the
// control and data segments, the dummy driver, the cycle runner, thread placement, the system
// client's ports. A connection's first datagram goes through open_client_from_bytes, as a new
// connection's does in Server::serve_open; later ones through handle_request_bytes, as in
// Server::serve_request. A malformed request or a close removes the client, as the control loop
// does, and the slot's next datagram is a new connection. At the end every client still open is
// closed and the engine must be back to the system client alone.
//
// Record: [u8 control][u16 length, little-endian][length bytes] (the last one may be short).
//   control & 7  the connection (slot)
//   control & 8  framed: the bytes are [u8 type][payload]; the header is built for them and a
//                fixed-size payload cut or zero-padded to its type's size (metadata: the string
//                sizes are made to add up), so that most framed records are valid requests.
//                Otherwise the bytes are the datagram itself, header included.
//
// Each client's notification socket is answered by a thread that acknowledges synchronous
// notifications, as libjack's notification thread does, except for clients opened after the
// first kAnsweredClients, whose notification end is closed at once (a client whose process died).
// Internal-client requests (the Server's, which would dlopen a path from the input) are answered
// with -EPROTO. Session directories are not created (mkdir is a no-op while a request is handled).
//
// By default the cycle runner is not started (as before Server::run), so a graph change is
// adopted at once and a run is deterministic; BANTAM_FUZZ_CYCLES=1 starts its driver thread, so
// that cycles run on every graph the input builds (slower: each change waits for a cycle).

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "drivers/dummy/dummy_driver.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "ipc/socket.hpp"
#include "server/cycle_runner.hpp"
#include "server/engine.hpp"
#include "server/request_handler.hpp"
#include "server/thread_placement.hpp"

using namespace bantam;

namespace {

constexpr size_t kSlots = 8;
constexpr size_t kAnsweredClients = 16;
constexpr uint32_t kPortMax = 64;
// As the server's receive buffers: serve_open reads into 1 KiB, serve_request into this.
constexpr size_t kOpenBuffer = 1024;
constexpr size_t kRequestBuffer = ipc::kMaxMessageSize + 64;

bool handling_request = false;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "request_fuzzer: invariant broken: %s\n", what);
    std::abort();
}
void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

// Answers the client ends of notification sockets: acknowledges synchronous notifications and
// discards the rest, until told to stop. Owns the descriptors it is given.
class NotificationAnswerer {
  public:
    NotificationAnswerer() {
        for (auto& pair : pairs_) {
            int fds[2];
            if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
            pair.server_end.reset(fds[0]);
            pair.client_end.reset(fds[1]);
            // As Server::serve_open sets up the server's end.
            int bytes = 1 << 20;
            setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
            fcntl(fds[0], F_SETFL, O_NONBLOCK);
        }
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) fail("pipe");
        stop_read_.reset(fds[0]);
        stop_write_.reset(fds[1]);
        thread_ = std::thread([this] { run(); });
    }
    ~NotificationAnswerer() {
        char byte = 0;
        if (write(stop_write_.get(), &byte, 1) < 0) fail("write");
        thread_.join();
    }

    // The server's end of the next answered notification socket; or of one whose client end is
    // already closed once every answered one is taken.
    ipc::UniqueFd take() {
        if (next_ < kAnsweredClients) return std::move(pairs_[next_++].server_end);
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
        close(fds[1]);
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        return ipc::UniqueFd(fds[0]);
    }

  private:
    struct Pair {
        ipc::UniqueFd server_end, client_end;
    };

    void run() {
        pollfd polled[kAnsweredClients + 1];
        polled[0] = {stop_read_.get(), POLLIN, 0};
        for (size_t i = 0; i < kAnsweredClients; ++i)
            polled[i + 1] = {pairs_[i].client_end.get(), POLLIN, 0};
        for (;;) {
            if (poll(polled, kAnsweredClients + 1, -1) < 0 && errno != EINTR) fail("poll");
            if (polled[0].revents) return;
            for (size_t i = 1; i <= kAnsweredClients; ++i) {
                if (polled[i].fd < 0 || polled[i].revents == 0) continue;
                alignas(8) std::byte buffer[sizeof(ipc::MessageHeader) + sizeof(ipc::Notification)];
                long length = ipc::receive_message(polled[i].fd, buffer, sizeof buffer, 0);
                if (length <= 0) {
                    polled[i].fd = -1; // the server closed its end: that client is gone
                    continue;
                }
                check(size_t(length) == sizeof buffer, "a notification of the wrong size");
                ipc::Notification n;
                std::memcpy(&n, buffer + sizeof(ipc::MessageHeader), sizeof n);
                if (!n.sync) continue;
                ipc::NotificationAck ack{n.serial};
                ipc::send_message(polled[i].fd, 0, &ack, sizeof ack);
            }
        }
    }

    Pair pairs_[kAnsweredClients];
    size_t next_ = 0;
    ipc::UniqueFd stop_read_, stop_write_;
    std::thread thread_;
};

// The segments are made once; each input gets them freshly initialised, as a starting server does.
struct Segments {
    ipc::SharedMemory control_memory =
        ipc::SharedMemory::create("bantam-control", sizeof(ipc::ControlSegment));
    ipc::SharedMemory data_memory =
        ipc::SharedMemory::create("bantam-data", sizeof(ipc::DataSegment));
};

Segments& segments() {
    static Segments* instance = new Segments;
    return *instance;
}

// One bantamd's engine, set up as Server::Server and Server::run set it up.
struct Rig {
    ipc::ControlSegment* control;
    ipc::DataSegment* data;
    drivers::DummyDriver driver{drivers::DummyOptions{48000, 64, 2, 2, 2, "", ""}};
    std::unique_ptr<server::CycleRunner> runner;
    std::unique_ptr<server::ThreadPlacement> placement;
    std::unique_ptr<server::Engine> engine;

    Rig() {
        control = new (segments().control_memory.data()) ipc::ControlSegment();
        data = new (segments().data_memory.data()) ipc::DataSegment;
        auto& header = control->header;
        header.instance = 1;
        header.sample_rate = driver.sample_rate();
        header.buffer_size = driver.buffer_size();
        header.server_pid = uint32_t(getpid());
        header.timer.period_usecs_x1000 =
            uint32_t(uint64_t(driver.buffer_size()) * 1000000000ull / driver.sample_rate());
        runner = std::make_unique<server::CycleRunner>(*control, *data, driver, false);
        engine = std::make_unique<server::Engine>(*control, *data, *runner, driver, kPortMax);
        engine->add_driver_ports(driver.capture_channels(), driver.playback_channels());
        runner->set_driver_ports(engine->capture_ports(), engine->playback_ports());
        placement = std::make_unique<server::ThreadPlacement>(true);
        engine->use_thread_placement(*placement);
        const char* cycles = std::getenv("BANTAM_FUZZ_CYCLES");
        if (cycles && *cycles == '1') {
            runner->start(false, 0);
            placement->place_driver(runner->native_handle());
        }
    }
    ~Rig() { runner->stop(); }
};

struct Connection {
    std::optional<uint32_t> refnum;
    ipc::UniqueFd client_end; // the client's end of its request socket (deferred replies)
};

// Reads whatever the server sent on a request socket without being asked in the same call
// (a deferred session reply), so that the socket never fills.
void drain(Connection& connection) {
    if (!connection.client_end) return;
    static std::vector<std::byte> buffer(ipc::kMaxReplyBlob + 4096);
    while (recv(connection.client_end.get(), buffer.data(), buffer.size(), MSG_DONTWAIT) > 0) {
    }
}

// The datagram a record stands for.
std::vector<std::byte> datagram(bool framed, const uint8_t* bytes, size_t length) {
    if (!framed || length == 0) {
        return std::vector<std::byte>(reinterpret_cast<const std::byte*>(bytes),
                                      reinterpret_cast<const std::byte*>(bytes) + length);
    }
    auto type = ipc::RequestType(bytes[0]);
    std::vector<std::byte> payload(reinterpret_cast<const std::byte*>(bytes) + 1,
                                   reinterpret_cast<const std::byte*>(bytes) + length);
    size_t size = ipc::request_payload_size(type);
    if (type == ipc::RequestType::metadata) {
        if (payload.size() < size) payload.resize(size);
        ipc::MetadataRequest fixed;
        std::memcpy(&fixed, payload.data(), sizeof fixed);
        uint32_t strings = uint32_t(payload.size() - size);
        fixed.key_size = std::min(fixed.key_size, strings);
        fixed.value_size = std::min(fixed.value_size, strings - fixed.key_size);
        fixed.type_size = strings - fixed.key_size - fixed.value_size;
        std::memcpy(payload.data(), &fixed, sizeof fixed);
    } else if (size != 0) {
        payload.resize(size);
    }
    ipc::MessageHeader header{uint32_t(type), uint32_t(payload.size())};
    std::vector<std::byte> out(sizeof header + payload.size());
    std::memcpy(out.data(), &header, sizeof header);
    if (!payload.empty()) std::memcpy(out.data() + sizeof header, payload.data(), payload.size());
    return out;
}

// (a) The decoder alone: whatever it accepts is exactly one whole request of a known type.
void check_decoder(const uint8_t* data, size_t size) {
    auto bytes = reinterpret_cast<const std::byte*>(data);
    auto request = ipc::decode_request(bytes, size);
    if (!request) return;
    check(request->payload == bytes + sizeof(ipc::MessageHeader), "payload not after the header");
    check(sizeof(ipc::MessageHeader) + request->size == size, "payload size not the datagram's");
    size_t expected = ipc::request_payload_size(request->type);
    check(expected != 0, "an unknown type decoded");
    if (request->type == ipc::RequestType::metadata)
        check(request->size >= expected, "a short metadata request decoded");
    else
        check(request->size == expected, "a request of the wrong size decoded");
}

// A new connection's first datagram, as Server::serve_open serves it.
void open_connection(Rig& rig, NotificationAnswerer& answerer, Connection& connection,
                     const std::vector<std::byte>& bytes) {
    if (bytes.empty() || bytes.size() > kOpenBuffer) return; // hangup, or truncated: dropped
    ipc::Reply reply{};
    int refnum = server::open_client_from_bytes(*rig.engine, bytes.data(), bytes.size(), reply);
    if (refnum == server::kOpenMalformed) return;
    if (refnum < 0) {
        check(reply.status < 0, "a refused open without an error");
        return;
    }
    check(uint32_t(refnum) < kMaxClients && refnum != kDriverRefnum, "a bad refnum");
    check(rig.engine->client(uint32_t(refnum)).in_use, "an opened client not in use");
    check(reply.value == uint32_t(refnum) && reply.status == 0, "a bad open reply");
    check(rig.engine->client(uint32_t(refnum)).name == reply.name, "the reply's name differs");
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) fail("socketpair");
    fcntl(fds[0], F_SETFL, O_NONBLOCK); // as Server::accept_client accepts it
    connection.client_end.reset(fds[1]);
    connection.refnum = uint32_t(refnum);
    rig.engine->attach_sockets(uint32_t(refnum), ipc::UniqueFd(fds[0]), answerer.take());
}

// A request from an opened client, as Server::serve_request serves it.
void serve(Rig& rig, Connection& connection, const std::vector<std::byte>& bytes,
           std::vector<std::byte>& reply_bytes) {
    uint32_t refnum = *connection.refnum;
    auto drop = [&] {
        rig.engine->close_client(refnum);
        check(!rig.engine->client(refnum).in_use, "a closed client still in use");
        connection = Connection{};
    };
    if (bytes.empty() || bytes.size() > kRequestBuffer) return drop(); // hangup, or truncated
    auto internal = [](const ipc::DecodedRequest&, ipc::Reply& reply) {
        reply.status = -EPROTO;
        return true;
    };
    handling_request = true;
    auto outcome = server::handle_request_bytes(*rig.engine, refnum, bytes.data(), bytes.size(),
                                                reply_bytes, internal);
    handling_request = false;
    switch (outcome) {
    case server::RequestOutcome::malformed:
    case server::RequestOutcome::close:
        return drop();
    case server::RequestOutcome::deferred:
        break;
    case server::RequestOutcome::reply: {
        check(reply_bytes.size() >= sizeof(ipc::Reply), "a reply shorter than a Reply");
        check(reply_bytes.size() <= sizeof(ipc::Reply) + ipc::kMaxReplyBlob + 4096,
              "a reply larger than the socket takes");
        ipc::Reply reply;
        std::memcpy(&reply, reply_bytes.data(), sizeof reply);
        check(reply.status != ipc::kReplyDeferred, "a deferred status in a reply");
        break;
    }
    }
    check(rig.engine->client(refnum).in_use, "a client vanished while being served");
    drain(connection);
}

} // namespace

// While a request is handled (a session notify), directories are not really made: the input
// chooses their paths.
extern "C" int mkdir(const char* path, mode_t mode) {
    if (handling_request) return 0;
    return int(syscall(SYS_mkdirat, AT_FDCWD, path, mode));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    check_decoder(data, size);

    Rig rig;
    std::vector<Connection> connections(kSlots);
    std::vector<std::byte> reply_bytes;
    {
        NotificationAnswerer answerer;
        size_t at = 0;
        while (at < size) {
            uint8_t control = data[at++];
            size_t length = 0;
            if (at < size) length = data[at++];
            if (at < size) length |= size_t(data[at++]) << 8;
            length = std::min(length, size - at);
            std::vector<std::byte> bytes = datagram(control & 8, data + at, length);
            at += length;
            Connection& connection = connections[control & 7];
            if (!connection.refnum)
                open_connection(rig, answerer, connection, bytes);
            else
                serve(rig, connection, bytes, reply_bytes);
        }
        // Every client leaves; the engine must be back to the system client and its ports.
        for (Connection& connection : connections)
            if (connection.refnum) rig.engine->close_client(*connection.refnum);
    }
    check(rig.engine->external_client_count() == 0, "clients left after all closed");
    for (uint32_t port = 1; port < kMaxPorts; ++port)
        check(!rig.control->ports[port].in_use || rig.control->ports[port].owner == kDriverRefnum,
              "a port left after its client closed");
    for (uint32_t refnum = 1; refnum < kMaxClients; ++refnum)
        check(!rig.control->clients[refnum].in_use, "a client record left after it closed");
    return 0;
}
