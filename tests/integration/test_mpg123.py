"""Debian's mpg123 plays an MP3 through its JACK output (libout123's jack module) into Bantam,
sample for sample what `mpg123 -e f32 -w` decodes from the same file, 20 times without a crash
(issue 26).

libout123 opens and closes the JACK device once to probe before it plays, and closes it again
at the end; each close unregisters the ports while the client is active, and its process
callback goes on writing through what jack_port_get_buffer returns for them: NULL on Bantam
before the scratch buffers (SIGSEGV every run), a scratch buffer on jackd2. Its close then
frees what the callback uses before jack_client_close, so a cycle in that window crashes it on
jackd2 too (about one run in eight at this period): the test therefore runs on Bantam only.

What reaches the playback ports is recorded by the dummy driver (--playback-file) and must be
the decoded file sample for sample; only when the server counted xruns may whole periods of
silence stand in for, or push back, part of it."""

import ctypes
import math
import os
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, read_wav

RATE = 48000
PERIOD = 64
RUNS = 20
SECONDS = 1.5


def write_mp3(path, frames):
    """A stereo MP3 of `frames` frames through libsndfile's MPEG encoder (LAME), which Debian's
    libsndfile1 has; sox has no MP3 writer there."""
    class Info(ctypes.Structure):
        _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                    ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]
    sndfile = ctypes.CDLL("libsndfile.so.1")
    sndfile.sf_open.restype = ctypes.c_void_p
    sndfile.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(Info)]
    sndfile.sf_writef_float.restype = ctypes.c_int64
    sndfile.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    sndfile.sf_close.argtypes = [ctypes.c_void_p]
    sf_write, sf_format_mpeg, sf_format_mpeg_layer_iii = 0x20, 0x230000, 0x0082
    info = Info(0, RATE, 2, sf_format_mpeg | sf_format_mpeg_layer_iii, 0, 0)
    handle = sndfile.sf_open(path.encode(), sf_write, ctypes.byref(info))
    assert handle, "libsndfile cannot write MP3 here"
    # Two tones gliding apart, loud enough that no decoded stretch is silent.
    samples = []
    for i in range(frames):
        t = i / RATE
        samples += [0.4 * math.sin(2 * math.pi * (300 + 200 * t) * t),
                    0.3 * math.sin(2 * math.pi * (500 - 100 * t) * t + 0.5)]
    data = (ctypes.c_float * len(samples))(*samples)
    assert sndfile.sf_writef_float(handle, data, frames) == frames
    sndfile.sf_close(handle)


def as_bytes(samples):
    return struct.pack("<%df" % len(samples), *samples)


def find(haystack, needle):
    """Index of the float sequence `needle` in `haystack`, comparing bit patterns; -1 if none."""
    h, n = as_bytes(haystack), as_bytes(needle)
    at = h.find(n)
    while at != -1 and at % 4:
        at = h.find(n, at + 1)
    return -1 if at == -1 else at // 4


class Mpg123PlaysSampleExact(unittest.TestCase):
    def test_twenty_plays(self):
        with tempfile.TemporaryDirectory() as work:
            mp3 = os.path.join(work, "song.mp3")
            write_mp3(mp3, int(SECONDS * RATE))
            decoded = os.path.join(work, "decoded.wav")
            subprocess.run(["mpg123", "-q", "-e", "f32", "-w", decoded, mp3], check=True, timeout=60)
            rate, expected = read_wav(decoded)
            self.assertEqual(rate, RATE)
            self.assertEqual(len(expected), 2)
            start = next(i for i, v in enumerate(expected[0]) if v != 0)
            for run in range(RUNS):
                with self.subTest(run=run):
                    self.play_once(mp3, expected, start)

    def play_once(self, mp3, expected, start):
        with Server(period=PERIOD, rate=RATE) as server:
            # A device buffer of 65536 frames, not mpg123's default of two periods: with that,
            # its decoder thread must refill within a period or two, and on a busy machine it
            # sometimes does not, inserting silence (on jackd2 as here). A power of two:
            # libout123 drains by comparing the ring's free space with the size it asked for,
            # and JACK rings round up to a power of two, so with any other size it closes at
            # once and the end of the file is lost (on jackd2 as here).
            result = server.run("mpg123", "-q", "--devbuffer", str(65536 / RATE), "-o", "jack", "-a",
                                "system:playback_1,system:playback_2", mp3, check=False, timeout=60)
            self.assertEqual(result.returncode, 0, "mpg123 failed (%d): %s" % (result.returncode, result.stderr))
            time.sleep(0.1)  # the last period reaches the device a cycle after mpg123 wrote it
            recorded = server.playback()
            xruns = server.final_xruns()
        # Where the file lies in the recording: found by 64 frames of channel 1 (at its first sound,
        # or further on should an xrun have silenced that period).
        offset = None
        for window in (start, len(expected[0]) // 3, 2 * len(expected[0]) // 3):
            at = find(recorded[0], expected[0][window:window + 64])
            if at != -1:
                offset = at - window
                break
        self.assertIsNotNone(offset, "the decoded file never reached system:playback_1")
        self.assertGreaterEqual(offset, 0)
        silent = [self.check_channel(recorded[c], expected[c], offset, xruns, c + 1) for c in (0, 1)]
        print("played at frame %d: %d frames, %s periods silent, %d xruns" % (
            offset, len(expected[0]), "/".join(map(str, silent)), xruns))

    def check_channel(self, out, want, offset, xruns, channel):
        """`out` is silence, then `want` sample for sample, then silence. The one thing allowed in
        between, and only when the server counted xruns, is whole periods of silence on the
        server's period grid: a cycle the client missed (its part of the file comes later) or
        one it was late for (heard as silence, that part of the file lost). Returns how many."""
        self.assertFalse(any(out[:offset]), "channel %d: sound before the file" % channel)
        o, i, silent = offset, 0, 0
        while i < len(want):
            self.assertLess(o, len(out), "channel %d: the recording ends at file frame %d" % (channel, i))
            if out[o] == want[i]:
                o, i = o + 1, i + 1
                continue
            where = "channel %d, file frame %d, recording frame %d" % (channel, i, o)
            self.assertTrue(o % PERIOD == 0 and not any(out[o:o + PERIOD]), "differs at " + where)
            self.assertGreater(xruns, 0, "a silent period without an xrun at " + where)
            periods = 0
            while o < len(out) and not any(out[o:o + PERIOD]):
                o, periods = o + PERIOD, periods + 1
            silent += periods
            # The file goes on where it was, or at most those periods further on.
            skipped = find(want[i:i + periods * PERIOD + 64], out[o:o + 64])
            self.assertNotEqual(skipped, -1, "the file does not go on after the silence at " + where)
            i += skipped
        self.assertFalse(any(out[o:]), "channel %d: sound after the file" % channel)
        self.assertLessEqual(silent, 6 * xruns, "channel %d: %d periods silent, %d xruns" % (channel, silent, xruns))
        return silent


if __name__ == "__main__":
    unittest.main()
