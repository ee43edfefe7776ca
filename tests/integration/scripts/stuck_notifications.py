"""Run through bantam-run by the lifecycle tests: an active client whose notification thread
blocks for good in its first port registration callback, so it stops reading notifications
while its process callback keeps running."""

import signal
import threading

import jack

client = jack.Client("stuck", no_start_server=True)
client.inports.register("in_1")
forever = threading.Event()


@client.set_port_registration_callback
def registration(port, registered):
    forever.wait()


@client.set_process_callback
def process(frames):
    pass


client.activate()
print("ready", flush=True)
signal.sigwait([signal.SIGINT, signal.SIGTERM])
