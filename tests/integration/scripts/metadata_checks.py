"""Run through bantam-run by test_metadata.py with Debian's python3-jack-client."""

import time

import jack

watcher = jack.Client("watcher", no_start_server=True)
events = []
watcher.set_property_change_callback(lambda subject, key, change: events.append((subject, key, change)))
watcher.activate()

writer = jack.Client("writer", no_start_server=True)
port = writer.outports.register("out")
writer.activate()
uuid = port.uuid
writer.set_property(port, jack.METADATA_PRETTY_NAME, "Main out")
writer.set_property(port, "http://example.org/gain", "0.5", "text/plain")
writer.set_property(port, jack.METADATA_PRETTY_NAME, "Renamed out")
assert jack.get_property(uuid, jack.METADATA_PRETTY_NAME) == (b"Renamed out", "")
assert jack.get_property(uuid, "http://example.org/gain") == (b"0.5", "text/plain")
assert jack.get_property(uuid, "http://example.org/none") is None
props = jack.get_properties(uuid)
assert props == {jack.METADATA_PRETTY_NAME: (b"Renamed out", ""), "http://example.org/gain": (b"0.5", "text/plain")}, props
everything = jack.get_all_properties()
assert everything[uuid] == props, everything
writer.remove_property(port, "http://example.org/gain")
assert jack.get_property(uuid, "http://example.org/gain") is None
# Closing the owner removes its ports' properties too.
writer.close()
time.sleep(0.3)
assert jack.get_properties(uuid) == {}
expected = [
    (uuid, jack.METADATA_PRETTY_NAME, jack.PROPERTY_CREATED),
    (uuid, "http://example.org/gain", jack.PROPERTY_CREATED),
    (uuid, jack.METADATA_PRETTY_NAME, jack.PROPERTY_CHANGED),
    (uuid, "http://example.org/gain", jack.PROPERTY_DELETED),
    (uuid, "", jack.PROPERTY_DELETED),  # every key: NULL, which the module passes on as ""
]
assert events == expected, events
watcher.close()
print("metadata checks passed")
