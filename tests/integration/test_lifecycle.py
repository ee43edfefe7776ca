"""How the server ends, and what its clients see: SIGTERM and SIGINT stop it cleanly (every
client gets its shutdown callback, the sockets are removed); a SIGKILLed server leaves its
clients with errors, never a hang; and a client whose process callback takes ten periods costs
the rest of the graph nothing; nor does one that stops reading its notifications."""

import os
import signal
import stat
import time
import unittest

from harness import PERIOD, RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase, noise, read_log, sanitizer


class LifecycleTest(TestCase, AudioAssertions):
    def start_watcher(self, server):
        script = os.path.join(os.path.dirname(__file__), "scripts", "shutdown_watch.py")
        watcher = server.spawn("/usr/bin/python3", script)
        deadline = time.time() + 20
        while "ready" not in read_log(watcher):
            self.assertLess(time.time(), deadline, "the watcher never activated: " + read_log(watcher))
            self.assertIsNone(watcher.poll(), read_log(watcher))
            time.sleep(0.05)
        return watcher

    def assert_watcher_saw_shutdown(self, watcher):
        watcher.wait(timeout=20)
        log = read_log(watcher)
        self.assertEqual(watcher.returncode, 0, log)
        self.assertIn("shutdown: ", log)
        # Calls on a client whose server is gone fail, as JACK's do; none succeeds.
        self.assertIn("connect: failed", log)
        self.assertIn("register: failed", log)
        self.assertIn("ports: succeeded with []", log)  # jack_get_ports returns NULL
        took = float(log.split("calls took ")[1].split()[0])
        self.assertLess(took, 2.0, "calls on a dead client took %.3f s" % took)
        self.assertIn("closed", log)

    def stop_with(self, sig):
        with Server() as server:
            thru = server.spawn_thru()
            watcher = self.start_watcher(server)
            server.proc.send_signal(sig)
            server.proc.wait(timeout=10)
            self.assertEqual(server.proc.returncode, 0, server.server_log())
            self.assert_watcher_saw_shutdown(watcher)
            # jack_thru's shutdown callback exits the program.
            thru.wait(timeout=10)
            self.assertFalse(os.path.exists(server.socket_path()), "the socket was left behind")
            sockets = [f for f in os.listdir(server.runtime_dir)
                       if stat.S_ISSOCK(os.stat(os.path.join(server.runtime_dir, f)).st_mode)]
            self.assertEqual(sockets, [], "sockets left in the runtime directory")

    def test_sigterm_stops_cleanly(self):
        self.stop_with(signal.SIGTERM)

    def test_sigint_stops_cleanly(self):
        self.stop_with(signal.SIGINT)

    def test_clients_of_a_killed_server_get_errors(self):
        with Server() as server:
            watcher = self.start_watcher(server)
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            self.assert_watcher_saw_shutdown(watcher)
            started = time.time()
            result = server.run("jack_lsp", check=False, timeout=20)
            self.assertNotEqual(result.returncode, 0)
            self.assertLess(time.time() - started, 5)
            server.__enter__()  # the harness stops it cleanly at the end

    def test_client_that_exits_without_closing(self):
        # A client that calls exit() while active, on its own branch: its ports and connections
        # go at once, the others are told, and the chain plays on exactly.
        source = [noise(8 * RATE, 31), noise(8 * RATE, 32)]
        killer = os.path.join(TEST_CLIENTS, "killer_client")
        with Server(period=256, capture_signal=source, extra_server_args=["-v"]) as server:
            server.spawn_thru("chain")
            self.rewire_chain(server, ["chain"])
            evmon = server.spawn("jack_evmon")
            leaver = server.spawn(killer, "leaver", "0", "system:capture_2", "system:playback_2", "--exit",
                                  direct=True)
            deadline = time.time() + 20
            while "active" not in read_log(leaver):
                self.assertLess(time.time(), deadline, read_log(leaver))
                time.sleep(0.02)
            server.wait_for_connection("leaver:out", "system:playback_2")
            time.sleep(0.3)
            before = server.status()
            leaver.send_signal(signal.SIGUSR1)
            leaver.wait(timeout=20)
            self.assertEqual(leaver.returncode, 0, read_log(leaver))
            exited = time.time()
            while "leaver" in server.lsp():
                self.assertLess(time.time() - exited, 3.0 if sanitizer() else 1.0, "the client's ports outlived it")
                time.sleep(0.02)
            self.assertNotIn("leaver", server.lsp("-c"))
            time.sleep(0.5)
            after = server.status()
            out = server.playback()
            blamed = server.blamed_xruns()
        self.assertIn("Client leaver unregistered", read_log(evmon))
        # Leaving costs one xrun at most, blamed on the client: the cycle it left in the middle
        # of. Its process thread runs on while exit() tears the process down (slowly under a
        # sanitizer), so a stall of the machine meanwhile makes it late too; such stalls show as
        # the driver's xruns or the chain's, in the same window.
        xruns, driver_xruns = after["xruns"] - before["xruns"], after["driver_xruns"] - before["driver_xruns"]
        leaving = blamed["leaver"] - before["client_xruns"]["leaver"]
        print("xruns while the client left: %d (%d from the driver); blamed: %s"
              % (xruns, driver_xruns, dict(blamed)))
        self.assertLessEqual(leaving, 1 + driver_xruns + blamed["chain"] - before["client_xruns"]["chain"])
        self.assertGreaterEqual(xruns, leaving)
        # The chain is silent only around cycles it missed, each counted as an xrun: the cycle it
        # was late for, the one it is skipped in while it finishes, and a last one at most.
        wired = before["cycles"] * 256
        self.assert_identical_or_silent_periods(out[0][wired:], source[0][wired:], 256,
                                                at_most_silent=3 * xruns)

    def test_client_that_stops_reading_notifications(self):
        # Its notifications are dropped, its user is told, and nobody else waits for it.
        with Server() as server:
            scripts = os.path.join(os.path.dirname(__file__), "scripts")
            stuck = server.spawn("/usr/bin/python3", os.path.join(scripts, "stuck_notifications.py"))
            deadline = time.time() + 20
            while "ready" not in read_log(stuck):
                self.assertLess(time.time(), deadline, read_log(stuck))
                time.sleep(0.05)
            result = server.run("/usr/bin/python3", os.path.join(scripts, "port_churn.py"), "1000", timeout=60)
            took = float(result.stdout.split(" in ")[1].split()[0])
            self.assertLess(took, 20, "registrations slowed down by the stuck client")
            self.assertIn("client 'stuck' is not reading its notifications", server.server_log())
            self.assertIsNone(stuck.poll(), read_log(stuck))
            before = server.status()["cycles"]
            time.sleep(0.2)
            self.assertGreater(server.status()["cycles"], before)

    def test_callback_ten_periods_long(self):
        # One client on its own branch (capture_2 -> slow -> playback_2) sleeps ten periods in
        # every process callback. The server keeps its rate, reports xruns, never removes the
        # slow client (it makes progress), and the other branch plays every period exactly.
        source = [noise(12 * RATE, 21), noise(12 * RATE, 22)]
        with Server(period=PERIOD, capture_signal=source) as server:
            server.spawn_thru("fast")
            self.rewire_chain(server, ["fast"])
            slow = server.spawn(os.path.join(TEST_CLIENTS, "passthrough_client"), "slow", "--slow", "10",
                                direct=True)
            server.wait_for_port("slow:out_1")
            server.connect("system:capture_2", "slow:in_1")
            server.connect("slow:out_1", "system:playback_2")
            before, started = server.status(), time.time()
            time.sleep(3)
            after, elapsed = server.status(), time.time() - started
            # A server that waited for the slow client would run a tenth of the cycles.
            self.assertGreater(after["cycles"] - before["cycles"], 0.5 * elapsed * RATE / PERIOD,
                               "the server slowed down with the slow client")
            self.assertGreater(after["xruns"], before["xruns"], "the slow client's misses were not reported")
            blamed = {name: after["client_xruns"][name] - before["client_xruns"][name] for name in ("slow", "fast")}
            self.assertGreater(blamed["slow"], 0, "the slow client's misses were blamed on others: %s" % blamed)
            self.assertIsNone(slow.poll(), "the slow client died: " + read_log(slow))
            self.assertIn("slow:out_1", server.lsp())
            self.assertIn("xrun", read_log(slow).split())
            out = server.playback()
        # From the moment both branches were wired (the rewiring itself leaves silence).
        wired, measured = before["cycles"] * PERIOD, after["cycles"] * PERIOD
        fast, slow_out = out[0][wired:measured], out[1][wired:]
        # The fast branch is silent only in cycles it missed itself or the driver woke too late
        # for (on a loaded machine), each an xrun blamed on it or on the driver.
        own_misses = blamed["fast"] + after["driver_xruns"] - before["driver_xruns"]
        self.assert_identical_or_silent_periods(fast, source[0][wired:measured], PERIOD,
                                                at_most_silent=3 * own_misses)
        # The slow client never finishes a cycle in time, so it is heard as silence: never as
        # its late (stale) audio, never as anything else.
        self.assertFalse(any(slow_out), "the slow client's late output reached the playback")


if __name__ == "__main__":
    unittest.main()
