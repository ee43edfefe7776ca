#!/usr/bin/env python3
"""Takes the CPUs away from everything else now and then, as a busy hypervisor or a noisy
neighbour does to a virtual machine: on each CPU, at SCHED_FIFO 99, a busy burst, then sleep.
Busy loops at normal priority cannot do this (the server's real-time threads preempt them), and
CI's machine stalls in just this way. Run it beside a test to see how the test copes:

    tests/tools/cpu_stalls.py --seconds 600 --burst-ms 5 40 --pause-ms 100 400 &
    (cd build && ctest -j2 -L integration)

Needs root (or CAP_SYS_NICE). The kernel's real-time throttling (95% by default) still applies."""

import argparse
import os
import random
import time


def stall(cpu, seconds, burst, pause):
    os.sched_setaffinity(0, {cpu})
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(99))
    rng = random.Random(cpu)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        until = time.monotonic() + rng.uniform(*burst) / 1000
        while time.monotonic() < until:
            pass
        time.sleep(rng.uniform(*pause) / 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--burst-ms", type=float, nargs=2, default=(5, 40), metavar=("MIN", "MAX"))
    parser.add_argument("--pause-ms", type=float, nargs=2, default=(100, 400), metavar=("MIN", "MAX"))
    args = parser.parse_args()
    children = []
    for cpu in sorted(os.sched_getaffinity(0)):
        pid = os.fork()
        if pid == 0:
            stall(cpu, args.seconds, args.burst_ms, args.pause_ms)
            os._exit(0)
        children.append(pid)
    try:
        for pid in children:
            os.waitpid(pid, 0)
    except KeyboardInterrupt:
        for pid in children:
            os.kill(pid, 9)


if __name__ == "__main__":
    main()
