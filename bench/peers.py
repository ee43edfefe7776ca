#!/usr/bin/env python3
"""Peer servers for bench/run: JACK1 (Debian's jackd1 0.126, unpacked beside the installed jackd2) and
PipeWire (pipewire-jack), each standalone on a dummy timer driver, serving the same unmodified -ljack
clients. prepare(cache_dir), start(kind, name, period, rate, work_dir, base_env), stop(kind, popen).
Self-test: bench/peers.py PASSTHROUGH [PERIOD [CACHE_DIR]] runs capture -> c0 -> playback for 3 s."""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KINDS = ("jackd1", "pipewire")
CAPTURE, PLAYBACK = "system:capture_1", "system:playback_1"  # the same names on both peers
JACK1_REGISTRY_KEY = 0x282929  # JACK1's System V shm registry, shared by all JACK1 servers
JACK1_ROOT = [os.path.join(os.environ.get("BENCH_PEERS_CACHE", "/tmp/bantam-peers"), "jack1")]  # prepare() sets


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _last_line(r, default):  # of stderr
    return (r.stderr.strip().splitlines() or [default])[-1]


def _installed(pkg):
    return _run(["dpkg-query", "-W", "-f", "${db:Status-Status}", pkg]).stdout.strip() == "installed"


def _apt_install(pkgs):
    """apt-get install PKGS; refused if apt would remove anything (such as jackd2). None or why not."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sim = _run(["apt-get", "install", "-s", "-y", "--no-install-recommends"] + pkgs, env=env)
    removed = [ln.split()[1] for ln in sim.stdout.splitlines() if ln.startswith("Remv ")]
    if sim.returncode != 0 or removed:
        return "apt-get would remove " + " ".join(removed) if removed else _last_line(sim, "apt-get -s failed")
    r = _run(["apt-get", "install", "-y", "--no-install-recommends"] + pkgs, env=env)
    return None if r.returncode == 0 else _last_line(r, "apt-get install failed")


def _jack1_paths(root):
    """JACK1's jackd, its libjack/libjackserver directory and its driver directory; None if incomplete."""
    libs = glob.glob(os.path.join(root, "usr/lib/*/libjack.so.0"))
    paths = libs and {"jackd": os.path.join(root, "usr/bin/jackd"), "libdir": os.path.dirname(libs[0]),
                      "drivers": os.path.join(os.path.dirname(libs[0]), "jack")}
    ok = paths and os.access(paths["jackd"], os.X_OK) and os.path.exists(paths["drivers"] + "/jack_dummy.so")
    return paths if ok else None


def _prepare_jack1(root):
    if _jack1_paths(root):
        return None
    dl, stage = root + "-debs", root + "-stage"
    for d in (dl, stage):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(dl)
    os.chmod(dl, 0o777)  # apt downloads as its _apt user where it can (else it warns)
    r = _run(["apt-get", "download", "jackd1", "libjack0"], cwd=dl)
    debs = glob.glob(os.path.join(dl, "*.deb"))
    if r.returncode != 0 or len(debs) != 2:
        return "apt-get download jackd1 libjack0 failed: " + _last_line(r, "?")
    missing = []  # run-time dependencies other than JACK itself (libasound2, libsamplerate0, libdb5.3)
    for deb in debs:
        if _run(["dpkg", "-x", deb, stage]).returncode != 0:
            return "dpkg -x %s failed" % os.path.basename(deb)
        for alternatives in _run(["dpkg-deb", "-f", deb, "Depends"]).stdout.split(","):
            pkg = alternatives.split("|")[0].split("(")[0].strip()
            if pkg and "jack" not in pkg and "debconf" not in pkg and not _installed(pkg):
                missing.append(pkg)
    why = missing and _apt_install(sorted(set(missing)))
    if why:
        return "cannot install jackd1's dependencies %s: %s" % (" ".join(sorted(set(missing))), why)
    shutil.rmtree(root, ignore_errors=True)
    os.rename(stage, root)
    shutil.rmtree(dl, ignore_errors=True)
    return None if _jack1_paths(root) else "unpacked jackd1 has no usr/bin/jackd or jack/jack_dummy.so"


def _pipewire_jack_dir():
    """pipewire-jack's libjack.so.0 directory, if both it and the pipewire daemon are installed."""
    files = _run(["dpkg", "-L", "pipewire-jack"]).stdout.splitlines()
    lib = next((f for f in files if f.endswith("/libjack.so.0")), None)
    return os.path.dirname(lib) if lib and shutil.which("pipewire") else None


