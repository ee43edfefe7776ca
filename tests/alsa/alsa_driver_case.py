"""The base of the ALSA driver's integration tests (tests/integration/test_alsa_driver.py): a
private test card (alsa_test_card.TestCard), a bantamd on `-d alsa` with it, and checks on what
the card played."""

import tempfile
import time

from alsa_test_card import TestCard, find_copy, read_wav, signal_for, write_wav
from harness import BUILD_DIR, Server, TestCase

RATE = 48000


def copied(source, begin, length, offset):
    """Output frames begin..begin+length of a copy of `source` played `offset` frames late."""
    return [source[j - offset] if 0 <= j - offset < len(source) else 0 for j in range(begin, begin + length)]


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
        the server reported on the way: xruns, periods a split capture device ran short, and how
        often it restarted a device."""
        self.reported_glitches = self.server.status()["xruns"]
        self.server.stop()
        log = self.log()
        self.reported_glitches += log.count("had no full period")
        self.device_restarts = log.count("restarted") + log.count("; resumed")
        return read_wav(self.card.devices[name]["playback_file"])

    def assert_exact_copy(self, signal, channels, period, buffer_periods=3):
        """From its first sound on, each playback channel is its captured channel at one latency,
        the same for every channel (they may start at different times: they are connected one
        after the other), period for period. A period may be silence instead, but only as often
        as the server reported glitches (a client that missed its deadline, say) or restarts; and the
        latency may change, but only where the server restarted the device (a busy machine can
        stall the driver past the device's buffer): a restarted device first plays the
        `buffer_periods` of silence it was primed with, then the period the graph made before the
        restart, then the copy at the restarted devices' alignment (measured under stalls of up to
        40 ms: silence x3, one period three periods late, then the old latency again). So two
        moves per restart."""
        latencies, silent = set(), 0
        for output, source in zip(channels, signal):
            start, source_start, _ = find_copy(output, source, 64)
            offset, moves = start - source_start, 0
            silent_here = sounding = 0
            for begin in range(start, len(output), period):
                chunk = output[begin:begin + period]
                expected = copied(source, begin, len(chunk), offset)
                if chunk != expected and any(chunk) and moves < 2 * self.device_restarts:
                    # A restarted device: the copy goes on from here at another latency.
                    moves += 1
                    sound = begin + next(i for i, v in enumerate(chunk) if v != 0)
                    offset = sound - find_copy(output[sound:], source, 16)[1]
                    expected = [0] * (sound - begin) + copied(source, sound, begin + len(chunk) - sound, offset)
                if chunk != expected:
                    self.assertFalse(any(chunk), "the period at output frame %d is neither the "
                                     "captured signal nor silence:\n%s" % (begin, self.log()))
                    silent_here += 1
                elif any(chunk):
                    sounding += 1
            silent = max(silent, silent_here)
            latencies.add(offset)
            self.assertGreaterEqual(sounding * period, RATE // 4, "too little of the signal was heard")
        self.assertEqual(len(latencies), 1, "the channels are out of step: %s" % latencies)
        # A glitch counted (a client late) can silence two periods: the one it missed and the
        # one it is skipped in while it finishes. A restart plays the primed buffer, and the
        # period of the cycle the driver was late for may be lost with it.
        self.assertLessEqual(silent, 2 * self.reported_glitches + (buffer_periods + 1) * self.device_restarts,
                             "%d silent periods but %d glitches and %d device restarts reported:\n%s"
                             % (silent, self.reported_glitches, self.device_restarts, self.log()))

    def wait_for_cycles(self, count, timeout=10):
        deadline = time.time() + timeout
        while self.server.status()["cycles"] < count:
            self.assertLess(time.time(), deadline, "the device clock does not drive cycles")
            time.sleep(0.05)
