"""ALSA programs on Bantam: Debian's aplay and arecord through the `jack` PCM of
libasound2-plugins, run with bantam-run so the plugin's libjack.so.0 is ours, checked sample for
sample.

The plugin exchanges 32-bit float with the graph (its only format). Float WAV files pass through
untouched; 16-bit ones go through alsa-lib's `plug`, which maps the integer k to k/32768 and back
exactly. Its period must be a whole number of JACK periods (the plugin's `align_psize`, on by
default). It activates its client and connects its ports when the PCM is prepared, and moves audio
only while the PCM runs (or drains).

A cycle the server counts as an xrun, or an under/overrun the plugin reports to the program, loses
or delays audio by design, on any JACK server; real-time performance is tested elsewhere. On
playback it delays the rest of the signal: a stretch of silence inside it, allowed once per missed
deadline, with every sample still there in order. Any other wrong audio (a recording that lost a
period) repeats the attempt, up to three times, only when such a deadline was missed during it;
wrong audio with no missed deadline fails at once.
"""

import os
import random
import signal
import struct
import subprocess
import sys
import time
import unittest

from harness import BANTAM_RUN, RATE, Server, TestCase, first_nonzero, read_wav, sanitizer, write_wav

PLUGIN = "/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_jack.so"
# Silence around each signal in the files aplay plays: the plugin connects its ports when the PCM
# is prepared, and the graph adopts a connection at the start of a cycle.
LEAD = 4096
SLOW = 3 if sanitizer() else 1
ATTEMPTS = 3


def float_noise(frames, seed):
    """Multiples of 2**-23 in (-0.5, 0.5), never zero: exact in float32 and finer than 16-bit PCM,
    so a float path that went through integers on the way would show."""
    ints = struct.unpack("<%di" % frames, random.Random(seed).randbytes(4 * frames))
    return [((k >> 9) or 1) / 8388608 for k in ints]


def pcm16_noise(frames, seed):
    """k/32768 for integers 0 < |k| <= 16384: exact as 16-bit PCM and as float."""
    ints = struct.unpack("<%dh" % frames, random.Random(seed).randbytes(2 * frames))
    return [((k >> 1) or 1) / 32768 for k in ints]


def write_wav16(path, channels):
    """A 16-bit PCM WAV of float channels holding multiples of 1/32768."""
    count, frames = len(channels), len(channels[0])
    ints = [round(channels[c][i] * 32768) for i in range(frames) for c in range(count)]
    data = struct.pack("<%dh" % len(ints), *ints)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, count, RATE, RATE * count * 2, count * 2, 16)
    with open(path, "wb") as f:
        f.write(header + b"data" + struct.pack("<I", len(data)) + data)


def padded(samples):
    return [0.0] * LEAD + samples + [0.0] * LEAD


def jack_pcm(name, playback=(), capture=(), client=None):
    """An ALSA `type jack` PCM: channel i connects to playback[i] / from capture[i]. Also defines
    NAME_plug, the same PCM behind alsa-lib's format converter."""
    def ports(names):
        return " ".join('%d "%s"' % (i, port) for i, port in enumerate(names))
    text = "pcm.%s {\n    type jack\n" % name
    if client:
        text += '    name "%s"\n' % client
    if playback:
        text += "    playback_ports { %s }\n" % ports(playback)
    if capture:
        text += "    capture_ports { %s }\n" % ports(capture)
    return text + "}\npcm.%s_plug {\n    type plug\n    slave.pcm \"%s\"\n}\n" % (name, name)


def missed_deadlines(output):
    """The under/overruns aplay and arecord print (whatever -q says)."""
    return [line for line in output.split("\n") if "underrun!!!" in line or "overrun!!!" in line]


def count_missed(misses):
    """How many deadlines `misses` names: each "N server xruns" is N, any other line one."""
    return sum(int(miss.split()[0]) if miss.endswith(" server xruns") else 1 for miss in misses)


def follow_with_gaps(played, source, gaps):
    """How far `played` is `source` from their first samples on, allowing up to `gaps` stretches
    of inserted silence after which the source goes on where it was: returns (frames of
    `played`, frames of `source`, the inserted stretches' lengths)."""
    pos = done = 0
    inserted = []
    while pos < len(played) and done < len(source):
        run = next((i for i, (a, b) in enumerate(zip(played[pos:], source[done:])) if a != b),
                   min(len(played) - pos, len(source) - done))
        pos, done = pos + run, done + run
        if pos == len(played) or done == len(source) or played[pos] != 0 or len(inserted) == gaps:
            break
        silence = first_nonzero(played[pos:])
        if silence < 0 or played[pos + silence] != source[done]:
            break
        inserted.append(silence)
        pos += silence
    return pos, done, inserted


