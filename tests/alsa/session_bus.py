"""A private D-Bus session bus for the card reservation tests: a dbus-daemon of our own (so
no desktop session is touched) and fake_reservation_holder.py, a stand-in for PulseAudio or
PipeWire holding card 0. The holder runs on /usr/bin/python3, whose python3-gi it needs."""

import os
import subprocess
import time

HOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_reservation_holder.py")
CARD0 = "org.freedesktop.ReserveDevice1.Audio0"


class SessionBus:
    def __init__(self, directory):
        self.directory = directory
        with open(os.path.join(directory, "dbus-daemon.log"), "w") as log:
            self.daemon = subprocess.Popen(
                ["dbus-daemon", "--session", "--nofork", "--print-address=1",
                 "--address=unix:path=" + os.path.join(directory, "bus")],
                stdout=subprocess.PIPE, stderr=log, text=True)
        self.address = self.daemon.stdout.readline().strip()
        assert self.address, "dbus-daemon did not start"
        self.holders = []

    def env(self):
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def hold_card0(self, answer):
        """Starts a holder of card 0 that answers RequestRelease with `answer` ("yield" or
        "refuse"); returns the path of its log once it owns the name."""
        log = os.path.join(self.directory, "holder-%d.log" % len(self.holders))
        with open(log, "w") as out:
            self.holders.append(subprocess.Popen(["/usr/bin/python3", HOLDER, answer],
                                                 env=dict(os.environ, **self.env()), stdout=out,
                                                 stderr=subprocess.STDOUT))
        deadline = time.time() + 10
        while "acquired" not in self.read(log):
            assert self.holders[-1].poll() is None, "the holder exited: " + self.read(log)
            assert time.time() < deadline, "the holder never owned the name"
            time.sleep(0.05)
        return log

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()

    def call(self, destination, path, method, *args):
        """gdbus call on this bus; returns its output (a GVariant text) or raises."""
        return subprocess.run(["gdbus", "call", "--session", "--dest", destination, "--object-path", path,
                               "--method", method, *args], env=dict(os.environ, **self.env()),
                              capture_output=True, text=True, timeout=10, check=True).stdout.strip()

    def owner_pid(self, name):
        """The process owning bus name `name`, or None."""
        try:
            out = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.GetConnectionUnixProcessID", name)
        except subprocess.CalledProcessError:
            return None
        return int(out.strip("(),").split()[-1])

    def close(self):
        for process in self.holders + [self.daemon]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        self.daemon.stdout.close()