def _prepare_pipewire():
    why = None if _pipewire_jack_dir() else _apt_install(["pipewire", "pipewire-jack"])
    if why:
        return why
    if not (_installed("jackd2") and _installed("libjack-jackd2-0")):
        return "jackd2 or libjack-jackd2-0 is no longer installed"
    return None if _pipewire_jack_dir() else "pipewire or pipewire-jack missing"


def prepare(cache_dir):
    os.makedirs(cache_dir, exist_ok=True)
    JACK1_ROOT[0] = os.path.join(os.path.abspath(cache_dir), "jack1")
    why = {"jackd1": _prepare_jack1(JACK1_ROOT[0]), "pipewire": _prepare_pipewire()}
    return dict({kind: reason is None for kind, reason in why.items()}, why={k: r for k, r in why.items() if r})


# Standalone (no session manager, no D-Bus), quantum pinned by min = max = period, driven by a timer
# ("Dummy-Driver"). "system" is two null nodes: a virtual source (ports input_1 and capture_1, which is
# silent as nothing feeds input_1) and a sink (port playback_1).
PIPEWIRE_CONF = """context.properties = {
    core.daemon = true  core.name = pipewire-0  support.dbus = false
    default.clock.rate = %(rate)d  default.clock.allowed-rates = [ %(rate)d ]
    default.clock.quantum = %(period)d
    default.clock.min-quantum = %(period)d  default.clock.max-quantum = %(period)d
}
context.spa-libs = { audio.convert.* = audioconvert/libspa-audioconvert  support.* = support/libspa-support }
context.modules = [
    { name = libpipewire-module-rt  args = { rtportal.enabled = false  rtkit.enabled = false }
      flags = [ ifexists nofail ] }
    { name = libpipewire-module-protocol-native }  { name = libpipewire-module-client-node }
    { name = libpipewire-module-metadata }  { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-access }  { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata  args = { metadata.name = default } }
    { factory = spa-node-factory  args = { factory.name = support.node.driver  node.name = Dummy-Driver
        node.group = pipewire.dummy  priority.driver = 20000 } }
%(nodes)s]
"""
NULL_NODE = """    { factory = adapter  args = { factory.name = support.null-audio-sink  node.name = system
        node.description = system  media.class = %s  audio.channels = 1  audio.position = [ AUX0 ]
        node.group = pipewire.dummy
        adapter.auto-port-config = { mode = dsp  monitor = %s  control = false  position = unknown } } }
"""


def _short_dir(work_dir, sub):
    """A private directory in work_dir, or in /tmp if its socket paths would get too long."""
    path = os.path.join(os.path.abspath(work_dir), sub)
    if len(path) > 60:
        return tempfile.mkdtemp(prefix=sub + "-")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def start(kind, name, period, rate, work_dir, base_env):
    env = dict(base_env, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1",
               BENCH_CAPTURE=CAPTURE, BENCH_PLAYBACK=PLAYBACK)
    if kind == "jackd1":
        paths = _jack1_paths(JACK1_ROOT[0])
        if not paths:
            raise RuntimeError("jackd1 is not unpacked: prepare() first")
        # JACK1's libjack (in clients and in jackd) runs `jackd -l` from $PATH to learn where the
        # server's sockets and FIFOs live (built-in: /dev/shm): a wrapper answers with a private one.
        tmp, bindir = _short_dir(work_dir, "jack1"), os.path.join(work_dir, "jack1-bin")
        os.makedirs(bindir, exist_ok=True)
        with open(os.path.join(bindir, "jackd"), "w") as f:
            f.write('#!/bin/sh\n[ "$1" = -l ] && { echo "%s"; exit 0; }\nexec "%s" "$@"\n' % (tmp, paths["jackd"]))
        os.chmod(os.path.join(bindir, "jackd"), 0o755)
        env.update(LD_LIBRARY_PATH=paths["libdir"], JACK_DRIVER_DIR=paths["drivers"],
                   PATH=bindir + os.pathsep + base_env.get("PATH", os.defpath))
        cmd = [paths["jackd"], "-n", name, "-d", "dummy", "-r", str(rate), "-p", str(period), "-C", "1", "-P", "1"]
        cleanup = [tmp, bindir]
    elif kind == "pipewire":
        rt = _short_dir(work_dir, "pw-" + name)
        conf = os.path.join(work_dir, "pipewire-%s.conf" % name)
        nodes = NULL_NODE % ("Audio/Source/Virtual", "true") + NULL_NODE % ("Audio/Sink", "false")
        with open(conf, "w") as f:
            f.write(PIPEWIRE_CONF % {"rate": rate, "period": period, "nodes": nodes})
        env = {k: v for k, v in env.items() if k not in ("PIPEWIRE_CONFIG_DIR", "PIPEWIRE_CONFIG_NAME")}
        env.update(LD_LIBRARY_PATH=_pipewire_jack_dir() or "", PIPEWIRE_RUNTIME_DIR=rt, XDG_RUNTIME_DIR=rt,
                   PIPEWIRE_REMOTE="pipewire-0")
        cmd, cleanup = ["pipewire", "-c", conf], [rt, conf]
    else:
        raise ValueError(kind)
    with open(os.path.join(work_dir, "%s-%s.log" % (kind, name)), "w") as log:
        server = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server.peer_cleanup = cleanup
    deadline = time.time() + 15
    while time.time() < deadline and server.poll() is None:
        if CAPTURE in _run(["timeout", "10", "/usr/bin/jack_lsp"], env=env).stdout.splitlines():  # env's libjack
            return server, env
        time.sleep(0.2)
    with open(log.name) as f:
        tail = ([ln.strip() for ln in f if ln.strip()] or ["no output"])[-1]
    how = "exited with %d" % server.returncode if server.poll() is not None else "not ready within 15 s"
    print("%s: server %s: %s (log %s)" % (kind, how, tail, log.name), file=sys.stderr)
    stop(kind, server)
    return None


