"""The ALSA driver (-d alsa) on the Bantam ALSA test device (tests/alsa/): an alsa-lib plugin
with its own clock that captures from a WAV file and plays into one. Audio is checked sample
for sample on what the device wrote; xruns and suspends are injected by the device."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

from harness import BANTAMD, BUILD_DIR

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "alsa"))
from alsa_driver_case import RATE, AlsaCase  # noqa: E402
from alsa_test_card import TestCard  # noqa: E402
from session_bus import CARD0, SessionBus  # noqa: E402


class TestAlsaAudio(AlsaCase):
    def test_capture_reaches_playback_bit_exact_through_jack_thru(self):
        signal = self.add_device()
        self.start("-d", "card", "-r", "48000", "-p", "512", "-n", "3")
        self.server.spawn_thru()
        time.sleep(1.7)
        status = self.card.status("card")
        tag, bits, channels = self.recorded()
        self.assertEqual((status["format"], status["access"]), ("S32_LE", "MMAP_NONINTERLEAVED"))
        self.assertEqual((tag, bits), (1, 32))
        self.assert_exact_copy(signal, channels, 512)
        self.assertIn("S32_LE, non-interleaved mmap, 48000 Hz, 512 frames x 3 periods", self.log())

    def test_sync_mode_is_bit_exact_too(self):
        signal = self.add_device()
        self.start("-d", "card", "-p", "512", "-n", "3", server_args=("-S",))
        self.server.spawn_thru()
        time.sleep(1.7)
        self.assert_exact_copy(signal, self.recorded()[2], 512)

    def test_every_format_round_trips_exactly(self):
        # Interleaved and non-interleaved in turn, so both layouts meet every width.
        for index, format_name in enumerate(["S32_LE", "S24_3LE", "S24_LE", "S16_LE", "FLOAT_LE"]):
            access = "MMAP_INTERLEAVED" if index % 2 else "MMAP_NONINTERLEAVED"
            with self.subTest(format=format_name, access=access):
                self.card = TestCard(BUILD_DIR, tempfile.mkdtemp(prefix="bantam-alsa-"))
                signal = self.add_device(format_name=format_name, seconds=1.0, formats=format_name,
                                         access=access)
                self.start("-d", "card", "-p", "512", "-n", "3")
                self.server.connect("system:capture_1", "system:playback_1")
                self.server.connect("system:capture_2", "system:playback_2")
                time.sleep(1.1)
                status = self.card.status("card")
                tag, bits, channels = self.recorded()
                self.assertEqual((status["format"], status["access"]), (format_name, access))
                self.assert_exact_copy(signal, channels, 512)

    def test_format_preference_and_16_bit_option(self):
        self.add_device(formats="S16_LE FLOAT_LE S24_LE")
        self.start("-d", "card")
        self.wait_for_cycles(2)
        self.assertEqual(self.card.status("card")["format"], "S24_LE")
        self.server.stop()
        self.add_device(formats="FLOAT_LE")
        self.start("-d", "card")
        self.wait_for_cycles(2)
        self.assertEqual(self.card.status("card")["format"], "FLOAT_LE")
        self.server.stop()
        self.add_device()
        self.start("-d", "card", "-S")
        self.wait_for_cycles(2)
        self.assertEqual(self.card.status("card")["format"], "S16_LE")


class TestAlsaRecovery(AlsaCase):
    def injected(self, *events, **device):
        """Plays noise through a direct connection, injects `events` ((stream, what) pairs) one
        after the other, and returns the xruns counted and the server's log."""
        signal = self.add_device(seconds=3.0, **device)
        self.start("-d", "card", "-p", "256", "-n", "3")
        self.server.connect("system:capture_1", "system:playback_1")
        self.server.connect("system:capture_2", "system:playback_2")
        time.sleep(0.3)
        before = self.server.status()["xruns"]
        for streams, what in events:
            for _ in range(3):
                seen = len(self.log())
                for stream in streams:
                    self.card.trigger("card", stream, what)
                time.sleep(0.4)
                # A restart for another reason at that moment (the machine stalled the driver
                # past the buffer) prepares both devices and clears the injected xrun unseen:
                # then it is injected again.
                since = self.log()[seen:]
                if what != "xrun" or all("%s xrun" % stream in since for stream in streams) or \
                        "restarted" not in since:
                    break
        cycles = self.server.status()["cycles"]
        time.sleep(0.5)
        after = self.server.status()
        self.assertTrue(self.server.alive())
        self.assertGreater(after["cycles"], cycles + 50, "cycles stopped after the recovery")
        # Everything played is the captured noise, at a new latency after each restart, or
        # silence; and audio flows again after the last recovery: the end of what was played is
        # an exact stretch of it.
        _, _, channels = self.recorded()
        self.assert_exact_copy(signal, channels, 256)
        tail = channels[0][-RATE // 4:]
        # The signal is never zero: 64 frames in a row without a zero are sound, not a stretch
        # of silence from a later restart (the machine may stall the driver again).
        sounding = next((i for i in range(len(tail) - 64) if all(tail[i:i + 64])), None)
        self.assertIsNotNone(sounding, "silence after the recovery")
        window = tail[sounding:sounding + 64]
        self.assertTrue(any(signal[0][k:k + 64] == window for k in range(len(signal[0]) - 64)),
                        "what plays after the recovery is not the captured signal")
        return after["xruns"] - before, self.log()

    def test_xruns_are_recovered_and_reported(self):
        xruns, log = self.injected((["playback"], "xrun"), (["capture"], "xrun"))
        self.assertGreaterEqual(xruns, 2, log)
        self.assertIn("playback xrun (Broken pipe); device restarted", log)
        self.assertIn("capture xrun (Broken pipe); device restarted", log)

    def test_suspend_is_resumed(self):
        xruns, log = self.injected((["playback", "capture"], "suspend"))
        self.assertGreaterEqual(xruns, 1, log)
        self.assertIn("device was suspended; resumed", log)

    def test_suspend_without_resume_is_prepared_again(self):
        xruns, log = self.injected((["playback"], "suspend"), resume="no")
        self.assertGreaterEqual(xruns, 1, log)
        self.assertIn("cannot resume; prepared and restarted", log)

    def test_periodic_xruns_keep_the_server_running(self):
        self.add_device(xrun_every=40)
        self.start("-d", "card", "-p", "256")
        self.wait_for_cycles(400)
        status = self.server.status()
        self.assertTrue(self.server.alive())
        # 400 cycles with an xrun injected every 40 periods of either stream: about 10-20. On a
        # loaded two-core machine late wake-ups add their own (measured up to 149 with another
        # process busy); an xrun every cycle, a recovery that never settles, would be 400.
        self.assertGreaterEqual(status["xruns"], 5)
        self.assertLessEqual(status["xruns"], 200)
        self.server.stop()
        # Soft mode (-s): the same recoveries, none reported.
        self.start("-d", "card", "-p", "256", "-s")
        self.wait_for_cycles(400)
        self.assertEqual(self.server.status()["xruns"], 0)
        self.server.stop()
        self.assertGreaterEqual(self.log().count("xrun (Broken pipe); device restarted"), 5)


class TestAlsaDevices(AlsaCase):
    def ports(self):
        return [p for p in self.server.lsp().split("\n") if p.startswith("system:")]

    def test_split_devices_follow_the_playback_clock(self):
        signal = self.add_device("mic", playback_file=self.card.file("unused.wav"))
        self.add_device("speaker", seed=7)
        # Periods of 1024 frames: the two device clocks are threads, and on a busy virtual
        # machine one may stall for a few milliseconds; the capture device's cushion is a period.
        self.start("-P", "speaker", "-C", "mic", "-p", "1024", "-n", "2")
        self.server.connect("system:capture_1", "system:playback_1")
        self.server.connect("system:capture_2", "system:playback_2")
        time.sleep(1.7)
        self.assertEqual(self.card.status("mic")["stream"], "capture")
        self.assertEqual(self.card.status("speaker")["stream"], "playback")
        self.assertFalse(os.path.exists(self.card.file("unused.wav")))
        self.assertIn("cannot be linked", self.log())
        # Same nominal rate, separate clocks: a constant offset, sample for sample.
        self.assert_exact_copy(signal, self.recorded("speaker")[2], 1024, buffer_periods=2)

    def test_split_devices_with_drifting_clocks_keep_running(self):
        # 2 % apart: the capture device overflows or runs short within a second, by design
        # (no drift correction), and the server carries on.
        for ppm, symptom in ((20000, "capture xrun"), (-20000, "had no full period")):
            with self.subTest(ppm=ppm):
                self.card = TestCard(BUILD_DIR, tempfile.mkdtemp(prefix="bantam-alsa-"))
                self.add_device("mic", ppm=ppm, seconds=3.0)
                self.add_device("speaker")
                self.start("-P", "speaker", "-C", "mic", "-p", "256", "-n", "2")
                self.wait_for_cycles(500)
                self.assertTrue(self.server.alive())
                self.server.stop()
                self.assertIn(symptom, self.log())

    def test_one_direction_only(self):
        self.add_device()
        self.start("-d", "card", "-P")
        self.assertEqual(self.ports(), ["system:playback_1", "system:playback_2"])
        self.server.stop()
        self.start("-d", "card", "-C")
        self.wait_for_cycles(10)
        self.assertEqual(self.ports(), ["system:capture_1", "system:capture_2"])
        self.assertEqual(self.card.status("card")["stream"], "capture")

    def test_reported_rate_and_period_are_the_devices(self):
        # The device runs only at 44100 Hz with 512-frame periods (S16, 2 channels: 4 bytes a
        # frame) and 3 periods.
        self.add_device(formats="S16_LE", rates="44100", period_bytes_min=2048,
                        period_bytes_max=2048, periods_min=3, periods_max=3)
        self.start("-d", "card", "-r", "48000", "-p", "256", "-n", "2")
        self.wait_for_cycles(5)
        status = subprocess.run([os.path.join(BUILD_DIR, "bin", "bantam"), "status"], env=self.server.env(),
                                capture_output=True, text=True).stdout
        self.assertIn("44100 Hz, 512 frames per period", status)
        self.assertEqual(self.server.run("jack_samplerate").stdout.split()[-1], "44100")
        self.assertIn("512", self.server.run("jack_bufsize").stdout)
        log = self.log()
        self.assertIn("requested 48000 Hz, the device runs at 44100 Hz", log)
        self.assertIn("requested 256 frames per period, the device runs at 512", log)
        self.assertIn("requested 2 periods, the device runs with 3", log)

    def test_buffer_size_change(self):
        # 128..1024 frames of S32 stereo (8 bytes a frame).
        self.add_device(formats="S32_LE", period_bytes_min=1024, period_bytes_max=8192)
        self.start("-d", "card", "-p", "256")
        self.server.run("jack_bufsize", "512")
        self.wait_for_cycles(self.server.status()["cycles"] + 10)
        self.assertEqual(self.card.status("card")["period"], "512")
        self.server.run("jack_bufsize", "2048", check=False)
        time.sleep(0.2)
        self.assertIn("512 frames per period", subprocess.run(
            [os.path.join(BUILD_DIR, "bin", "bantam"), "status"], env=self.server.env(),
            capture_output=True, text=True).stdout)
        self.assertIn("cannot run at 2048 frames per period; staying at 512", self.log())


class TestAlsaOptions(AlsaCase):
    def bantamd(self, *driver_args):
        return subprocess.run([BANTAMD, "-n", "alsa-options-%d" % os.getpid(), "-d", "alsa", *driver_args],
                              env=dict(os.environ, **self.card.env()), capture_output=True, text=True,
                              timeout=10)

    def test_bad_options_give_one_clear_line(self):
        self.add_device()
        self.add_device("rw_only", access="RW_INTERLEAVED")
        self.add_device("wide", formats="S32_LE")
        self.add_device("slow", rates="44100")
        cases = {
            ("-q",): "alsa driver: unknown option '-q'",
            ("-r", "fast"): "invalid sample rate 'fast'",
            ("-n", "1"): "invalid number of periods '1' (expected 2..64)",
            ("-p",): "option '-p' needs a value",
            ("-z", "q"): "invalid dither mode 'q'",
            ("-d", "nosuch"): "cannot open playback device 'nosuch': No such file or directory",
            ("-d", "card", "-i", "3"): "capture device 'card': cannot use 3 channels (it supports 2..2)",
            ("-d", "rw_only"): "playback device 'rw_only': does not support mmap access",
            ("-d", "wide", "-S"): "playback device 'wide': does not support S16_LE (-S)",
            ("-P", "card", "-C", "slow"):
                "capture device 'slow': cannot run at 48000 Hz (as the other direction does)",
        }
        for args, message in cases.items():
            with self.subTest(args=args):
                result = self.bantamd(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(result.stderr.strip().split("\n")), 1, result.stderr)
                self.assertIn(message, result.stderr)

    def test_help(self):
        result = self.bantamd("-h")
        self.assertEqual(result.returncode, 0)
        self.assertIn("-P, --playback [DEV]", result.stdout)
        self.assertIn("no drift correction", result.stdout)


class TestCardReservation(AlsaCase):
    """org.freedesktop.ReserveDevice1 on a private session bus. The test configuration defines
    a test device named hw, so "-d hw:0" is card 0 as far as reservation goes."""

    def setUp(self):
        super().setUp()
        self.bus = SessionBus(self.card.directory)
        self.addCleanup(self.bus.close)
        self.add_device("hw")

    def test_a_sound_server_hands_the_card_over(self):
        holder = self.bus.hold_card0("yield")
        self.start("-d", "hw:0", "-p", "512", env=self.bus.env())
        self.wait_for_cycles(20)
        self.assertIn("release requested 2147483647\nlost", self.bus.read(holder))
        self.assertEqual(self.bus.owner_pid(CARD0), self.server.proc.pid)
        self.assertIn("card 0 reserved (%s)" % CARD0, self.log())
        # Nobody takes it from a running server, and it says who holds it.
        path = "/org/freedesktop/ReserveDevice1/Audio0"
        self.assertEqual(self.bus.call(CARD0, path, "org.freedesktop.ReserveDevice1.RequestRelease", "5"),
                         "(false,)")
        self.assertEqual(self.bus.call(CARD0, path, "org.freedesktop.DBus.Properties.Get",
                                       "org.freedesktop.ReserveDevice1", "ApplicationDeviceName"), "(<'hw:0'>,)")
        self.server.stop()
        self.assertIsNone(self.bus.owner_pid(CARD0), "the card is still reserved after bantamd stopped")

    def test_a_sound_server_that_refuses_is_named(self):
        holder = self.bus.hold_card0("refuse")
        result = subprocess.run([BANTAMD, "-n", "alsa-reserve-%d" % os.getpid(), "-d", "alsa", "-d", "hw:0"],
                                env=dict(os.environ, **self.card.env(), **self.bus.env()),
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(result.stderr.strip().split("\n")), 1, result.stderr)
        self.assertIn("hw:0 (card 0) is in use by 'FakeSoundServer', which did not release it", result.stderr)
        self.assertIn("release requested", self.bus.read(holder))
        self.assertEqual(self.bus.owner_pid(CARD0), self.bus.holders[0].pid)

    def test_devices_that_are_not_cards_are_not_reserved(self):
        holder = self.bus.hold_card0("refuse")
        self.add_device("card")
        self.start("-d", "card", env=self.bus.env())
        self.wait_for_cycles(5)
        self.assertNotIn("release requested", self.bus.read(holder))
        self.assertEqual(self.bus.owner_pid(CARD0), self.bus.holders[0].pid)


if __name__ == "__main__":
    unittest.main()
