"""A client that stops running cycles (SIGSTOP) costs the others nothing: every cycle still ends
on time, xruns are reported, and after the client timeout (-t) it is removed as JACK removes a
zombie. The clients downstream of it, which were never woken meanwhile, are not blamed."""

import signal
import time
import unittest

from harness import AudioAssertions, Server, TestCase


class ZombieTest(TestCase, AudioAssertions):
    def run_stopped_client(self, sync):
        timeout_ms = 1000
        with Server(period=256, sync=sync, timeout_ms=timeout_ms) as server:
            stopped = server.spawn_thru("stopped")
            after = server.spawn_thru("after")
            self.rewire_chain(server, ["stopped", "after"])
            time.sleep(0.3)
            before = server.status()
            started = time.time()
            stopped.send_signal(signal.SIGSTOP)
            try:
                time.sleep(0.4)
                # Well inside the timeout: still there, and the server still cycles at its rate.
                self.assertIn("stopped:input_1", server.lsp().split("\n"))
                deadline = time.time() + 10
                while "stopped:input_1" in server.lsp().split("\n"):
                    self.assertLess(time.time(), deadline, "the stopped client was never removed")
                    time.sleep(0.05)
                removed_after = time.time() - started
                during = server.status()
                elapsed = time.time() - started
            finally:
                stopped.send_signal(signal.SIGCONT)
            self.assertGreaterEqual(removed_after, timeout_ms / 1000 * 0.9)
            expected_cycles = elapsed * server.rate / server.period
            self.assertGreater(during["cycles"] - before["cycles"], 0.8 * expected_cycles)
            self.assertGreater(during["xruns"], before["xruns"], "no xrun was reported")
            # The client downstream was not blamed: it is still there, still playing.
            lsp = server.lsp("-c")
            self.assertIn("after:output_1\n   system:playback_1", lsp)
            self.assertTrue(after.poll() is None)
            # Resumed, the zombie hears that it was removed: jack_thru exits from its shutdown
            # callback.
            stopped.wait(timeout=10)
            cycles = server.status()["cycles"]
            time.sleep(0.3)
            self.assertGreater(server.status()["cycles"], cycles)
            self.assertIn("removed as a zombie", server.server_log())

    def test_stopped_client_is_removed_after_the_timeout_async(self):
        self.run_stopped_client(sync=False)

    def test_stopped_client_is_removed_after_the_timeout_sync(self):
        self.run_stopped_client(sync=True)


if __name__ == "__main__":
    unittest.main()
