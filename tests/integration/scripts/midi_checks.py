"""Run through bantam-run by test_python_client.py: JACK MIDI between two python3-jack-client
clients, byte by byte and frame by frame, including a SysEx message."""

import threading
import time

import jack

sender = jack.Client("midi_sender", no_start_server=True)
receiver = jack.Client("midi_receiver", no_start_server=True)
out = sender.midi_outports.register("out")
inp = receiver.midi_inports.register("in")
sysex = bytes([0xF0, 0x7E, 0x7F, 0x06, 0x01] + list(range(0x10, 0x70)) + [0xF7])
sent, received = [], []
lock = threading.Lock()
cycle = [0]


@sender.set_process_callback
def send(frames):
    out.clear_buffer()
    n = cycle[0]
    cycle[0] += 1
    if n < 50:
        events = [(0, bytes([0x90, n, 100])), (frames // 2, bytes([0x80, n, 0])), (frames - 1, bytes([0xB0, 7, n]))]
        if n == 10:
            events.insert(1, (5, sysex))
        for offset, data in events:
            out.write_midi_event(offset, data)
        with lock:
            sent.append((sender.last_frame_time, [(offset, bytes(data)) for offset, data in events]))


@receiver.set_process_callback
def receive(frames):
    events = [(offset, bytes(data)) for offset, data in inp.incoming_midi_events()]
    if events:
        with lock:
            received.append((receiver.last_frame_time, events))


assert inp.is_midi and not inp.is_audio
sender.activate()
receiver.activate()
sender.connect(out, inp)
deadline = time.time() + 10
while True:
    with lock:
        done = len(received) >= 40 or time.time() > deadline
    if done:
        break
    time.sleep(0.05)
with lock:
    got = list(received)
    expected = list(sent)
# Every cycle's events arrive in that same cycle, byte for byte and at their offsets (a cycle a
# slow Python callback missed is simply absent on one side); SysEx intact.
sent_by_frame = dict(expected)
matched = [frame for frame, events in got if sent_by_frame.get(frame) == events]
wrong = [(frame, events, sent_by_frame.get(frame)) for frame, events in got
         if frame in sent_by_frame and sent_by_frame[frame] != events]
assert not wrong, wrong[:2]
assert len(matched) >= 0.9 * len(got) and len(matched) >= 30, (len(matched), len(got))
assert any(data == sysex for _, events in got for _, data in events), "the SysEx message did not arrive"

sender.deactivate()
receiver.deactivate()
sender.close()
receiver.close()
print("midi checks passed: %d cycles compared" % len(got))
