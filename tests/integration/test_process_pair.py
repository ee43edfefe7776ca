"""Two clients of one program connected to each other (process_pair), as a program with several
JACK clients wires them: what one writes in a cycle the other reads in that cycle, directly or
through clients of other programs (passthrough_client), and the connection back, which closes
a loop, carries the cycle before; sample-exact, on jackd2 and on Bantam.

Under ThreadSanitizer this is also the check that what orders the two clients' accesses is
seen from their program although it runs elsewhere: the driver in bantamd (a reader's cycle
before a writer's next one) and the clients in between (the feedback read before its writer's
cycle). Without Client::tsan_acquire_unseen_hops every run here was reported as a data race
(exit 66), directly and through two clients, as midi_probe's readers were in test_fluidsynth."""

import os
import re
import subprocess
import unittest

from harness import TEST_CLIENTS, Jackd2Server, Server, TestCase, wait_for_output

# Every program of a jackd2 run on Debian's libjack, ahead of our libjack's RUNPATH (under TSan
# Jackd2Server turns its reports off: that libjack is not instrumented).
DEBIAN_LIBJACK = {"LD_LIBRARY_PATH": "/usr/lib/x86_64-linux-gnu"}


class ProcessPairTest(TestCase):
    def run_pair(self, server, through, name):
        clients = []
        for i in range(through):
            client = "pp_thru%d" % i
            proc = server.spawn(os.path.join(TEST_CLIENTS, "passthrough_client"), client, direct=True)
            wait_for_output(proc, "active")
            clients.append(client)
        result = subprocess.run([os.path.join(TEST_CLIENTS, "process_pair"), *clients],
                                env=server.env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, "%s, through %d clients: %s%s" % (
            name, through, result.stdout, result.stderr[-4000:]))
        found = re.search(r"through (\d+) clients: (\d+) and (\d+) cycles, (\d+) and (\d+) differing, "
                          r"(\d+) xruns", result.stdout)
        self.assertTrue(found, result.stdout)
        print("%s: %s" % (name, result.stdout.strip()))
        self.assertEqual(int(found[1]), through)
        self.assertGreaterEqual(min(int(found[2]), int(found[3])), 200, result.stdout)
        # process_pair itself fails on more differing cycles than the xruns allow.
        self.assertLessEqual(int(found[4]) + int(found[5]), 3 * int(found[6]), result.stdout)

    def test_direct_and_through_other_programs_on_both_servers(self):
        for through in (0, 2):
            with Jackd2Server(extra_env=DEBIAN_LIBJACK) as jackd2:
                self.run_pair(jackd2, through, "jackd2")
            with Server() as bantam:
                self.run_pair(bantam, through, "bantam")


if __name__ == "__main__":
    unittest.main()
