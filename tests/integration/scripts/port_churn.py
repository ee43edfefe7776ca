"""Run through bantam-run by the lifecycle tests: an active client that registers and
unregisters a port COUNT times, each one a notification to every other active client, and
prints how long that took."""

import sys
import time

import jack

count = int(sys.argv[1])
client = jack.Client("porter", no_start_server=True)
client.activate()
started = time.monotonic()
for _ in range(count):
    client.outports.register("p").unregister()
print("%d registrations in %.3f s" % (count, time.monotonic() - started), flush=True)
client.deactivate()
client.close()
