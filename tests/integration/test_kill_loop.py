"""Clients killed with SIGKILL inside their process callbacks, 1000 times, while a 64-frame chain
plays: the server never stops cycling, each kill costs about one xrun (beyond the machine's own
noise, measured in a quiet window of the same length, and beyond what as many clients cost
when they close normally instead), every dead client's ports and connections
are removed and the others are told within a bounded time."""

import os
import signal
import subprocess
import time
import unittest

from harness import TEST_CLIENTS, AudioAssertions, Server, TestCase, read_log, sanitizer

KILLS = int(os.environ.get("BANTAM_KILLS", "1000"))
AT_ONCE = 4
REMOVAL_BOUND_SECONDS = 1.0


class KillLoopTest(TestCase, AudioAssertions):
    def run_clients(self, server, killer, prefix, *mode):
        """Runs KILLS killer_clients, AT_ONCE at a time, each connected between capture_2 and
        playback_2 for 20 cycles; returns {name: (when it ended, exit status)}."""
        ended, running, started = {}, [], 0
        while started < KILLS or running:
            while len(running) < AT_ONCE and started < KILLS:
                name = "%s%d" % (prefix, started)
                proc = subprocess.Popen([killer, name, "20", "system:capture_2", "system:playback_2", *mode],
                                        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                running.append((name, proc))
                started += 1
            for name, proc in list(running):
                if proc.poll() is not None:
                    ended[name] = (time.monotonic(), proc.returncode)
                    running.remove((name, proc))
            time.sleep(0.001)
        return ended

    def test_a_thousand_clients_killed_inside_their_callbacks(self):
        killer = os.path.join(TEST_CLIENTS, "killer_client")
        with Server(period=64) as server:
            watch = server.spawn("/usr/bin/python3",
                                 os.path.join(os.path.dirname(__file__), "scripts", "registration_watch.py"))
            deadline = time.time() + 20
            while "ready" not in read_log(watch):
                self.assertLess(time.time(), deadline, read_log(watch))
                time.sleep(0.05)
            for name in ("thru1", "thru2"):
                server.spawn_thru(name)
            self.rewire_chain(server, ["thru1", "thru2"])
            time.sleep(0.5)

            loop_start, before = time.time(), server.status()
            deaths = self.run_clients(server, killer, "victim")
            loop_seconds, after = time.time() - loop_start, server.status()

            # The same lives without the kill: as many clients started, connected into the graph
            # and closed normally. Starting a process on this two-core machine costs xruns of
            # its own, so the kill's own cost is the difference.
            close_start, close_before = time.time(), server.status()
            closed = self.run_clients(server, killer, "closer", "--close")
            close_seconds, close_after = time.time() - close_start, server.status()
            self.assertEqual({rc for _, rc in closed.values()}, {0})

            # The machine's own xruns over a window as long, with the same chain and no kills.
            quiet_before = server.status()
            time.sleep(loop_seconds)
            quiet_after = server.status()

            self.assertTrue(server.alive())
            self.assertEqual({rc for _, rc in deaths.values()}, {-signal.SIGKILL})
            deadline = time.time() + 10
            while "victim" in server.lsp():
                self.assertLess(time.time(), deadline, "ports of dead clients remain")
                time.sleep(0.1)
            self.assertNotIn("victim", server.lsp("-c"))
            watch.send_signal(signal.SIGINT)
            watch.wait(timeout=20)

        # Starting four processes at a time loads a two-core machine (its kernel does not preempt
        # kernel code) enough that the timer itself wakes late now and then, more so under the
        # sanitizers; cycles lost that way are dropped by the driver, not stalled. So the cycles
        # run while clients were killed are held to those run while as many started and closed
        # normally (CI's machine ran 77% of them in one run); a stall of a few milliseconds per
        # kill would take a third of them.
        def share_run(first, last, seconds):
            return (last["cycles"] - first["cycles"]) / (seconds * server.rate / server.period)
        kill_share, close_share = share_run(before, after, loop_seconds), share_run(close_before, close_after,
                                                                                    close_seconds)
        print("cycles run: %.3f of the period's worth while killing, %.3f while closing" % (kill_share, close_share))
        self.assertGreater(kill_share, min(0.75 if sanitizer() else 0.8, close_share - 0.1), "cycling stalled")
        kill_xruns = after["xruns"] - before["xruns"]
        close_xruns = close_after["xruns"] - close_before["xruns"]
        noise_xruns = quiet_after["xruns"] - quiet_before["xruns"]
        print("kills %d in %.1f s; xruns %d during the kills, %d while as many clients closed "
              "normally, %d in a quiet window as long; per kill beyond normal closing: %.2f"
              % (KILLS, loop_seconds, kill_xruns, close_xruns, noise_xruns, (kill_xruns - close_xruns) / KILLS))
        # At most one xrun per kill beyond what the same clients cost when they close normally
        # (their starts, on this machine). The machine's noise comes in bursts: from one window
        # to the next it varied threefold, hence the slack (measured: 0.86 to 1.11 per kill).
        noise = max(noise_xruns, close_xruns)
        self.assertLessEqual(kill_xruns - close_xruns, KILLS + 3 * noise + 20)
        # And in absolute terms, so that costlier starts would show too.
        per_kill = 2.0 if sanitizer() else 1.25  # instrumented clients start slower
        self.assertLessEqual(kill_xruns, per_kill * KILLS + 3 * noise + 20)

        gone = {}
        for line in read_log(watch).split("\n"):
            words = line.split()
            if len(words) == 3 and words[0] == "unregistered" and words[1].startswith("victim"):
                gone[words[1]] = float(words[2])
        self.assertEqual(set(gone), set(deaths), "not every dead client was announced as gone")
        delays = sorted(gone[name] - deaths[name][0] for name in deaths)
        print("removal after death: median %.1f ms, max %.1f ms" % (delays[len(delays) // 2] * 1e3, delays[-1] * 1e3))
        self.assertLess(delays[-1], REMOVAL_BOUND_SECONDS)


if __name__ == "__main__":
    unittest.main()
