"""Clients find the server by user and server name alone (issue 16, item 3), as with jackd2: not
through XDG_RUNTIME_DIR, which differs between a desktop session, a systemd unit, `runuser` of
the same user and a program given a private runtime directory. The directory stays private: a
client refuses one that another user owns or may write to, and the server will not start in a
directory another user owns."""

import os
import subprocess
import tempfile
import unittest

from harness import BANTAM_RUN, BANTAMD, Jackd2Server, Server, TestCase


def private_dir(parent, name):
    path = os.path.join(parent, name)
    os.mkdir(path, 0o700)
    return path


class RuntimeDirectory(TestCase):
    def lsp_from(self, server, env_changes, via=()):
        """jack_lsp as the same user with another environment; returns (exit code, output)."""
        env = server.env()
        env.update(env_changes)
        for name, value in env_changes.items():
            if value is None:
                del env[name]
        on_bantam = [] if isinstance(server, Jackd2Server) else [BANTAM_RUN]
        command = [*via, *on_bantam, "jack_lsp"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=20)
        return result.returncode, result.stdout + result.stderr

    def check_found_from_other_environments(self, server, scratch):
        other = private_dir(scratch, "other-runtime-%s" % type(server).__name__)
        for label, changes, via in (
                ("another XDG_RUNTIME_DIR", {"XDG_RUNTIME_DIR": other}, ()),
                ("no XDG_RUNTIME_DIR", {"XDG_RUNTIME_DIR": None}, ()),
                ("runuser of the same user, another XDG_RUNTIME_DIR",
                 {"XDG_RUNTIME_DIR": other}, ("runuser", "-u", "root", "--"))):
            code, out = self.lsp_from(server, changes, via)
            self.assertEqual(code, 0, "%s, %s: %s" % (type(server).__name__, label, out))
            self.assertIn("system:playback_1", out, "%s, %s" % (type(server).__name__, label))

    def test_clients_find_the_server_whatever_their_runtime_dir(self):
        with tempfile.TemporaryDirectory() as scratch:
            server_xdg = private_dir(scratch, "server-runtime")
            with Jackd2Server(extra_env={"XDG_RUNTIME_DIR": server_xdg}) as jackd2:
                self.check_found_from_other_environments(jackd2, scratch)
            with Server(default_runtime_dir=True, extra_env={"XDG_RUNTIME_DIR": server_xdg}) as bantam:
                self.check_found_from_other_environments(bantam, scratch)
                mode = os.stat(bantam.runtime_dir).st_mode
                self.assertEqual(mode & 0o777, 0o700, "the runtime directory is not private")
                self.assertEqual(os.stat(bantam.runtime_dir).st_uid, os.getuid())

    def test_a_directory_others_may_write_to_is_refused(self):
        with tempfile.TemporaryDirectory() as scratch:
            shared = os.path.join(scratch, "shared")
            os.mkdir(shared)
            with Server(runtime_dir=shared) as server:
                os.chmod(shared, 0o777)  # opened up while the server runs
                result = server.run("jack_lsp", check=False)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("is open to other users (mode 777)", result.stderr)
                os.chmod(shared, 0o700)
                self.assertIn("system:playback_1", server.lsp())

    def test_a_directory_another_user_owns_is_refused(self):
        with tempfile.TemporaryDirectory() as scratch:
            foreign = os.path.join(scratch, "foreign")
            os.mkdir(foreign, 0o700)
            os.chown(foreign, 65534, 65534)  # nobody's
            env = dict(os.environ, BANTAM_RUNTIME_DIR=foreign, JACK_NO_START_SERVER="1")
            started = subprocess.run([BANTAMD, "-n", "foreign%d" % os.getpid(), "-d", "dummy"], env=env,
                                     capture_output=True, text=True, timeout=20)
            self.assertNotEqual(started.returncode, 0, "bantamd started in another user's directory")
            self.assertIn("is not a directory owned by this user", started.stderr + started.stdout)
            client = subprocess.run([BANTAM_RUN, "jack_lsp"], env=env, capture_output=True, text=True, timeout=20)
            self.assertNotEqual(client.returncode, 0)
            self.assertIn("is not a directory owned by this user", client.stderr)


if __name__ == "__main__":
    unittest.main()
