"""A timebase master (Debian's python3-jack-client) that is late once, right when it is told of
a new position: relocated while rolling, its callback with new_pos for the new frame sleeps for
several periods. A server that skips
a late client (Bantam) loses that answer; the master must then be told of the new position
again, never handed a position without its BBT and new_pos false (Debian's jack_transport
computes BBT from the position it is handed and loops forever on ticks_per_beat 0). Prints one
line per callback, then "calls N, late answers M, bad positions K"; exits 0."""

import threading
import time

import jack

client = jack.Client("late_master", no_start_server=True)
calls = []
done = threading.Event()
late = []


def timebase(state, blocksize, pos, new_pos):
    calls.append((bool(new_pos), pos.ticks_per_beat, int(pos.valid)))
    if new_pos:
        if pos.frame == 96000 and not late:
            late.append(1)
            time.sleep(0.04)  # late once, by several periods
        pos.valid = jack.POSITION_BBT
        pos.bar, pos.beat, pos.tick, pos.bar_start_tick = 1, 1, 0, 0.0
        pos.beats_per_bar, pos.beat_type = 4.0, 4.0
        pos.ticks_per_beat, pos.beats_per_minute = 1920.0, 120.0
    else:
        pos.tick += 1
    if len(calls) >= 200:
        done.set()


@client.set_process_callback
def process(frames):
    pass


client.set_timebase_callback(timebase)
client.activate()
time.sleep(0.2)
client.transport_locate(48000)
client.transport_start()
time.sleep(0.3)
client.transport_locate(96000)  # while rolling: the transport starts again from there
done.wait(10)
client.transport_stop()
client.deactivate()
answered = [c for c in calls if c[0]]
# Before the first answer nothing was known yet; after it, a position without BBT is a bug.
first = next(i for i, c in enumerate(calls) if c[0])
bad = [c for c in calls[first + 1:] if not c[0] and (c[1] <= 0 or not c[2] & jack.POSITION_BBT)]
print("calls %d, new_pos callbacks %d, bad positions %d" % (len(calls), len(answered), len(bad)))
client.close()
