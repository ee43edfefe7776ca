-- Run by test_ardour.py with Debian's ardour7-lua (Ardour's headless Lua session tool), on the
-- JACK backend: a new session in the directory given as its argument, one stereo audio track
-- monitoring its input and feeding the master bus, then, after a line on stdin, the session
-- closed and the engine stopped. Prints "ready" once the ports exist, "closed" at the end.
local dir = assert(arg[1], "usage: ardour7-lua ardour_monitor_track.lua SESSION_DIR")
assert(AudioEngine:set_backend("JACK", "ardour", ""), "no JACK backend")
assert(AudioEngine:start(false) == 0, "the engine did not start")
local session = create_session(dir, "session", 48000)
assert(session, "create_session failed")
local tracks = session:new_audio_track(2, 2, nil, 1, "Track", -1, ARDOUR.TrackMode.Normal, true, false)
local track = tracks:front()
track:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorInput,
                                     PBD.GroupControlDisposition.NoGroup)
print("ready")
io.stdout:flush()
io.read("l")
close_session()
AudioEngine:stop(false)
print("closed")
io.stdout:flush()
