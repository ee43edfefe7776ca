"""Debian's jack_multiple_metro: five clients in one process, closed together; then the
server quits under a running client, whose shutdown callback must fire, and comes back."""

import subprocess
import time
import unittest

from harness import BANTAM_RUN, RATE, Server, TestCase


class MultipleMetroTest(TestCase):
    def test_five_clients_in_one_process_and_server_restart(self):
        server = Server(period=1024)
        with server:
            metro = subprocess.Popen([BANTAM_RUN, "stdbuf", "-oL", "jack_multiple_metro"], env=server.env(),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
            try:
                for name in ("t1", "t2", "t3", "t4", "t5"):
                    server.wait_for_port(name + ":bpm")
                server.connect("t1:bpm", "system:playback_1")  # 80 bpm
                server.connect("t4:bpm", "system:playback_2")  # 200 bpm
                time.sleep(2.5)
                metro.stdin.write("c\n")
                metro.stdin.flush()
                # The five close; the first one opens again for the next step.
                deadline = time.time() + 10
                while any(name + ":bpm" in server.lsp() for name in ("t2", "t3", "t4", "t5")):
                    self.assertLess(time.time(), deadline, "the clients were not closed")
                    time.sleep(0.1)
                server.wait_for_port("t1:bpm")
                left, right = server.playback()  # stops the server under the running client
                metro.stdin.write("c\n")
                metro.stdin.flush()
                out = self.read_until(metro, "Now start the server again")
                self.assertIn("shutdown called", out)
                server.__enter__()  # the server comes back
                metro.stdin.write("c\n")
                metro.stdin.flush()
                server.wait_for_port("t1:bpm")  # a new client on the new server
                metro.stdin.write("c\n")
                metro.stdin.write("q\n")
                metro.stdin.flush()
                metro.stdin.close()
                rest = metro.stdout.read()
                self.assertEqual(metro.wait(timeout=20), 0, out + rest)
            finally:
                if metro.poll() is None:
                    metro.kill()
        for channel, bpm in ((left, 80), (right, 200)):
            onsets = [i for i in range(1, len(channel))
                      if channel[i] != 0 and all(v == 0 for v in channel[max(0, i - 500):i])][1:]
            self.assertGreaterEqual(len(onsets), 2, "too few clicks at %d bpm" % bpm)
            self.assertEqual({b - a for a, b in zip(onsets, onsets[1:])}, {60 * RATE // bpm})

    def read_until(self, process, marker, timeout=15):
        seen = ""
        deadline = time.time() + timeout
        while marker not in seen:
            self.assertLess(time.time(), deadline, "never printed %r; got %r" % (marker, seen))
            line = process.stdout.readline()
            if not line:
                break
            seen += line
        return seen


if __name__ == "__main__":
    unittest.main()
