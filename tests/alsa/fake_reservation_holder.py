"""Plays a desktop sound server holding sound card 0 through org.freedesktop.ReserveDevice1, as
PulseAudio and PipeWire do: it owns org.freedesktop.ReserveDevice1.Audio0 (allowing
replacement) and answers RequestRelease with yes ("yield") or no ("refuse").

Usage: /usr/bin/python3 fake_reservation_holder.py yield|refuse   (needs python3-gi; Debian's
python3, whatever python3 is first on PATH). Prints "acquired", then "release requested N" for
each request and "lost" when another program takes the name; exits after "lost".
"""

import sys

from gi.repository import Gio, GLib

NAME = "org.freedesktop.ReserveDevice1.Audio0"
PATH = "/org/freedesktop/ReserveDevice1/Audio0"
INTERFACE = """
<node>
  <interface name="org.freedesktop.ReserveDevice1">
    <method name="RequestRelease">
      <arg name="priority" type="i" direction="in"/>
      <arg name="result" type="b" direction="out"/>
    </method>
    <property name="Priority" type="i" access="read"/>
    <property name="ApplicationName" type="s" access="read"/>
    <property name="ApplicationDeviceName" type="s" access="read"/>
  </interface>
</node>"""


def main():
    yields = sys.argv[1] == "yield"
    loop = GLib.MainLoop()
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def on_call(connection, sender, path, interface, method, parameters, invocation):
        print("release requested %d" % parameters.unpack()[0], flush=True)
        invocation.return_value(GLib.Variant("(b)", (yields,)))

    def on_get(connection, sender, path, interface, name):
        return {"Priority": GLib.Variant("i", 0),
                "ApplicationName": GLib.Variant("s", "FakeSoundServer"),
                "ApplicationDeviceName": GLib.Variant("s", "hw:0")}[name]

    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    bus.register_object(PATH, node.interfaces[0], on_call, on_get, None)

    def acquired(connection, name):
        print("acquired", flush=True)

    def lost(connection, name):
        print("lost", flush=True)
        loop.quit()

    Gio.bus_own_name_on_connection(bus, NAME, Gio.BusNameOwnerFlags.ALLOW_REPLACEMENT, acquired, lost)
    loop.run()


if __name__ == "__main__":
    main()
