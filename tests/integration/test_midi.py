"""JACK MIDI through the graph with Debian's unmodified jackd2 programs: jack_midiseq's events
reach jack_midi_dump byte for byte at their exact frames, several sources into one input are
merged in time order (ties in connection order), and jack_midisine sounds exactly while a
note is on."""

import re
import time
import unittest

from harness import Server, TestCase, read_log

PERIOD = 1024

# jack_midiseq NAME NSAMP [START NOTE LENGTH]...: a loop of NSAMP frames; each note is on from
# START to START+LENGTH, note on 0x90 / note off 0x80, velocity 64 for both. Within one frame,
# events come in the order the notes are given. The loop starts at the client's first cycle.
LOOP = 8 * PERIOD  # a whole number of periods: an event's frame offset in its period is fixed
NOTES = [(0, 60, 1500), (3333, 64, 1667), (5000, 67, 2777)]  # 64's off and 67's on tie at 5000


def midiseq_args(name, loop, notes):
    args = ["jack_midiseq", name, str(loop)]
    for start, note, length in notes:
        args += [str(start), str(note), str(length)]
    return args


def midiseq_events(notes):
    """One loop of what jack_midiseq sends: (frame in the loop, bytes), in sending order. At
    each frame it scans its notes in the order given: a note on at START, off at START+LENGTH."""
    events = []
    for index, (start, note, length) in enumerate(notes):
        events.append((start, index, (0x90, note, 64)))
        events.append((start + length, index, (0x80, note, 64)))
    return [(frame, data) for frame, _, data in sorted(events)]


LINE = re.compile(r"^\s*(-?\d+):((?: [0-9a-f]{2})+)")


def dump_events(proc):
    """(absolute frame, bytes) of every complete line jack_midi_dump -a has printed."""
    text = read_log(proc)
    text = text[: text.rfind("\n") + 1]
    events = []
    for line in text.split("\n"):
        match = LINE.match(line)
        if match:
            events.append((int(match.group(1)), tuple(int(b, 16) for b in match.group(2).split())))
    return events


def wait_for_events(proc, count, timeout=20):
    deadline = time.time() + timeout
    while True:
        events = dump_events(proc)
        if len(events) >= count:
            return events
        assert time.time() < deadline, "only %d events after %ds:\n%s" % (len(events), timeout, read_log(proc))
        time.sleep(0.05)


def group_by_period(events):
    """Events grouped by the dump period they arrived in, as lists of (offset, bytes)."""
    groups = []
    for frame, data in events:
        period = frame // PERIOD
        if not groups or groups[-1][0] != period:
            groups.append((period, []))
        groups[-1][1].append((frame % PERIOD, data))
    return [events for _, events in groups]


