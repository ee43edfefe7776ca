"""The base of the ALSA driver's integration tests (tests/integration/test_alsa_driver.py): a
private test card (alsa_test_card.TestCard), a bantamd on `-d alsa` with it, and checks on what
the card played."""

import tempfile
import time

from alsa_test_card import TestCard, find_copy, read_wav, signal_for, write_wav
from harness import BUILD_DIR, Server, TestCase

RATE = 48000


class AlsaCase(TestCase):
    def setUp(self):
        self.server = None
        self.card = TestCard(BUILD_DIR, tempfile.mkdtemp(prefix="bantam-alsa-"))

    def add_device(self, name="card", format_name="S32_LE", seconds=1.5, seed=1, **fields):
        """A device capturing `seconds` of noise (in `format_name`) and recording playback."""
        signal = [signal_for(format_name, int(seconds * RATE), seed + c) for c in range(2)]
        fields.setdefault("capture_file", self.card.file(name + "-in.wav"))
        write_wav(fields["capture_file"], RATE, signal, format_name)
        fields.setdefault("playback_file", self.card.file(name + "-out.wav"))
        fields.setdefault("status_file", self.card.file(name + ".status"))
        fields.setdefault("trigger_file", self.card.file(name + ".trigger"))
        self.card.add(name, **fields)
        return signal

    def start(self, *driver_args, server_args=(), env=None):
        self.server = Server(driver="alsa", extra_driver_args=driver_args,
                             extra_env=dict(self.card.env(), **(env or {})),
                             extra_server_args=server_args, record=False)
        self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        return self.server

    def log(self):
        return self.server.server_log()

    def recorded(self, name="card"):
        """Stops the server; returns (tag, bits, channels) the device played. Notes the glitches
        the server reported on the way: xruns, and periods a split capture device ran short."""
        self.reported_glitches = self.server.status()["xruns"]
        self.server.stop()
        self.reported_glitches += self.log().count("had no full period")
        return read_wav(self.card.devices[name]["playback_file"])

    def assert_exact_copy(self, signal, channels, period):
        """From its first sound on, each playback channel is its captured channel at one latency,
        the same for every channel (they may start at different times: they are connected one
        after the other), period for period. A period may be silence instead, but only as many
        as the server reported glitches (a client that missed its deadline, say)."""
        offsets, silent = set(), 0
        for output, source in zip(channels, signal):
            start, source_start, _ = find_copy(output, source, 64)
            offset = start - source_start
            offsets.add(offset)
            silent_here = sounding = 0
            for begin in range(start, len(output), period):
                chunk = output[begin:begin + period]
                expected = [source[j - offset] if j - offset < len(source) else 0
                            for j in range(begin, begin + len(chunk))]
                if chunk != expected:
                    self.assertFalse(any(chunk), "the period at output frame %d is neither the "
                                     "captured signal nor silence:\n%s" % (begin, self.log()))
                    silent_here += 1
                elif any(chunk):
                    sounding += 1
            silent = max(silent, silent_here)
            self.assertGreaterEqual(sounding * period, RATE // 4, "too little of the signal was heard")
        self.assertEqual(len(offsets), 1, "the channels are out of step: %s" % offsets)
        self.assertLessEqual(silent, self.reported_glitches, "%d silent periods but %d glitches "
                             "reported:\n%s" % (silent, self.reported_glitches, self.log()))

    def wait_for_cycles(self, count, timeout=10):
        deadline = time.time() + timeout
        while self.server.status()["cycles"] < count:
            self.assertLess(time.time(), deadline, "the device clock does not drive cycles")
            time.sleep(0.05)