class AlsaServer(Server):
    """A server plus a private ALSA configuration. ALSA_CONFIG_PATH names the only file alsa-lib
    reads, in place of /usr/share/alsa/alsa.conf (which would pull in /etc/alsa/conf.d and the
    user's ~/.asoundrc), so exactly the PCMs given here exist. Deadlines missed while it runs
    (server xruns, program under/overruns) are appended to `misses`."""

    def __init__(self, pcms, misses, **kwargs):
        super().__init__(**kwargs)
        self.misses = misses
        self.alsa_conf = os.path.join(self.dir, "asound.conf")
        with open(self.alsa_conf, "w") as f:
            f.write("".join(pcms))

    def __enter__(self):
        super().__enter__()
        self.xruns_at_start = self.status()["xruns"]
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            xruns = self.status()["xruns"] - self.xruns_at_start
            if xruns:
                self.misses.append("%d server xruns" % xruns)
        super().stop()

    def alsa_env(self):
        env = self.env()
        env["ALSA_CONFIG_PATH"] = self.alsa_conf
        return env

    def alsa(self, *args, timeout=30):
        """Runs aplay or arecord through bantam-run to completion; fails on a non-zero exit."""
        result = subprocess.run([BANTAM_RUN, *args], env=self.alsa_env(), capture_output=True, text=True,
                                timeout=timeout * SLOW)
        self.misses.extend(missed_deadlines(result.stderr))
        assert result.returncode == 0, "%s exited %d\nstdout: %s\nstderr: %s" % (
            args, result.returncode, result.stdout, result.stderr)
        return result

    def spawn_alsa(self, *args, stdin=subprocess.DEVNULL):
        """Starts aplay or arecord in the background; finish() waits for it."""
        out = open(os.path.join(self.dir, "%s-%d.log" % (args[0], len(self.children))), "w+")
        proc = subprocess.Popen([BANTAM_RUN, *args], env=self.alsa_env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=stdin)
        out.close()
        proc.log_path = out.name
        self.children.append(proc)
        return proc

    def finish(self, proc, timeout=20):
        """Waits for a spawned program; returns its exit code and output."""
        code = proc.wait(timeout=timeout * SLOW)
        with open(proc.log_path) as f:
            output = f.read()
        self.misses.extend(missed_deadlines(output))
        return code, output


