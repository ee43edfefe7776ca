"""Internal clients: Debian's unmodified jack_load and jack_unload, and the objects Bantam ships
(bantam_gain, bantam_tone) running inside bantamd on our libjack.

jack_load returns once the object's jack_initialize has returned and jack_unload once the client
is gone, so what they did is visible as soon as they exit: no polling is needed after them."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import (BANTAM_RUN, BUILD_DIR, PERIOD, RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase,
                     first_nonzero, noise, read_log, split_at_silence)

OBJECTS = os.path.realpath(os.path.join(BUILD_DIR, "lib", "bantam"))
LIBJACK = os.path.realpath(os.path.join(BUILD_DIR, "lib", "libjack.so.0"))
JACKD2_OBJECTS = "/usr/lib/x86_64-linux-gnu/jack"  # they need libjackserver: never searched
LOAD_FAILURE = "status = 0x81"  # JackFailure | JackLoadFailure, as jack_load prints it
INIT_FAILURE = "status = 0x101"  # JackFailure | JackInitFailure


def load(server, name, obj, init=None, check=True):
    return server.run("jack_load", name, obj, *(["-i", init] if init is not None else []), check=check)


def ports_of(server, client):
    return [p for p in server.lsp().split("\n") if p.startswith(client + ":")]


class InternalClientTest(TestCase, AudioAssertions):
    def test_gain_halves_the_capture_signal_exactly(self):
        # Multiples of 1/4096: their halves are exact in float.
        source = [noise(10 * RATE, 21, 4096), noise(10 * RATE, 22, 4096)]
        with Server(period=PERIOD, capture_signal=source) as server:
            result = load(server, "gain", "bantam_gain", "1 0.5")
            self.assertIn("bantam_gain is running.", result.stdout)
            self.assertIn("client name = gain\n", result.stdout)
            server.connect("system:capture_1", "gain:in_1")
            server.connect("gain:out_1", "system:playback_1")
            time.sleep(2)
            out = server.playback()
        self.assert_tail_identical(out[0], [x * 0.5 for x in source[0]], xruns=server.final_xruns())
        self.assertFalse(any(out[1]), "nothing was routed to playback_2")

    def test_lsp_shows_the_ports_and_unload_removes_them(self):
        with Server(record=False) as server:
            load(server, "gain", "bantam_gain", "2 0.5")
            self.assertEqual(ports_of(server, "gain"), ["gain:in_1", "gain:out_1", "gain:in_2", "gain:out_2"])
            self.assertIn("gain:in_1\n\t32 bit float mono audio\n", server.lsp("-t"))
            result = server.run("jack_unload", "gain")
            self.assertIn("gain unloaded.", result.stdout)
            self.assertEqual(ports_of(server, "gain"), [])
            again = server.run("jack_unload", "gain", check=False)
            self.assertEqual(again.returncode, 2)
            self.assertIn("client gain not found.", again.stderr)
            self.assertTrue(server.alive())

    def test_a_missing_object_fails_with_load_failure(self):
        with Server(record=False) as server:
            result = load(server, "nothing", "bantam_no_such_object", check=False)
            self.assertEqual(result.returncode, 2)
            self.assertIn("could not load bantam_no_such_object, intclient = 0 " + LOAD_FAILURE, result.stderr)
            # jackd2's own directory is never searched: one of its objects Bantam does not ship.
            theirs = sorted(f[:-3] for f in os.listdir(JACKD2_OBJECTS)
                            if f.endswith(".so") and not os.path.exists(os.path.join(OBJECTS, f)))
            result = load(server, theirs[0], theirs[0], check=False)
            self.assertIn(LOAD_FAILURE, result.stderr)
            self.assertEqual(server.lsp().split(), ["system:capture_1", "system:capture_2",
                                                    "system:playback_1", "system:playback_2"])

    def test_a_failing_jack_initialize_fails_with_init_failure(self):
        with Server(record=False) as server:
            result = load(server, "gain", "bantam_gain", "banana", check=False)
            self.assertEqual(result.returncode, 2)
            self.assertIn("could not load bantam_gain, intclient = 0 " + INIT_FAILURE, result.stderr)
            self.assertIn('bantam_gain: bad init string "banana"', server.server_log())
            self.assertEqual(ports_of(server, "gain"), [])
            # The name is free again.
            self.assertIn("client name = gain\n", load(server, "gain", "bantam_gain", "1").stdout)

    def test_a_second_load_with_the_same_name_gets_a_unique_name(self):
        with Server(record=False) as server:
            load(server, "gain", "bantam_gain", "1")
            second = load(server, "gain", "bantam_gain", "1")
            self.assertIn("unique internal client name `gain-01' assigned", second.stderr)
            self.assertIn("client name = gain-01\n", second.stdout)
            self.assertEqual(ports_of(server, "gain"), ["gain:in_1", "gain:out_1"])
            self.assertEqual(ports_of(server, "gain-01"), ["gain-01:in_1", "gain-01:out_1"])

    def test_tone_reaches_playback_at_its_frequency_and_amplitude(self):
        with Server(period=PERIOD) as server:
            load(server, "tone", "bantam_tone", "1000 0.25 connect")
            connections = server.lsp("-c")
            self.assertIn("tone:out\n   system:playback_1\n   system:playback_2\n", connections)
            time.sleep(1.5)
            left, right = server.playback()
        # One port feeds both: the same samples from the later of the two connections on.
        both = max(first_nonzero(left), first_nonzero(right))
        self.assertEqual(left[both:], right[both:])
        for channel in (left, right):
            start = first_nonzero(channel)
            end = len(channel) - first_nonzero(channel[::-1])
            body = channel[start:end]
            self.assertGreater(len(body), RATE, "less than a second of tone")
            peak = max(abs(v) for v in body)
            # 48 samples a cycle: the sampled peak is within cos(pi/48) of the amplitude.
            self.assertTrue(0.2494 <= peak <= 0.25 + 1e-6, "peak %f" % peak)
            # Silent only in a period the client missed (each an xrun), periodic in between.
            runs = [run for run in split_at_silence(body, PERIOD) if run]
            self.assertLessEqual(len(runs) - 1, server.final_xruns(), "the tone stops more often than xruns")
            for run in runs:
                self.assertTrue(all(abs(run[i] - run[i + 48]) < 1e-5 for i in range(len(run) - 48)),
                                "not periodic every 48 samples")
            longest = max(runs, key=len)
            self.assertGreater(len(longest), RATE // 4, "no quarter second of unbroken tone")
            rising = [i for i in range(1, len(longest)) if longest[i - 1] < 0 <= longest[i]]
            frequency = (len(rising) - 1) * RATE / (rising[-1] - rising[0])
            self.assertAlmostEqual(frequency, 1000, delta=0.5)

    def test_objects_bind_to_our_libjack_inside_bantamd(self):
        with Server(record=False) as server:
            load(server, "gain", "bantam_gain", "1")
            with open("/proc/%d/maps" % server.proc.pid) as f:
                mapped = {line.split()[5] for line in f if len(line.split()) >= 6}
            self.assertIn(os.path.join(OBJECTS, "bantam_gain.so"), mapped)
            self.assertEqual({m for m in mapped if os.path.basename(m).startswith("libjack")}, {LIBJACK})
        ldd = subprocess.run(["ldd", os.path.join(OBJECTS, "bantam_gain.so")], capture_output=True,
                             text=True, check=True).stdout
        self.assertIn("libjack.so.0 => %s" % os.path.join(os.path.dirname(LIBJACK), "libjack.so.0"), ldd)

    def test_objects_by_path_and_from_bantam_internal_dir(self):
        directory = tempfile.mkdtemp(prefix="bantam-objects-")
        shutil.copy(os.path.join(OBJECTS, "bantam_gain.so"), os.path.join(directory, "my_gain.so"))
        os.environ["BANTAM_INTERNAL_DIR"] = "/nonexistent:" + directory
        try:
            with Server(record=False) as server:
                load(server, "by_name", "my_gain", "1")
                load(server, "by_path", os.path.join(directory, "my_gain.so"), "1")
                # A relative path is taken from jack_load's working directory, not bantamd's.
                subprocess.run([os.path.abspath(BANTAM_RUN), "jack_load", "relative", "./my_gain.so"],
                               cwd=directory, env=server.env(), check=True, capture_output=True, timeout=20)
                for name in ("by_name", "by_path", "relative"):
                    self.assertIn(name + ":out_1", ports_of(server, name))
        finally:
            del os.environ["BANTAM_INTERNAL_DIR"]
            shutil.rmtree(directory)

    def test_jack_load_wait_unloads_on_sigint(self):
        with Server(record=False) as server:
            loader = server.spawn("stdbuf", "-oL", "jack_load", "-w", "gain", "bantam_gain", "-i", "1")
            server.wait_for_port("gain:out_1")
            # jack_load installs its SIGINT handler after the load returns: wait for its word.
            deadline = time.time() + 10
            while "client name = gain" not in read_log(loader):
                self.assertLess(time.time(), deadline, "jack_load never reported the load")
                time.sleep(0.05)
            loader.send_signal(signal.SIGINT)
            loader.wait(timeout=10)
            self.assertIn("unloading...(succeeded)", read_log(loader))
            self.assertEqual(ports_of(server, "gain"), [])

    def test_jack_load_autoclose_exits_when_the_client_is_unloaded(self):
        with Server(record=False) as server:
            loader = server.spawn("jack_load", "-w", "-a", "gain", "bantam_gain", "-i", "1")
            server.wait_for_port("gain:out_1")
            server.run("jack_unload", "gain")
            # It hears the client go through its client registration callback.
            self.assertEqual(loader.wait(timeout=10), 0)

    def test_intclient_api_semantics(self):
        with Server(record=False) as server:
            # As built (our own client, RUNPATH to our libjack): in a TSan build bantam-run
            # would load a second sanitizer runtime into it.
            result = subprocess.run([os.path.join(TEST_CLIENTS, "intclient_checks")], env=server.env(),
                                    capture_output=True, text=True, timeout=20)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("jack_internal_client_new: deprecated", result.stderr)

    def test_server_stop_unloads_internal_clients(self):
        with Server(record=False, extra_server_args=("-v",)) as server:
            load(server, "gain", "bantam_gain", "1")
            load(server, "tone", "bantam_tone", "440 0.1")
            server.stop()  # asserts exit code 0 within the timeout
            log = server.server_log()
        stop = log.index("signal 15 received, stopping")
        for name in ("gain", "tone"):
            self.assertGreater(log.index("internal client '%s' unloaded" % name), stop)
        self.assertNotIn("did not unload in time", log)


if __name__ == "__main__":
    unittest.main()
