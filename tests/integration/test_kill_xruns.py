"""A client killed with SIGKILL costs at most one xrun (issue 16, item 5), as another client sees
it through its xrun callback and as the server blames it. Debian's jack_simple_client, connected
to the playback ports, is killed about 0.3 s after it started, KILLS times on a 64-frame server,
mostly between two of its cycles: its process is gone before its socket's hang-up is handled,
and every cycle in between it neither starts nor finishes. The same number of clients closed
normally (SIGINT) measures what starting and stopping a process costs this machine by itself.
jackd2 runs the same loop in the same test, for its figures."""

import os
import signal
import subprocess
import time
import unittest

from harness import Jackd2Server, Server, TestCase, read_log, sanitizer, wait_for_output

KILLS = 16 if sanitizer() else 40  # each kill costs a second
SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")


class KilledClientXruns(TestCase):
    def lifetimes(self, server, prefix, stop_signal):
        """KILLS jack_simple_clients, one after the other, each stopped by `stop_signal` 0.3 s
        after its ports appeared; returns {name: when it was stopped} on the monotonic clock."""
        stopped = {}
        for i in range(KILLS):
            name = "%s%d" % (prefix, i)
            proc = server.spawn("jack_simple_client", name)
            server.wait_for_port(name + ":output2")
            time.sleep(0.3)
            stopped[name] = time.monotonic()
            proc.send_signal(stop_signal)
            proc.wait(timeout=10)
            deadline = time.time() + 10
            # jackd2 now and then refuses a client while it removes a dead one: asked again.
            while (listing := server.run("jack_lsp", check=False)).returncode != 0 or name + ":" in listing.stdout:
                self.assertLess(time.time(), deadline, name + " was never removed")
                time.sleep(0.02)
        return stopped

    def run_loop(self, server):
        """Returns, per phase (killing, closing), the xrun callbacks the watching client saw
        between each client's stop and the announcement that it had gone (plus 50 ms): what the
        stop itself cost, apart from the lateness of a client starting up on this machine."""
        watch = server.spawn("/usr/bin/python3", os.path.join(SCRIPTS, "registration_watch.py"))
        wait_for_output(watch, "ready")
        time.sleep(0.2)
        killed = self.lifetimes(server, "victim", signal.SIGKILL)
        closed = self.lifetimes(server, "closer", signal.SIGINT)
        watch.send_signal(signal.SIGINT)
        watch.wait(timeout=20)
        xruns, gone = [], {}
        for line in read_log(watch).split("\n"):
            words = line.split()
            if len(words) == 3 and words[0] == "xrun":
                xruns.append(float(words[2]))
            elif len(words) == 3 and words[0] == "unregistered":
                gone[words[1]] = float(words[2])

        def per_stop(stopped):
            self.assertEqual(set(stopped) - set(gone), set(), "not every stopped client was announced as gone")
            return {name: sum(1 for when in xruns if at <= when <= gone[name] + 0.05)
                    for name, at in stopped.items()}
        return per_stop(killed), per_stop(closed)

    def test_one_xrun_per_kill_at_most(self):
        # jackd2's figures are for the note beside Bantam's, never judged; jackd2 itself now and
        # then stops answering while it removes a killed client, so its run is not required to
        # finish, and under a sanitizer (where no count is judged) it is not made.
        jackd2_killing = jackd2_closing = {}
        if not sanitizer():
            try:
                with Jackd2Server(period=64) as jackd2:
                    jackd2_killing, jackd2_closing = self.run_loop(jackd2)
            except (AssertionError, subprocess.TimeoutExpired) as error:
                print("jackd2 did not finish the loop: %s" % str(error).split("\n")[0])
        with Server(period=64) as bantam:
            before = bantam.status()
            killing, closing = self.run_loop(bantam)
            after = bantam.status()
        driver_xruns = after["driver_xruns"] - before["driver_xruns"]
        figures = lambda counts: "%d (%d kills cost more than one)" % (
            sum(counts.values()), sum(1 for n in counts.values() if n > 1)) if counts else "not measured"
        print("%d kills: xrun callbacks between a kill and the client's removal: jackd2 %s, Bantam %s; "
              "closing as many normally: jackd2 %d, Bantam %d; %d xruns from Bantam's driver"
              % (KILLS, figures(jackd2_killing), figures(killing), sum(jackd2_closing.values()),
                 sum(closing.values()), driver_xruns))
        # Each kill is seen: the dead client's last cycle went unfinished.
        self.assertGreaterEqual(sum(1 for n in killing.values() if n >= 1), KILLS * 3 // 4, "kills went unnoticed")
        if sanitizer():
            # Under a sanitizer every client runs several times slower and is late while it
            # lives: the loop is run for the sanitizer's sake, the counts judged in the release
            # build.
            return
        # One xrun per kill. A kill that cost more is excused only as often as the machine's
        # own stalls could explain it: the driver's late wake-ups over the run, or a normal
        # close that cost an xrun in the same windows.
        costly = sum(1 for n in killing.values() if n > 1)
        self.assertLessEqual(costly, 1 + driver_xruns + sum(closing.values()),
                             "kills that cost more than one xrun: %s" % sorted(
                                 name for name, n in killing.items() if n > 1))


if __name__ == "__main__":
    unittest.main()
