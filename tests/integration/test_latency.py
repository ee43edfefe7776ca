"""Port latencies: the driver's ports report their real latency, ranges propagate along
connections, and Debian's jack_latent_client adds its own latency through its callback."""

import re
import time
import unittest

from harness import Server, TestCase, read_log

RANGE = re.compile(r"\tport (playback|capture) latency = \[ (\d+) (\d+) \] frames")


def latencies(lsp_output):
    result, port = {}, None
    for line in lsp_output.split("\n"):
        match = RANGE.match(line)
        if match:
            result[(port, match.group(1))] = (int(match.group(2)), int(match.group(3)))
        elif line and not line.startswith((" ", "\t")):
            port = line
    return result


class LatencyTest(TestCase):
    def test_driver_ports(self):
        for sync, playback in ((False, 2 * 128), (True, 1 * 128)):
            with Server(period=128, sync=sync) as server:
                ranges = latencies(server.lsp("-l"))
            self.assertEqual(ranges[("system:capture_1", "capture")], (128, 128))
            # (nperiods - 1) periods, plus one more in the default (async) mode: reported.
            self.assertEqual(ranges[("system:playback_1", "playback")], (playback, playback))

    def test_latent_client_adds_its_latency(self):
        with Server(period=256) as server:
            server.spawn("jack_latent_client", "1000")
            server.wait_for_connection("latent:output", "system:playback_1")
            server.wait_for_connection("latent:input", "system:capture_1")
            ranges = latencies(server.lsp("-l"))
            self.assertEqual(ranges[("latent:input", "capture")], (256, 256))
            self.assertEqual(ranges[("latent:output", "capture")], (1256, 1256))
            self.assertEqual(ranges[("latent:output", "playback")], (512, 512))
            self.assertEqual(ranges[("latent:input", "playback")], (1512, 1512))
            # Upstream of the latent client, a capture port sees the whole path to playback.
            self.assertEqual(ranges[("system:capture_1", "playback")], (1512, 1512))
            # A pass-through client without a callback passes ranges through unchanged.
            server.spawn_thru()
            server.run("jack_disconnect", "latent:output", "system:playback_1")
            server.connect("latent:output", "jack_thru:input_1")
            ranges = latencies(server.lsp("-l"))
            self.assertEqual(ranges[("jack_thru:output_1", "capture")], (256, 1256))  # two sources
            self.assertEqual(ranges[("jack_thru:input_1", "capture")], (256, 1256))

    def test_iodelay_measures_what_the_ports_report(self):
        # The dummy driver's --loopback sends playback back into capture after exactly the
        # latency the physical ports report; Debian's jack_iodelay measures the round trip.
        for sync in (False, True):
            with Server(period=256, sync=sync, extra_driver_args=("--loopback",)) as server:
                iodelay = server.spawn("stdbuf", "-oL", "jack_iodelay")
                server.wait_for_port("jack_delay:out")
                server.connect("jack_delay:out", "system:playback_1")
                server.connect("system:capture_1", "jack_delay:in")
                ranges = latencies(server.lsp("-l"))
                reported = ranges[("system:capture_1", "capture")][1] + ranges[("system:playback_1", "playback")][1]
                deadline = time.time() + 10
                measured = []
                while len(measured) < 3:
                    self.assertLess(time.time(), deadline, "jack_iodelay measured nothing")
                    time.sleep(0.2)
                    measured = [float(m) for m in re.findall(r"([\d.]+) frames\s+[\d.]+ ms total roundtrip",
                                                             read_log(iodelay))]
            self.assertEqual(reported, 256 + 256 + (0 if sync else 256))
            for value in measured:
                self.assertAlmostEqual(value, reported, delta=0.01)


if __name__ == "__main__":
    unittest.main()
