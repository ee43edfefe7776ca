"""bantamd's request wire format, as tests write it by hand (src/ipc/protocol.hpp): the request
types, the fixed field sizes, and builders for the requests the hostile-input test and the
fuzzer's seed corpus send. A message is [u32 type][u32 payload size][payload]."""

import os
import re
import struct

# ipc::RequestType
(OPEN, CLOSE, ACTIVATE, DEACTIVATE, PORT_REGISTER, PORT_UNREGISTER, PORT_RENAME, PORT_SET_ALIAS,
 PORT_UNSET_ALIAS, CONNECT, DISCONNECT, PORT_DISCONNECT_ALL, SET_BUFFER_SIZE, SET_LATENCY_RANGE,
 SET_TIMEBASE, RELEASE_TIMEBASE, SET_SYNC_TIMEOUT, METADATA, SET_FREEWHEEL, RECOMPUTE_LATENCIES,
 REQUEST_MONITOR, RESET_MAX_DELAY, SET_SESSION_CALLBACK, SESSION_NOTIFY, SESSION_REPLY,
 INTERNAL_LOAD, INTERNAL_UNLOAD, INTERNAL_HANDLE, INTERNAL_NAME) = range(1, 30)

CLIENT_NAME, PORT_NAME = 65, 321  # field sizes, NUL included
REPLY = struct.Struct("<iIII321s3x")  # ipc::Reply
IS_INPUT, IS_OUTPUT = 1, 2
AUDIO, MIDI = 0, 1


def fixed(text, size):
    """A fixed-size name field: truncated or NUL-padded, never terminated beyond that."""
    data = text.encode() if isinstance(text, str) else text
    return data[:size].ljust(size, b"\0")


def message(kind, payload):
    return struct.pack("<II", kind, len(payload)) + payload


def protocol_version():
    """ipc::kProtocolVersion, read from its header so that the tests follow a change."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "ipc",
                          "shared_layout.hpp")
    with open(header) as f:
        return int(re.search(r"kProtocolVersion = (\d+);", f.read()).group(1))


def open_request(client, pid, protocol=None, options=0):
    protocol = protocol_version() if protocol is None else protocol
    return message(OPEN, struct.pack("<III", protocol, options, pid) + fixed(client, CLIENT_NAME) + b"\0" * 3)


def u32_request(kind, value):
    return message(kind, struct.pack("<I", value))


def port_name_request(kind, port, name):
    return message(kind, struct.pack("<I", port) + fixed(name, PORT_NAME) + b"\0" * 3)


def register_request(name, flags=IS_INPUT, port_type=AUDIO):
    return message(PORT_REGISTER, struct.pack("<II", flags, port_type) + fixed(name, PORT_NAME) + b"\0" * 3)


def connect_request(source, destination, kind=CONNECT):
    return message(kind, fixed(source, PORT_NAME) + fixed(destination, PORT_NAME))
