"""Hostile input over bantamd's real socket: garbage, truncated, oversized and out-of-order
messages, requests before open, a flood of requests whose replies are never read, and a client
that connects and says nothing. Each bad connection gets an error reply or is closed; the server
keeps running and cycling, a jack_thru keeps its connections, and the server's descriptors
return to their baseline once the bad connections are gone."""

import errno
import os
import socket
import struct
import time
import unittest

import wire
from harness import Server, TestCase
from wire import (OPEN, CLOSE, ACTIVATE, DEACTIVATE, PORT_REGISTER, PORT_UNREGISTER, PORT_RENAME,
                  PORT_SET_ALIAS, PORT_UNSET_ALIAS, CONNECT, DISCONNECT, PORT_DISCONNECT_ALL,
                  SET_BUFFER_SIZE, SET_LATENCY_RANGE, RELEASE_TIMEBASE, METADATA, REQUEST_MONITOR,
                  SESSION_NOTIFY, SESSION_REPLY, INTERNAL_UNLOAD, INTERNAL_HANDLE, INTERNAL_NAME,
                  CLIENT_NAME, PORT_NAME, REPLY, IS_INPUT, IS_OUTPUT, fixed, message, u32_request,
                  port_name_request, register_request, connect_request)

EINVAL, ENOENT, ENAMETOOLONG, EPROTO = errno.EINVAL, errno.ENOENT, errno.ENAMETOOLONG, errno.EPROTO


def open_request(name):
    return wire.open_request(name, os.getpid())


