"""bantamd itself: command-line errors, names and isolation, stale state, starting on demand."""

import os
import signal
import stat
import subprocess
import tempfile
import time
import unittest

from harness import BANTAM_RUN, BANTAMD, Server, TestCase


class ServerTest(TestCase):
    def test_bad_command_lines_get_one_clear_line(self):
        cases = {
            ("-x", "-d", "dummy"): "unknown option '-x'",
            ("-d", "dummy", "-p", "abc"): "invalid period size 'abc'",
            ("-d", "dummy", "-r", "0"): "invalid sample rate '0'",
            ("-d", "dummy", "-p"): "'-p' needs a value",
            ("-d", "nosuch",): "unknown driver 'nosuch'",
            (): "no driver given",
            ("-P", "200", "-d", "dummy"): "invalid realtime priority '200'",
            ("-R", "-r", "-d", "dummy"): "mutually exclusive",
            ("-d", "dummy", "extra"): "unexpected argument 'extra'",
        }
        with tempfile.TemporaryDirectory() as runtime:
            env = dict(os.environ, BANTAM_RUNTIME_DIR=runtime)
            for args, message in cases.items():
                result = subprocess.run([BANTAMD, *args], env=env, capture_output=True, text=True, timeout=10)
                self.assertEqual(result.returncode, 2, args)
                lines = result.stderr.strip().split("\n")
                self.assertEqual(len(lines), 1, result.stderr)
                self.assertIn(message, lines[0])
                self.assertEqual(os.listdir(runtime), [], "a failed start left files behind")

    def test_help_and_version(self):
        self.assertIn("-d DRIVER", subprocess.run([BANTAMD, "--help"], capture_output=True, text=True).stdout)
        self.assertIn("--capture-file", subprocess.run([BANTAMD, "-d", "dummy", "--help"], capture_output=True,
                                                       text=True).stdout)
        self.assertRegex(subprocess.run([BANTAMD, "-V"], capture_output=True, text=True).stdout, r"bantamd \d+\.")

    def test_two_named_servers_side_by_side(self):
        with Server() as first:
            second_env = dict(first.env(), JACK_DEFAULT_SERVER="other")
            second = subprocess.Popen([BANTAMD, "-n", "other", "-d", "dummy", "-p", "512", "-C", "1", "-P", "1"],
                                      env=second_env, stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.time() + 10
                while subprocess.run([BANTAM_RUN, "jack_wait", "-c"], env=second_env, capture_output=True,
                                     text=True).stdout.strip() != "running":
                    self.assertLess(time.time(), deadline)
                    time.sleep(0.05)
                first.connect("system:capture_1", "system:playback_1")
                self.assertIn("system:playback_1\n   system:capture_1", first.lsp("-c"))
                other = subprocess.run([BANTAM_RUN, "jack_lsp", "-c"], env=second_env, capture_output=True,
                                       text=True).stdout
                self.assertEqual(other, "system:capture_1\nsystem:playback_1\n")
                self.assertEqual(subprocess.run([BANTAM_RUN, "jack_bufsize"], env=second_env, capture_output=True,
                                                text=True).stdout.strip(), "512")
                # The same name twice: refused with a clear line, the first server untouched.
                clash = subprocess.run([BANTAMD, "-n", "other", "-d", "dummy"], env=second_env,
                                       capture_output=True, text=True, timeout=10)
                self.assertEqual(clash.returncode, 1)
                self.assertIn("already running", clash.stderr)
                self.assertIsNone(second.poll())
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(timeout=10)
            self.assertEqual(second.returncode, 0)

    def test_runtime_directory_is_private(self):
        with Server() as server:
            mode = stat.S_IMODE(os.stat(server.dir).st_mode)
            self.assertEqual(mode, 0o700)
            socket_mode = stat.S_IMODE(os.stat(os.path.join(server.dir, server.name + ".sock")).st_mode)
            self.assertEqual(socket_mode & 0o077, 0)
        with tempfile.TemporaryDirectory() as parent:
            runtime = os.path.join(parent, "rt")
            os.mkdir(runtime, 0o755)
            env = dict(os.environ, BANTAM_RUNTIME_DIR=runtime)
            proc = subprocess.Popen([BANTAMD, "-n", "p", "-d", "dummy"], env=env, stderr=subprocess.PIPE)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            self.assertEqual(stat.S_IMODE(os.stat(runtime).st_mode), 0o700, "directory was not restricted")

    def test_killed_server_leaves_nothing_that_stops_a_restart(self):
        with Server() as server:
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
            server.__enter__()  # same name, same directory
            self.assertIn("system:capture_1", server.lsp())
            # Clients of a server that went away get an error, never a hang.
        result = server.run("jack_lsp", check=False, timeout=20)
        self.assertNotEqual(result.returncode, 0)

    def test_client_starts_a_server_from_jackdrc(self):
        with tempfile.TemporaryDirectory() as home:
            runtime = os.path.join(home, "rt")
            with open(os.path.join(home, ".jackdrc"), "w") as rc:
                rc.write("/usr/bin/jackd -d dummy -p 512 -r 44100\n")
            env = dict(os.environ, HOME=home, BANTAM_RUNTIME_DIR=runtime, JACK_DEFAULT_SERVER="auto")
            env.pop("JACK_NO_START_SERVER", None)
            result = subprocess.run([BANTAM_RUN, "jack_samplerate"], env=env, capture_output=True, text=True,
                                    timeout=30)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(), "44100")  # the server ran .jackdrc's command
            # It was started with -T: it leaves once its last client has.
            deadline = time.time() + 10
            while os.path.exists(os.path.join(runtime, "auto.sock")):
                self.assertLess(time.time(), deadline, "the temporary server did not exit")
                time.sleep(0.1)
            # JACK_NO_START_SERVER forbids it.
            env["JACK_NO_START_SERVER"] = "1"
            result = subprocess.run([BANTAM_RUN, "jack_lsp"], env=env, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(result.returncode, 0)
            self.assertFalse(os.path.exists(os.path.join(runtime, "auto.sock")))


if __name__ == "__main__":
    unittest.main()
