"""The process path allocates nothing: an interposed malloc aborts any process whose real-time
thread (the server's driver thread or a client's process thread) touches the heap after a
warm-up. Interposing malloc cannot coexist with AddressSanitizer, hence the label."""
# labels: no-sanitizer

import os
import time
import unittest

from harness import TEST_CLIENTS, Server, TestCase, read_log

GUARD = os.path.join(TEST_CLIENTS, "rt_alloc_guard.so")


class RealtimeAllocationTest(TestCase):
    def guarded(self):
        os.environ["LD_PRELOAD"] = GUARD
        os.environ["BANTAM_RT_GUARD_WARMUP_MS"] = "1000"

    def tearDown(self):
        os.environ.pop("LD_PRELOAD", None)

    def test_steady_state_allocates_nothing(self):
        self.guarded()
        with Server(period=256) as server:
            for name in ("thru1", "thru2"):
                server.spawn_thru(name)
            tone = server.spawn("jack_simple_client")
            server.wait_for_port("jack_simple_client:output1")
            time.sleep(1.2)  # past the warm-up: from here on the guard is armed
            server.connect("thru1:output_1", "thru2:input_1")
            server.run("jack_disconnect", "thru1:output_1", "thru2:input_1")
            server.connect("jack_simple_client:output1", "thru1:input_1")
            time.sleep(1.5)
            for child in server.children:
                self.assertIsNone(child.poll(), read_log(child))
            server.stop()
            log = server.server_log()
        self.assertNotIn("REAL-TIME HEAP CALL", log)
        self.assertRegex(log, r"rt-alloc-guard: pid \d+ inspected [1-9]\d* heap calls")
        for child in server.children:
            self.assertNotIn("REAL-TIME HEAP CALL", read_log(child))
        del tone

    def test_guard_catches_an_allocating_client(self):
        self.guarded()
        with Server(period=256) as server:
            offender = server.spawn(os.path.join(TEST_CLIENTS, "allocating_client"))
            offender.wait(timeout=10)
            self.assertNotEqual(offender.returncode, 0)
            self.assertIn("REAL-TIME HEAP CALL malloc", read_log(offender))
            self.assertTrue(server.alive(), "the server must outlive the aborted client")


if __name__ == "__main__":
    unittest.main()
