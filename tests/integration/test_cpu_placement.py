"""CPU placement: the server keeps a sequential chain of clients on the driver's core (a hop on
one core is several times cheaper than a wake across cores), leaves threads its user pinned
alone, and does nothing with --no-cpu-placement."""

import glob
import os
import subprocess
import time
import unittest

from harness import BANTAM_RUN, AudioAssertions, Server, TestCase


def thread_cpus(pid, comm):
    """The allowed-CPU list of each of `pid`'s threads named `comm`."""
    found = []
    for task in glob.glob("/proc/%d/task/*" % pid):
        try:
            with open(task + "/comm") as f:
                if f.read().strip() != comm:
                    continue
            with open(task + "/status") as f:
                for line in f:
                    if line.startswith("Cpus_allowed_list:"):
                        found.append(line.split()[1])
        except OSError:
            pass
    return found


def all_cpus():
    return "0-%d" % (os.cpu_count() - 1) if os.cpu_count() > 1 else "0"


class CpuPlacementTest(TestCase, AudioAssertions):
    def wait_for_cpus(self, pid, comm, predicate, timeout=5):
        deadline = time.time() + timeout
        while True:
            cpus = thread_cpus(pid, comm)
            if cpus and predicate(cpus):
                return cpus
            self.assertLess(time.time(), deadline, "%s threads of %d: %s" % (comm, pid, cpus))
            time.sleep(0.05)

    def test_a_chain_runs_on_the_drivers_core(self):
        with Server(period=64) as server:
            clients = [server.spawn_thru(name) for name in ("a", "b", "c")]
            self.rewire_chain(server, ["a", "b", "c"])
            driver = thread_cpus(server.proc.pid, "bantam-driver")
            self.assertEqual(len(driver), 1)
            if os.cpu_count() < 2:
                # One CPU: nothing to choose, nothing moved.
                self.assertEqual(driver, ["0"])
                return
            self.assertNotIn("-", driver[0])  # one CPU
            self.assertNotIn(",", driver[0])
            for client in clients:
                self.assertEqual(self.wait_for_cpus(client.pid, "jack-process", lambda c: c == driver), driver)
            # The audio still flows through the chain.
            before = server.status()["cycles"]
            time.sleep(0.3)
            self.assertGreater(server.status()["cycles"], before)

    def test_threads_pinned_by_their_user_are_left_alone(self):
        last = str(os.cpu_count() - 1)
        with Server(period=64) as server:
            pinned = subprocess.Popen(["taskset", "-c", last, BANTAM_RUN, "jack_thru", "pinned"], env=server.env(),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            server.children.append(pinned)
            free = server.spawn_thru("free")
            server.wait_for_port("pinned:output_2")
            self.rewire_chain(server, ["free", "pinned"])
            driver = thread_cpus(server.proc.pid, "bantam-driver")
            self.wait_for_cpus(free.pid, "jack-process", lambda c: c == driver)
            time.sleep(0.3)
            self.assertEqual(self.wait_for_cpus(pinned.pid, "jack-process", lambda c: True), [last])

    def test_no_cpu_placement_leaves_every_thread_where_the_kernel_puts_it(self):
        with Server(period=64, extra_server_args=["--no-cpu-placement"]) as server:
            clients = [server.spawn_thru(name) for name in ("a", "b")]
            self.rewire_chain(server, ["a", "b"])
            time.sleep(0.3)
            self.assertEqual(thread_cpus(server.proc.pid, "bantam-driver"), [all_cpus()])
            for client in clients:
                self.assertEqual(self.wait_for_cpus(client.pid, "jack-process", lambda c: True), [all_cpus()])


if __name__ == "__main__":
    unittest.main()