class AlsaProgramsTest(TestCase):
    @classmethod
    def setUpClass(cls):
        assert os.path.exists(PLUGIN), "libasound2-plugins' jack PCM is not installed: " + PLUGIN

    def run_attempts(self, attempt):
        """Runs attempt(misses) until it passes, repeating it only while its failures come with
        missed deadlines."""
        failures = []
        for _ in range(ATTEMPTS):
            misses = []
            try:
                attempt(misses)
                return
            except AssertionError as failure:
                if not misses:
                    raise
                failures.append("%s\n  (deadlines missed: %s)" % (failure, "; ".join(misses)))
                print("%s: repeated after missed deadlines: %s" % (self.id(), failures[-1]), file=sys.stderr)
        self.fail("audio was wrong in %d attempts, each with missed deadlines:\n%s"
                  % (ATTEMPTS, "\n".join(failures)))

    def assert_signals_in_order(self, out, signals, what, gaps=0):
        """`out` is silence, then every sample of signals[0] in order, silence, signals[1], ...,
        and silence to the end: nothing lost, repeated or added, except up to `gaps` stretches of
        silence inside a signal (on playback, a cycle the plugin's client missed or an underrun
        delays the rest of the signal; the samples are never zero, so a gap cannot hide one)."""
        pos = 0
        for number, sig in enumerate(signals):
            skip = first_nonzero(out[pos:])
            self.assertGreaterEqual(skip, 0, "%s: signal %d never arrived" % (what, number))
            pos += skip
            length, done, inserted = follow_with_gaps(out[pos:], sig, gaps)
            if done < len(sig):
                at = pos + length
                self.fail("%s: signal %d differs at its frame %d of %d: %s (silence inserted before: %s frames, "
                          "%d allowed)" % (what, number, done, len(sig),
                                           "cut short" if at == len(out) else
                                           "silence" if out[at] == 0 else "another sample", inserted, gaps))
            pos += length
            gaps -= len(inserted)
        self.assertEqual(first_nonzero(out[pos:]), -1, "%s: sound after the last signal" % what)

    def assert_recorded_from(self, recorded, source, frames, period, what):
        """`recorded` is exactly `frames` long: at most a few periods of silence (cycles before the
        plugin's connection took effect), then one unbroken stretch of `source`. Returns the source
        frame that corresponds to the recording's first frame."""
        self.assertEqual(len(recorded), frames, "%s: wrong length" % what)
        start = first_nonzero(recorded)
        self.assertGreaterEqual(start, 0, "%s: recorded only silence" % what)
        self.assertLessEqual(start, 4 * period, "%s: too much silence before the signal" % what)
        body = recorded[start:]
        head = body[:32]
        offsets = [i for i in range(len(source) - len(body) + 1)
                   if source[i] == head[0] and source[i:i + 32] == head]
        self.assertEqual(len(offsets), 1, "%s: how often the recording's start is in the source" % what)
        stretch = source[offsets[0]:offsets[0] + len(body)]
        wrong = next((i for i, (a, b) in enumerate(zip(body, stretch)) if a != b), None)
        if wrong is not None:
            self.fail("%s: differs from the source at recorded frame %d" % (what, start + wrong))
        return offsets[0] - start

    def test_aplay_stereo_float_two_files_sample_for_sample(self):
        # Two files in one run: between them aplay sets the PCM up again, so the plugin
        # deactivates its client, activates it again and reconnects its ports.
        first = [float_noise(RATE, 1), float_noise(RATE, 2)]
        second = [float_noise(RATE // 2, 3), float_noise(RATE // 2, 4)]
        pcm = jack_pcm("bantam", playback=["system:playback_1", "system:playback_2"])

        def attempt(misses):
            with AlsaServer([pcm], misses, period=256) as server:
                paths = []
                for number, channels in enumerate((first, second)):
                    paths.append(os.path.join(server.dir, "play%d.wav" % number))
                    write_wav(paths[-1], RATE, [padded(ch) for ch in channels])
                server.alsa("aplay", "-q", "-D", "bantam", "--period-size=256", "--buffer-size=8192", *paths)
                self.assertEqual(server.lsp().split(), ["system:capture_1", "system:capture_2",
                                                        "system:playback_1", "system:playback_2"])
                out = server.playback()
            for channel in (0, 1):
                self.assert_signals_in_order(out[channel], [first[channel], second[channel]],
                                             "playback_%d" % (channel + 1), gaps=count_missed(misses))
        self.run_attempts(attempt)

    def test_aplay_mono_16_bit_through_plug_to_a_chosen_port(self):
        samples = pcm16_noise(RATE, 5)
        pcm = jack_pcm("right", playback=["system:playback_2"])

        def attempt(misses):
            with AlsaServer([pcm], misses, period=128) as server:
                path = os.path.join(server.dir, "mono16.wav")
                write_wav16(path, [padded(samples)])
                # An ALSA period of four JACK periods.
                server.alsa("aplay", "-q", "-D", "right_plug", "--period-size=512", "--buffer-size=8192", path)
                left, right = server.playback()
            self.assertEqual(first_nonzero(left), -1, "sound on playback_1, which the PCM does not name")
            self.assert_signals_in_order(right, [samples], "playback_2", gaps=count_missed(misses))
        self.run_attempts(attempt)

    def test_arecord_stereo_float_sample_for_sample(self):
        source = [float_noise(8 * RATE, 6), float_noise(8 * RATE, 7)]
        pcm = jack_pcm("bantam", capture=["system:capture_1", "system:capture_2"])

        def attempt(misses):
            with AlsaServer([pcm], misses, period=256, capture_signal=source, record=False) as server:
                path = os.path.join(server.dir, "rec.wav")
                server.alsa("arecord", "-q", "-D", "bantam", "-f", "FLOAT_LE", "-c", "2", "-r", str(RATE),
                            "--period-size=256", "--buffer-size=8192", "-s", str(RATE), path)
                server.stop()
            rate, recorded = read_wav(path)
            self.assertEqual((rate, len(recorded)), (RATE, 2))
            offsets = [self.assert_recorded_from(recorded[channel], source[channel], RATE, 256,
                                                 "capture_%d" % (channel + 1)) for channel in (0, 1)]
            self.assertEqual(offsets[0], offsets[1], "the channels were recorded from different moments")
        self.run_attempts(attempt)

    def test_arecord_mono_16_bit_through_plug_from_a_chosen_port(self):
        source = [pcm16_noise(8 * RATE, 8), pcm16_noise(8 * RATE, 9)]
        expected = [round(v * 32768) for v in source[1]]

        def attempt(misses):
            pcm = jack_pcm("right", capture=["system:capture_2"])
            with AlsaServer([pcm], misses, period=1024, capture_signal=source, record=False) as server:
                path = os.path.join(server.dir, "rec16.wav")
                # An ALSA period of two JACK periods.
                server.alsa("arecord", "-q", "-D", "right_plug", "-f", "S16_LE", "-c", "1", "-r", str(RATE),
                            "--period-size=2048", "--buffer-size=16384", "-s", str(RATE), path)
                server.stop()
            rate, recorded = read_wav(path)
            self.assertEqual((rate, len(recorded)), (RATE, 1))
            self.assert_recorded_from(recorded[0], expected, RATE, 1024, "capture_2")
        self.run_attempts(attempt)

    def test_aplay_from_a_pipe_into_arecord(self):
        # Two ALSA programs meet in the graph: arecord's PCM records aplay's ports.
        left, right = float_noise(RATE, 10), float_noise(RATE, 11)
        player = jack_pcm("player", playback=["system:playback_1", "system:playback_2"], client="player")
        recorder = jack_pcm("recorder", capture=["player:out_000", "player:out_001"], client="recorder")

        def attempt(misses):
            with AlsaServer([player, recorder], misses, period=512) as server:
                wav = os.path.join(server.dir, "piped.wav")
                write_wav(wav, RATE, [padded(left), padded(right)])
                with open(wav, "rb") as f:
                    header, data = f.read(44), f.read()
                aplay = server.spawn_alsa("aplay", "-q", "-D", "player", "--period-size=512",
                                          "--buffer-size=8192", "-", stdin=subprocess.PIPE)
                # Given the header, aplay prepares the PCM (the plugin's client activates and
                # connects) and waits for samples.
                aplay.stdin.write(header)
                aplay.stdin.flush()
                server.wait_for_connection("system:playback_2", "player:out_001")
                path = os.path.join(server.dir, "rec.wav")
                frames = 3 * RATE
                arecord = server.spawn_alsa("arecord", "-q", "-D", "recorder", "-f", "FLOAT_LE", "-c", "2",
                                            "-r", str(RATE), "--period-size=512", "--buffer-size=8192",
                                            "-s", str(frames), path)
                server.wait_for_connection("recorder:in_001", "player:out_001")
                aplay.stdin.write(data)
                aplay.stdin.close()
                code, output = server.finish(aplay)
                self.assertEqual(code, 0, output)
                code, output = server.finish(arecord)
                self.assertEqual(code, 0, output)
                out = server.playback()
            _, recorded = read_wav(path)
            self.assertEqual([len(ch) for ch in recorded], [frames, frames])
            for channel, samples in ((0, left), (1, right)):
                self.assert_signals_in_order(recorded[channel], [samples], "recorder:in_%03d" % channel,
                                             gaps=count_missed(misses))
                self.assert_signals_in_order(out[channel], [samples], "playback_%d" % (channel + 1),
                                             gaps=count_missed(misses))
        self.run_attempts(attempt)

    def test_interrupted_aplay_leaves_the_graph(self):
        samples = [float_noise(5 * RATE, 12), float_noise(5 * RATE, 13)]
        pcm = jack_pcm("bantam", playback=["system:playback_1", "system:playback_2"], client="player")

        def attempt(misses):
            with AlsaServer([pcm], misses, period=256) as server:
                path = os.path.join(server.dir, "long.wav")
                write_wav(path, RATE, [padded(ch) for ch in samples])
                aplay = server.spawn_alsa("aplay", "-q", "-D", "bantam", "--period-size=256",
                                          "--buffer-size=8192", path)
                server.wait_for_connection("system:playback_1", "player:out_000")
                time.sleep(0.5)
                aplay.send_signal(signal.SIGINT)
                server.finish(aplay, timeout=10)
                self.assertEqual(server.lsp().split(), ["system:capture_1", "system:capture_2",
                                                        "system:playback_1", "system:playback_2"])
                self.assertTrue(server.alive())
                out = server.playback()
            # What played was the file from its first sample on, unbroken (but for a stretch of
            # silence per missed deadline), until the interrupt. Then the plugin, stopped, no
            # longer writes its ports, so the period it wrote last plays again until its client
            # leaves: the same happens on jackd2 (an output port keeps its buffer), so whole
            # repeats of that period are allowed (or silence, in a cycle missed), nothing else.
            gaps = count_missed(misses)
            for channel in (0, 1):
                start = first_nonzero(out[channel])
                played = out[channel][start:]
                end = len(played) - first_nonzero(played[::-1])
                good, heard, inserted = follow_with_gaps(played[:end], samples[channel], gaps)
                used = len(inserted)
                self.assertGreater(heard, RATE // 4, "less than a quarter second played")
                last = played[good - 256:good]
                for begin in range(good, end, 256):
                    chunk = played[begin:begin + 256]
                    if chunk != last and not any(chunk) and used < gaps:
                        used += 1
                        continue
                    self.assertTrue(chunk == last[:len(chunk)],
                                    "frame %d after the interrupt is neither the file nor its last period" % begin)
        self.run_attempts(attempt)

    def test_no_server_fails_at_once_and_starts_none(self):
        # The plugin opens its client with JackNoStartServer: even without JACK_NO_START_SERVER
        # in the environment, no bantamd may be started.
        server = AlsaServer([jack_pcm("bantam", playback=["system:playback_1"])], [])
        path = os.path.join(server.dir, "short.wav")
        write_wav(path, RATE, [float_noise(RATE // 10, 14)])
        env = server.alsa_env()
        del env["JACK_NO_START_SERVER"]
        started = time.time()
        result = subprocess.run([BANTAM_RUN, "aplay", "-D", "bantam", path], env=env, capture_output=True,
                                text=True, timeout=10 * SLOW)
        self.assertLess(time.time() - started, 5 * SLOW)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("audio open error", result.stderr)
        self.assertFalse(os.path.exists(server.socket_path()), "a server was started")

    def test_stock_jack_pcm_and_asoundrc_in_home(self):
        # The configuration a user has: alsa.conf, which loads Debian's
        # /etc/alsa/conf.d/50-jack.conf (pcm.jack on system:playback_1/2 and capture_1/2) and
        # ~/.asoundrc (here in a private HOME), which adds a PCM of its own.
        self.assertTrue(os.path.exists("/etc/alsa/conf.d/50-jack.conf"))
        samples = [float_noise(RATE // 2, 15), float_noise(RATE // 2, 16)]

        def attempt(misses):
            with AlsaServer([], misses, period=256) as server:
                home = os.path.join(server.dir, "home")
                os.makedirs(home)
                with open(os.path.join(home, ".asoundrc"), "w") as f:
                    f.write(jack_pcm("bantam_left", playback=["system:playback_1"]))
                env = server.env()
                env.pop("ALSA_CONFIG_PATH", None)
                env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
                stereo = os.path.join(server.dir, "stereo.wav")
                write_wav(stereo, RATE, [padded(ch) for ch in samples])
                mono = os.path.join(server.dir, "left.wav")
                write_wav(mono, RATE, [padded(samples[0])])
                for device, wav in (("jack", stereo), ("bantam_left", mono)):
                    result = subprocess.run([BANTAM_RUN, "aplay", "-q", "-D", device, "--period-size=256",
                                             "--buffer-size=8192", wav], env=env, capture_output=True, text=True,
                                            timeout=30 * SLOW)
                    misses.extend(missed_deadlines(result.stderr))
                    self.assertEqual(result.returncode, 0, result.stderr)
                out = server.playback()
            self.assert_signals_in_order(out[0], [samples[0], samples[0]], "playback_1", gaps=count_missed(misses))
            self.assert_signals_in_order(out[1], [samples[1]], "playback_2", gaps=count_missed(misses))
        self.run_attempts(attempt)


if __name__ == "__main__":
    unittest.main()
