"""The drift-compensating adapter on the Bantam ALSA test device (tests/alsa/), whose clock runs
+-200 ppm off the server's: bantam-alsa-out, bantam-alsa-in and the audioadapter internal client
loaded into bantamd with jackd2's command line. A 997 Hz sine goes through each for ~10 s; the
recording (the device's playback WAV, or the server's) must be one continuous sine once the loop
has locked (the detector of src/adapter/sine_continuity.hpp: any three samples of a sine satisfy
x[n+1] + x[n-1] = 2cos(w) x[n]; a residual above a quarter of A*w^2, or a block whose level is
10% off, is a discontinuity), the loop must hold the fill error and find the drift."""

import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import BIN, BUILD_DIR, Server, TestCase, read_log, sanitizer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "alsa"))
from alsa_test_card import TestCard, read_wav, write_wav  # noqa: E402

RATE = 48000
TONE_HZ = 997.0
AMPLITUDE = 0.5
RUN_SECONDS = 10
SETTLE_SECONDS = 3  # the sine starts, the loop centres and locks: not judged
ALSA_IN = os.path.join(BIN, "bantam-alsa-in")
ALSA_OUT = os.path.join(BIN, "bantam-alsa-out")
STATUS = re.compile(r"(capture|playback): fill error ([-+\d.]+) frames \(smoothed ([-+\d.]+)\), "
                    r"ratio [\d.]+ \(([-+\d.]+) ppm\), resyncs (\d+), underruns (\d+), overflows (\d+), "
                    r"missed cycles (\d+), device xruns (\d+)")


def discontinuities(samples, amplitude=AMPLITUDE, cycles=TONE_HZ / RATE, block=4800):
    """Frame indices where the sine breaks (the first of each run of flagged samples)."""
    w = 2 * math.pi * cycles
    threshold = 0.25 * amplitude * w * w
    flagged = []
    for start in range(1, len(samples) - block - 1, block):
        before, middle, after = (samples[start - 1:start + block - 1], samples[start:start + block],
                                 samples[start + 1:start + block + 1])
        energy = sum(x * x for x in middle)
        two_cos = sum(x * (a + b) for a, x, b in zip(before, middle, after)) / energy if energy else 2.0
        if abs(math.sqrt(2 * energy / block) - amplitude) > 0.1 * amplitude:
            flagged.append(start)
        flagged += [start + n for n, (a, x, b) in enumerate(zip(before, middle, after))
                    if abs(a + b - two_cos * x) > threshold]
    found = []
    for index in sorted(flagged):
        if not found or index - last > 16:
            found.append(index)
        last = index
    return found


def run_tool(server, *args):
    """Runs one of our tools as built (they find our libjack through their RUNPATH, and in a
    sanitizer build carry their own runtime, so bantam-run's preloading is not for them)."""
    return subprocess.run(args, env=server.env(), capture_output=True, text=True, timeout=30)


def loop_states(text):
    """The -v status lines: a list of dicts per direction, oldest first."""
    states = {"capture": [], "playback": []}
    for match in STATUS.finditer(text):
        states[match.group(1)].append({
            "error": float(match.group(2)), "smoothed": float(match.group(3)), "ppm": float(match.group(4)),
            "resyncs": int(match.group(5)), "underruns": int(match.group(6)), "overflows": int(match.group(7)),
            "missed": int(match.group(8)), "xruns": int(match.group(9))})
    return states


