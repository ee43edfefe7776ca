"""Control-plane churn: 64 clients open, register ports, activate, connect, disconnect,
deactivate and close in a loop while a chain plays. The chain's output is compared with the capture
signal period by period through the whole churn, every operation succeeds, and the server
leaks nothing: file descriptors, threads, private memory, shared memory and runtime-directory
entries are back where they started. BANTAM_CHURN_SECONDS sets the length (10 s here; the
10-minute run is documented in the README: there the audio is not recorded, and the chain's
xruns are compared with a quiet window instead)."""

import glob
import os
import subprocess
import time
import unittest

from harness import RATE, TEST_CLIENTS, AudioAssertions, Server, TestCase, noise, read_wav, sanitizer

SECONDS = float(os.environ.get("BANTAM_CHURN_SECONDS", "10"))
CLIENTS = 64
RECORD = SECONDS <= 60  # longer runs would need gigabytes of WAV
QUIET_SECONDS = min(SECONDS, 30)  # the machine's own noise, for comparison


def server_resources(pid, runtime_dir):
    with open("/proc/%d/status" % pid) as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    return {
        "fds": len(os.listdir("/proc/%d/fd" % pid)),
        "threads": int(status["Threads"]),
        # Private memory only: the shared segments' pages count once touched, up to their size.
        "anon_kib": int(status["RssAnon"].split()[0]),
        # The shared segments' resident pages: freed ports' buffers must go back to the kernel
        # (port ids are handed out round-robin, so each churned port touches a fresh buffer).
        "shmem_kib": int(status["RssShmem"].split()[0]),
        "shm": sorted(os.listdir("/dev/shm")),
        "runtime": sorted(os.listdir(runtime_dir)),
    }


class ChurnTest(TestCase, AudioAssertions):
    def test_64_clients_churning_while_a_chain_plays(self):
        churn = os.path.join(TEST_CLIENTS, "churn_client")
        seconds_of_signal = int(SECONDS + QUIET_SECONDS + 40)
        source = [noise(seconds_of_signal * RATE, 21), noise(seconds_of_signal * RATE, 22)] if RECORD else None
        with Server(period=256, capture_signal=source, record=RECORD) as server:
            for name in ("thru1", "thru2"):
                server.spawn_thru(name)
            self.rewire_chain(server, ["thru1", "thru2"])
            time.sleep(1)
            start = server_resources(server.proc.pid, server.runtime_dir)

            quiet_before = server.status()
            time.sleep(QUIET_SECONDS)
            quiet_after = server.status()

            before = server.status()
            churners = [subprocess.Popen([churn, "churn%d" % i, "system:capture_2", "system:playback_2", str(SECONDS)],
                                         env=server.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True) for i in range(CLIENTS)]
            outputs = [c.communicate(timeout=SECONDS + 120)[0] for c in churners]
            after = server.status()
            time.sleep(1)  # the last closes are announced
            end = server_resources(server.proc.pid, server.runtime_dir)
            self.assertTrue(server.alive())
            lsp = server.lsp()
            out = server.playback() if RECORD else None
            expected = read_wav(server.capture_path)[1] if RECORD else None

        rounds = failures = 0
        for churner, printed in zip(churners, outputs):
            words = printed.split()
            self.assertEqual(churner.returncode, 0, printed)
            rounds, failures = rounds + int(words[-2]), failures + int(words[-1])
        quiet_xruns = quiet_after["xruns"] - quiet_before["xruns"]
        churn_xruns = after["xruns"] - before["xruns"]
        print("churn: %d clients, %d open-to-close rounds (6 graph changes each) in %.0f s; server xruns %d "
              "(quiet window of %.0f s: %d); server fds %d->%d, threads %d->%d, private memory %d->%d KiB"
              % (CLIENTS, rounds, SECONDS, churn_xruns, QUIET_SECONDS, quiet_xruns, start["fds"], end["fds"],
                 start["threads"], end["threads"], start["anon_kib"], end["anon_kib"]))
        self.assertEqual(failures, 0)
        self.assertGreater(rounds, CLIENTS)
        self.assertNotIn("churn", lsp)
        if RECORD:
            # The chain's channel, period by period (by cycle number): graph changes lose it no
            # more periods than the machine's own noise does in the quiet window. (The churning
            # clients' own first cycles may be late, which the server rightly counts as xruns.)
            def lost(first_cycle, last_cycle):
                p = server.period
                return sum(1 for c in range(first_cycle, last_cycle - 1)
                           if out[0][c * p:(c + 1) * p] != expected[0][c * p:(c + 1) * p])
            lost_quiet = lost(quiet_before["cycles"], quiet_after["cycles"])
            lost_churn = lost(before["cycles"], after["cycles"])
            print("chain periods lost: %d of %d during churn, %d of %d in the quiet window"
                  % (lost_churn, after["cycles"] - before["cycles"], lost_quiet,
                     quiet_after["cycles"] - quiet_before["cycles"]))
            # The goal is none beyond the noise; measured so far: 0 to 6 of about 2250 periods
            # (issue 5 keeps it open). The bound catches anything worse than 1%.
            allowed = 2 * lost_quiet * SECONDS / QUIET_SECONDS + max(3, 0.01 * (after["cycles"] - before["cycles"]))
            if sanitizer():
                # Instrumented clients start several times slower; timing is not what these
                # builds are for: 5% of the periods.
                allowed = max(allowed, 0.05 * (after["cycles"] - before["cycles"]))
            self.assertLessEqual(lost_churn, allowed)
        else:
            self.assertLessEqual(churn_xruns, 2 * quiet_xruns * SECONDS / QUIET_SECONDS + 3)
        self.assertEqual(end["fds"], start["fds"])
        self.assertEqual(end["threads"], start["threads"])
        self.assertEqual(end["shm"], start["shm"])
        self.assertEqual(end["runtime"], start["runtime"])
        print("server shared memory resident: %d KiB before, %d KiB after" % (start["shmem_kib"], end["shmem_kib"]))
        self.assertLess(end["shmem_kib"] - start["shmem_kib"], 2048)
        if not sanitizer():
            # (Under the sanitizers freed memory is held back, in ASan's quarantine for one;
            # there ASan's leak checker at the server's exit, which fails the test, stands in.)
            self.assertLess(end["anon_kib"] - start["anon_kib"], 2048)


if __name__ == "__main__":
    unittest.main()