class MidiTest(TestCase):
    def start_dump(self, server, name="dump"):
        dump = server.spawn("jack_midi_dump", "-a", name)
        server.wait_for_port(name + ":input")
        return dump

    def start_midiseq(self, server, name, loop, notes):
        proc = server.spawn(*midiseq_args(name, loop, notes))
        server.wait_for_port(name + ":out")
        return proc

    def test_midiseq_to_midi_dump_is_byte_and_frame_exact(self):
        pattern = midiseq_events(NOTES)
        self.assertEqual([frame for frame, _ in pattern], [0, 1500, 3333, 5000, 5000, 7777])
        with Server(period=PERIOD) as server:
            dump = self.start_dump(server)
            self.start_midiseq(server, "seq", LOOP, NOTES)
            server.connect("seq:out", "dump:input")
            events = wait_for_events(dump, 4 * len(pattern))
        # The connection may land anywhere in the loop: find where the first event is in it.
        first_frame, first_bytes = events[0]
        candidates = [i for i, (_, data) in enumerate(pattern) if data == first_bytes]
        self.assertEqual(len(candidates), 1, "unexpected first event %r" % (events[0],))
        start = candidates[0]
        origin = first_frame - pattern[start][0]  # where that loop started, in dump frames
        expected = []
        for n in range(len(events)):
            loops, index = divmod(start + n, len(pattern))
            frame, data = pattern[index]
            expected.append((origin + loops * LOOP + frame, data))
        self.assertEqual(events, expected, read_log(dump))
        # Every event at its exact offset in its period: the loop starts at a period boundary
        # (midiseq's first cycle) and is a whole number of periods long.
        self.assertEqual(origin % PERIOD, 0)
        offsets = [pattern[(start + n) % len(pattern)][0] % PERIOD for n in range(len(events))]
        self.assertEqual([frame % PERIOD for frame, _ in events], offsets)

    def test_two_sources_into_one_input_merge_in_time_order(self):
        # One-period loops: every period carries both sequences' events at fixed offsets.
        # a: note 60 on at 700, off at 900; b: note 72 on at 100, off at 900 (a tie with a).
        a_on, a_off = (700, (0x90, 60, 64)), (900, (0x80, 60, 64))
        b_on, b_off = (100, (0x90, 72, 64)), (900, (0x80, 72, 64))
        a_first = [b_on, a_on, a_off, b_off]  # a connected first: a's event first on the tie
        b_first = [b_on, a_on, b_off, a_off]
        only_b = [b_on, b_off]
        with Server(period=PERIOD) as server:
            dump = self.start_dump(server)
            self.start_midiseq(server, "seqa", PERIOD, [(700, 60, 200)])
            self.start_midiseq(server, "seqb", PERIOD, [(100, 72, 800)])
            server.connect("seqa:out", "dump:input")
            server.connect("seqb:out", "dump:input")
            # 12 periods more than needed: the dump prints a period or two behind.
            wait_for_events(dump, len(dump_events(dump)) + 12 * 4)
            # Reconnecting a puts it after b in connection order: the tie flips.
            server.run("jack_disconnect", "seqa:out", "dump:input")
            server.connect("seqa:out", "dump:input")
            events = wait_for_events(dump, len(dump_events(dump)) + 12 * 4)

        groups = group_by_period(events)[:-1]  # the last period may still be printing
        kinds = []
        for group in groups:
            if group == a_first:
                kinds.append("a")
            elif group == b_first:
                kinds.append("b")
            elif group == only_b:
                kinds.append("-")
            elif all(data[1] == 60 for _, data in group):
                kinds.append("A")  # before b was connected: a alone
            else:
                self.fail("period with events %r is neither merge order\n%s" % (group, read_log(dump)))
        sequence = "".join(kinds)
        # a alone, then both merged (a first on ties), b alone while a was disconnected, then
        # both merged again with b first on ties.
        self.assertRegex(sequence, r"^A*a{10,}-*b{10,}$", sequence)

    def test_midisine_sounds_exactly_while_a_note_is_on(self):
        on, length = 1000, 3000  # note 69 (A4) from frame 1000 to 4000 of each loop
        velocity = 64 / 127
        with Server(period=PERIOD) as server:
            self.start_midiseq(server, "seq", LOOP, [(on, 69, length)])
            server.spawn("jack_midisine")
            server.wait_for_port("midisine:audio_out")
            server.connect("seq:out", "midisine:midi_in")
            server.connect("midisine:audio_out", "system:playback_1")
            cycles = server.status()["cycles"]
            deadline = time.time() + 20
            while server.status()["cycles"] < cycles + 7 * LOOP // PERIOD:
                self.assertLess(time.time(), deadline, "the server is not running cycles")
                time.sleep(0.05)
            left, right = server.playback()
        self.assertFalse(any(right), "sound on the unconnected playback port")
        # Stretches of sound: a sine may hit an exact zero, never two samples in a row.
        segments = []
        i = 0
        while i < len(left):
            if left[i] == 0:
                i += 1
                continue
            begin = i
            end = i + 1
            while end < len(left) and any(left[end:end + 3]):
                end += 1
            while left[end - 1] == 0:
                end -= 1
            segments.append((begin, end))
            i = end
        # The first may have started before midisine was connected to the playback port, the
        # last may be cut by the server stopping.
        whole = segments[1:-1]
        self.assertGreaterEqual(len(whole), 4, "fewer than four whole notes: %r" % segments)
        for begin, end in whole:
            self.assertEqual(end - begin, length, "note sounded %d frames, not %d" % (end - begin, length))
            self.assertEqual(begin % PERIOD, on % PERIOD, "note started at offset %d" % (begin % PERIOD))
            peak = max(abs(v) for v in left[begin:end])
            self.assertAlmostEqual(peak, velocity, delta=2e-3)
        starts = [begin for begin, _ in whole]
        self.assertEqual({b - a for a, b in zip(starts, starts[1:])}, {LOOP})


if __name__ == "__main__":
    unittest.main()
