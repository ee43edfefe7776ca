"""Freewheel: the graph runs as fast as it can, detached from the device, and back."""

import unittest

from harness import Server, TestCase



class FreewheelTest(TestCase):
    def test_jack_freewheel(self):
        with Server(period=256) as server:
            output = server.run_checks("freewheel_checks.py")
        self.assertIn("freewheel checks passed", output)


if __name__ == "__main__":
    unittest.main()
