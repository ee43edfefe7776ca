"""Run through bantam-run by test_transport.py: slow-sync clients, sync timeout, the timebase
master and what other clients read, relocation, with Debian's python3-jack-client."""

import time

import jack


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.01)


observer = jack.Client("observer", no_start_server=True)
observer.activate()
assert observer.transport_state == jack.STOPPED

# A slow-sync client holds the transport in Starting until it says it is ready.
slow = jack.Client("slow", no_start_server=True)
ready = {"now": False, "calls": 0, "states": set()}


def sync(state, position):
    ready["calls"] += 1
    ready["states"].add(state)
    return ready["now"]


slow.set_sync_callback(sync)
slow.activate()
observer.transport_locate(4800)
wait_for(lambda: observer.transport_frame == 4800)
observer.transport_start()
wait_for(lambda: observer.transport_state == jack.STARTING)
time.sleep(0.3)
assert observer.transport_state == jack.STARTING, observer.transport_state
assert observer.transport_query()[1]["frame"] == 4800  # no progress while starting
# As on jackd2, the locate while stopped was announced to the sync callback (state Stopped),
# and starting asks it again until it is ready.
assert ready["calls"] > 10 and ready["states"] == {jack.STOPPED, jack.STARTING}, ready
ready["now"] = True
wait_for(lambda: observer.transport_state == jack.ROLLING)
time.sleep(0.2)
assert observer.transport_frame > 4800

# Relocating while rolling syncs again; the sync timeout (taken when syncing begins) lets the
# transport roll on without the slow client.
ready["now"] = False
observer.set_sync_timeout(200000)
started = time.time()
observer.transport_locate(0)
wait_for(lambda: observer.transport_state == jack.STARTING)
wait_for(lambda: observer.transport_state == jack.ROLLING, timeout=3)
assert time.time() - started < 1.5
observer.transport_stop()
wait_for(lambda: observer.transport_state == jack.STOPPED)
slow.deactivate()

# A timebase master fills BBT; every other client reads it, consistently.
master = jack.Client("master", no_start_server=True)
calls = []


def timebase(state, nframes, position, new_position):
    calls.append((state, new_position, position.frame))
    position.valid = jack.POSITION_BBT
    position.bar, position.beat, position.tick = 3, 2, 1
    position.bar_start_tick = 0.0
    position.beats_per_bar, position.beat_type = 7.0, 8.0
    position.ticks_per_beat, position.beats_per_minute = 1920.0, 133.0


master.activate()
assert master.set_timebase_callback(timebase) is True
assert observer.set_timebase_callback(timebase, conditional=True) is False  # EBUSY
wait_for(lambda: calls)
assert calls[0][1] is True, calls[:2]  # new_pos first
wait_for(lambda: "bar" in observer.transport_query()[1])
state, position = observer.transport_query()
assert position["bar"] == 3 and position["beats_per_minute"] == 133.0, position
struct = observer.transport_query_struct()[1]
assert struct.unique_1 == struct.unique_2
assert struct.valid & jack.POSITION_BBT
observer.transport_start()
wait_for(lambda: observer.transport_state == jack.ROLLING)
time.sleep(0.2)
rolling_calls = [c for c in calls if c[0] == jack.ROLLING]
assert rolling_calls and not all(c[1] for c in rolling_calls)
observer.transport_stop()
master.release_timebase()
wait_for(lambda: "bar" not in observer.transport_query()[1])
for client in (master, slow, observer):
    client.close()
print("transport checks passed")
