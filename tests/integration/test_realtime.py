"""Steady state with graph changes while audio runs. Under RealtimeSanitizer (label realtime)
any allocation, lock or blocking call on the server's or a client's real-time path aborts
the process, and this test fails."""
# labels: realtime

import os
import time
import unittest

from harness import PERIOD, RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase, noise

PASSTHROUGH = os.path.join(TEST_CLIENTS, "passthrough_client")


class RealtimeTest(TestCase, AudioAssertions):
    def run_chain(self, sync):
        source = [noise(30 * RATE, 21)]
        names = ["p%d" % i for i in range(1, 5)]
        with Server(period=PERIOD, capture=1, playback=1, sync=sync, capture_signal=source) as server:
            for name in names:
                server.spawn(PASSTHROUGH, name)
            for name in names:
                server.wait_for_port(name + ":out_1")
            # Graph churn while cycling: connect, disconnect, reconnect.
            server.connect("system:capture_1", "p1:in_1")
            server.connect("p1:out_1", "system:playback_1")
            server.run("jack_disconnect", "p1:out_1", "system:playback_1")
            upstream = "p1:out_1"
            for name in names[1:]:
                server.connect(upstream, name + ":in_1")
                upstream = name + ":out_1"
            server.connect(upstream, "system:playback_1")
            time.sleep(2)
            for child in server.children:
                self.assertIsNone(child.poll(), "a client died: %s" % open(child.log_path).read())
            out = server.playback()
        self.assert_tail_identical(out[0], source[0])

    def test_async_chain_with_graph_changes(self):
        self.run_chain(sync=False)

    def test_sync_chain_with_graph_changes(self):
        self.run_chain(sync=True)


if __name__ == "__main__":
    unittest.main()
