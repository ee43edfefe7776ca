"""Clients that call jack_client_close or jack_deactivate from inside their own callbacks: the
call succeeds, the client's process lives on without touching freed memory (the ASan build runs
this too), its ports go away, and the server and the other clients play on."""

import os
import subprocess
import time
import unittest

from harness import TEST_CLIENTS, AudioAssertions, Server, TestCase


class SelfClosingTest(TestCase, AudioAssertions):
    def run_mode(self, mode):
        program = os.path.join(TEST_CLIENTS, "self_closing_client")
        with Server(period=128) as server:
            server.spawn_thru("other")
            proc = subprocess.Popen([program, "selfish", mode], env=server.env(), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self.assertEqual(proc.stdout.readline().strip(), "active")
            if mode == "graph-close":
                # Any graph change calls the graph-order callback (activating may already have).
                server.run("jack_connect", "system:capture_2", "other:input_1", check=False)
            else:
                server.connect("system:capture_1", "selfish:in")
                server.connect("selfish:out", "system:playback_1")
                # Only now may the client count its 50 cycles: under a sanitizer, the two
                # jack_connect runs above can take longer than 50 cycles (a TSan run once
                # found the client gone before the second).
                proc.stdin.write("go\n")
                proc.stdin.flush()
            out = proc.communicate(timeout=30)[0]
            self.assertEqual(proc.returncode, 0, out)
            self.assertIn("%s returned 0" % mode, out)
            if mode == "process-deactivate":
                self.assertIn("close returned 0", out)
            deadline = time.time() + 5
            while "selfish:in" in server.lsp():
                self.assertLess(time.time(), deadline, "the client's ports remain")
                time.sleep(0.05)
            cycles = server.status()["cycles"]
            time.sleep(0.3)
            self.assertGreater(server.status()["cycles"], cycles)
            self.assertIn("other:output_1\n   system:playback_1", server.lsp("-c"))

    def test_close_from_the_process_callback(self):
        self.run_mode("process-close")

    def test_deactivate_from_the_process_callback(self):
        self.run_mode("process-deactivate")

    def test_close_from_the_graph_order_callback(self):
        self.run_mode("graph-close")


if __name__ == "__main__":
    unittest.main()
