"""Isolation: another Unix user (created here; needs root) can neither connect to bantamd nor
reach its shared memory, and two servers with different names run side by side, each with its
own clients, one surviving the other's stop. (test_server.py checks that a second server shows
only its own ports and refuses a name in use.)"""

import json
import os
import re
import shutil
import socket
import stat
import struct
import subprocess
import tempfile
import time
import unittest

import wire
from harness import Server, TestCase

# Run as the other user: tries each way in and prints what happened to each, as JSON.
PROBE = r"""
import json, os, socket, struct, sys
socket_path, pid = sys.argv[1], sys.argv[2]
paths = json.loads(sys.argv[3])
results = {}

def attempt(label, action):
    try:
        outcome = action()
        results[label] = "ok" if outcome is None else outcome
    except OSError as error:
        results[label] = type(error).__name__

def connect_and_open():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(10)
    sock.connect(socket_path)
    payload = struct.pack("<III", PROTOCOL, 0, os.getpid()) + b"intruder".ljust(65, b"\0") + b"\0" * 3
    try:
        sock.send(struct.pack("<II", 1, len(payload)) + payload)
        data = sock.recv(4096)
    except (ConnectionResetError, BrokenPipeError):
        data = b""
    return "connected, answered" if data else "connected, dropped"

def open_path(path, flags):
    fd = os.open(path, flags)
    os.close(fd)

attempt("connect", connect_and_open)
attempt("list fds", lambda: os.listdir("/proc/%s/fd" % pid) and None)
attempt("list map_files", lambda: os.listdir("/proc/%s/map_files" % pid) and None)
attempt("mem", lambda: open_path("/proc/%s/mem" % pid, os.O_RDONLY))
for path in paths:
    attempt("read " + path, lambda: open_path(path, os.O_RDONLY))
    attempt("write " + path, lambda: open_path(path, os.O_RDWR))
print(json.dumps(results))
""".replace("PROTOCOL", str(wire.protocol_version()))


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("useradd") and shutil.which("runuser"),
                     "needs root, useradd and runuser to create another user")
class OtherUserTest(TestCase):
    def setUp(self):
        self.user = "bantam-other-%d" % os.getpid()
        subprocess.run(["userdel", self.user], capture_output=True)  # left over from a crash
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        self.user], check=True, capture_output=True)
        self.addCleanup(subprocess.run, ["userdel", "-f", self.user], capture_output=True)
        # A runtime directory the server creates itself, in a parent anyone may traverse.
        self.parent = tempfile.mkdtemp(prefix="bantam-iso-")
        self.addCleanup(shutil.rmtree, self.parent, True)
        os.chmod(self.parent, 0o755)
        self.runtime = os.path.join(self.parent, "rt")

    def probe(self, server, paths=()):
        result = subprocess.run(["runuser", "-u", self.user, "--", "/usr/bin/python3", "-c", PROBE,
                                 server.socket_path(), str(server.proc.pid), json.dumps(list(paths))],
                                capture_output=True, text=True, timeout=30, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def assert_running(self, server):
        self.assertTrue(server.alive(), server.server_log())
        before = server.status()["cycles"]
        time.sleep(0.1)
        self.assertGreater(server.status()["cycles"], before)

    def test_other_user_cannot_connect_or_map(self):
        with Server(runtime_dir=self.runtime) as server:
            thru = server.spawn_thru()
            self.assertEqual(stat.S_IMODE(os.stat(self.runtime).st_mode), 0o700)
            self.assertEqual(stat.S_IMODE(os.stat(server.socket_path()).st_mode) & 0o077, 0)
            # Every descriptor bantamd holds, the memfds of both segments among them.
            fd_dir = "/proc/%d/fd" % server.proc.pid
            targets = {fd: os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)}
            memfds = [fd for fd, target in targets.items() if target.startswith("/memfd:bantam")]
            self.assertGreaterEqual(len(memfds), 2, targets)
            # /dev/shm holds no segment of Bantam's: at most the users' socket directories.
            named = [f for f in os.listdir("/dev/shm") if "bantam" in f
                     and not (re.fullmatch(r"bantam-\d+", f) and os.path.isdir(os.path.join("/dev/shm", f)))]
            self.assertFalse(named, "named shared memory")
            for user_dir in (f for f in os.listdir("/dev/shm") if re.fullmatch(r"bantam-\d+", f)):
                for entry in os.scandir(os.path.join("/dev/shm", user_dir)):
                    self.assertTrue(entry.name.endswith((".sock", ".lock")), entry.path)
            with open("/proc/%d/maps" % server.proc.pid) as f:
                maps = [line.split()[0] for line in f if "/memfd:bantam" in line]
            paths = [os.path.join(fd_dir, fd) for fd in sorted(targets)]
            paths += ["/proc/%d/map_files/%s" % (server.proc.pid, span) for span in maps]

            results = self.probe(server, paths)
            self.assertEqual(results.pop("connect"), "PermissionError")  # the directory is 0700
            for label, outcome in results.items():
                self.assertEqual(outcome, "PermissionError", label)

            # Defence in depth: with the directory opened up, the socket's own mode (0600) still
            # refuses; with that opened up too, the server itself drops the other user.
            try:
                os.chmod(self.runtime, 0o711)
                self.assertEqual(self.probe(server)["connect"], "PermissionError")
                os.chmod(server.socket_path(), 0o666)
                self.assertEqual(self.probe(server)["connect"], "connected, dropped")
            finally:
                os.chmod(server.socket_path(), 0o600)
                os.chmod(self.runtime, 0o700)
            self.assertIn("refused a connection from another user", server.server_log())
            self.assertNotIn("intruder", server.lsp())
            self.assert_running(server)
            self.assertIsNone(thru.poll())
            server.wait_for_connection("jack_thru:output_1", "system:playback_1", timeout=1)


