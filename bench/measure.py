"""One benchmark configuration: N pass-through clients wired as a chain (capture -> c0 -> ... ->
playback) or wide (each client alone between capture and playback) on a running server, then a
measured window. Costs are read from /proc for the server and every client together."""

import glob
import os
import signal
import statistics
import struct
import subprocess
import time

import servers

RECORD = struct.Struct("<QQQQ")  # passthrough.c's struct cycle_record


def task_totals(pids):
    """CPU nanoseconds and context switches of every thread of `pids`, summed."""
    cpu_ns = switches = 0
    for pid in pids:
        for task in glob.glob("/proc/%d/task/*" % pid):
            try:
                with open(task + "/schedstat") as f:
                    cpu_ns += int(f.read().split()[0])
                with open(task + "/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            switches += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return cpu_ns, switches


def peak_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def read_records(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    return [RECORD.unpack_from(data, offset) for offset in range(0, len(data) - RECORD.size + 1, RECORD.size)]


def percentile(values, fraction):
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def on_time_fraction(per_client, period, cycles):
    """Of all cycles, the fraction in which the chain kept real time: every client ran in it, each
    only after the client before it had finished (the chain computed in order), the last finished
    before the first client started the next cycle, and that next cycle came one period later, not
    more. Measured with the clients' own clock only, the same way on every server; a cycle some
    client missed, a client that ran before its upstream had finished (a server that starts late
    clients anyway, as jackd2 does in its xrun storms), or a chain that spills into the next
    period (pipelined across cores) counts as late. On one core the first client cannot start
    before the last one lets go of the CPU, so there a spill shows only once it costs a cycle.
    The servers' own cycle starts (jack_get_cycle_times) are not a fair deadline: jackd2's lag
    its clients' wake-ups by up to a period and more (wake p50 1.4 ms at 64 frames in one run),
    and judged against them jackd2 kept real time with 1 client where Bantam did with 124."""
    period_us = period * 1e6 / servers.RATE
    first = {r[0]: r for r in per_client[0]}
    # The cycles the chain ran whole and in order so far, each with its latest client's end.
    in_order = {frames: head[3] for frames, head in first.items()}
    for records in per_client[1:]:
        ran = {}
        for r in records:
            upstream_done = in_order.get(r[0])
            if upstream_done is not None and r[2] >= upstream_done:
                ran[r[0]] = r[3]
        in_order = ran
    on_time = 0
    for frames, head in first.items():
        done, following = in_order.get(frames), first.get(frames + period)
        if done is not None and following and done <= following[2] and following[2] - head[2] < 1.5 * period_us:
            on_time += 1
    return on_time / cycles


def _stop(proc, timeout=10):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=timeout)[0] or ""
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0] or ""


def run(server, tools, topology, count, seconds, period, work, busy=0, during=None):
    """Returns a dict of figures, or None if the configuration could not be set up. `during`, if
    given, is called with the client pids in place of sleeping through the window."""
    env = server.env
    clients, records = [], []
    monitor = None
    try:
        for i in range(count):
            path = os.path.join(work, "c%d.rec" % i)
            if os.path.exists(path):
                os.unlink(path)
            records.append(path)
            clients.append(subprocess.Popen([tools["passthrough"], "c%d" % i, str(busy), path], env=env,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        for client in clients:
            if client.stdout.readline().strip() != "ready":
                return None
        pairs = []
        if topology == "chain":
            upstream = server.capture
            for i in range(count):
                pairs += [upstream, "c%d:in" % i]
                upstream = "c%d:out" % i
            pairs += [upstream, server.playback]
        else:
            for i in range(count):
                pairs += [server.capture, "c%d:in" % i, "c%d:out" % i, server.playback]
        if subprocess.run([tools["wire"], *pairs], env=env, capture_output=True, timeout=120).returncode != 0:
            return None
        monitor = subprocess.Popen([tools["monitor"]], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)
        if monitor.stdout.readline().strip() != "ready":
            return None
        time.sleep(1.0)  # settle: placement, page faults, caches
        pids = [server.pid] + [c.pid for c in clients]
        monitor.send_signal(signal.SIGUSR1)
        mark = monitor.stdout.readline().split()
        cpu0, switches0 = task_totals(pids)
        started = time.time()
        if during:
            during([c.pid for c in clients])
        else:
            time.sleep(seconds)
        cpu1, switches1 = task_totals(pids)
        elapsed = time.time() - started
        rss = peak_rss_kib(server.pid)
        end = _stop(monitor).split()
        if len(mark) != 2 or len(end) != 5 or mark[0] != "mark" or end[0] != "end":
            return None
        start_frame, end_frame = int(mark[1]), int(end[1])
        cycles = ((end_frame - start_frame) % 2**32) / period
        by_clock = elapsed * servers.RATE / period
        if not 0.5 * by_clock < cycles < 1.5 * by_clock:
            # The server's frame clock jumped (JACK1 resets it after some xruns): count by wall time.
            cycles = by_clock
        for client in clients:
            _stop(client)
        window = lambda frames: (frames - start_frame) % 2**32 < (end_frame - start_frame) % 2**32
        per_client = [[r for r in read_records(path) if window(r[0])] for path in records]
        wakes = [r[2] - r[1] for recs in per_client for r in recs if r[2] >= r[1]]
        result = {
            "cycles": cycles,
            "xruns": int(end[2]),
            "dsp_load_mean": float(end[3]),
            "dsp_load_max": float(end[4]),
            "cpu_us_per_cycle": (cpu1 - cpu0) / 1000.0 / cycles,
            "switches_per_cycle": (switches1 - switches0) / cycles,
            "peak_rss_kib": rss,
            "wake_p50": percentile(wakes, 0.5), "wake_p99": percentile(wakes, 0.99),
            "wake_p999": percentile(wakes, 0.999),
        }
        if topology == "chain" and count >= 2 and per_client[0] and per_client[-1]:
            first = {r[0]: r for r in per_client[0]}
            hops, spans = [], []
            for r in per_client[-1]:
                head = first.get(r[0])
                if head:
                    hops.append((r[2] - head[2]) / (count - 1))
                    spans.append(r[3] - head[2])
            result["hop_us_p50"] = statistics.median(hops) if hops else 0
            result["chain_us_p99"] = percentile(spans, 0.99)
            result["chain_us_p999"] = percentile(spans, 0.999)
        if topology == "chain" and per_client and per_client[0] and per_client[-1]:
            result["chain_on_time"] = on_time_fraction(per_client, period, cycles)
        return result
    finally:
        if monitor:
            _stop(monitor)
        for client in clients:
            if client.poll() is None:
                client.kill()
            client.wait()
