"""Steady state with graph changes while audio runs. Under RealtimeSanitizer (label realtime)
any allocation, lock or blocking call on the server's or a client's real-time path aborts
the process, and this test fails. Everything here is built by us (our pass-through client and
the bantam tool), because unmodified programs cannot load a RealtimeSanitizer libjack."""
# labels: realtime

import os
import subprocess
import time
import unittest

from harness import PERIOD, RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase, noise

PASSTHROUGH = os.path.join(TEST_CLIENTS, "passthrough_client")
BANTAM = os.path.join(os.path.dirname(TEST_CLIENTS), "..", "bin", "bantam")


def bantam(server, *args):
    result = subprocess.run([BANTAM, *args], env=server.env(), capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, "bantam %s: %s" % (args, result.stderr)
    return result.stdout


def wait_for_port(server, name):
    deadline = time.time() + 10
    while name not in bantam(server, "ports").split("\n"):
        assert time.time() < deadline, "port %s never appeared" % name
        time.sleep(0.05)


class RealtimeTest(TestCase, AudioAssertions):
    def run_chain(self, sync):
        source = [noise(30 * RATE, 21)]
        names = ["p%d" % i for i in range(1, 5)]
        with Server(period=PERIOD, capture=1, playback=1, sync=sync, capture_signal=source) as server:
            for name in names:
                # p3 uses the alternate thread model (jack_cycle_wait / jack_cycle_signal).
                extra = ["--thread"] if name == "p3" else []
                server.spawn(PASSTHROUGH, name, *extra, direct=True)
            for name in names:
                wait_for_port(server, name + ":out_1")
            # Graph churn while cycling: connect, disconnect, reconnect.
            bantam(server, "connect", "system:capture_1", "p1:in_1")
            bantam(server, "connect", "p1:out_1", "system:playback_1")
            bantam(server, "disconnect", "p1:out_1", "system:playback_1")
            upstream = "p1:out_1"
            for name in names[1:]:
                bantam(server, "connect", upstream, name + ":in_1")
                upstream = name + ":out_1"
            bantam(server, "connect", upstream, "system:playback_1")
            self.assertIn("p4:out_1  -> system:playback_1", bantam(server, "status"))
            time.sleep(2)
            for child in server.children:
                self.assertIsNone(child.poll(), "a client died: %s" % open(child.log_path).read())
            out = server.playback()
        self.assert_tail_identical(out[0], source[0], xruns=server.final_xruns())

    def test_async_chain_with_graph_changes(self):
        self.run_chain(sync=False)

    def test_sync_chain_with_graph_changes(self):
        self.run_chain(sync=True)


if __name__ == "__main__":
    unittest.main()
