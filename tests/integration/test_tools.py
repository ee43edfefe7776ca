"""Debian's unmodified jackd2 command-line tools against bantamd: what they print."""

import os
import subprocess
import time
import unittest

from harness import BANTAM_RUN, Server, TestCase, read_log


class ToolsTest(TestCase):
    def test_lsp_variants(self):
        with Server(period=256) as server:
            self.assertEqual(server.lsp().split(),
                             ["system:capture_1", "system:capture_2", "system:playback_1", "system:playback_2"])
            server.spawn_thru()
            # jack_thru connects capture -> its inputs and its outputs -> playback by itself.
            self.assertEqual(server.lsp("-c"),
                             "system:capture_1\n   jack_thru:input_1\n"
                             "system:capture_2\n   jack_thru:input_2\n"
                             "system:playback_1\n   jack_thru:output_1\n"
                             "system:playback_2\n   jack_thru:output_2\n"
                             "jack_thru:input_1\n   system:capture_1\n"
                             "jack_thru:output_1\n   system:playback_1\n"
                             "jack_thru:input_2\n   system:capture_2\n"
                             "jack_thru:output_2\n   system:playback_2\n")
            typed = server.lsp("-t").split("\n")
            self.assertEqual(typed[0:2], ["system:capture_1", "\t32 bit float mono audio"])
            self.assertEqual(typed.count("\t32 bit float mono audio"), 8)
            props = server.lsp("-p").split("\n")
            self.assertEqual(props[props.index("system:capture_1") + 1], "\tproperties: output,physical,terminal,")
            self.assertEqual(props[props.index("system:playback_2") + 1], "\tproperties: input,physical,terminal,")
            self.assertEqual(props[props.index("jack_thru:input_1") + 1], "\tproperties: input,")
            self.assertEqual(props[props.index("jack_thru:output_1") + 1], "\tproperties: output,")
            # A filter matches anywhere in the name (an unanchored regular expression).
            self.assertEqual(server.lsp("thru:in").split(), ["jack_thru:input_1", "jack_thru:input_2"])
            latency = server.lsp("-l", "system:").split("\n")
            # capture: one period; playback: (nperiods-1) periods + one for async mode.
            self.assertIn("system:capture_1", latency)
            self.assertEqual(latency[latency.index("system:capture_1") + 2],
                             "\tport capture latency = [ 256 256 ] frames")
            self.assertEqual(latency[latency.index("system:playback_1") + 1],
                             "\tport playback latency = [ 512 512 ] frames")

    def test_connect_disconnect_and_duplicates(self):
        with Server() as server:
            server.spawn_thru()
            server.run("jack_disconnect", "system:capture_1", "jack_thru:input_1")
            self.assertNotIn("jack_thru:input_1\n   system:capture_1", server.lsp("-c"))
            server.run("jack_connect", "system:capture_2", "jack_thru:input_1")
            server.run("jack_connect", "system:capture_1", "jack_thru:input_1")
            # Connections list in the order they were made.
            self.assertIn("jack_thru:input_1\n   system:capture_2\n   system:capture_1\n", server.lsp("-c"))
            duplicate = server.run("jack_connect", "system:capture_1", "jack_thru:input_1", check=False)
            self.assertNotEqual(duplicate.returncode, 0)
            self.assertIn("already connected", duplicate.stderr)
            wrong_direction = server.run("jack_connect", "jack_thru:input_1", "system:playback_1", check=False)
            self.assertNotEqual(wrong_direction.returncode, 0)
            missing = server.run("jack_connect", "nobody:out", "system:playback_1", check=False)
            self.assertNotEqual(missing.returncode, 0)

    def test_alias(self):
        with Server() as server:
            server.run("jack_alias", "system:capture_1", "mic:left")
            server.run("jack_alias", "system:capture_1", "second")
            self.assertIn("system:capture_1\n   mic:left\n   second\n", server.lsp("-A"))
            third = server.run("jack_alias", "system:capture_1", "third", check=False)
            self.assertNotEqual(third.returncode, 0)
            # An alias names the port for connections too (qjackctl relies on it).
            server.spawn_thru()
            server.run("jack_disconnect", "mic:left", "jack_thru:input_1")
            self.assertNotIn("jack_thru:input_1\n   system:capture_1", server.lsp("-c"))
            server.run("jack_alias", "-u", "system:capture_1", "mic:left")
            self.assertIn("system:capture_1\n   second\nsystem:capture_2", server.lsp("-A"))

    def test_bufsize_and_samplerate(self):
        with Server(period=256, rate=44100) as server:
            self.assertEqual(server.run("jack_bufsize").stdout.strip(), "256")
            self.assertEqual(server.run("jack_samplerate").stdout.strip(), "44100")
            server.run("jack_bufsize", "128")
            self.assertEqual(server.run("jack_bufsize").stdout.strip(), "128")
            server.run("jack_bufsize", "1024")
            self.assertEqual(server.run("jack_bufsize").stdout.strip(), "1024")

    def test_wait(self):
        with Server() as server:
            check = server.run("jack_wait", "-c")
            self.assertEqual(check.stdout.strip(), "running")
            quitter = subprocess.Popen([BANTAM_RUN, "jack_wait", "-q"], env=server.env(),
                                       stdout=subprocess.PIPE, text=True)
            time.sleep(0.5)
            self.assertIsNone(quitter.poll(), "jack_wait -q returned while the server runs")
            server.stop()
            out, _ = quitter.communicate(timeout=10)
            self.assertEqual(quitter.returncode, 0)
            self.assertIn("server is gone", out)
            not_running = server.run("jack_wait", "-c", check=False)
            self.assertEqual(not_running.stdout.strip(), "not running")
            # -w waits for a server that starts later.
            waiter = subprocess.Popen([BANTAM_RUN, "jack_wait", "-w", "-t", "10"], env=server.env(),
                                      stdout=subprocess.PIPE, text=True)
            time.sleep(0.5)
            self.assertIsNone(waiter.poll(), "jack_wait -w returned before any server ran")
            server.__enter__()
            out, _ = waiter.communicate(timeout=10)
            self.assertEqual(waiter.returncode, 0)
            self.assertIn("server is available", out)

    def test_cpu_load(self):
        with Server(period=256) as server:
            server.spawn("jack_simple_client")
            server.wait_for_port("jack_simple_client:output1")
            load = server.spawn("jack_cpu_load")
            time.sleep(2.5)
            xruns = server.status()["xruns"]
        lines = [l for l in read_log(load).split("\n") if l.startswith("jack DSP load")]
        self.assertGreaterEqual(len(lines), 1)
        values = [float(l.split()[-1]) for l in lines]
        # A late graph reads as 100 % (jackd2 does the same); only then, and never always.
        self.assertTrue(all(0.0 <= v <= 100.0 for v in values), values)
        self.assertTrue(any(v < 100.0 for v in values), values)
        if any(v == 100.0 for v in values):
            self.assertGreater(xruns, 0, "a load of 100 %% without an xrun: %s" % values)


if __name__ == "__main__":
    unittest.main()
