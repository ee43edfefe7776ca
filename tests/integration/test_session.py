"""JACK-Session (deprecated in JACK, kept as JACK2 behaves): Debian's jack_session_notify asks
jack_simple_session_client to save, and gets back the commands that restore it."""

import os
import re
import unittest

from harness import Server, TestCase


class SessionTest(TestCase):
    def test_save_and_quit(self):
        with Server() as server:
            client = server.spawn("jack_simple_session_client")
            server.wait_for_port("simple:output")
            session = os.path.join(server.dir, "session") + "/"
            os.mkdir(session)
            saved = server.run("jack_session_notify", "save", session).stdout
            self.assertIn('export SESSION_DIR="%ssimple/"' % session, saved)
            match = re.search(r"^jack_simple_session_client (\d+) &$", saved, re.M)
            self.assertTrue(match, saved)
            uuid = match.group(1)
            self.assertIn('jack_connect -u "%s:output" "system:playback_1"' % uuid, saved)
            self.assertTrue(os.path.isdir(session + "simple"))  # each client gets its directory
            self.assertIsNone(client.poll())
            # Save-and-quit: the client answers, then leaves.
            server.run("jack_session_notify", "quit")
            client.wait(timeout=10)
            self.assertNotIn("simple:output", server.lsp())
            # With no session client left, the answer is empty and immediate.
            empty = server.run("jack_session_notify", "save", session, timeout=10).stdout
            self.assertNotIn("jack_simple_session_client", empty)


if __name__ == "__main__":
    unittest.main()