def connections(server):
    """`jack_lsp -c` as a set of (port, peer) pairs."""
    pairs, port = set(), None
    for line in server.lsp("-c").split("\n"):
        if line.startswith("   "):
            pairs.add((port, line.strip()))
        elif line:
            port = line
    return pairs


class TwoServersTest(TestCase):
    def test_clients_stay_with_their_server(self):
        parent = tempfile.mkdtemp(prefix="bantam-two-")
        self.addCleanup(shutil.rmtree, parent, True)
        runtime = os.path.join(parent, "rt")
        with Server(name="iso-a-%d" % os.getpid(), runtime_dir=runtime) as first, \
                Server(name="iso-b-%d" % os.getpid(), runtime_dir=runtime, period=512, record=False) as second:
            # The same client name on both servers: no clash, each its own.
            thru_a = first.spawn_thru()
            only_a = first.spawn_thru("only_a")
            thru_b = second.spawn_thru()
            ports_a, ports_b = first.lsp().split(), second.lsp().split()
            self.assertIn("jack_thru:output_1", ports_a)
            self.assertIn("only_a:output_1", ports_a)
            self.assertIn("jack_thru:output_1", ports_b)
            self.assertEqual([p for p in ports_b if p.startswith("only_a")], [])
            self.assertEqual([p for p in ports_a + ports_b if "jack_thru-" in p], [], "a renamed client")
            self.assertEqual(first.run("jack_bufsize").stdout.split()[0], "256")
            self.assertEqual(second.run("jack_bufsize").stdout.split()[0], "512")
            # A connection made on one is not on the other.
            first.connect("only_a:output_1", "jack_thru:input_1")
            self.assertIn(("only_a:output_1", "jack_thru:input_1"), connections(first))
            self.assertNotIn("only_a", second.lsp("-c"))
            for server in (first, second):
                before = server.status()["cycles"]
                time.sleep(0.1)
                self.assertGreater(server.status()["cycles"], before)

            # Stopping one leaves the other running, its clients and connections intact.
            second.stop()
            thru_b.wait(timeout=10)  # told of the shutdown
            self.assertFalse(os.path.exists(second.socket_path()))
            self.assertTrue(os.path.exists(first.socket_path()))
            before = first.status()["cycles"]
            time.sleep(0.2)
            self.assertGreater(first.status()["cycles"], before)
            self.assertIsNone(thru_a.poll())
            self.assertIsNone(only_a.poll())
            wired = connections(first)
            self.assertIn(("only_a:output_1", "jack_thru:input_1"), wired)
            self.assertIn(("jack_thru:output_1", "system:playback_1"), wired)
            self.assertIn(("system:capture_2", "jack_thru:input_2"), wired)
            self.assertNotEqual(second.run("jack_lsp", check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
