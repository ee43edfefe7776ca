"""When the transport's state, frame and position change relative to the cycle, as real programs
see it: each check runs on bantamd and on Debian's jackd2 with the same unmodified programs.

- jack_transport as timebase master, watched by jack_showtime: the BBT of each cycle is the
  position of that cycle's frame;
- jack_metro -t recorded by jack_capture -jt: both see the transport roll in the same cycle at
  the same frame, so the recording starts at the metronome's phase 0;
- ecasound recording from its JACK input in its default transport mode (it starts the transport
  and waits for it with a sync callback), fed by jack-play: the file holds the signal.
"""

import math
import os
import re
import struct
import subprocess
import sys
import time
import unittest

from harness import BANTAM_RUN, Jackd2Server, Server, TestCase, first_nonzero, noise, read_log, read_wav, write_wav

PERIOD = 256
RATE = 48000
SERVERS = (("bantam", Server), ("jackd2", Jackd2Server))
SHOWTIME = re.compile(r"frame = (\d+)\s+frame_time = \d+ usecs = (\d+)\s+state: (\w+)"
                      r"(?:\s+BBT:\s+(\d+)\|(\d+)\|(\d+))?")


def command(server, *args):
    return list(args) if isinstance(server, Jackd2Server) else [BANTAM_RUN, *args]


def xruns(server):
    """The xruns the running server counted: `bantam status`, or jackd2's own log lines."""
    if isinstance(server, Jackd2Server):
        return server.server_log().count("JackEngine::XRun")
    return server.status()["xruns"]


