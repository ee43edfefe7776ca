"""Clients that watch, misbehave or die: the server notices, survives and keeps the audio going."""

import os
import signal
import subprocess
import time
import unittest

from harness import PERIOD, RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase, noise, read_log


class ClientsTest(TestCase, AudioAssertions):
    def test_evmon_sees_clients_ports_and_connections(self):
        with Server() as server:
            evmon = server.spawn("jack_evmon")
            time.sleep(0.5)
            thru = server.spawn_thru()
            server.run("jack_disconnect", "system:capture_1", "jack_thru:input_1")
            thru.send_signal(signal.SIGINT)
            thru.wait(timeout=10)
            time.sleep(0.5)
        log = read_log(evmon)  # complete once jack_evmon has exited and flushed
        port_ids = sorted(int(l.split()[1]) for l in log.split("\n")
                          if l.startswith("Port ") and l.endswith(" registered"))
        self.assertEqual(len(port_ids), 4, log)
        self.assertIn("Client jack_thru registered", log)
        self.assertIn("Ports 1 and %d connected" % port_ids[0], log)
        self.assertIn("Ports 1 and %d disconnected" % port_ids[0], log)
        self.assertIn("Client jack_thru unregistered", log)
        for port in port_ids:
            self.assertIn("Port %d unregistered" % port, log)
        self.assertIn("Graph reordered", log)
        # Events arrive in the order they happened.
        self.assertLess(log.index("Client jack_thru registered"), log.index("Client jack_thru unregistered"))

    def test_server_survives_jack_zombie(self):
        # jack_zombie sleeps for a second inside its 1000th process callback. The client timeout
        # is longer than that, so the client is not removed as a zombie (test_zombies covers
        # removal): it rejoins the graph when it wakes up.
        source = [noise(40 * RATE, 11), noise(40 * RATE, 12)]
        with Server(period=128, capture_signal=source, timeout_ms=3000) as server:
            server.spawn_thru()
            watcher = server.spawn(os.path.join(TEST_CLIENTS, "passthrough_client"), "watcher", direct=True)
            server.wait_for_port("watcher:out_1")
            server.spawn("jack_zombie")
            server.wait_for_port("zombie:port1")
            # Its stall comes at its 1000th cycle, about 2.7 s in; xruns of slow starts (under
            # the sanitizers) come before.
            time.sleep(0.5)
            settled = server.status()["xruns"]
            deadline = time.time() + 20
            while server.status()["xruns"] == settled:
                self.assertLess(time.time(), deadline, "jack_zombie never blocked the cycle")
                time.sleep(0.1)
            cycles = server.status()["cycles"]
            time.sleep(2)  # the zombie wakes up after a second and rejoins
            self.assertTrue(server.alive())
            after = server.status()
            self.assertGreater(after["cycles"], cycles + 300, "the server stopped cycling")
            self.assertIn("zombie:port1", server.lsp())
            out = server.playback()
        # Every client hears of the xrun through its xrun callback.
        self.assertIn("xrun", read_log(watcher).split())
        # The blocked client cost at most a few cycles; the rest of the graph played on, exactly.
        for channel in (0, 1):
            self.assert_identical_or_silent_periods(out[channel], source[channel], 128)

    def test_client_killed_inside_process_callback(self):
        source = [noise(30 * RATE, 13), noise(30 * RATE, 14)]
        killer = os.path.join(TEST_CLIENTS, "killer_client")
        with Server(period=PERIOD, capture_signal=source) as server:
            for name in ("thru1", "thru2"):
                server.spawn_thru(name)
            self.rewire_chain(server, ["thru1", "thru2"])
            evmon = server.spawn("jack_evmon")
            time.sleep(0.3)
            # The killer sits on its own branch, capture_2 -> killer -> playback_2, connected by
            # itself as soon as it is active (no tool to wait for, however slow the build).
            victim = server.spawn(killer, "victim", "200", "system:capture_2", "system:playback_2", direct=True)
            victim.wait(timeout=20)
            self.assertIn("active", read_log(victim))
            self.assertEqual(victim.returncode, -signal.SIGKILL)
            deadline = time.time() + 5
            while "victim:out" in server.lsp():
                self.assertLess(time.time(), deadline, "the dead client's ports were never removed")
                time.sleep(0.05)
            self.assertNotIn("victim", server.lsp("-c"))
            time.sleep(1.5)
            self.assertTrue(server.alive())
            out = server.playback()
        self.assert_tail_identical(out[0], source[0], xruns=server.final_xruns())
        # The others were told: the client and its connections are gone.
        events = read_log(evmon)
        self.assertIn("Client victim unregistered", events)
        self.assertRegex(events, r"Ports 2 and \d+ disconnected")
        # After the victim's connections went away its branch is silent, not stale.
        self.assertEqual(set(out[1][-RATE:]), {0.0})

    def test_monitor_client(self):
        with Server() as server:
            monitor = server.spawn("jack_monitor_client", "system:capture_1")
            time.sleep(1)
            self.assertIsNone(monitor.poll(), read_log(monitor))
        self.assertNotIn("could not", read_log(monitor))

    def test_api_checks_client(self):
        with Server(period=256) as server:
            # Run as built, not through bantam-run: it finds our libjack by its RUNPATH, and in a
            # TSan build it carries its own sanitizer runtime (bantam-run would load a second).
            result = subprocess.run([os.path.join(TEST_CLIENTS, "api_checks")], env=server.env(),
                                    capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("api checks passed", result.stdout)


if __name__ == "__main__":
    unittest.main()
