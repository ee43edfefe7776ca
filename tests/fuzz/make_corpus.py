#!/usr/bin/env python3
"""Writes the request fuzzer's seed corpus (tests/fuzz/corpus/seed-*): sessions of requests in
the fuzzer's record format (see request_fuzzer.cpp), each a plausible client conversation or a
known kind of hostile input. Run from anywhere; existing seed-* files are replaced, other files
(inputs the fuzzer found) are left alone.

Record: [u8 control][u16 length LE][bytes]; control & 7 is the connection, control & 8 framed
([u8 type][payload], the fuzzer builds the header and sizes the payload)."""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from wire import *  # noqa: E402,F403 (request types, field sizes, message builders)
import wire  # noqa: E402

# Port ids of the fuzzer's system client: capture_1, capture_2, playback_1, playback_2.
CAPTURE_1, CAPTURE_2, PLAYBACK_1, PLAYBACK_2 = 1, 2, 3, 4

# Short names for the seed list below.
name = fixed
register, port_name, port_request, u32 = register_request, port_name_request, u32_request, u32_request


def open_request(client, protocol=None, options=0, pid=4242):
    return wire.open_request(client, pid, protocol, options)


def empty(kind):
    return message(kind, struct.pack("<I", 0))


def activate(realtime=1, latency_callback=0, tid=0):
    return message(ACTIVATE, struct.pack("<IIi", realtime, latency_callback, tid))


def connect(kind, source, destination):
    return connect_request(source, destination, kind)


def latency(port, mode, low, high):
    return message(SET_LATENCY_RANGE, struct.pack("<IIII", port, mode, low, high))


def monitor(port, change):
    return message(REQUEST_MONITOR, struct.pack("<Ii", port, change))


def sync_timeout(usecs):
    return message(SET_SYNC_TIMEOUT, struct.pack("<Q", usecs))


def metadata(op, subject, key=b"", value=b"", mime=b""):
    key, value, mime = (x.encode() if isinstance(x, str) else x for x in (key, value, mime))
    fixed = struct.pack("<IIQIIII", op, 0, subject, len(key), len(value), len(mime), 0)
    return message(METADATA, fixed + key + value + mime)


def session_notify(kind, target, path):
    return message(SESSION_NOTIFY, struct.pack("<I", kind) + name(target, CLIENT_NAME)
                   + name(path, PORT_NAME) + b"\0" * 2)


def session_reply(flags, command):
    return message(SESSION_REPLY, struct.pack("<I", flags) + name(command, 2048))


def internal(kind, handle, client=""):
    return message(kind, struct.pack("<I", handle) + name(client, CLIENT_NAME) + b"\0" * 3)


def record(slot, datagram, framed=False):
    return bytes([slot | (8 if framed else 0)]) + struct.pack("<H", len(datagram)) + datagram


def session(*records):
    """Records as (slot, datagram) pairs, or bare datagrams for slot 0."""
    out = b""
    for item in records:
        out += record(*item) if isinstance(item, tuple) else record(0, item)
    return out


def framed(slot, kind, payload):
    return record(slot, bytes([kind]) + payload, framed=True)


