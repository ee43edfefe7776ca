"""Starting and stopping the servers the benchmark compares, all on a dummy (no hardware) driver
with 2 periods, one capture and one playback port. Bantam and jackd2 are run here; JACK1 and
PipeWire through peers.py, when they can be installed beside jackd2."""

import os
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("BANTAM_BUILD_DIR", os.path.join(ROOT, "build"))
RATE = 48000


class Running:
    """A started server: its process, the environment its clients run with, its system ports."""

    def __init__(self, kind, proc, env, capture="system:capture_1", playback="system:playback_1"):
        self.kind, self.proc, self.env = kind, proc, env
        self.capture, self.playback = capture, playback

    @property
    def pid(self):
        return self.proc.pid


def _wait_until_running(proc, env, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        result = subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True, timeout=10)
        if result.returncode == 0 and "system:capture_1" in result.stdout:
            return True
        time.sleep(0.1)
    return False


def start(kind, sync, period, work, peers_module=None):
    """Returns a Running server, or None (with a reason printed) if it did not start."""
    name = "bench%d" % os.getpid()
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    env.pop("LD_LIBRARY_PATH", None)
    if kind in ("jackd1", "pipewire"):
        started = peers_module.start(kind, name, period, RATE, work, env)
        if not started:
            return None
        proc, client_env = started
        return Running(kind, proc, client_env, client_env.get("BENCH_CAPTURE", "system:capture_1"),
                       client_env.get("BENCH_PLAYBACK", "system:playback_1"))
    if kind == "bantam":
        env["BANTAM_RUNTIME_DIR"] = os.path.join(work, "bantam-runtime")
        os.makedirs(env["BANTAM_RUNTIME_DIR"], mode=0o700, exist_ok=True)
        env["LD_LIBRARY_PATH"] = os.path.join(BUILD, "lib")
        command = [os.path.join(BUILD, "bin", "bantamd")]
    elif kind == "jackd2":
        command = ["jackd"]
    else:
        raise ValueError(kind)
    command += ["-n", name, "-R"] + (["-S"] if sync else [])
    command += ["-d", "dummy", "-r", str(RATE), "-p", str(period), "-C", "1", "-P", "1"]
    log = open(os.path.join(work, "%s.log" % kind), "w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    if not _wait_until_running(proc, env):
        stop(Running(kind, proc, env), peers_module)
        print("%s did not start; see %s" % (kind, log.name))
        return None
    return Running(kind, proc, env)


def stop(server, peers_module=None):
    if server.kind in ("jackd1", "pipewire"):
        peers_module.stop(server.kind, server.proc)
        return
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
