"""What jackd2 and JACK1 forgive, Bantam forgives too (issue 26): every row of the table in
docs/compatibility.md is a mode of clients/tolerance_checks, run on Debian's jackd2 (with
Debian's libjack) and on Bantam, each on a fresh server. Both must give the same outcome,
except where the table says Bantam differs: there both servers' values are pinned, so the
test also records what jackd2 does (crashes and hangs included)."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import TEST_CLIENTS, Jackd2Server, Server, sanitizer

CHECKS = os.path.join(TEST_CLIENTS, "tolerance_checks")
SIGABRT, SIGSEGV, WATCHDOG = -6, -11, 3


class Row:
    def __init__(self, differs=None, jackd2_rc=0, bantam_extra=None, stops_server=False):
        """differs: {key: (jackd2's value, Bantam's value)}. jackd2_rc: how the mode ends on
        jackd2 (a signal, or WATCHDOG when it hangs); Bantam always ends with 0 and prints every
        key, those jackd2 never reached in bantam_extra. stops_server: the test stops the server
        when the mode says "ready"."""
        self.differs = differs or {}
        self.jackd2_rc = jackd2_rc
        self.bantam_extra = bantam_extra or {}
        self.stops_server = stops_server


ROWS = {
    # jack_port_get_buffer
    "unregistered": Row(differs={"loud_input_cycles": (1, 0)}),  # jackd2's scratch is shared
    "foreign": Row(),
    "before-activate": Row(),
    "frames": Row(),
    "frames-over-max": Row(jackd2_rc=SIGABRT, bantam_extra={"over_8192_null": 1}),
    "deactivating": Row(),
    # unregistering, deactivating and closing at odd moments
    "unregister-in-callback": Row(differs={"unregister_in_callback": (-1, 0), "still_registered": (1, 0)}),
    "deactivate-blocked": Row(differs={"returned_within_500_ms": (1, 0), "callback_resumed": (0, 1)}),
    "close-blocked": Row(differs={"returned_within_500_ms": (1, 0), "callback_resumed": (0, 1)}),
    "deactivate-waiting": Row(),
    "close-waiting": Row(),
    "deactivate-in-callback": Row(differs={"call_returned": (0, 1), "call_rc": (99, 0)}),
    "close-in-callback": Row(differs={"call_returned": (0, 1), "call_rc": (99, 0)}, jackd2_rc=WATCHDOG,
                             bantam_extra={"open_after": 1}),
    "close-in-shutdown": Row(differs={"shutdown_callback": (0, 1), "close_rc": (99, 0)}, stops_server=True),
    "cycle-wait-after-deactivate": Row(),
    "process-nonzero": Row(),
    # NULL and stale handles
    "null-client": Row(jackd2_rc=SIGSEGV, bantam_extra={"frame_time_is_zero": 1}),
    "null-port": Row(),
    "stale-port": Row(),
    "server-gone": Row(differs={"deactivate": (-1, 0), "close": (-1, 0)}, stops_server=True),
    # callbacks and requests
    "callbacks-active": Row(),
    "activate-twice": Row(),
    "buffer-size-in-callback": Row(),
    "buffer-size-in-process": Row(),
    "freewheel-in-callback": Row(),
    "request-in-callback": Row(differs={"connect_in_callback": (-1, 0), "connected": (0, 1)}),
    # names
    "client-new": Row(),
    "names": Row(),
    "colon-name": Row(),
    "name-lengths": Row(differs={"name_of_64_bytes": (0, 1)}),
    # ports: registration, connections, lookup
    "flags": Row(),
    "flags-both-source": Row(),
    "flags-both-destination": Row(differs={"server_answers": (0, 1)}),  # jackd2 dies
    "port-names": Row(),
    "foreign-disconnect": Row(),
    "foreign-rename": Row(differs={"rename_foreign": (0, -1), "rename_to_taken": (0, -1)}),
    "lookup": Row(),
    # deprecated calls and odd results
    "deprecated": Row(differs={"transport_info_zeroed": (1, 0), "port_tie": (0, -1), "port_untie": (0, -1)}),
    "open-failure": Row(),
    "time-outside-cycle": Row(),
}


def parse(stdout):
    values = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(" ")
        values[key] = int(value)
    return values


def run_mode(server_class, mode, stops_server):
    """Runs one mode on a fresh server; returns (exit status, {key: value}, stderr)."""
    with server_class(period=256) as server:
        env = server.env()
        if server_class is Jackd2Server:
            env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu"  # Debian's libjack before our RUNPATH
        proc = subprocess.Popen([CHECKS, mode], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        if stops_server:
            ready = proc.stdout.readline()
            assert ready == "ready 1\n", "%s: %r %s" % (mode, ready, proc.stderr.read())
            server.stop()
            stdout, stderr = proc.communicate(timeout=30)
            stdout = ready + stdout
        else:
            stdout, stderr = proc.communicate(timeout=30)
    return proc.returncode, parse(stdout), stderr


class Tolerances(unittest.TestCase):
    def test_every_mode_is_a_row(self):
        out = subprocess.run([CHECKS, "no-such-mode"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        with open(os.path.join(os.path.dirname(__file__), "clients", "tolerance_checks.c")) as f:
            source = f.read()
        listed = [line.split('"')[1] for line in source.split("static const struct mode modes[]")[1]
                  .split("};")[0].splitlines() if '"' in line]
        self.assertEqual(sorted(listed), sorted(ROWS))

    def test_rows(self):
        for mode, row in ROWS.items():
            with self.subTest(mode=mode):
                self.check_row(mode, row)

    def check_row(self, mode, row):
        jackd2_rc, jackd2, jackd2_err = run_mode(Jackd2Server, mode, row.stops_server)
        bantam_rc, bantam, bantam_err = run_mode(Server, mode, row.stops_server)
        print("%-28s jackd2 %s %s\n%-28s Bantam %s %s" % (mode, jackd2_rc, jackd2, "", bantam_rc, bantam))
        # In a sanitizer build our client's sanitizer catches jackd2's SIGSEGV: ASan aborts
        # (SIGABRT), TSan exits 66.
        crashed_alike = sanitizer() and row.jackd2_rc == SIGSEGV and jackd2_rc in (SIGABRT, 66)
        if not crashed_alike:
            self.assertEqual(jackd2_rc, row.jackd2_rc, "jackd2 %s: %s" % (mode, jackd2_err[-1500:]))
        self.assertEqual(bantam_rc, 0, "Bantam %s: %s" % (mode, bantam_err[-1500:]))
        self.assertEqual(bantam.get("done"), 1, "Bantam did not finish %s: %s" % (mode, bantam_err[-1500:]))
        expected_jackd2, expected_bantam = dict(bantam), dict(bantam)
        for key, (on_jackd2, on_bantam) in row.differs.items():
            expected_jackd2[key], expected_bantam[key] = on_jackd2, on_bantam
        for key in row.bantam_extra:
            expected_jackd2.pop(key)
        if row.jackd2_rc != 0:
            expected_jackd2.pop("done")
        expected_bantam.update(row.bantam_extra)
        self.assertEqual(bantam, expected_bantam, "Bantam %s" % mode)
        self.assertEqual(jackd2, expected_jackd2, "jackd2 %s differs from Bantam beyond the table" % mode)


if __name__ == "__main__":
    unittest.main()
