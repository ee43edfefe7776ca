"""Integration test harness: a real bantamd on the dummy driver, real JACK programs run
unmodified through bantam-run, and WAV files to hear what the graph produced.

Each Server gets its own runtime directory and server name, so tests may run in parallel.
"""

import collections
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

BUILD_DIR = os.environ.get("BANTAM_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
BIN = os.path.join(BUILD_DIR, "bin")
BANTAMD = os.path.join(BIN, "bantamd")
BANTAM_RUN = os.path.join(BIN, "bantam-run")
TEST_CLIENTS = os.path.join(BUILD_DIR, "tests", "integration")


def sanitizer():
    """The sanitizers this build was configured with (BANTAM_SANITIZE), or ''."""
    try:
        with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("BANTAM_SANITIZE:"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def write_wav(path, rate, channels, int16=False):
    """channels: list of equal-length lists of floats. Float32 WAV unless int16."""
    frames = len(channels[0]) if channels else 0
    count = len(channels)
    if int16:
        fmt_tag, width = 1, 2
        data = b"".join(struct.pack("<" + "h" * count, *(int(round(ch[i] * 32767)) for ch in channels))
                        for i in range(frames))
    else:
        fmt_tag, width = 3, 4
        interleaved = [ch[i] for i in range(frames) for ch in channels]
        data = struct.pack("<%df" % len(interleaved), *interleaved)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, fmt_tag, count, rate, rate * count * width,
                                   count * width, width * 8)
    header += b"data" + struct.pack("<I", len(data))
    with open(path, "wb") as f:
        f.write(header + data)


def read_wav(path):
    """Returns (rate, channels) with samples as floats (float WAV) or ints (PCM WAV)."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WAVE", "%s is not a WAV file" % path
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(blob):
        chunk, size = blob[pos:pos + 4], struct.unpack("<I", blob[pos + 4:pos + 8])[0]
        body = blob[pos + 8:pos + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif chunk == b"data":
            data = body
        pos += 8 + size + (size & 1)
    tag, count, rate, _, _, bits = fmt
    if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the subformat's first two bytes are the tag
        tag = 3 if bits == 32 and b"\x03\x00" == blob[blob.find(b"fmt ") + 8 + 24:][:2] else 1
    if tag == 3:
        values = struct.unpack("<%df" % (len(data) // 4), data[: len(data) // 4 * 4])
    elif bits == 16:
        values = struct.unpack("<%dh" % (len(data) // 2), data[: len(data) // 2 * 2])
    elif bits == 32:
        values = struct.unpack("<%di" % (len(data) // 4), data[: len(data) // 4 * 4])
    else:
        raise AssertionError("unsupported WAV format %r" % (fmt,))
    return rate, [list(values[c::count]) for c in range(count)]


def noise(frames, seed, scale=32767):
    """A signal no two stretches of which look alike: random multiples of 1/scale in (-0.5, 0.5),
    exactly representable as float and as 16-bit PCM, never zero."""
    rng = random.Random(seed)
    values = [(rng.randint(-scale // 2, scale // 2) or 1) / scale for _ in range(frames)]
    # Rounded to float32, as they travel through the graph.
    return list(struct.unpack("<%df" % frames, struct.pack("<%df" % frames, *values)))


class Server:
    def __init__(self, period=256, rate=48000, capture=2, playback=2, sync=False,
                 capture_signal=None, record=True, extra_server_args=(), timeout_ms=None,
                 extra_driver_args=(), name=None, runtime_dir=None, driver="dummy", extra_env=None,
                 default_runtime_dir=False):
        """driver="dummy" (the default) takes the dummy driver's settings from the arguments
        above; any other driver gets only `-d DRIVER *extra_driver_args` (its own options),
        and extra_env is added to the environment of bantamd and of every program run."""
        self.dir = tempfile.mkdtemp(prefix="bantam-test-")
        os.chmod(self.dir, 0o700)
        # Sockets live in runtime_dir (default: the server's own directory, which also holds its
        # logs); servers with different names may share one.
        self.runtime_dir = runtime_dir or self.dir
        if default_runtime_dir:  # where every process of this user looks without BANTAM_RUNTIME_DIR
            self.runtime_dir = ("/dev/shm" if os.path.isdir("/dev/shm") else "/tmp") + "/bantam-%d" % os.getuid()
        self.default_runtime_dir = default_runtime_dir
        self.name = name or "t%d" % os.getpid()
        self.rate, self.period = rate, period
        self.capture_path = None
        self.extra_env = dict(extra_env or {})
        self.playback_path = os.path.join(self.dir, "playback.wav") if record and driver == "dummy" else None
        args = [BANTAMD, "-n", self.name, *extra_server_args]
        if sync:
            args.append("-S")
        if timeout_ms:
            args += ["-t", str(timeout_ms)]
        if driver != "dummy":
            assert capture_signal is None, "capture_signal needs the dummy driver"
            args += ["-d", driver]
        else:
            args += ["-d", "dummy", "-r", str(rate), "-p", str(period), "-C", str(capture), "-P", str(playback)]
        if capture_signal is not None:
            self.capture_path = os.path.join(self.dir, "capture.wav")
            write_wav(self.capture_path, rate, capture_signal)
            args += ["--capture-file", self.capture_path]
        if self.playback_path:
            args += ["--playback-file", self.playback_path]
        args += list(extra_driver_args)
        self.args = args
        self.proc = None
        self.log = None
        self.children = []

    def env(self):
        env = dict(os.environ)
        env.update(BANTAM_RUNTIME_DIR=self.runtime_dir, JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1")
        if self.default_runtime_dir:
            del env["BANTAM_RUNTIME_DIR"]
        env.update(self.extra_env)
        return env

    def __enter__(self):
        self.log = open(os.path.join(self.dir, "bantamd.log"), "w+")
        self.proc = subprocess.Popen(self.args, env=self.env(), stdout=self.log, stderr=subprocess.STDOUT)
        socket_path = self.socket_path()
        deadline = time.time() + 10
        while not self.accepting(socket_path):
            assert self.proc.poll() is None, "bantamd exited: " + self.server_log()
            assert time.time() < deadline, "bantamd did not start listening"
            time.sleep(0.02)
        return self

    def socket_path(self):
        return os.path.join(self.runtime_dir, self.name + ".sock")

    @staticmethod
    def accepting(path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            probe.connect(path)
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and self.log:
            # The temporary directory goes with the test: what the server said while the test
            # failed (a client hung, say) is kept in the test's output instead.
            sys.stderr.write("--- %s log of the failed test (%s):\n%s--- end of log\n" % (
                os.path.basename(self.args[0]), exc_type.__name__, self.server_log()[-20000:]))
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in self.children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.stop()
        return False

    def terminate(self):
        """SIGTERM, then SIGKILL after 10 s; returns False if it took the SIGKILL."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return False
        return True

    def stop(self):
        assert self.terminate(), "bantamd did not stop on SIGTERM"
        assert self.proc.returncode == 0, "bantamd exit code %s: %s" % (self.proc.returncode, self.server_log())

    def final_xruns(self):
        """The xruns the stopped server counted in all, from its last log line."""
        found = re.search(r"ran \d+ cycles, (\d+) xruns", self.server_log())
        assert found, "the server did not report its xruns: " + self.server_log()[-2000:]
        return int(found[1])

    def server_log(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def run(self, *args, timeout=20, check=True, stdin=None):
        """Runs a JACK program to completion through bantam-run; returns CompletedProcess."""
        result = subprocess.run([BANTAM_RUN, *args], env=self.env(), capture_output=True, text=True,
                                timeout=timeout, input=stdin)
        if check:
            assert result.returncode == 0, "%s exited %d\nstdout: %s\nstderr: %s" % (
                args, result.returncode, result.stdout, result.stderr)
        return result

    def run_checks(self, script):
        """Runs one of scripts/*.py with Debian's python3 and its jack module (python3-jack-client),
        an unmodified program on our libjack; returns its stdout, failing on a non-zero exit."""
        path = os.path.join(os.path.dirname(__file__), "scripts", script)
        result = self.run("/usr/bin/python3", path, timeout=60, check=False)
        assert result.returncode == 0, "%s failed:\n%s%s" % (script, result.stdout, result.stderr)
        return result.stdout

    def spawn(self, *args, direct=False, stdin=subprocess.DEVNULL):
        """Starts a JACK program in the background; stopped with SIGINT at exit. `direct` runs one
        of our own test clients as built (it finds our libjack through its RUNPATH); with
        stdin=subprocess.PIPE a test writes to proc.stdin."""
        out = open(os.path.join(self.dir, "%s-%d.log" % (os.path.basename(args[0]), len(self.children))), "w+")
        command = list(args) if direct else [BANTAM_RUN, *args]
        proc = subprocess.Popen(command, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=stdin, text=True)
        proc.log_path = out.name
        self.children.append(proc)
        return proc

    def lsp(self, *flags):
        return self.run("jack_lsp", *flags).stdout

    def status(self):
        """`bantam status` as a dict: cycles, xruns, driver_xruns (the driver late or the device
        losing data), max_delay_ms (the driver's latest wake-up since the start), and
        client_xruns (by client name, the xruns blamed on it)."""
        out = subprocess.run([os.path.join(BIN, "bantam"), "status"], env=self.env(), capture_output=True,
                             text=True, timeout=10).stdout
        counts = re.search(r"cycles: (\d+) .* xruns: (\d+) \((\d+) from the driver\)\s+longest driver delay: "
                           r"([\d.]+) ms", out)
        assert counts, "unexpected bantam status: " + out
        clients = out.split("\nclients:\n")[1].split("\ngraph:")[0].split("\n")
        return {"cycles": int(counts[1]), "xruns": int(counts[2]), "driver_xruns": int(counts[3]),
                "max_delay_ms": float(counts[4]),
                "client_xruns": {name: int(count) for name, count in
                                 (line.strip().rsplit("  xruns ", 1) for line in clients if line.strip())}}

    def blamed_xruns(self):
        """From the server's log (it must run with -v): how many xruns were blamed on each client,
        by name, including clients that have gone since."""
        blamed = collections.Counter()
        for line in self.server_log().split("\n"):
            found = re.search(r"xrun: client '(.*)' did not finish in time", line)
            if found:
                blamed[found[1]] += 1
        return blamed

    def wait_for_port(self, name, timeout=10):
        deadline = time.time() + timeout
        while name not in self.lsp().split("\n"):
            assert time.time() < deadline, "port %s never appeared" % name
            time.sleep(0.05)

    def wait_for_connection(self, source, destination, timeout=10):
        deadline = time.time() + timeout
        while "%s\n   %s\n" % (source, destination) not in self.lsp("-c") + "\n":
            assert time.time() < deadline, "%s never got connected to %s" % (source, destination)
            time.sleep(0.05)

    def spawn_thru(self, name="jack_thru"):
        """Starts Debian's jack_thru and waits until it has made its own connections
        (capture -> its inputs, its outputs -> playback), which it does after activating."""
        proc = self.spawn("jack_thru", name) if name != "jack_thru" else self.spawn("jack_thru")
        self.wait_for_port(name + ":output_2")
        self.wait_for_connection(name + ":output_2", "system:playback_2")
        self.wait_for_connection(name + ":input_2", "system:capture_2")
        return proc

    def connect(self, source, destination, timeout=10):
        """Connects two ports. A program's ports appear when it registers them, before it
        activates, and (as in JACK) ports of an inactive client cannot be connected yet: so a
        refusal is retried until the deadline."""
        deadline = time.time() + timeout
        while True:
            result = self.run("jack_connect", source, destination, check=False)
            if result.returncode == 0:
                return
            assert time.time() < deadline, "cannot connect %s to %s: %s" % (source, destination, result.stderr)
            time.sleep(0.05)

    def playback(self):
        """Stops the server (if still running) and returns what reached the playback ports."""
        self.stop()
        return read_wav(self.playback_path)[1]


class Jackd2Server(Server):
    """Debian's jackd2 on its dummy driver, with the same interface as Server for the programs a
    test runs (run, spawn, connect, lsp, wait_for_port, ...), so one check can run against both
    servers. Programs run directly on Debian's libjack; jackd2's dummy driver records nothing,
    so a test that compares audio records it with a client (jack_rec, jack_capture) on both."""

    def __init__(self, period=256, rate=48000, capture=2, playback=2, sync=False, name=None,
                 extra_server_args=(), extra_env=None):
        self.dir = tempfile.mkdtemp(prefix="jackd2-test-")
        # One name for every test (they run one at a time): jackd2 keeps a registry of 8 servers
        # in /dev/shm and reclaims the entry a dead server left only for a server of the same
        # name, so names that differ per test would fill it after a few crashes of jackd2.
        self.name = name or "bantam_reference"
        self.rate, self.period = rate, period
        self.extra_env = dict(extra_env or {})
        self.playback_path = None
        args = ["jackd", "-n", self.name, *extra_server_args]
        if sync:
            args.append("-S")
        self.args = args + ["-d", "dummy", "-r", str(rate), "-p", str(period), "-C", str(capture),
                            "-P", str(playback)]
        self.proc = None
        self.log = None
        self.children = []

    def env(self):
        env = dict(os.environ)
        for name in ("LD_LIBRARY_PATH", "LD_PRELOAD", "BANTAM_RUNTIME_DIR"):
            env.pop(name, None)
        env.update(HOME=self.dir, JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1")
        # In a sanitizer build our own test clients run against jackd2 too, on Debian's
        # uninstrumented libjack: what TSan or LeakSanitizer say of that pairing is not about
        # Bantam (TSan cannot see jackd2's synchronization), so only crashes count there.
        env["TSAN_OPTIONS"] = env.get("TSAN_OPTIONS", "") + ":report_bugs=0"
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        env.update(self.extra_env)
        return env

    def __enter__(self):
        self.log = open(os.path.join(self.dir, "jackd.log"), "w+")
        # jackd2 servers share one registry in /dev/shm, and one that starts while another
        # (of any name) does may give up at once: that is retried, a few times.
        for attempt in range(4):
            self.proc = subprocess.Popen(self.args, env=self.env(), stdout=self.log, stderr=subprocess.STDOUT)
            deadline = time.time() + 15
            while subprocess.run(["jack_wait", "-c"], env=self.env(), capture_output=True,
                                 text=True).stdout.strip() != "running":
                if self.proc.poll() is not None:
                    break
                assert time.time() < deadline, "jackd did not start"
                time.sleep(0.05)
            else:
                return self
            time.sleep(0.2 + random.random())
        raise AssertionError("jackd exited four times: " + self.server_log())

    def stop(self):
        self.terminate()  # jackd2 is the reference, not under test: how it ends is not judged

    def run(self, *args, timeout=20, check=True, stdin=None):
        result = subprocess.run(list(args), env=self.env(), capture_output=True, text=True,
                                timeout=timeout, input=stdin)
        if check:
            assert result.returncode == 0, "%s exited %d on jackd2\nstdout: %s\nstderr: %s" % (
                args, result.returncode, result.stdout, result.stderr)
        return result

    def spawn(self, *args, direct=False, stdin=subprocess.DEVNULL):
        out = open(os.path.join(self.dir, "%s-%d.log" % (os.path.basename(args[0]), len(self.children))), "w+")
        proc = subprocess.Popen(list(args), env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=stdin, text=True)
        proc.log_path = out.name
        self.children.append(proc)
        return proc

    def status(self):
        raise AssertionError("bantam status has no jackd2 counterpart")

    def playback(self):
        raise AssertionError("jackd2's dummy driver records nothing: record with a client")


def read_log(proc):
    with open(proc.log_path) as f:
        return f.read()


def wait_for_output(proc, text, timeout=30):
    """Waits until a spawned program has printed `text`; fails if it exits first or never does."""
    deadline = time.time() + timeout
    while text not in read_log(proc):
        assert proc.poll() is None, "%s exited (%s) before printing %r:\n%s" % (
            proc.args, proc.returncode, text, read_log(proc)[-3000:])
        assert time.time() < deadline, "%s never printed %r:\n%s" % (proc.args, text, read_log(proc)[-3000:])
        time.sleep(0.05)


def first_nonzero(samples):
    for i, v in enumerate(samples):
        if v != 0:
            return i
    return -1


RATE = 48000
PERIOD = 1024


def split_at_silence(samples, length):
    """`samples` cut at every stretch of at least `length` zeros (the stretches dropped)."""
    runs, begin, i = [], 0, 0
    while i < len(samples):
        if samples[i] != 0:
            i += 1
            continue
        zeros_end = next((j for j in range(i, len(samples)) if samples[j] != 0), len(samples))
        if zeros_end - i >= length:
            runs.append(samples[begin:i])
            begin = zeros_end
        i = zeros_end
    runs.append(samples[begin:])
    return runs


def matching_suffix(out, expected):
    """Length of the longest tail of `out` equal, sample for sample, to `expected` at the same
    frame indices."""
    n = min(len(out), len(expected))
    length = 0
    while length < n and out[n - 1 - length] == expected[n - 1 - length]:
        length += 1
    return length, n


class AudioAssertions:
    """Checks on recorded audio, mixed into TestCase classes."""

    def assert_tail_identical(self, out, expected, minimum_frames=RATE, period=PERIOD, xruns=0):
        """The end of `out` is `expected` at the same frame indices, from a period boundary on,
        for at least `minimum_frames`. Given `xruns` (the server's count), up to three silent
        periods per xrun may break that stretch (cycles a client missed; a busy machine stalls
        now and then); they do not count towards its length."""
        length, end = matching_suffix(out, expected)
        start = end - length
        self.assertEqual(start % period, 0, "the identical stretch starts mid-period at %d" % start)
        exact, silent = length, 0
        while exact < minimum_frames and silent < 3 * xruns and start >= period:
            chunk = out[start - period:start]
            if chunk == expected[start - period:start]:
                exact += period
            elif not any(chunk):
                silent += 1
            else:
                break
            start -= period
        self.assertGreaterEqual(exact, minimum_frames, "only %d frames at the end match the expected signal "
                                "(%d silent periods in it, %d xruns)" % (exact, silent, xruns))
        return start

    def assert_identical_or_silent_periods(self, out, expected, period, minimum_ratio=0.95, at_most_silent=None):
        """From the first sound on, every period is either exactly the expected signal or
        silence (a cycle a client missed), never anything else; and at least `minimum_ratio` of
        them exact, or, given `at_most_silent` (the xruns the server counted meanwhile, say), at
        most that many silent."""
        start = next(i for i, v in enumerate(out) if v != 0)
        start -= start % period
        exact = silent = 0
        for begin in range(start, len(out) - period + 1, period):
            chunk = out[begin:begin + period]
            if chunk == expected[begin:begin + period]:
                exact += 1
            elif not any(chunk):
                silent += 1
            else:
                self.fail("period at frame %d is neither the signal nor silence" % begin)
        if at_most_silent is not None:
            self.assertLessEqual(silent, at_most_silent, "%d of %d periods silent" % (silent, exact + silent))
        else:
            self.assertGreaterEqual(exact / (exact + silent), minimum_ratio,
                                    "%d of %d periods silent" % (silent, exact + silent))

    def rewire_chain(self, server, names, channel=1, source="system:capture_1", sink="system:playback_1"):
        """Removes jack_thru's automatic connections and wires source -> names... -> sink."""
        for name in names:
            for ch in (1, 2):
                server.run("jack_disconnect", "system:capture_%d" % ch, "%s:input_%d" % (name, ch), check=False)
                server.run("jack_disconnect", "%s:output_%d" % (name, ch), "system:playback_%d" % ch, check=False)
        upstream = source
        for name in names:
            server.connect(upstream, "%s:input_%d" % (name, channel))
            upstream = "%s:output_%d" % (name, channel)
        server.connect(upstream, sink)


class TestCase(unittest.TestCase):
    maxDiff = None