def seeds():
    thru = [open_request("thru"), register("in_1", IS_INPUT), register("in_2", IS_INPUT),
            register("out_1", IS_OUTPUT), register("out_2", IS_OUTPUT), activate()]
    wired = thru + [connect(CONNECT, "system:capture_1", "thru:in_1"),
                    connect(CONNECT, "thru:out_1", "system:playback_1"),
                    connect(CONNECT, "system:capture_2", "thru:in_2"),
                    connect(CONNECT, "thru:out_2", "system:playback_2")]
    yield "open", session(open_request("fuzz"))
    yield "open-close", session(open_request("fuzz"), empty(CLOSE))
    yield "open-bad-protocol", session(open_request("fuzz", protocol=7))
    yield "open-bad-options", session(open_request("fuzz", options=0x4000))
    yield "open-empty-name", session(open_request(""))
    yield "open-colon-name", session(open_request("a:b"))
    yield "open-unterminated-name", session(open_request(b"x" * CLIENT_NAME))
    yield "open-same-name-twice", session((0, open_request("dup")), (1, open_request("dup")),
                                          (2, open_request("dup", options=2)))
    yield "thru", session(*wired)
    yield "thru-deactivate-reactivate", session(*wired, empty(DEACTIVATE), activate(0),
                                                empty(DEACTIVATE))
    yield "thru-disconnect", session(*wired, connect(DISCONNECT, "thru:out_1", "system:playback_1"),
                                     connect(DISCONNECT, "thru:out_1", "system:playback_1"),
                                     port_request(PORT_DISCONNECT_ALL, 5))
    yield "duplicate-connection", session(*wired, connect(CONNECT, "system:capture_1", "thru:in_1"))
    yield "connect-wrong-direction", session(*thru, connect(CONNECT, "thru:in_1", "thru:out_1"),
                                             connect(CONNECT, "system:playback_1", "nobody:x"))
    yield "connect-inactive", session(open_request("idle"), register("o", IS_OUTPUT),
                                      connect(CONNECT, "idle:o", "system:playback_1"))
    yield "midi-ports", session(open_request("midi"), register("in", IS_INPUT, MIDI),
                                register("out", IS_OUTPUT, MIDI), activate(),
                                connect(CONNECT, "midi:out", "midi:in"),
                                connect(CONNECT, "system:capture_1", "midi:in"))
    yield "register-bad", session(open_request("bad"), register("both", IS_INPUT | IS_OUTPUT),
                                  register("neither", 0), register("", IS_INPUT),
                                  register("t", IS_INPUT, 7), register(b"p" * PORT_NAME, IS_OUTPUT),
                                  register("same", IS_INPUT), register("same", IS_INPUT))
    yield "unregister", session(*thru, port_request(PORT_UNREGISTER, 5),
                                port_request(PORT_UNREGISTER, 5), port_request(PORT_UNREGISTER, 1),
                                port_request(PORT_UNREGISTER, 0xFFFFFFFF),
                                port_request(PORT_UNREGISTER, 0))
    yield "rename", session(*wired, port_name(PORT_RENAME, 5, "renamed"),
                            port_name(PORT_RENAME, 6, "renamed"), port_name(PORT_RENAME, 1, "x"),
                            port_name(PORT_RENAME, 70000, "x"), port_name(PORT_RENAME, 6, ""))
    yield "alias", session(*thru, port_name(PORT_SET_ALIAS, 1, "alias_a"),
                           port_name(PORT_SET_ALIAS, 1, "alias_b"),
                           port_name(PORT_SET_ALIAS, 1, "alias_c"),
                           connect(CONNECT, "alias_a", "thru:in_1"),
                           port_name(PORT_UNSET_ALIAS, 1, "alias_a"),
                           port_name(PORT_UNSET_ALIAS, 1, "nothing"),
                           port_name(PORT_SET_ALIAS, 9999, "x"))
    yield "latency", session(*wired, latency(5, 0, 64, 128), latency(7, 1, 256, 256),
                             latency(7, 1, 9, 3), latency(4000, 0, 1, 2), activate(1, 1),
                             empty(RECOMPUTE_LATENCIES))
    yield "monitor", session(*thru, monitor(1, 1), monitor(1, 1), monitor(1, -1), monitor(1, 3),
                             monitor(1, 2), monitor(3, -1), monitor(0, 1), monitor(5000, 1))
    yield "buffer-size", session(*thru, u32(SET_BUFFER_SIZE, 128), u32(SET_BUFFER_SIZE, 128),
                                 u32(SET_BUFFER_SIZE, 8), u32(SET_BUFFER_SIZE, 1 << 20),
                                 u32(SET_BUFFER_SIZE, 64))
    yield "freewheel", session(*wired, u32(SET_FREEWHEEL, 1), u32(SET_FREEWHEEL, 1),
                               connect(DISCONNECT, "thru:out_2", "system:playback_2"),
                               u32(SET_FREEWHEEL, 0))
    yield "transport", session((0, open_request("a")), (0, activate()), (1, open_request("b")),
                               (1, activate()), (0, u32(SET_TIMEBASE, 1)), (1, u32(SET_TIMEBASE, 1)),
                               (1, u32(SET_TIMEBASE, 0)), (0, empty(RELEASE_TIMEBASE)),
                               (1, empty(RELEASE_TIMEBASE)), (0, sync_timeout(0)),
                               (0, sync_timeout(2 ** 64 - 1)), (0, empty(RESET_MAX_DELAY)))
    yield "timebase-master-closes", session((0, open_request("m")), (0, u32(SET_TIMEBASE, 0)),
                                            (0, empty(CLOSE)), (1, open_request("n")),
                                            (1, empty(RELEASE_TIMEBASE)))
    yield "metadata", session(open_request("meta"), register("p", IS_OUTPUT),
                              metadata(1, (2 << 32) | 2, "http://jackaudio.org/metadata/pretty-name",
                                       "Pretty", "text/plain"),
                              metadata(1, (1 << 32) | 5, "key", "value"),
                              metadata(1, (1 << 32) | 5, "key", "changed"),
                              metadata(2, (1 << 32) | 5, "key"), metadata(2, (1 << 32) | 5, "none"),
                              metadata(3, (1 << 32) | 5), metadata(4, 0),
                              metadata(5, (1 << 32) | 5, "key"), metadata(5, (1 << 32) | 5, "key"),
                              metadata(6, (2 << 32) | 2), metadata(1, 77, "", "v"),
                              metadata(9, 1, "k"), metadata(7, 0))
    yield "metadata-large", session(open_request("big"), metadata(1, 1, "k" * 100, "v" * 30000, "t"),
                                    metadata(4, 0))
    yield "metadata-bad-sizes", session(open_request("m"), message(METADATA, struct.pack(
        "<IIQIIII", 1, 0, 1, 5, 5, 5, 0) + b"abc"))
    yield "session", session((0, open_request("saver")), (0, u32(SET_SESSION_CALLBACK, 1)),
                             (0, activate()), (1, open_request("manager")),
                             (1, session_notify(1, "", "fuzz-session")),
                             (0, session_reply(0, "saver --restore ${SESSION_DIR}")),
                             (0, session_reply(0, "again")),
                             (1, session_notify(1, "saver", "")), (0, empty(CLOSE)))
    yield "session-requester-leaves", session((0, open_request("saver")),
                                              (0, u32(SET_SESSION_CALLBACK, 1)),
                                              (1, open_request("manager")),
                                              (1, session_notify(2, "", "")), (1, empty(CLOSE)),
                                              (0, session_reply(0, "x")))
    yield "internal", session(open_request("loader"), internal(INTERNAL_HANDLE, 0, "nothing"),
                              internal(INTERNAL_NAME, 3), internal(INTERNAL_UNLOAD, 1))
    yield "two-clients-chain", session(
        (0, open_request("a")), (0, register("o", IS_OUTPUT)), (0, register("i", IS_INPUT)),
        (0, activate()), (1, open_request("b")), (1, register("o", IS_OUTPUT)),
        (1, register("i", IS_INPUT)), (1, activate()), (0, connect(CONNECT, "a:o", "b:i")),
        (1, connect(CONNECT, "b:o", "a:i")), (1, connect(CONNECT, "b:o", "system:playback_1")),
        (0, empty(DEACTIVATE)), (1, empty(CLOSE)), (0, empty(CLOSE)))
    yield "requests-before-open", session(register("x", IS_INPUT), activate(), empty(CLOSE))
    yield "garbage-first", session(b"\xde\xad\xbe\xef" * 8)
    yield "truncated-open", session(open_request("cut")[:40])
    yield "oversized-open", session(open_request("big") + b"\0" * 2000)
    yield "oversized-request", session(open_request("big"), message(PORT_REGISTER, b"\0" * 61000))
    yield "wrong-size", session(open_request("ws"), message(ACTIVATE, b"\0" * 4))
    yield "header-size-lies", session(open_request("ws"),
                                      struct.pack("<II", PORT_REQUEST_TYPE, 4000) + b"\0" * 4)
    yield "unknown-type", session(open_request("u"), message(0, b""), message(99, b"\0" * 4))
    yield "unknown-type-count", session(open_request("u"), message(30, b"\0" * 4))
    yield "empty-datagram", session(open_request("e"), b"")
    yield "open-twice", session(open_request("o"), open_request("o"))
    yield "framed-thru", (framed(0, OPEN, struct.pack("<III", wire.protocol_version(), 0, 1) + b"f")
                          + framed(0, PORT_REGISTER, struct.pack("<II", 2, 0) + b"out")
                          + framed(0, PORT_REGISTER, struct.pack("<II", 1, 0) + b"in")
                          + framed(0, ACTIVATE, struct.pack("<I", 1))
                          + framed(0, CONNECT, name("f:out", PORT_NAME) + b"f:in")
                          + framed(0, METADATA, struct.pack("<IIQIII", 1, 0, 5, 1, 1, 1) + b"kvt"))
    yield "many-clients", b"".join(record(slot, open_request("c%d" % slot)) for slot in range(8)) + \
        b"".join(record(slot, activate()) for slot in range(8)) + \
        b"".join(record(slot, empty(CLOSE)) + record(slot, open_request("again%d" % slot))
                 for slot in range(8)) * 2


PORT_REQUEST_TYPE = PORT_UNREGISTER


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for existing in os.listdir(CORPUS):
        if existing.startswith("seed-"):
            os.remove(os.path.join(CORPUS, existing))
    count = 0
    for label, data in seeds():
        with open(os.path.join(CORPUS, "seed-" + label), "wb") as f:
            f.write(data)
        count += 1
    print("%d seeds in %s" % (count, CORPUS))


if __name__ == "__main__":
    main()
