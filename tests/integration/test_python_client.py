"""Debian's python3-jack-client (an unmodified program loading libjack.so.0 through cffi)
against bantamd: names, status bits, ports, regex lookup, connections, callbacks, time,
ring buffer."""

import unittest

from harness import Server, TestCase


class PythonClientTest(TestCase):
    def test_jack_client_module(self):
        with Server(period=256) as server:
            output = server.run_checks("python_client_checks.py")
        self.assertIn("9 checks passed", output)

    def test_jack_client_module_midi(self):
        with Server(period=256) as server:
            output = server.run_checks("midi_checks.py")
        self.assertIn("midi checks passed", output)


if __name__ == "__main__":
    unittest.main()
