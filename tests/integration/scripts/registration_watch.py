"""Run through bantam-run by the fault tests: records when each client registers and
unregisters, and each xrun callback (CLOCK_MONOTONIC, as the test's own clock), until SIGINT;
then prints one line per event: "registered|unregistered NAME SECONDS" or "xrun - SECONDS"."""

import signal
import threading
import time

import jack

client = jack.Client("regwatch", no_start_server=True)
events = []
lock = threading.Lock()


@client.set_client_registration_callback
def registration(name, registered):
    with lock:
        events.append(("registered" if registered else "unregistered", name, time.monotonic()))


@client.set_xrun_callback
def xrun(delayed_usecs):
    with lock:
        events.append(("xrun", "-", time.monotonic()))


client.activate()
print("ready", flush=True)
try:
    signal.pause()
except KeyboardInterrupt:
    pass
with lock:
    for kind, name, when in events:
        print("%s %s %.6f" % (kind, name, when))
client.deactivate()
client.close()
