"""Audio through the graph, verified sample by sample on what reaches the playback ports."""

import math
import struct
import time
import unittest

from harness import PERIOD, RATE, AudioAssertions, Server, TestCase, noise, read_log, read_wav, split_at_silence



def as_float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


class AudioTest(TestCase, AudioAssertions):
    def test_simple_client_plays_its_sine_table(self):
        with Server(period=PERIOD) as server:
            server.spawn("jack_simple_client")
            server.wait_for_port("jack_simple_client:output2")
            time.sleep(1.5)
            left, right = server.playback()
            xruns = server.final_xruns()
        table = [as_float32(0.2 * math.sin(2 * math.pi * i / 200)) for i in range(200)]
        for channel in (left, right):
            start = next(i for i, v in enumerate(channel) if v != 0)
            end = len(channel) - next(i for i, v in enumerate(reversed(channel)) if v != 0)
            body = channel[start:end]
            self.assertGreater(len(body), RATE, "less than a second of tone")
            self.assertTrue(all(abs(v - table[min(range(200), key=lambda k: abs(table[k] - v))]) < 1e-7
                                for v in body[:2000]), "samples are not from the sine table")
            # Exactly periodic, but for a silent period where the client missed a cycle (each
            # counted as an xrun), after which the tone goes on from where it was.
            runs = [run for run in split_at_silence(body, PERIOD) if run]
            self.assertLessEqual(len(runs) - 1, xruns, "the tone stops more often than xruns were counted")
            for run in runs:
                self.assertTrue(all(run[i] == run[i + 200] for i in range(len(run) - 200)),
                                "the tone is not exactly periodic")
            self.assertAlmostEqual(max(body), max(table), places=6)

    def test_thru_is_sample_exact(self):
        source = [noise(10 * RATE, 1), noise(10 * RATE, 2)]
        with Server(period=PERIOD, capture_signal=source) as server:
            server.spawn_thru()
            time.sleep(2)
            out = server.playback()
        for channel in (0, 1):
            self.assert_tail_identical(out[channel], source[channel], xruns=server.final_xruns())

    def test_chain_of_eight_pass_through_clients_is_bit_exact(self):
        source = [noise(20 * RATE, 3), noise(20 * RATE, 4)]
        names = ["thru%d" % i for i in range(1, 9)]
        with Server(period=PERIOD, capture_signal=source) as server:
            for name in names:
                server.spawn_thru(name)
            self.rewire_chain(server, names)
            lsp = server.lsp("-c")
            self.assertIn("system:playback_1\n   thru8:output_1\n", lsp)
            self.assertIn("thru4:input_1\n   thru3:output_1\n", lsp)
            time.sleep(2)
            out = server.playback()
        # Half a second of exact audio at the end: long enough to prove the chain (48 kHz noise
        # cannot match by chance), short enough for the slowed-down sanitizer builds.
        self.assert_tail_identical(out[0], source[0], minimum_frames=RATE // 2, xruns=server.final_xruns())

    def test_three_sources_sum_exactly(self):
        # Multiples of 1/4096 below 0.5: every sum is exact in float, whatever the order.
        source = [noise(10 * RATE, 5, 4096), noise(10 * RATE, 6, 4096), noise(10 * RATE, 7, 4096)]
        expected = [a + b + c for a, b, c in zip(*source)]
        with Server(period=PERIOD, capture=3, capture_signal=source) as server:
            server.spawn_thru()
            self.rewire_chain(server, ["jack_thru"])
            # Mixed by the client library into jack_thru's input ...
            server.connect("system:capture_2", "jack_thru:input_1")
            server.connect("system:capture_3", "jack_thru:input_1")
            # ... and by the server into a physical playback port.
            for ch in (1, 2, 3):
                server.connect("system:capture_%d" % ch, "system:playback_2")
            time.sleep(2)
            out = server.playback()
        self.assert_tail_identical(out[0], expected, xruns=server.final_xruns())
        self.assert_tail_identical(out[1], expected, xruns=server.final_xruns())

    def test_metro_clicks_on_the_beat(self):
        with Server(period=PERIOD) as server:
            server.spawn("jack_metro", "-b", "120", "-f", "880", "-D", "50")
            server.wait_for_port("metro:120_bpm")
            server.connect("metro:120_bpm", "system:playback_1")
            time.sleep(3.5)
            left, _ = server.playback()
        onsets = [i for i in range(1, len(left)) if left[i] != 0 and all(v == 0 for v in left[max(0, i - 1000):i])]
        # The connection may land in the middle of a click: its tail is not an onset.
        onsets = onsets[1:]
        self.assertGreaterEqual(len(onsets), 3, "fewer than three whole clicks")
        gaps = [b - a for a, b in zip(onsets, onsets[1:])]
        # Exactly half a second apart at 120 bpm; a cycle the client missed (an xrun) may move one
        # click by whole periods: silenced at its start, or played a period late.
        moved = [gap for gap in gaps if gap != RATE // 2]
        self.assertLessEqual(len(moved), 2 * server.final_xruns(),
                             "clicks are not exactly half a second apart at 120 bpm: %s" % gaps)
        self.assertTrue(all((gap - RATE // 2) % PERIOD == 0 for gap in moved), "clicks moved by part of a period: %s"
                        % gaps)
        self.assertGreaterEqual(len(gaps) - len(moved), 2, "too few clicks exactly half a second apart: %s" % gaps)

    def test_rec_records_a_chain_sample_for_sample(self):
        source = [noise(20 * RATE, 8), noise(20 * RATE, 9)]
        with Server(period=PERIOD, capture_signal=source, record=False) as server:
            for name in ("thru1", "thru2"):
                server.spawn_thru(name)
            self.rewire_chain(server, ["thru1", "thru2"], sink="system:playback_1")
            path = server.dir + "/rec.wav"
            server.run("jack_rec", "-f", path, "-d", "2", "-b", "16", "thru2:output_1", timeout=30)
        rate, channels = read_wav(path)
        self.assertEqual(rate, RATE)
        recorded = channels[0]
        first = next(i for i, v in enumerate(recorded) if v != 0)
        body = recorded[first:]
        self.assertGreater(len(body), RATE, "less than a second recorded")
        source_ints = [int(round(v * 32767)) for v in source[0]]
        head = body[:16]
        offsets = [i for i in range(len(source_ints) - 16) if source_ints[i:i + 16] == head]
        self.assertEqual(len(offsets), 1, "the recording's start is not found exactly once in the source")
        offset = offsets[0]
        mismatches = [i for i, v in enumerate(body) if source_ints[offset + i] != v]
        self.assertEqual(mismatches[:10], [], "recording differs from the source")


if __name__ == "__main__":
    unittest.main()
