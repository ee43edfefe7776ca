"""Run through bantam-run by the lifecycle tests: an active client that waits for its server to
go away. It prints "ready", then "shutdown: REASON" from its shutdown callback, then tries more
calls on the dead client and prints how each one failed: none may succeed or hang."""

import threading
import time

import jack

client = jack.Client("watcher", no_start_server=True)
client.inports.register("in_1")
gone = threading.Event()


@client.set_shutdown_callback
def shutdown(status, reason):
    print("shutdown: %s" % reason, flush=True)
    gone.set()


client.activate()
print("ready", flush=True)
if not gone.wait(30):
    print("no shutdown callback within 30 s", flush=True)
    raise SystemExit(1)

started = time.monotonic()
attempts = {
    "connect": lambda: client.connect("system:capture_1", "watcher:in_1"),
    "register": lambda: client.outports.register("late"),
    "ports": lambda: client.get_ports(),
}
for name, call in attempts.items():
    try:
        result = call()
        print("%s: succeeded with %r" % (name, result), flush=True)
    except jack.JackError as error:
        print("%s: failed (%s)" % (name, type(error).__name__), flush=True)
print("calls took %.3f s" % (time.monotonic() - started), flush=True)
client.deactivate(ignore_errors=True)
client.close(ignore_errors=True)
print("closed", flush=True)
