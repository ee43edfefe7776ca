"""Debian's python3-jack-client (an unmodified program loading libjack.so.0 through cffi)
against bantamd: names, status bits, ports, regex lookup, connections, callbacks, time,
ring buffer."""

import os
import unittest

from harness import Server, TestCase

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "python_client_checks.py")
MIDI_SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "midi_checks.py")


class PythonClientTest(TestCase):
    def test_jack_client_module(self):
        with Server(period=256) as server:
            result = server.run("/usr/bin/python3", SCRIPT, timeout=60, check=False)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("9 checks passed", result.stdout)

    def test_jack_client_module_midi(self):
        with Server(period=256) as server:
            result = server.run("/usr/bin/python3", MIDI_SCRIPT, timeout=60, check=False)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("midi checks passed", result.stdout)


if __name__ == "__main__":
    unittest.main()
