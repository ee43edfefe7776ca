"""Freewheel: the graph runs as fast as it can, detached from the device, and back."""

import os
import unittest

from harness import Server, TestCase

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "freewheel_checks.py")


class FreewheelTest(TestCase):
    def test_jack_freewheel(self):
        with Server(period=256) as server:
            result = server.run("/usr/bin/python3", SCRIPT, timeout=60, check=False)
            status = server.status()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("freewheel checks passed", result.stdout)
        self.assertEqual(status["xruns"], 0)


if __name__ == "__main__":
    unittest.main()