def drive_transport(server, lines):
    """Debian's jack_transport, driven through its stdin: (command, seconds to wait after)."""
    with open(os.path.join(server.dir, "jack_transport.log"), "w+") as log:
        console = subprocess.Popen(command(server, "jack_transport"), env=server.env(), stdin=subprocess.PIPE,
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            for line, pause in lines + (("quit", 0.2),):
                console.stdin.write(line + "\n")
                console.stdin.flush()
                time.sleep(pause)
            console.stdin.close()
        except BrokenPipeError:
            console.wait(timeout=10)
            log.seek(0)
            raise AssertionError("jack_transport exited (%s) before '%s': %s" % (console.returncode, line, log.read()))
        console.wait(timeout=10)


def f32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def metronome_wave(bpm, freq=880, max_amp=0.5, duration_ms=100, attack_percent=1, decay_percent=10):
    """jack_metro's wave table, computed as it does: PI is 3.14, the phase step a float and the
    phase `step * i` a float product (exact in a double, so rounding it once is the same)."""
    length = 60 * RATE // bpm
    tone = RATE * duration_ms // 1000
    attack, decay = tone * attack_percent // 100, tone * decay_percent // 100
    step = f32(2 * 3.14 * freq / RATE)
    wave = [0.0] * length
    for i in range(tone):
        if i < attack:
            amp = max_amp * i / attack
        elif i < tone - decay:
            amp = max_amp
        else:
            amp = -max_amp * (i - tone) / decay
        wave[i] = f32(amp * math.sin(f32(step * i)))
    return wave


class TransportCycleTest(TestCase):
    def note(self, name, text):
        sys.stderr.write("\n  %s: %s\n" % (name, text))

    def test_timebase_bbt_is_the_position_of_the_cycle_that_reads_it(self):
        # jack_transport computes BBT from the frame when it becomes master or the tempo changes,
        # then adds 25.6 ticks per 256-frame period at 150 bpm (1920 ticks a beat), truncating
        # 0.6 each time: k cycles into the roll its BBT lags the exact frame/10 ticks by
        # k * 0.6 + <1. One period late is 25.6 ticks off, so the first 16 cycles tell them
        # apart. jack_showtime polls, so it may miss a cycle now and then: cycles are told by
        # their frame, not by their order.
        located = 96000
        for name, server_class in SERVERS:
            with self.subTest(server=name), server_class(period=PERIOD) as server:
                showtime = server.spawn("jack_showtime")
                time.sleep(0.5)
                drive_transport(server, (("locate %d" % located, 0.3), ("master", 0.3), ("tempo 150", 0.3),
                                         ("play", 1.0), ("stop", 0.3)))
                counted = xruns(server)
                cycles = []
                for found in map(SHOWTIME.match, read_log(showtime).splitlines()):
                    if found and (not cycles or cycles[-1][0] != found[2]):  # one entry per cycle
                        bbt = found[4] and (int(found[4]), int(found[5]), int(found[6]))
                        cycles.append((found[2], int(found[1]), found[3], bbt))
                first = next(i for i, c in enumerate(cycles) if c[2] == "Rolling")
                end = next(i for i in range(first, len(cycles)) if cycles[i][2] == "Stopped")

                def ticks(cycle):
                    bar, beat, tick = cycle[3]
                    return ((bar - 1) * 4 + beat - 1) * 1920 + tick

                early = [c for c in cycles[first:end] if c[1] < located + 16 * PERIOD]
                late = [c for c in early if not c[3] or not 0 <= c[1] / 10 - ticks(c) < 12.8]
                # The stop: from the last rolling cycle to the first stopped one, BBT moves on
                # exactly as far as the frame does (less jack_transport's truncation).
                last, stopped = cycles[end - 1], cycles[end]
                step = (stopped[1] - last[1], ticks(stopped) - ticks(last) if stopped[3] else None)
                stop_wrong = step[1] is None or abs(step[1] - step[0] / 10) >= 1 + 0.6 * step[0] / PERIOD
                roll = cycles[first]
                self.note(name, "first rolling cycle seen: frame %d BBT %s (exact ticks %.1f, BBT's %d); "
                          "%d of %d cycles seen in the first 16 off by a period; at the stop +%d frames, "
                          "+%s ticks; %d xruns" % (roll[1], "|".join(map(str, roll[3] or ())), roll[1] / 10,
                                                   ticks(roll) if roll[3] else -1, len(late), len(early),
                                                   step[0], step[1], counted))
                self.assertGreater(len(early), 8)
                self.assertLessEqual(len(late) + stop_wrong, counted,
                                     "BBT is not the position of its cycle's frame: %s; stop %s" % (late[:3], step))

    def test_metronome_and_recorder_see_the_transport_roll_in_the_same_cycle(self):
        wave = metronome_wave(100)
        for name, server_class in SERVERS:
            with self.subTest(server=name):
                with server_class(period=PERIOD) as server:
                    recording = os.path.join(server.dir, "metro.wav")
                    server.spawn("jack_metro", "-t", "-b", "100")
                    server.wait_for_port("metro:100_bpm")
                    capture = server.spawn("jack_capture", "-jt", "-c", "1", "-p", "metro:100_bpm", "-dc", "-ns",
                                           recording)
                    server.wait_for_connection("metro:100_bpm", "jack_capture:input1")
                    drive_transport(server, (("play", 1.0), ("stop", 0.3)))
                    capture.wait(timeout=10)  # it ends when the transport stops
                    counted = xruns(server)
                out = read_wav(recording)[1][0]

                def metronome(frame):
                    return [wave[(frame + i) % len(wave)] for i in range(PERIOD)]

                phase = next((p for p in range(len(wave)) if out[:PERIOD] == metronome(p)), None)
                differing = sum(out[i] != wave[i % len(wave)] for i in range(len(out) - PERIOD))
                self.note(name, "%d frames recorded, from metronome phase %s; %d samples differ from the "
                          "metronome from phase 0; %d xruns" % (len(out), phase, differing, counted))
                self.assertEqual(len(out) % PERIOD, 0)
                self.assertGreater(len(out), RATE // 2)
                # The first rolling cycle is the recording's first period: its frame is 0. Only
                # where the server counted an xrun may the recorder have missed the first rolling
                # cycles (a stall of a few periods, one xrun however long): then the recording
                # starts that many whole periods into the metronome.
                self.assertIsNotNone(phase, "the recording's first period is not the metronome")
                if counted == 0:
                    self.assertEqual(phase, 0, "the recording does not start at the metronome's phase 0")
                self.assertEqual(phase % PERIOD, 0, "the recording starts mid-period into the metronome")
                self.assertLessEqual(phase, 8 * PERIOD)
                # Then one period of the metronome per cycle. A cycle jack_metro missed reaches the
                # recording as silence; one the recorder missed is left out (the metronome, which
                # follows the transport, has moved on).
                offset, missed = phase, 0
                for begin in range(PERIOD, len(out) - PERIOD, PERIOD):
                    chunk = out[begin:begin + PERIOD]
                    if chunk == metronome(begin + offset):
                        continue
                    missed += 1
                    self.assertLessEqual(missed, counted, "period at frame %d is not the metronome" % begin)
                    if any(chunk):
                        skip = next((k for k in (1, 2, 3) if chunk == metronome(begin + offset + k * PERIOD)), None)
                        self.assertIsNotNone(skip, "period at frame %d is not the metronome" % begin)
                        offset += skip * PERIOD
                # The last is the first stopped cycle: both saw the stop in it, jack_metro is silent.
                self.assertFalse(any(out[-PERIOD:]), "the recorder's last period is not silent")

    def test_ecasound_records_its_jack_input_while_following_the_transport(self):
        signal = [noise(RATE, 1), noise(RATE, 2)]
        lead, tail = [0.0] * RATE, [0.0] * (RATE // 2)
        for name, server_class in SERVERS:
            with self.subTest(server=name):
                with server_class(period=PERIOD) as server:
                    source = os.path.join(server.dir, "source.wav")
                    recording = os.path.join(server.dir, "ecasound.wav")
                    write_wav(source, RATE, [lead + channel + tail for channel in signal])
                    # Its default transport mode: ecasound starts the transport and waits for it to
                    # roll, with a sync callback, before it processes.
                    ecasound = server.spawn("ecasound", "-q", "-G:jack,ecarec", "-f:f32_le,2,48000", "-i", "jack",
                                            "-o", recording, "-t:4")
                    server.wait_for_port("ecarec:in_2")
                    # Zero-order hold: at the server's rate, jack-play then plays the file unchanged.
                    server.spawn("jack-play", "-c", "3", "-n", "player", "-u", source)
                    server.connect("player:out_1", "ecarec:in_1")
                    server.connect("player:out_2", "ecarec:in_2")
                    try:
                        ecasound.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        pass
                    counted = xruns(server)
                    finished = ecasound.poll() is not None
                size = os.path.getsize(recording)
                out = read_wav(recording)[1] if size > 44 else [[], []]
                self.note(name, "ecasound %s, its file %d bytes, %d frames; %d xruns" % (
                    "finished" if finished else "never finished", size, len(out[0]), counted))
                self.assertTrue(finished, "ecasound never finished recording (its file: %d bytes)" % size)
                self.assert_signal_recorded(out, signal, counted)

    def assert_signal_recorded(self, out, signal, counted):
        """`out` holds `signal` sample for sample. ecasound writes one period per cycle, so a
        cycle missed (one per xrun the server counted, at most) shows at a period boundary of
        the file: a silent period (jack-play missed it) or a period of the signal left out
        (ecasound missed it)."""
        start = first_nonzero(out[0])
        self.assertGreaterEqual(start, 0, "nothing but silence recorded")
        i, j, missed = start, 0, 0
        while j < len(signal[0]):
            self.assertLess(i, len(out[0]), "the recording ends %d frames into the signal" % j)
            end = min((i // PERIOD + 1) * PERIOD, i + len(signal[0]) - j, len(out[0]))
            if all(out[c][i:end] == signal[c][j:j + end - i] for c in (0, 1)):
                i, j = end, j + end - i
                continue
            missed += 1
            self.assertLessEqual(missed, counted, "recording differs from the signal at frame %d (signal "
                                 "frame %d)" % (i, j))
            if not any(out[0][i:end]) and not any(out[1][i:end]):
                i = end
            else:
                j += PERIOD


    def test_a_late_timebase_master_is_told_of_the_new_position_again(self):
        """A master late once when told of a new position: it is never handed a position
        without BBT and new_pos false afterwards (jack_transport would loop forever on it, and
        was removed as a zombie). jackd2 loses such a late answer too and hands the master empty
        positions from then on: its figure is printed, Bantam's must be 0."""
        script = os.path.join(os.path.dirname(__file__), "scripts", "late_timebase_master.py")
        bad = {}
        for label, kind in SERVERS:
            with kind(period=PERIOD, rate=RATE) as server:
                result = server.run("/usr/bin/python3", script, timeout=60)
                print("%s: late timebase master: %s" % (label, result.stdout.strip()))
                found = re.search(r"calls (\d+), new_pos callbacks (\d+), bad positions (\d+)", result.stdout)
                self.assertTrue(found, result.stdout + result.stderr)
                self.assertGreaterEqual(int(found[1]), 200)
                bad[label] = int(found[3])
        self.assertEqual(bad["bantam"], 0, "Bantam handed the master a position without BBT")


if __name__ == "__main__":
    unittest.main()