class HostileInputTest(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().__enter__()
        cls.thru = cls.server.spawn_thru()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.wait_for_fds(self.baseline())

    # ---- helpers ---------------------------------------------------------------------------

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.server.proc.pid))

    def baseline(self):
        # The server at rest: jack_thru and nothing else connected (tools such as jack_lsp
        # come and go).
        if not hasattr(HostileInputTest, "_baseline"):
            time.sleep(0.3)
            HostileInputTest._baseline = self.fds()
        return HostileInputTest._baseline

    def wait_for_fds(self, count, timeout=5):
        deadline = time.time() + timeout
        while self.fds() != count:
            if time.time() > deadline:
                self.fail("bantamd holds %d descriptors, expected %d: %s" % (
                    self.fds(), count, sorted(os.readlink("/proc/%d/fd/%s" % (self.server.proc.pid, fd))
                                              for fd in os.listdir("/proc/%d/fd" % self.server.proc.pid))))
            time.sleep(0.05)

    def connection(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.settimeout(10)
        sock.connect(self.server.socket_path())
        self.addCleanup(sock.close)
        return sock

    def opened(self, name):
        """A connection on which a client is open (its descriptors closed at once)."""
        sock = self.connection()
        sock.send(open_request(name))
        data, fds, _, _ = socket.recv_fds(sock, 4096, 8)
        for fd in fds:
            os.close(fd)
        status, _, _, _ = self.reply(data)
        self.assertEqual(status, 0, "open refused")
        self.assertEqual(len(fds), 3)
        return sock

    @staticmethod
    def reply(data):
        assert len(data) >= 8 + REPLY.size, "a short reply: %r" % data
        kind, size = struct.unpack_from("<II", data)
        assert size == len(data) - 8
        status, value, jack_status, _notified_up_to, name = REPLY.unpack_from(data, 8)
        return status, value, jack_status, name.split(b"\0")[0].decode()

    def ask(self, sock, request):
        """Sends a request; returns the reply's status (its value is left in reply_value)."""
        sock.send(request)
        status, self.reply_value, _, _ = self.reply(sock.recv(1 << 21))
        return status

    def assert_dropped(self, sock):
        """The server closed the connection without answering."""
        try:
            data = sock.recv(1 << 21)
        except ConnectionResetError:
            return
        self.assertEqual(data, b"", "expected the connection to be closed, got a reply")

    def assert_healthy(self):
        server = self.server
        self.assertTrue(server.alive(), "bantamd died: " + server.server_log())
        before = server.status()["cycles"]
        time.sleep(0.1)
        self.assertGreater(server.status()["cycles"], before, "bantamd stopped cycling")
        self.assertIsNone(self.thru.poll(), "jack_thru died")
        connections = server.lsp("-c")
        for channel in (1, 2):
            self.assertIn("jack_thru:output_%d\n   system:playback_%d\n" % (channel, channel), connections)
            self.assertIn("jack_thru:input_%d\n   system:capture_%d\n" % (channel, channel), connections)

    def check_leaves_no_trace(self, *socks):
        for sock in socks:
            sock.close()
        self.wait_for_fds(self.baseline())
        self.assert_healthy()

    # ---- cases -------------------------------------------------------------------------------

    def test_garbage_as_the_first_message(self):
        for garbage in (b"\xde\xad\xbe\xef" * 8, b"\0", b"\xff" * 8, os.urandom(85)):
            sock = self.connection()
            sock.send(garbage)
            self.assert_dropped(sock)
        self.assert_healthy()
        self.check_leaves_no_trace()

    def test_truncated_open(self):
        whole = open_request("cut")
        for length in (0, 4, 8, 40, len(whole) - 1):
            sock = self.connection()
            sock.send(whole[:length])
            self.assert_dropped(sock)
        # A header that claims more than follows.
        sock = self.connection()
        sock.send(struct.pack("<II", OPEN, 80) + whole[8:50])
        self.assert_dropped(sock)
        self.check_leaves_no_trace()

    def test_oversized_messages(self):
        sock = self.connection()
        sock.send(open_request("big") + b"\0" * 70000)
        self.assert_dropped(sock)
        sock = self.opened("big")
        sock.send(register_request("p") + b"\0" * 70000)  # beyond the largest request
        self.assert_dropped(sock)
        sock = self.opened("big")
        sock.send(message(METADATA, b"\0" * 65000))
        self.assert_dropped(sock)
        self.check_leaves_no_trace()

    def test_requests_before_open(self):
        for request in (register_request("early"), u32_request(ACTIVATE, 1) + b"\0" * 8,
                        message(CLOSE, b"\0" * 4), connect_request("system:capture_1", "system:playback_1")):
            sock = self.connection()
            sock.send(request)
            self.assert_dropped(sock)
        self.check_leaves_no_trace()

    def test_bad_types_and_sizes_drop_the_client(self):
        cases = [
            message(0, b""),
            message(99, b"\0" * 4),
            message(INTERNAL_NAME + 1, b"\0" * 4),  # RequestType::count_
            message(0xFFFFFFFF, b"\0" * 4),
            message(ACTIVATE, b"\0" * 4),  # wrong size for its type
            message(PORT_REGISTER, b"\0" * 10),
            struct.pack("<II", PORT_UNREGISTER, 4000) + b"\0" * 4,  # a header that lies
            struct.pack("<II", PORT_UNREGISTER, 0),
            b"\1\0\0",  # shorter than a header
            # Metadata whose string sizes do not add up.
            message(METADATA, struct.pack("<IIQIIII", 1, 0, 1, 5, 5, 5, 0) + b"abc"),
            message(METADATA, struct.pack("<IIQIIII", 1, 0, 1, 0xFFFFFFFF, 2, 0, 0) + b"ab"),
        ]
        for index, request in enumerate(cases):
            sock = self.opened("bad%d" % index)
            sock.send(request)
            self.assert_dropped(sock)
        self.assert_healthy()
        self.check_leaves_no_trace()

    def test_out_of_range_ids_get_errors(self):
        sock = self.opened("ranges")
        self.assertEqual(self.ask(sock, register_request("mine", IS_OUTPUT)), 0)
        for port in (0, 5000, 0x7FFFFFFF, 0xFFFFFFFF):
            self.assertEqual(self.ask(sock, u32_request(PORT_UNREGISTER, port)), -EINVAL)
            self.assertEqual(self.ask(sock, u32_request(PORT_DISCONNECT_ALL, port)), -EINVAL)
            self.assertEqual(self.ask(sock, port_name_request(PORT_RENAME, port, "x")), -EINVAL)
            self.assertEqual(self.ask(sock, port_name_request(PORT_SET_ALIAS, port, "x")), -EINVAL)
            self.assertEqual(self.ask(sock, message(REQUEST_MONITOR, struct.pack("<Ii", port, 1))), -EINVAL)
            self.assertEqual(self.ask(sock, message(SET_LATENCY_RANGE, struct.pack("<IIII", port, 0, 1, 2))),
                             -EINVAL)
        # Ports of another client (system:capture_1 is port 1) are not this client's to change.
        self.assertEqual(self.ask(sock, u32_request(PORT_UNREGISTER, 1)), -EINVAL)
        self.assertEqual(self.ask(sock, port_name_request(PORT_RENAME, 1, "stolen")), -EINVAL)
        # Internal-client handles are refnums: out of range, or not an internal client.
        for handle in (0, 1, 127, 128, 5000, 0xFFFFFFFF):
            internal = message(INTERNAL_NAME, struct.pack("<I", handle) + fixed("", CLIENT_NAME) + b"\0" * 3)
            self.assertEqual(self.ask(sock, internal), -ENOENT)
            unload = message(INTERNAL_UNLOAD, struct.pack("<I", handle) + fixed("", CLIENT_NAME) + b"\0" * 3)
            self.assertEqual(self.ask(sock, unload), -ENOENT)
        # ipc::BufferSizeRequest: frames, from_process_thread.
        self.assertEqual(self.ask(sock, message(SET_BUFFER_SIZE, struct.pack("<II", 0xFFFFFFFF, 0))), -EINVAL)
        self.assertEqual(self.ask(sock, message(SET_BUFFER_SIZE, struct.pack("<II", 1, 1))), -EINVAL)
        self.assertEqual(self.ask(sock, message(METADATA, struct.pack("<IIQIIII", 77, 0, 1, 0, 0, 0, 0))),
                         -EINVAL)
        self.assertIn("system:capture_1", self.server.lsp())
        self.assertEqual(self.ask(sock, message(CLOSE, b"\0" * 4)), 0)
        self.assert_dropped(sock)
        self.check_leaves_no_trace()

    def test_unterminated_names(self):
        # A client name filling its field without a NUL is read as its first 64 bytes.
        sock = self.connection()
        sock.send(message(OPEN, struct.pack("<III", wire.protocol_version(), 0, os.getpid()) + b"u" * CLIENT_NAME + b"\xff" * 3))
        data, fds, _, _ = socket.recv_fds(sock, 4096, 8)
        for fd in fds:
            os.close(fd)
        status, _, _, name = self.reply(data)
        self.assertEqual((status, name), (0, "u" * (CLIENT_NAME - 1)))
        # Names filling their fields: too long once prefixed, or no such port; never read past.
        self.assertEqual(self.ask(sock, message(PORT_REGISTER, struct.pack("<II", IS_INPUT, 0)
                                                + b"p" * PORT_NAME + b"\xff" * 3)), -ENAMETOOLONG)
        self.assertEqual(self.ask(sock, message(CONNECT, b"s" * PORT_NAME + b"d" * PORT_NAME)), -ENOENT)
        self.assertEqual(self.ask(sock, message(PORT_SET_ALIAS, struct.pack("<I", 1) + b"a" * PORT_NAME
                                                + b"\xff" * 3)), 0)
        self.assertEqual(self.ask(sock, message(PORT_UNSET_ALIAS, struct.pack("<I", 1) + b"a" * PORT_NAME
                                                + b"\xff" * 3)), 0)
        self.assertEqual(self.ask(sock, message(SESSION_NOTIFY, struct.pack("<I", 1) + b"t" * CLIENT_NAME
                                                + b"p" * PORT_NAME + b"\xff" * 2)), 0)
        self.assertEqual(self.ask(sock, message(INTERNAL_HANDLE, struct.pack("<I", 0) + b"n" * CLIENT_NAME
                                                + b"\xff" * 3)), -ENOENT)
        self.check_leaves_no_trace(sock)

    def test_out_of_order_messages(self):
        sock = self.opened("order")
        self.assertEqual(self.ask(sock, open_request("again")), -EPROTO)  # open twice
        self.assertEqual(self.ask(sock, register_request("out", IS_OUTPUT)), 0)
        # Connecting an inactive client's port is refused, as in JACK.
        self.assertEqual(self.ask(sock, connect_request("order:out", "system:playback_1")), -EINVAL)
        self.assertEqual(self.ask(sock, message(DEACTIVATE, b"\0" * 4)), 0)  # never activated
        self.assertEqual(self.ask(sock, message(RELEASE_TIMEBASE, b"\0" * 4)), EINVAL)  # never held
        self.assertEqual(self.ask(sock, message(SESSION_REPLY, b"\0" * 2052)), -EINVAL)  # nobody asked
        self.assertEqual(self.ask(sock, connect_request("order:out", "system:playback_1", DISCONNECT)), -ENOENT)
        self.assertEqual(self.ask(sock, message(CLOSE, b"\0" * 4)), 0)
        self.assert_dropped(sock)
        # A client that unregisters ports of a client that already left.
        other = self.opened("other")
        self.assertEqual(self.ask(other, register_request("gone", IS_OUTPUT)), 0)
        port = self.reply_value
        other.close()
        self.wait_for_fds(self.baseline())
        sock = self.opened("late")
        self.assertEqual(self.ask(sock, u32_request(PORT_UNREGISTER, port)), -EINVAL)
        self.check_leaves_no_trace(sock)

    def test_flood_without_reading_replies(self):
        sock = self.opened("flood")
        sock.setblocking(False)
        request = u32_request(PORT_UNREGISTER, 0xFFFFFFFF)  # answered with -EINVAL, changes nothing
        sent = 0
        stalled_since = None
        while sent < 50000:
            try:
                sock.send(request)
                sent += 1
                stalled_since = None
            except BlockingIOError:
                # Both socket buffers are full: the server has stopped reading from us.
                stalled_since = stalled_since or time.time()
                if time.time() - stalled_since > 1:
                    break
                time.sleep(0.01)
            except (ConnectionResetError, BrokenPipeError):
                break
        self.assertGreater(sent, 1000)
        # Everyone else is served meanwhile.
        self.assert_healthy()
        # The server answered what it could (each with -EINVAL) and dropped the client once its
        # replies no longer fit: never blocked on it.
        sock.setblocking(True)
        sock.settimeout(10)
        answered = resets = 0
        while True:
            try:
                data = sock.recv(1 << 16)
            except ConnectionResetError:
                # The kernel reports a peer that closed with our requests unread once, ahead of
                # the replies still queued for us (then the end): those are read too.
                resets += 1
                if resets > 1:
                    break
                continue
            if not data:
                break
            self.assertEqual(self.reply(data)[0], -EINVAL)
            answered += 1
        self.assertGreater(answered, 100)
        self.assertLess(answered, sent)
        other = self.opened("bystander")
        self.assertEqual(self.ask(other, register_request("p", IS_OUTPUT)), 0)
        self.check_leaves_no_trace(sock, other)

    def test_silent_client(self):
        silent = self.connection()
        half_open = self.connection()
        half_open.send(b"")  # an empty datagram: not an open request
        self.assert_dropped(half_open)
        # The server serves everyone else while the silent connection stays open.
        self.assert_healthy()
        other = self.opened("talker")
        self.assertEqual(self.ask(other, register_request("p", IS_OUTPUT)), 0)
        other.close()
        self.wait_for_fds(self.baseline() + 1)  # just the silent connection
        self.check_leaves_no_trace(silent)


if __name__ == "__main__":
    unittest.main()
