"""Run by test_python_client.py through bantam-run with Debian's python3-jack-client: the
`jack` module talks to Bantam's libjack.so.0. Each check asserts; any failure exits non-zero."""

import os
import sys
import threading
import time

import jack

server = os.environ["JACK_DEFAULT_SERVER"]
checks = []


def check(fn):
    checks.append(fn)
    return fn


@check
def library_is_bantams():
    maps = open("/proc/self/maps").read()
    libjack = {line.split()[-1] for line in maps.splitlines() if "libjack.so" in line}
    assert len(libjack) == 1 and "/usr/lib" not in next(iter(libjack)), libjack


@check
def names_and_status():
    a = jack.Client("pyclient", no_start_server=True)
    assert a.name == "pyclient"
    assert a.status.name_not_unique is False
    b = jack.Client("pyclient", no_start_server=True)
    assert b.name == "pyclient-01", b.name
    assert b.status.name_not_unique
    try:
        jack.Client("pyclient", use_exact_name=True, no_start_server=True)
        raise AssertionError("exact name clash must fail")
    except jack.JackOpenError as error:
        assert "name_not_unique" in repr(error.status) or error.status.name_not_unique
    # The longest name JACK allows (64 characters) round-trips.
    long_name = "n" * (jack.client_name_size() - 1)
    c = jack.Client(long_name, no_start_server=True)
    assert c.name == long_name
    try:
        jack.Client("m" * jack.client_name_size(), no_start_server=True)
        raise AssertionError("a name one longer than allowed must fail")
    except jack.JackOpenError:
        pass
    for client in (a, b, c):
        client.close()


@check
def missing_server_fails_without_starting_one():
    try:
        jack.Client("nobody", servername="no-such-server", no_start_server=True)
        raise AssertionError("opened a client on a server that does not exist")
    except jack.JackOpenError as error:
        assert error.status.server_failed and error.status.failure


@check
def sizes_and_versions():
    assert jack.client_name_size() == 65
    assert jack.port_name_size() == 321
    assert jack.version_string() == "1.9.21"


@check
def ports_flags_lookup_and_regex():
    client = jack.Client("porter", no_start_server=True)
    out = client.outports.register("out")
    inp = client.inports.register("in")
    midi = client.midi_inports.register("midi_in")
    assert out.name == "porter:out" and out.shortname == "out"
    assert out.is_output and not out.is_input and not out.is_physical
    assert inp.is_input
    assert midi.is_midi and not midi.is_audio
    client.activate()
    found = client.get_port_by_name("porter:out")
    assert found.name == out.name
    # Unanchored extended regex; physical ports first.
    names = [p.name for p in client.get_ports("capture|porter")]
    assert names == ["system:capture_1", "system:capture_2", "porter:out", "porter:in", "porter:midi_in"], names
    assert [p.name for p in client.get_ports(is_physical=True, is_input=True)] == \
        ["system:playback_1", "system:playback_2"]
    assert [p.name for p in client.get_ports(is_midi=True)] == ["porter:midi_in"]
    assert [p.name for p in client.get_ports("^porter:o", is_audio=True)] == ["porter:out"]
    out.shortname = "renamed"
    assert out.name == "porter:renamed"
    assert client.get_port_by_name("porter:renamed").name == "porter:renamed"
    out.set_alias("porter:alias1")
    assert out.aliases == ["porter:alias1"]
    assert client.get_port_by_name("porter:alias1").name == "porter:renamed"
    out.unset_alias("porter:alias1")
    assert out.aliases == []
    inp.unregister()
    assert "porter:in" not in [p.name for p in client.get_ports()]
    client.deactivate()
    client.close()