def stop(kind, popen):
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
    if kind == "jackd1":  # segments a killed jackd1 left, and the registry once no JACK1 server uses it
        with open("/proc/sysvipc/shm") as f:
            rows = [line.split() for line in f][1:]
        for key, shmid, _, _, cpid, _, nattch in (r[:7] for r in rows):
            if cpid == str(popen.pid) or (int(key) == JACK1_REGISTRY_KEY and nattch == "0"):
                _run(["ipcrm", "-m", shmid])
    for path in getattr(popen, "peer_cleanup", []):
        if os.path.lexists(path):
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)


def _self_test(passthrough, period, cache_dir, rate=48000, seconds=3.0):
    avail = prepare(cache_dir)
    for kind in KINDS:
        work = tempfile.mkdtemp(prefix="peers-%s-" % kind)
        started = avail[kind] and start(kind, "selftest%d" % os.getpid(), period, rate, work, dict(os.environ))
        if not started:
            print("%s: FAILED: %s" % (kind, avail["why"].get(kind, "server did not start")))
            shutil.rmtree(work, ignore_errors=True)
            continue
        server, env = started
        client = subprocess.Popen([passthrough, "c0"], env=env, stdout=subprocess.PIPE, text=True)
        try:
            ready = client.stdout.readline().strip()
            t0 = time.time()
            for a, b in ((env["BENCH_CAPTURE"], "c0:in"), ("c0:out", env["BENCH_PLAYBACK"])):
                _run(["/usr/bin/jack_connect", a, b], env=env, check=True)
            lib = [ln.split()[-1] for ln in open("/proc/%d/maps" % client.pid) if "libjack.so" in ln] + ["?"]
            bufsize = _run(["/usr/bin/jack_bufsize"], env=env).stdout.strip().split("\n")[0]
            time.sleep(max(0, seconds - (time.time() - t0)))
            client.send_signal(signal.SIGINT)
            out = client.communicate(timeout=10)[0]
            elapsed = time.time() - t0
            line = ([ln for ln in out.splitlines() if ln.startswith("wakeup_usecs")] or ["no wakeup line"])[0]
            n, expected = int(line.split()[-1]) if line.startswith("wakeup") else 0, elapsed * rate / period
            print("%s: %s: %s; %s (%.0f%% of %.0f cycles at %d/%d in %.2f s); jack_bufsize: %s; libjack %s" % (
                kind, "ok" if ready == "ready" and 0.6 < n / expected < 1.1 else "FAILED", ready, line,
                100 * n / expected, expected, period, rate, elapsed, bufsize, lib[0]))
        finally:
            if client.poll() is None:
                client.kill()
            stop(kind, server)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    _self_test(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 256,
               sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(JACK1_ROOT[0]))
