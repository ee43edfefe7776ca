# labels: no-sanitizer
# (Under a sanitizer's preloaded runtime Ardour deadlocks in its own start-up, in glibc's
# bindtextdomain, before it touches JACK; test_close.py runs the close checks everywhere.)
"""Ardour, the flagship JACK application, on Bantam and on jackd2 alike (issue 16, item 1).

Debian's ardour7-lua drives Ardour headless on its JACK backend: a new session, a stereo track
monitoring its input, audio through it to the master bus, close. Ardour's JACK backend runs its
process thread in the alternate thread model (jack_set_process_thread: jack_cycle_wait and
jack_cycle_signal in its own loop), whose thread ends inside jack_cycle_wait on deactivation;
jack_client_close once waited forever for it."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Jackd2Server, Server, noise, read_log, read_wav, wait_for_output, write_wav

SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")
RATE = 48000
SECONDS = 3


def find_latency(out, expected, at):
    """The shift L with out[at + i] == expected[at + i - L] over 64 frames, or None."""
    window = out[at:at + 64]
    for shift in range(0, 8192):
        if expected[at - shift:at - shift + 64] == window:
            return shift
    return None


class ArdourSession(unittest.TestCase):
    def run_session(self, server):
        """A session with one monitoring track; returns (recorded channels, Ardour's output)."""
        signal = [noise(SECONDS * RATE, 11), noise(SECONDS * RATE, 12)]
        play_path = os.path.join(server.dir, "play.wav")
        record_path = os.path.join(server.dir, "record.wav")
        write_wav(play_path, RATE, signal)
        with tempfile.TemporaryDirectory() as sessions:
            ardour = server.spawn("ardour7-lua", os.path.join(SCRIPTS, "ardour_monitor_track.lua"),
                                  os.path.join(sessions, "session"), stdin=subprocess.PIPE)
            wait_for_output(ardour, "ready", timeout=60)
            feeder = server.spawn("/usr/bin/python3", os.path.join(SCRIPTS, "play_and_record.py"), play_path,
                                  "ardour:Track/audio_in 1,ardour:Track/audio_in 2",
                                  "ardour:Master/audio_out 1,ardour:Master/audio_out 2",
                                  str(SECONDS + 1), record_path, stdin=subprocess.PIPE)
            wait_for_output(feeder, "ready")
            feeder.stdin.write("go\n")
            feeder.stdin.flush()
            wait_for_output(feeder, "done", timeout=SECONDS + 30)
            self.assertEqual(feeder.wait(timeout=10), 0, read_log(feeder))
            start = time.time()
            ardour.stdin.write("close\n")
            ardour.stdin.flush()
            wait_for_output(ardour, "closed", timeout=30)
            self.assertEqual(ardour.wait(timeout=30), 0, read_log(ardour))
            print("%s: Ardour closed its session and stopped in %.2f s" % (type(server).__name__, time.time() - start))
        return read_wav(record_path)[1], signal

    def check_track_passes_audio(self, server):
        recorded, signal = self.run_session(server)
        # Ardour fades a track's monitored input in (its declick), so the stretch from 0.25 s on
        # must be the signal exactly, at a constant latency, to the end of the signal.
        at = RATE // 4
        latency = find_latency(recorded[0], signal[0], at)
        self.assertIsNotNone(latency, "the master bus does not carry the track's input")
        for channel in (0, 1):
            end = len(signal[channel]) + latency
            self.assertEqual(recorded[channel][at:end], signal[channel][at - latency:],
                             "channel %d differs from the track's input after %d frames" % (channel + 1, at))
        return latency

    def test_session_on_both_servers(self):
        with Jackd2Server(period=256) as jackd2:
            reference = self.check_track_passes_audio(jackd2)
        with Server(period=256, record=False) as bantam:
            ours = self.check_track_passes_audio(bantam)
        print("track input to master output: %d frames on jackd2, %d on Bantam" % (reference, ours))
        self.assertEqual(ours, reference)


if __name__ == "__main__":
    unittest.main()