@check
def connections_and_callbacks():
    watcher = jack.Client("watcher", no_start_server=True)
    events = []
    lock = threading.Lock()

    def record(*event):
        with lock:
            events.append(event)

    watcher.set_client_registration_callback(lambda name, reg: record("client", name, reg))
    watcher.set_port_registration_callback(lambda port, reg: record("port", port.name, reg), only_available=False)
    watcher.set_port_connect_callback(lambda a, b, c: record("connect", a.name, b.name, c), only_available=False)
    watcher.set_graph_order_callback(lambda: record("graph"))
    rates = []
    watcher.set_samplerate_callback(lambda rate: rates.append(rate))
    assert rates == [48000], rates  # called at once, on the caller's thread
    watcher.activate()

    other = jack.Client("other", no_start_server=True)
    port = other.outports.register("out")
    other.activate()
    other.connect("other:out", "system:playback_1")
    assert port.is_connected_to("system:playback_1")  # true as soon as connect returns
    assert [p.name for p in port.connections] == ["system:playback_1"]
    try:
        other.connect("other:out", "system:playback_1")
        raise AssertionError("duplicate connect must fail")
    except jack.JackErrorCode as error:
        assert error.code == 17, error.code  # EEXIST
    other.disconnect("other:out", "system:playback_1")
    assert not port.is_connected_to("system:playback_1")
    other.deactivate()
    other.close()
    time.sleep(0.3)
    with lock:
        seen = list(events)
    assert ("client", "other", True) in seen, seen
    assert ("port", "other:out", True) in seen, seen
    assert ("connect", "other:out", "system:playback_1", True) in seen, seen
    assert ("connect", "other:out", "system:playback_1", False) in seen, seen
    assert ("client", "other", False) in seen, seen
    # The id in an unregistration callback still resolves, to the port as it last was.
    assert ("port", "other:out", False) in seen, seen
    assert ("graph",) in seen
    order = [e for e in seen if e[0] in ("client", "connect")]
    assert order.index(("client", "other", True)) < order.index(("connect", "other:out", "system:playback_1", True))
    watcher.close()


@check
def process_callback_and_time():
    client = jack.Client("timer", no_start_server=True)
    frames = []
    threads = set()

    @client.set_process_callback
    def process(n):
        frames.append((n, client.last_frame_time))
        threads.add(threading.get_ident())

    sizes = []
    client.set_blocksize_callback(lambda size: sizes.append(size))
    client.activate()
    time.sleep(0.5)
    client.deactivate()
    count = len(frames)
    time.sleep(0.2)
    assert len(frames) == count, "process ran while inactive"
    assert count > 10, count
    assert all(n == client.blocksize for n, _ in frames)
    starts = [t for _, t in frames]
    # Cycle after cycle the frame clock moves one period; a cycle the (slow, Python) callback
    # missed moves it by whole periods, never by anything else.
    steps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(s > 0 and s % client.blocksize == 0 for s in steps), steps
    assert sum(s == client.blocksize for s in steps) >= 0.9 * len(steps), steps
    assert sizes[:1] == [client.blocksize], sizes
    assert len(threads) == 1
    assert client.samplerate == 48000
    assert client.frame_time >= starts[-1]
    client.close()


@check
def buffer_size_change_waits_for_callbacks():
    import subprocess
    client = jack.Client("resizer", no_start_server=True)
    log = []
    lock = threading.Lock()

    def on_size(size):
        with lock:
            log.append(("callback begins", size))
        time.sleep(0.3)  # a slow callback: no cycle may run at the new size meanwhile
        with lock:
            log.append(("callback returns", size))

    @client.set_process_callback
    def process(n):
        with lock:
            if not log or log[-1] != ("process", n):
                log.append(("process", n))

    client.set_blocksize_callback(on_size)
    client.activate()
    time.sleep(0.2)
    old = client.blocksize
    new = 512 if old != 512 else 1024
    subprocess.run(["jack_bufsize", str(new)], check=True, capture_output=True)
    time.sleep(0.3)
    client.deactivate()
    client.close()
    with lock:
        events = list(log)
    begins = events.index(("callback begins", new))
    returns = events.index(("callback returns", new))
    first_new = events.index(("process", new))
    assert begins < returns < first_new, events
    assert ("process", old) not in events[begins:], events
    assert events.count(("callback begins", new)) == 1, events


@check
def ringbuffer():
    rb = jack.RingBuffer(100)
    assert rb.size == 128 and rb.write_space == 127
    assert rb.write(b"hello world") == 11
    assert rb.peek(5) == b"hello"
    assert rb.read(6) == b"hello "
    assert rb.read_space == 5
    assert rb.read(100) == b"world"


for fn in checks:
    fn()
    print("ok", fn.__name__)
print("%d checks passed" % len(checks))
