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
            sent.append([(offset, bytes(data)) for offset, data in events])


@receiver.set_process_callback
def receive(frames):
    events = [(offset, bytes(data)) for offset, data in inp.incoming_midi_events()]
    if events:
        with lock:
            received.append(events)


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
# What arrived is exactly a contiguous run of what was sent (the first cycles may precede the
# connection), every event at its offset, SysEx intact.
start = expected.index(got[0])
assert got == expected[start:start + len(got)], (got[:2], expected[start:start + 2])
assert any(data == sysex for events in got for _, data in events), "the SysEx message did not arrive"

sender.deactivate()
receiver.deactivate()
sender.close()
receiver.close()
print("midi checks passed: %d cycles compared" % len(got))
