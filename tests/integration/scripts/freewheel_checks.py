"""Run through bantam-run by test_freewheel.py: Debian's jack_freewheel switches the server into
and out of freewheel mode while a python3-jack-client client counts its cycles."""

import subprocess
import threading
import time

import jack

client = jack.Client("counter", no_start_server=True)
cycles = [0]
events = []
xruns = []


@client.set_process_callback
def process(frames):
    cycles[0] += 1


client.set_freewheel_callback(lambda starting: events.append((starting, threading.get_ident())))
client.set_xrun_callback(lambda delay: xruns.append(delay))
client.activate()


def rate(seconds=0.5):
    start = cycles[0]
    time.sleep(seconds)
    return (cycles[0] - start) / seconds


normal = rate()
expected = client.samplerate / client.blocksize
assert 0.5 * expected < normal < 1.5 * expected, (normal, expected)
assert client.realtime or True  # the server may lack real-time permission

subprocess.run(["jack_freewheel", "y"], check=True, capture_output=True)
assert events and events[-1][0] is True, events
time.sleep(0.1)  # xrun reports from before the switch arrive asynchronously
xruns_before = len(xruns)
fast = rate()
assert len(xruns) == xruns_before, "xruns counted while freewheeling: %d" % (len(xruns) - xruns_before)
assert fast > 5 * expected, (fast, expected)
assert not client.realtime, "a freewheeling server reports itself as not real-time"

subprocess.run(["jack_freewheel", "n"], check=True, capture_output=True)
assert events[-1][0] is False, events
time.sleep(0.2)
back = rate()
assert 0.5 * expected < back < 1.5 * expected, (back, expected)
assert len(events) == 2
assert all(thread != threading.get_ident() for _, thread in events)  # on the notification thread
client.close()
print("freewheel checks passed: %.0f cycles/s normally, %.0f freewheeling" % (normal, fast))
