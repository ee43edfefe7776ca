"""A client killed with SIGKILL costs at most one xrun (issue 16, item 5), as another client sees
it through its xrun callback and as the server blames it. Debian's jack_simple_client, connected
to the playback ports, is killed about 0.3 s after it started, KILLS times on a 64-frame server,
mostly between two of its cycles: its process is gone before its socket's hang-up is handled,
and every cycle in between it neither starts nor finishes. The same number of clients closed
normally (SIGINT) measures what starting and stopping a process costs this machine by itself.
jackd2 runs the same loop in the same test, for its figures."""

import os
import signal
import time
import unittest

from harness import Jackd2Server, Server, TestCase, read_log, sanitizer, wait_for_output

KILLS = 16 if sanitizer() else 40  # each kill costs a second
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


class KilledClientXruns(TestCase):
    def lifetimes(self, server, prefix, stop_signal):
        """KILLS jack_simple_clients, one after the other, each stopped by `stop_signal` 0.3 s
        after its ports appeared; returns (start, end) on the monotonic clock."""
        start = time.monotonic()
        for i in range(KILLS):
            name = "%s%d" % (prefix, i)
            proc = server.spawn("jack_simple_client", name)
            server.wait_for_port(name + ":output2")
            time.sleep(0.3)
            proc.send_signal(stop_signal)
            proc.wait(timeout=10)
            deadline = time.time() + 10
            while name + ":" in server.lsp():
                self.assertLess(time.time(), deadline, name + " was never removed")
                time.sleep(0.02)
        return start, time.monotonic()

    def run_loop(self, server):
        watch = server.spawn("/usr/bin/python3", os.path.join(SCRIPTS, "registration_watch.py"))
        wait_for_output(watch, "ready")
        time.sleep(0.2)
        killing = self.lifetimes(server, "victim", signal.SIGKILL)
        closing = self.lifetimes(server, "closer", signal.SIGINT)
        watch.send_signal(signal.SIGINT)
        watch.wait(timeout=20)
        xruns = [float(line.split()[2]) for line in read_log(watch).split("\n") if line.startswith("xrun - ")]
        seen = lambda phase: sum(1 for when in xruns if phase[0] <= when <= phase[1] + 0.1)
        return seen(killing), seen(closing)

    def test_one_xrun_per_kill_at_most(self):
        with Jackd2Server(period=64) as jackd2:
            jackd2_killing, jackd2_closing = self.run_loop(jackd2)
        with Server(period=64, extra_server_args=["-v"]) as bantam:
            before = bantam.status()
            killing, closing = self.run_loop(bantam)
            after = bantam.status()
            blamed = bantam.blamed_xruns()
        on_victims = sum(count for name, count in blamed.items() if name.startswith("victim"))
        on_closers = sum(count for name, count in blamed.items() if name.startswith("closer"))
        print("%d kills: xrun callbacks while killing / while closing as many normally: jackd2 %d / %d, "
              "Bantam %d / %d; Bantam blamed %d xruns on the killed clients, %d on the closing ones; "
              "%d xruns from the driver" % (KILLS, jackd2_killing, jackd2_closing, killing, closing,
                                           on_victims, on_closers,
                                           after["driver_xruns"] - before["driver_xruns"]))
        # Each kill is seen, once: the dead client's last cycle went unfinished.
        self.assertGreaterEqual(on_victims, KILLS * 3 // 4, "kills went unnoticed")
        if sanitizer():
            # Under a sanitizer every client runs several times slower and is late while it
            # lives, far beyond what the closing phase measures: the loop is run for the
            # sanitizer's sake, the counts are judged in the release build.
            return
        # Blamed more than once per kill only as often as clients that lived the same life and
        # closed normally were blamed (late while they ran, on a loaded machine).
        self.assertLessEqual(on_victims, KILLS + on_closers)
        # And what another client hears: one callback per kill, beyond the machine's own xruns
        # (those of the closing phase, and the driver's own lateness).
        driver_noise = after["driver_xruns"] - before["driver_xruns"]
        self.assertLessEqual(killing, KILLS + closing + driver_noise)


if __name__ == "__main__":
    unittest.main()
