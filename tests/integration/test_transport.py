"""The JACK transport, driven by Debian's unmodified jack_transport (through its stdin) and
watched by jack_showtime; slow-sync clients and the timebase master through python3-jack-client."""

import re
import subprocess
import time
import unittest

from harness import BANTAM_RUN, Jackd2Server, Server, TestCase, read_log

SHOWTIME = re.compile(r"frame = (\d+)\s+frame_time = (\d+) usecs = (\d+)\s+state: (\w+)(?:\s+BBT:\s+(\d+)\|(\d+)\|(\d+))?")


class TransportTest(TestCase):
    def test_jack_transport_commands_seen_by_jack_showtime(self):
        period = 256
        with Server(period=period) as server:
            showtime = server.spawn("jack_showtime")
            time.sleep(0.5)
            commands = subprocess.Popen([BANTAM_RUN, "jack_transport"], env=server.env(), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)

            def say(line, pause):
                commands.stdin.write(line + "\n")
                commands.stdin.flush()
                time.sleep(pause)

            say("play", 1.0)
            say("stop", 0.5)
            say("locate 96000", 0.5)
            say("master", 0.3)
            say("play", 1.0)
            say("stop", 0.3)
            say("quit", 0.2)
            commands.wait(timeout=10)
            time.sleep(0.2)
        samples = [m.groups() for m in map(SHOWTIME.match, read_log(showtime).splitlines()) if m]
        self.assertGreater(len(samples), 100)
        # One entry per cycle: collapse repeats of the same cycle (same usecs).
        cycles = []
        for frame, _, usecs, state, bar, beat, tick in samples:
            entry = (int(usecs), int(frame), state, bar is not None)
            if not cycles or cycles[-1][0] != entry[0]:
                cycles.append(entry)
        states = [c[2] for c in cycles]
        self.assertEqual(states[0], "Stopped")
        # Stopped -> Rolling -> Stopped -> (located) -> Rolling -> Stopped, in that order.
        runs = [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]
        self.assertEqual([r for r in runs if r != "Starting"],
                         ["Stopped", "Rolling", "Stopped", "Rolling", "Stopped"], runs)
        # While rolling, the position advances one period per cycle, at the sample rate.
        rolling = [c for c in cycles if c[2] == "Rolling"]
        steps = {(b[1] - a[1]) for a, b in zip(rolling, rolling[1:]) if b[0] - a[0] < 1.5 * period / 48000 * 1e6}
        self.assertEqual(steps, {period})
        # One period of frames takes one period of time, cycle after cycle (a late wakeup, an
        # xrun on this shared machine, restarts the clock and may stretch a single step).
        paced = [abs((b[0] - a[0]) - period * 1e6 / 48000) <= 2
                 for a, b in zip(rolling, rolling[1:]) if b[1] - a[1] == period]
        self.assertGreater(len(paced), 50)
        self.assertGreaterEqual(sum(paced) / len(paced), 0.95, "cycle times do not follow the frames")
        # Stopped means the frame stands still.
        stopped_frames = [c[1] for c in cycles if c[2] == "Stopped"]
        self.assertTrue(any(f == 96000 for f in stopped_frames), "locate 96000 was not seen")
        second_roll = [c for c in rolling if c[1] >= 96000]
        self.assertTrue(second_roll, "did not roll on from the located position")
        self.assertLessEqual(second_roll[0][1], 96000 + 2 * period)
        # jack_transport became timebase master before the second roll: BBT is valid then.
        self.assertTrue(all(c[3] for c in second_roll), "BBT missing while jack_transport is master")
        self.assertFalse(any(c[3] for c in rolling if c[1] < 96000), "BBT before any master")

    def test_tempo_from_jack_transport(self):
        # jack_transport as timebase master: "tempo" changes how fast the BBT ticks advance.
        with Server(period=256) as server:
            showtime = server.spawn("jack_showtime")
            commands = subprocess.Popen([BANTAM_RUN, "jack_transport"], env=server.env(), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
            for line, pause in (("master", 0.3), ("play", 1.2), ("tempo 60", 1.2), ("stop", 0.3), ("quit", 0.2)):
                commands.stdin.write(line + "\n")
                commands.stdin.flush()
                time.sleep(pause)
            commands.wait(timeout=10)
        cycles = {}
        for m in map(SHOWTIME.match, read_log(showtime).splitlines()):
            if m and m.group(4) == "Rolling" and m.group(5):
                bar, beat, tick = int(m.group(5)), int(m.group(6)), int(m.group(7))
                cycles[int(m.group(1))] = (bar, beat, tick)
        frames = sorted(cycles)
        rates = []
        for a, b in zip(frames, frames[1:]):
            (bar_a, beat_a, tick_a), (bar_b, beat_b, tick_b) = cycles[a], cycles[b]
            if b - a == 256 and bar_a == bar_b and beat_a == beat_b:
                rates.append(tick_b - tick_a)
        # Ticks per 256-frame period at 1920 ticks per beat: 20.48 at 120 bpm, 10.24 at 60.
        self.assertTrue(any(r in (20, 21) for r in rates), rates[:20])
        self.assertTrue(any(r in (10, 11) for r in rates), rates[-20:])
        first_slow = next(i for i, r in enumerate(rates) if r in (10, 11))
        # A master late for one cycle repeats its last position once; the rate is what counts.
        before = rates[:first_slow]
        self.assertGreaterEqual(sum(r in (20, 21) for r in before) / len(before), 0.95, rates)

    def test_slow_sync_and_timebase_with_python_client(self):
        for kind in (Jackd2Server, Server):  # the same checks hold on jackd2
            with kind(period=256) as server:
                output = server.run_checks("transport_checks.py")
            self.assertIn("transport checks passed", output, kind.__name__)


if __name__ == "__main__":
    unittest.main()
