"""Metadata: Debian's jack_property sets, lists and deletes properties on clients and ports;
another client (python3-jack-client) sees every change through its property callback."""

import unittest

from harness import Server, TestCase



class MetadataTest(TestCase):
    def test_jack_property(self):
        with Server() as server:
            run = server.run
            run("jack_property", "-s", "--client", "system", "http://example.org/colour", "green", "text/plain")
            run("jack_property", "-s", "--port", "system:capture_1", "http://jackaudio.org/metadata/pretty-name",
                "Left In")
            self.assertEqual(run("jack_property", "-l", "--client", "system", "http://example.org/colour").stdout,
                             "green\n")
            self.assertEqual(run("jack_property", "-l", "--port", "system:capture_1").stdout,
                             "key: http://jackaudio.org/metadata/pretty-name value: Left In\n")
            listing = run("jack_property", "-l").stdout
            self.assertIn("key: http://example.org/colour value: green type: text/plain", listing)
            self.assertIn("key: http://jackaudio.org/metadata/pretty-name value: Left In", listing)
            # Changing a value replaces it.
            run("jack_property", "-s", "--client", "system", "http://example.org/colour", "blue")
            self.assertEqual(run("jack_property", "-l", "--client", "system", "http://example.org/colour").stdout,
                             "blue\n")
            run("jack_property", "-d", "--client", "system", "http://example.org/colour")
            missing = run("jack_property", "-l", "--client", "system", "http://example.org/colour", check=False)
            self.assertNotEqual(missing.returncode, 0)
            run("jack_property", "-D")
            self.assertEqual(run("jack_property", "-l").stdout, "")

    def test_changes_reach_other_clients(self):
        with Server() as server:
            output = server.run_checks("metadata_checks.py")
        self.assertIn("metadata checks passed", output)


if __name__ == "__main__":
    unittest.main()