class AdapterCase(TestCase):
    def setUp(self):
        self.card = TestCard(BUILD_DIR, tempfile.mkdtemp(prefix="bantam-adapter-"))

    def add_device(self, ppm, name="usb", **fields):
        """A test card whose clock runs `ppm` off CLOCK_MONOTONIC (the dummy driver's clock),
        capturing a sine from a float WAV and writing what it plays to another."""
        sine = [AMPLITUDE * math.sin(2 * math.pi * TONE_HZ * i / RATE) for i in range((RUN_SECONDS + 5) * RATE)]
        capture = self.card.file(name + "-in.wav")
        write_wav(capture, RATE, [sine, sine], "FLOAT_LE")
        fields.setdefault("formats", "FLOAT_LE S32_LE")
        self.card.add(name, capture_file=capture, playback_file=self.card.file(name + "-out.wav"),
                      status_file=self.card.file(name + ".status"), trigger_file=self.card.file(name + ".trigger"),
                      ppm=float(ppm), **fields)

    def server(self):
        server = Server(extra_env=self.card.env())
        server.__enter__()
        self.addCleanup(server.__exit__, None, None, None)
        return server

    def play_tone(self, server, *destinations):
        server.run("jack_load", "tone", "bantam_tone", "-i", "%g %g" % (TONE_HZ, AMPLITUDE))
        for destination in destinations:
            server.connect("tone:out", destination)

    def assert_continuous(self, channels, what, xruns, skip_seconds=SETTLE_SECONDS):
        """From skip_seconds after the sine starts to shortly before it stops (the recording goes
        on in silence once the adapter is gone), each channel is one unbroken sine. A cycle the
        graph lost or a test-device overrun (`xruns`: on this shared two-core machine either
        happens now and then) leaves at most three marks; none may come from the adapter."""
        for index, channel in enumerate(channels):
            sound = [i for i, v in enumerate(channel) if abs(v) > 0.01]
            self.assertTrue(sound, "%s channel %d: silence" % (what, index + 1))
            judged = channel[sound[0] + int(skip_seconds * RATE):sound[-1] - RATE // 10]
            self.assertGreater(len(judged), 5 * RATE, "%s: too little audio recorded" % what)
            found = discontinuities(judged)
            self.assertLessEqual(len(found), 3 * xruns,
                                 "%s channel %d: discontinuities at frames %s (after %g s), xruns %d" % (
                                     what, index + 1, found[:10], skip_seconds, xruns))

    def assert_steering_back(self, judged, what, trace):
        """From one status line to the next the fill error shrinks, or moves by no more than the
        measurement's noise, or is already held."""
        for before, after in zip(judged, judged[1:]):
            self.assertTrue(abs(after["smoothed"]) < 40 or
                            abs(after["smoothed"]) <= abs(before["smoothed"]) + 5,
                            "%s: fill error moving away from the target: %s" % (what, trace))

    def assert_locked(self, states, expected_ppm, what, graph_xruns):
        """The -v lines: the fill error held and the drift found over the second half (|smoothed
        error| < 40 frames, the ratio's mean within 80 ppm of the device's offset). On this shared
        two-core virtual machine a run is now and then disturbed from outside: the graph loses
        cycles (server xruns; the adapter makes up for the cycles it missed, to within a few
        frames), or the test device overruns or stalls long enough to starve the adapter. Only
        the device's trouble may make the adapter re-centre, and then its lock is not judged
        here (the simulation tests judge such runs exactly). Returns the disturbances the
        adapter saw (the graph's are the caller's)."""
        self.assertGreater(len(states), 3, "%s: too few status lines" % what)
        last = states[-1]
        disturbances = graph_xruns + last["missed"] + last["xruns"]
        recentred = last["resyncs"] + last["underruns"] + last["overflows"]
        self.assertLessEqual(recentred, 3 * disturbances, "%s: %s, graph xruns %d" % (what, last, graph_xruns))
        if recentred or last["xruns"]:
            print("%s: the device overran or stalled; lock not judged: %s" % (what, last), file=sys.stderr)
            return disturbances - graph_xruns
        judged = states[len(states) // 2:]
        trace = "graph xruns %d; the second half's (error, smoothed, ppm): %s" % (
            graph_xruns, [(s["error"], s["smoothed"], s["ppm"]) for s in judged])
        if "thread" in sanitizer():
            # Under ThreadSanitizer everything runs several times slower and a 10 s run loses 12
            # to 22 graph cycles (a clean-clone dry run): the loop is then mostly recovering, and
            # its lock is judged in the release and ASan builds instead. Here: races, continuity
            # (with those xruns allowed for), re-centring no more than disturbed.
            print("%s: TSan build, lock not judged: %s" % (what, trace), file=sys.stderr)
            return disturbances - graph_xruns
        # Cycles the graph lost are made up for, but not to the frame: the loop then steers a
        # few frames back. So a disturbed run is held to 150 frames and 150 ppm, and must be
        # steering back, never away; 150 ppm still fails a loop that does not follow the drift
        # (0 ppm) or follows it the wrong way.
        disturbed = bool(graph_xruns or last["missed"])
        frames, ppm = (150, 150) if disturbed else (40, 80)
        for state in judged:
            self.assertLess(abs(state["smoothed"]), frames, "%s: fill error not held: %s; %s" % (what, state, trace))
            self.assertLess(abs(state["error"]), 300, "%s: %s; %s" % (what, state, trace))
        if disturbed:
            self.assert_steering_back(judged, what, trace)
        # The ratio moves a little with every measurement; on average it is the drift.
        settled = [state["ppm"] for state in judged]
        mean = sum(settled) / len(settled)
        self.assertLess(abs(mean - expected_ppm), ppm, "%s: ratio %s ppm on average (%s), drift %s; %s" % (
            what, mean, settled, expected_ppm, trace))
        return disturbances - graph_xruns


class TestDetector(unittest.TestCase):
    def test_one_dropped_or_repeated_frame_is_found_at_any_phase(self):
        sine = [AMPLITUDE * math.sin(2 * math.pi * TONE_HZ / RATE * i) for i in range(60000)]
        self.assertEqual(discontinuities(sine), [])
        for offset in range(49):  # one cycle of the sine
            at = 30000 + offset
            self.assertEqual(len(discontinuities(sine[:at] + sine[at + 1:])), 1, "drop at %d" % at)
            self.assertEqual(len(discontinuities(sine[:at] + [sine[at]] + sine[at:])), 1, "repeat at %d" % at)


class TestAlsaInOut(AdapterCase):
    def test_alsa_out_follows_a_device_200_ppm_fast(self):
        self.add_device(+200)
        server = self.server()
        out = server.spawn(ALSA_OUT, "-d", "usb", "-p", "1024", "-n", "3", "-v", direct=True)
        server.wait_for_port("alsa_out:playback_2")
        self.play_tone(server, "alsa_out:playback_1", "alsa_out:playback_2")
        time.sleep(RUN_SECONDS)
        xruns = server.status()["xruns"]
        out.send_signal(signal.SIGINT)
        self.assertEqual(out.wait(timeout=10), 0, read_log(out))
        log = read_log(out)
        self.assertIn("usb playback: 48000 Hz, 3 x 1024 frames", log)
        # The device consumes 200 ppm more than JACK's clock provides: resample 200 ppm up.
        xruns += self.assert_locked(loop_states(log)["playback"], +200, "alsa_out", xruns)
        self.assert_continuous(read_wav(self.card.file("usb-out.wav"))[2], "device playback", xruns)

    def test_alsa_in_follows_a_device_200_ppm_slow(self):
        self.add_device(-200)
        server = self.server()
        proc = server.spawn(ALSA_IN, "-j", "usb_in", "-d", "usb", "-c", "2", "-p", "1024", "-n", "3", "-v",
                            direct=True)
        server.wait_for_port("usb_in:capture_2")
        server.connect("usb_in:capture_1", "system:playback_1")
        server.connect("usb_in:capture_2", "system:playback_2")
        time.sleep(RUN_SECONDS)
        xruns = server.status()["xruns"]
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(timeout=10), 0, read_log(proc))
        # The device delivers 200 ppm fewer frames than JACK takes: resample 200 ppm up.
        xruns += self.assert_locked(loop_states(read_log(proc))["capture"], +200, "alsa_in", xruns)
        self.assert_continuous(server.playback(), "JACK playback", xruns)

    def test_integer_formats_and_non_interleaved_access(self):
        """S16 non-interleaved capture and S24 in 3 bytes for playback, side by side."""
        self.add_device(-200, name="in16", formats="S16_LE", access="RW_NONINTERLEAVED")
        self.add_device(+200, name="out24", formats="S24_3LE", access="RW_INTERLEAVED")
        server = self.server()
        capture = server.spawn(ALSA_IN, "-j", "in16", "-d", "in16", "-p", "1024", "-n", "3", "-v", direct=True)
        playback = server.spawn(ALSA_OUT, "-j", "out24", "-d", "out24", "-p", "1024", "-n", "3", "-v",
                                direct=True)
        server.wait_for_port("in16:capture_2")
        server.wait_for_port("out24:playback_2")
        server.connect("in16:capture_1", "system:playback_1")
        server.connect("in16:capture_2", "system:playback_2")
        server.connect("in16:capture_1", "out24:playback_1")
        server.connect("in16:capture_2", "out24:playback_2")
        time.sleep(RUN_SECONDS)
        xruns = server.status()["xruns"]
        for proc in (capture, playback):
            proc.send_signal(signal.SIGINT)
            self.assertEqual(proc.wait(timeout=10), 0, read_log(proc))
        self.assertEqual((self.card.status("in16")["format"], self.card.status("in16")["access"]),
                         ("S16_LE", "RW_NONINTERLEAVED"))
        self.assertEqual(self.card.status("out24")["format"], "S24_3LE")
        xruns += self.assert_locked(loop_states(read_log(capture))["capture"], +200, "alsa_in S16", xruns) + \
            self.assert_locked(loop_states(read_log(playback))["playback"], +200, "alsa_out S24_3LE", xruns)
        tag, bits, channels = read_wav(self.card.file("out24-out.wav"))
        self.assertEqual((tag, bits), (1, 24))
        scale = float(1 << 23)
        # Device -200 ppm in, +200 ppm out: 400 ppm between the two cards, through JACK.
        self.assert_continuous([[v / scale for v in c] for c in channels], "S24 playback", xruns)
        self.assert_continuous(server.playback(), "S16 capture", xruns)

    def test_bad_options_are_one_line_and_exit_code_2(self):
        server = self.server()
        for program, args, words in [(ALSA_IN, ["-x"], "unknown option '-x'"),
                                     (ALSA_OUT, ["-q", "9"], "invalid quality '9'"),
                                     (ALSA_IN, ["-c"], "needs a value"),
                                     (ALSA_OUT, ["-p", "many"], "invalid period size 'many'")]:
            result = run_tool(server, program, *args)
            self.assertEqual(result.returncode, 2, result)
            self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
            self.assertIn(words, result.stderr)
        result = run_tool(server, ALSA_IN, "-d", "nosuchcard")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot open ALSA device 'nosuchcard' for capture", result.stderr)


class TestAudioAdapter(AdapterCase):
    def test_jack_load_audioadapter_duplex_follows_the_device(self):
        self.add_device(+200)
        server = self.server()
        # The seed's line, option for option, on the test card.
        server.run("jack_load", "myUsbSoundcard_0", "audioadapter", "-i",
                   "-i 2 -o 2 -D -p 1024 -n 3 -dalsa -dusb -r 48000 -v")
        self.play_tone(server, "myUsbSoundcard_0:playback_1", "myUsbSoundcard_0:playback_2")
        server.connect("myUsbSoundcard_0:capture_1", "system:playback_1")
        server.connect("myUsbSoundcard_0:capture_2", "system:playback_2")
        time.sleep(RUN_SECONDS)
        xruns = server.status()["xruns"]
        server.run("jack_unload", "myUsbSoundcard_0")
        states = loop_states(server.server_log())
        # Device fast: capture resamples down (takes more), playback up (gives more).
        xruns += self.assert_locked(states["capture"], -200, "audioadapter capture", xruns) + \
            self.assert_locked(states["playback"], +200, "audioadapter playback", xruns)
        self.assert_continuous(read_wav(self.card.file("usb-out.wav"))[2], "device playback", xruns)
        self.assert_continuous(server.playback(), "JACK playback", xruns)

    def test_a_device_xrun_is_recovered_and_the_loop_re_centres(self):
        self.add_device(-200)
        server = self.server()
        server.run("jack_load", "card", "audioadapter", "-i", "-i 2 -o 0 -p 1024 -n 3 -d usb -v")
        time.sleep(2)
        self.card.trigger("usb", "capture", "xrun")
        time.sleep(5)
        states = loop_states(server.server_log())["capture"]
        self.assertTrue(states, server.server_log())
        self.assertEqual(states[-1]["xruns"], 1, states[-1])
        # Once for the xrun; a cycle the graph lost meanwhile may take one more (seen under TSan).
        self.assertGreaterEqual(states[-1]["resyncs"], 1, states[-1])
        self.assertLessEqual(states[-1]["resyncs"], 1 + states[-1]["missed"], states[-1])
        self.assertLess(abs(states[-1]["smoothed"]), 40, states[-1])

    def test_bad_init_strings_fail_the_load_with_one_line(self):
        server = self.server()
        for init, words in [("-i 2 -x", "unknown option '-x'"),
                            ("-i 0 -o 0", "no channels"),
                            ("-q 7", "invalid quality '7'"),
                            ("-d nosuchcard", "cannot open ALSA device 'nosuchcard'")]:
            result = server.run("jack_load", "bad", "audioadapter", "-i", init, check=False)
            self.assertNotEqual(result.returncode, 0, init)
            self.assertIn(words, server.server_log(), init)
        self.assertNotIn("bad:", server.lsp())


if __name__ == "__main__":
    unittest.main()
