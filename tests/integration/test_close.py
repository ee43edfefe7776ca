"""jack_client_close returns whatever the process thread does (issue 16, item 1): a thread of the
alternate model (jack_set_process_thread, as Ardour's JACK backend runs) that ends inside
jack_cycle_wait, and a process callback that never returns, sleeping or spinning. Checked on
jackd2 and on Bantam with the same client (tests/integration/clients/close_checks.c)."""

import os
import subprocess
import unittest

from harness import TEST_CLIENTS, Jackd2Server, Server, sanitizer


class CloseWhateverTheProcessThreadDoes(unittest.TestCase):
    def close_checks(self, server, mode):
        command = [os.path.join(TEST_CLIENTS, "close_checks"), mode]
        env = server.env()
        if isinstance(server, Jackd2Server):
            env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu"  # Debian's libjack before our RUNPATH
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 0, "%s on %s: %s%s" % (mode, type(server).__name__, result.stdout,
                                                                   result.stderr))
        print("%s on %s: %s" % (mode, type(server).__name__, result.stdout.strip()))

    def test_close(self):
        # jackd2 ends a spinning callback by asynchronous cancellation, which a sanitizer's
        # runtime in our client holds off: there jackd2 is asked only the other two.
        with Jackd2Server(period=256) as jackd2:
            for mode in ("thread-model", "sleeping") + (() if sanitizer() else ("spinning",)):
                self.close_checks(jackd2, mode)
        with Server(period=256) as bantam:
            for mode in ("thread-model", "sleeping", "spinning"):
                self.close_checks(bantam, mode)
            self.assertTrue(bantam.alive())


if __name__ == "__main__":
    unittest.main()
