"""resilience.outage_soak: a `tome demo` (20 orders/s) exports traces, logs and metrics as
OTLP/HTTP JSON to a test receiver (otlp_receiver.py) on loopback while a client drives its API
at 40 requests/s. After a healthy baseline the receiver misbehaves in turn: refuses connections,
black-holes requests, answers 503 (Retry-After: 1), answers only after 5 s (the exporter gives up
after 2 s); each outage is followed by a recovery. This proves, for every outage mode, that the
tome process
  - keeps bounded memory: peak RSS during outage + recovery <= peak healthy RSS + 64 MiB;
  - serves its API as fast as before: outage p99 <= 1.2 x healthy p99 (or within 3 ms of it);
  - accounts for every span and log record at the end of every phase (GET /api/telemetry):
    spans.processed == exported + dropped + sampledOut + queued and
    logs.emitted == exported + dropped + queued, up to the few in flight;
  - resumes exporting after the endpoint recovers (new spans and log records reach the receiver
    and both queues drain below two batches within 20 s);
and at the end that the receiver holds at least as many distinct spans as tome counts exported.
Every API response must be 2xx. Deadlines grow with TOME_TEST_TIME_SCALE (as in deploy/).
Usage: check_outage_soak.py TOME WORKDIR [--seconds-per-mode N]   (N defaults to 30: about 2.5 min)"""
import argparse
import bisect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "deploy"))
sys.path.insert(0, HERE)
import deploylib as d  # noqa: E402
from otlp_receiver import OtlpReceiver, tome_otlp_env  # noqa: E402

# tome's last line on SIGTERM ("tome: stopped in 0.4 s; telemetry at exit: ..."), on stderr; in
# `serve`, JSON log lines on stdout can land between "tome: " and the rest.
STOP_LINE = r"stopped in [\d.]+ s\b.*$"
SCALE = int(os.environ.get("TOME_TEST_TIME_SCALE", "1"))
OUTAGE_MODES = ["refuse", "blackhole", "unavailable", "slow"]
DEMO_RATE = 20                 # orders/s
LOAD_RATE = 40                 # API requests/s, one keep-alive connection
LOAD_PATHS = ["/api/tomes", "/api/health"]
RSS_EVERY_S = 0.2
MAX_BATCH = 512                # development.telemetry.maxExportBatchSize
QUEUED_SMALL = 2 * MAX_BATCH   # "the queue has drained": at most two batches left
RECOVERY_DEADLINE_S = 20 * SCALE
IDENTITY_SLACK = 64            # records between two counters of one read (in flight)
MiB = 1024 * 1024
# The RSS bound over the healthy peak. What an outage may legitimately add: the span queue
# (maxQueueSize 2048 spans, ~1-2 KiB each with attributes: <= 4 MiB) and the log queue (2048
# records, similar: <= 4 MiB); the batch being sent or retried per signal, held as its OTLP/JSON
# body (512 spans ~ 0.5-1 MiB, a copy or two while encoding and gzip/curl buffers: <= 8 MiB for
# three signals); and the allocator keeping freed pages in its per-thread arenas (glibc: up to
# 8 arenas per core, a few MiB each). That is ~20-30 MiB; 64 MiB leaves room for the allocator,
# while a queue that grew without bound (~700 spans/s here) would pass it within the outages.
RSS_HEADROOM = 64 * MiB
# The embedded console keeps this process's own traces, logs and metrics in a byte-bounded store
# (development: console.maxBytes 256 MiB). At 20 orders/s it fills at ~0.7 MiB/s of RSS for
# minutes (measured: 48 -> 151 MiB over 150 s, all healthy), which would pass any outage bound
# without an outage. The soak runs the shipped config with that store bounded to 16 MiB, so it
# is full (RSS flat, ~60 MiB) within the first ~40 s and the RSS left to compare is the export's.
CONSOLE_MAX_BYTES = 16 * MiB
P99_RATIO = 1.2
# Below ~3 ms, the p99 of a Python client on loopback is scheduling noise (the 2-core machine
# shared with tome's workers and this test's receiver), not tome's latency. Until 2026-12-06 the
# client was a thread of this process, where the receiver's json.loads of each 512-span batch
# holds the GIL for milliseconds: the "slow" mode, whose held batches are all decoded when they
# are answered, measured p99s of 6.8 and 8.6 ms against 4.2 and 5.2 ms healthy (max 74 ms) with
# its p50 unchanged. The client is now a process of its own (api_load.py); two runs since gave
# "slow" 4.29 ms against 3.73 ms healthy (max 10.9 ms), the other modes within +0.7 ms.
P99_NOISE_MS = 3.0

SPAN_FIELDS = ["processed", "exported", "dropped", "sampledOut", "queued"]
SPAN_DROP_REASONS = ["queueFull", "exportFailed", "shutdown", "persistentQueueFull"]
LOG_FIELDS = ["emitted", "exported", "dropped", "queued"]
LOG_DROP_REASONS = ["queueFull", "exportFailed", "shutdown"]


_reported = set()


def fail_once(key, msg):
    """Records a failure once per key (a missing field is missing at every read)."""
    if key not in _reported:
        _reported.add(key)
        d.failures.append(msg)


def write_config(workdir):
    """The shipped config/tome.yaml with the console's store bounded (see CONSOLE_MAX_BYTES) and
    no persistent queue."""
    cfg = d.load_yaml(os.path.join(d.REPO, "config", "tome.yaml"))
    cfg["development"]["console"]["maxBytes"] = CONSOLE_MAX_BYTES
    cfg["development"]["telemetry"].pop("persistentQueue", None)  # the in-memory queues are measured
    out = os.path.join(workdir, "tome.yaml")
    with open(out, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return out


# -- GET /api/telemetry ---------------------------------------------------------------------
def telemetry(base):
    """The pipeline accounting of GET /api/telemetry: the envelope's data, or its "pipeline"
    object when there is one (where tome puts the whole pipeline's spans and logs, next to the
    SDK's older counters in data.spans)."""
    _, body = d.http_get(base + "/api/telemetry", timeout=5 * SCALE)
    data = json.loads(body)["data"]
    return data["pipeline"] if isinstance(data.get("pipeline"), dict) else data


def read_counter(data, dotted, required=True):
    """An integer counter of the accounting by its dotted name, or None (a failure naming the
    field, when required) when the API does not have it."""
    v = data
    for part in dotted.split("."):
        if not isinstance(v, dict) or part not in v:
            if required:
                fail_once(dotted, f"GET /api/telemetry has no field {dotted} (looked in data.pipeline and data)")
            return None
        v = v[part]
    if not isinstance(v, int) or isinstance(v, bool):
        fail_once(dotted, f"GET /api/telemetry field {dotted} is not a number: {json.dumps(v)[:120]}")
        return None
    return v


def accounting(data):
    """{"spans.processed": n, ..., "logs.droppedByReason.shutdown": n}; None where missing."""
    names = ([f"spans.{f}" for f in SPAN_FIELDS] + [f"spans.droppedByReason.{r}" for r in SPAN_DROP_REASONS]
             + [f"logs.{f}" for f in LOG_FIELDS] + [f"logs.droppedByReason.{r}" for r in LOG_DROP_REASONS])
    acc = {n: read_counter(data, n) for n in names}
    acc["spans.recovered"] = read_counter(data, "spans.recovered", required=False) or 0
    return acc


def check_identity(phase, acc, lhs, rhs):
    """lhs == sum(rhs) up to IDENTITY_SLACK records in flight; skipped (already failed) when a
    field is missing."""
    values = [acc[lhs]] + [acc[n] for n in rhs]
    if None in values:
        return
    diff = acc[lhs] - sum(acc[n] for n in rhs)
    d.check(0 <= diff <= IDENTITY_SLACK,
            f"{phase}: {lhs} = {acc[lhs]} but {' + '.join(rhs)} = {sum(acc[n] for n in rhs)} "
            f"(difference {diff}, allowed 0..{IDENTITY_SLACK})")


def check_accounting(phase, base):
    acc = accounting(telemetry(base))
    # spans.recovered (found in a persistent queue at start) is 0 here: no persistent queue.
    check_identity(phase, acc, "spans.processed",
                   ["spans.exported", "spans.dropped", "spans.sampledOut", "spans.queued"])
    check_identity(phase, acc, "logs.emitted", ["logs.exported", "logs.dropped", "logs.queued"])
    shown = {k: v for k, v in acc.items() if v is not None and "droppedByReason" not in k}
    print(f"  end of {phase}: " + ", ".join(f"{k}={v}" for k, v in shown.items()), flush=True)
    return acc


# -- load and RSS, tagged with the phase ----------------------------------------------------
class Phase:
    """The current phase, and when each began (CLOCK_MONOTONIC), so a request measured by the
    load process can be tagged with the phase it started in."""

    def __init__(self, name):
        self._lock = threading.Lock()
        self._starts = [(float("-inf"), name)]

    def set(self, name):
        with self._lock:
            self._starts.append((time.monotonic(), name))
        print(f"phase {name}", flush=True)

    def get(self):
        with self._lock:
            return self._starts[-1][1]

    def at(self, t):
        """The phase that was current at monotonic time t."""
        with self._lock:
            return self._starts[bisect.bisect_right(self._starts, (t, "\uffff")) - 1][1]


class Load(threading.Thread):
    """Runs api_load.py (GETs at LOAD_RATE on one keep-alive connection, timed in a process of
    its own: see there why) and records (phase, seconds) per request and every non-2xx answer
    or connection error as (phase, path, what)."""

    def __init__(self, port, phase):
        super().__init__(daemon=True, name="load")
        self.phase = phase
        self.latencies = []   # (phase, seconds)
        self.errors = []      # (phase, path, what)
        self._proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "api_load.py"), str(port), str(LOAD_RATE), str(10 * SCALE),
             *LOAD_PATHS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self):
        for line in self._proc.stdout:
            start, dt, path, what = line.rstrip("\n").split(" ", 3)
            phase = self.phase.at(float(start))
            self.latencies.append((phase, float(dt)))
            if what != "-":
                self.errors.append((phase, path, what))

    def stop(self):
        """Stops the load process by its pid (SIGTERM) and waits for its last lines."""
        if self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGTERM)
        self._proc.wait(timeout=15 * SCALE)
        self.join()


class RssSampler(threading.Thread):
    """VmRSS of the process every RSS_EVERY_S, as (phase, bytes)."""

    def __init__(self, pid, phase):
        super().__init__(daemon=True, name="rss")
        self.pid, self.phase = pid, phase
        self.stopping = threading.Event()
        self.samples = []

    def read(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return None

    def run(self):
        start, i = time.monotonic(), 0
        while not self.stopping.wait(max(0.0, start + i * RSS_EVERY_S - time.monotonic())):
            try:
                rss = self.read()
            except OSError:  # the process is gone
                return
            if rss is not None:
                self.samples.append((self.phase.get(), rss))
            i += 1

    def stop(self):
        self.stopping.set()
        self.join()


# -- phases ---------------------------------------------------------------------------------
def run_for(seconds, tome, load):
    """Lets a phase run its length, stopping early (a failure) if tome or the load process dies."""
    end = time.monotonic() + seconds
    idle = threading.Event()
    while (left := end - time.monotonic()) > 0:
        if not tome.alive():
            raise AssertionError("tome exited during the soak:\n" + tome.output()[-2000:])
        if not load.is_alive():
            raise AssertionError("the load process (api_load.py) died")
        idle.wait(min(0.5, left))  # the phase's length is the test's design, not a wait for a state


def wait_recovered(base, receiver):
    """Export resumed for traces and logs (the receiver is back to healthy): the receiver got
    spans it had not seen and log records, in requests sent since (a request held by "slow"
    before the switch does not count), and tome's span and log queues are down to at most two
    batches each. Returns the seconds it took."""
    t0 = time.monotonic()
    state = {}

    def recovered():
        snap = receiver.snapshot()
        state["spans"], state["logs"] = snap["spans_new_in_mode"], snap["logs_new_in_mode"]
        acc = telemetry(base)
        state["spans.queued"] = read_counter(acc, "spans.queued")
        state["logs.queued"] = read_counter(acc, "logs.queued")
        queues_ok = all(state[q] is None or state[q] <= QUEUED_SMALL  # None: failed already
                        for q in ("spans.queued", "logs.queued"))
        return state["spans"] > 0 and state["logs"] > 0 and queues_ok

    try:
        d.poll(recovered, RECOVERY_DEADLINE_S, "export to resume", interval=0.2)
    except AssertionError:
        raise AssertionError(f"export did not resume within {RECOVERY_DEADLINE_S} s: since it recovered the "
                             f"receiver got {state.get('spans')} new spans and {state.get('logs')} log records; "
                             f"spans.queued={state.get('spans.queued')}, logs.queued={state.get('logs.queued')} "
                             f"(want <= {QUEUED_SMALL})") from None
    return time.monotonic() - t0


def p99(values):
    """Nearest-rank 99th percentile (None for no values)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, -(-len(s) * 99 // 100) - 1)]


def latencies_ms(load, phase):
    return [dt * 1000 for ph, dt in load.latencies if ph == phase]


def rss_peak(rss, phases):
    return max((b for ph, b in rss.samples if ph in phases), default=None)


# -- checks and report ----------------------------------------------------------------------
def check_mode(mode, load, rss, results):
    healthy_rss = rss_peak(rss, {"healthy"})
    peak = rss_peak(rss, {f"outage:{mode}", f"recover:{mode}"})
    bound = healthy_rss + RSS_HEADROOM if healthy_rss else None
    hp99, op99 = p99(latencies_ms(load, "healthy")), p99(latencies_ms(load, f"outage:{mode}"))
    ratio = op99 / hp99 if hp99 and op99 is not None else None
    r = results.setdefault(mode, {})
    r.update(rss_bound=bound, rss_peak=peak, healthy_p99=hp99, outage_p99=op99, ratio=ratio,
             outage_requests=len(latencies_ms(load, f"outage:{mode}")))
    if peak is None or bound is None:
        d.failures.append(f"{mode}: no RSS samples (healthy peak {healthy_rss}, outage peak {peak})")
    else:
        d.check(peak <= bound, f"{mode}: RSS peak {peak / MiB:.1f} MiB during outage + recovery exceeds "
                               f"the bound {bound / MiB:.1f} MiB (healthy peak + {RSS_HEADROOM // MiB} MiB)")
    if hp99 is None or op99 is None:
        d.failures.append(f"{mode}: no latencies recorded (healthy {hp99}, outage {op99})")
    else:
        d.check(op99 <= P99_RATIO * hp99 or op99 - hp99 <= P99_NOISE_MS,
                f"{mode}: API p99 {op99:.2f} ms during the outage vs {hp99:.2f} ms healthy (x{ratio:.2f}; "
                f"allowed x{P99_RATIO} or +{P99_NOISE_MS} ms)")
    print(f"  {mode}: RSS peak {fmt_mib(peak)} MiB (bound {fmt_mib(bound)} = healthy {fmt_mib(healthy_rss)} "
          f"+ {RSS_HEADROOM // MiB}); p99 {fmt(op99)} ms vs healthy {fmt(hp99)} ms (x{fmt(ratio)})", flush=True)


def fmt(v, digits=2):
    return "-" if v is None else (f"{v:.{digits}f}" if isinstance(v, float) else str(v))


def fmt_mib(v):
    return "-" if v is None else f"{v / MiB:.1f}"


def print_report(results, load, rss, stop_line, final):
    rows = [("RSS bound MiB", lambda r: fmt_mib(r.get("rss_bound"))),
            ("RSS peak MiB", lambda r: fmt_mib(r.get("rss_peak"))),
            ("healthy p99 ms", lambda r: fmt(r.get("healthy_p99"))),
            ("outage p99 ms", lambda r: fmt(r.get("outage_p99"))),
            ("p99 ratio", lambda r: fmt(r.get("ratio"))),
            ("recovered in s", lambda r: fmt(r.get("recovery_s"), 1))]
    for prefix, fields, reasons in (("spans", SPAN_FIELDS, SPAN_DROP_REASONS), ("logs", LOG_FIELDS, LOG_DROP_REASONS)):
        for f in fields:
            rows.append((f"{prefix}.{f}", lambda r, k=f"{prefix}.{f}": fmt((r.get("acc") or {}).get(k))))
            if f == "dropped":
                for reason in reasons:
                    k = f"{prefix}.droppedByReason.{reason}"
                    rows.append((f"  {reason}", lambda r, k=k: fmt((r.get("acc") or {}).get(k))))
    rows.append(("receiver spans unique", lambda r: fmt(r.get("receiver_unique"))))
    rows.append(("receiver span dupes", lambda r: fmt(r.get("receiver_dupes"))))
    width = max(len(n) for n, _ in rows)
    print("\nper outage mode (counters are cumulative, read at the end of the mode's recovery):")
    print(" " * width + "".join(f"{m:>13}" for m in OUTAGE_MODES))
    for name, get in rows:
        print(name.ljust(width) + "".join(f"{get(results.get(m, {})):>13}" for m in OUTAGE_MODES))
    print("\nAPI latency (ms) and RSS (MiB) by phase:")
    for ph in dict.fromkeys(ph for ph, _ in load.latencies):
        ms = sorted(latencies_ms(load, ph))
        at = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
        print(f"  {ph:<22} n={len(ms):<5} p50={at(0.5):6.2f} p90={at(0.9):6.2f} p99={p99(ms):6.2f} "
              f"max={ms[-1]:7.2f}   RSS peak {fmt_mib(rss_peak(rss, {ph}))}")
    print(f"API requests: {len(load.latencies)}, failed: {len(load.errors)}; RSS samples: {len(rss.samples)}")
    if final:
        print("final: " + ", ".join(f"{k}={v}" for k, v in final.items()))
    print("tome's stop line: " + (stop_line or "(none)"), flush=True)


def stop_line_of(tome):
    m = re.search(STOP_LINE, tome.output(), re.M)
    return m.group(0) if m else None


def check_final(base, receiver):
    """Before stopping: everything tome counts exported reached the receiver."""
    exported = read_counter(telemetry(base), "spans.exported")
    snap = receiver.snapshot()
    if exported is not None:
        d.check(snap["spans_unique"] >= exported,
                f"the receiver has {snap['spans_unique']} distinct spans but tome counts {exported} exported")
    logs_exported = read_counter(telemetry(base), "logs.exported")
    return {"spans.exported": exported, "receiver spans unique": snap["spans_unique"],
            "receiver spans total": snap["spans_total"], "logs.exported": logs_exported,
            "receiver log records": snap["log_records"], "receiver metric requests": snap["metric_requests"]}


def check_stop(tome, receiver, code):
    line = stop_line_of(tome)
    d.check(code == 0, f"tome exited with {code} on SIGTERM")
    d.check(line is not None, "tome printed no 'tome: stopped in' line:\n" + tome.output()[-1500:])
    m = re.search(r"(\d+) spans exported", line or "")
    if m:
        unique = receiver.snapshot()["spans_unique"]
        d.check(unique >= int(m.group(1)),
                f"tome says {m.group(1)} spans exported at exit, the receiver has {unique} distinct spans")
    return line


# -- main -----------------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tome")
    ap.add_argument("workdir")
    ap.add_argument("--seconds-per-mode", type=float, default=30)
    return ap.parse_args()


def soak(args, receiver, tome, results, threads):
    """The phases; returns the final counters. The load and RSS threads go into `threads`, for
    the caller to stop."""
    port = d.wait_tome_port_from_output(tome, 20 * SCALE)
    base = f"http://127.0.0.1:{port}"
    d.wait_healthy(base, tome, 20 * SCALE)
    phase = Phase("healthy")
    load, rss = Load(port, phase), RssSampler(tome.pid, phase)
    load.start()
    rss.start()
    threads.update(load=load, rss=rss)
    print(f"tome demo pid {tome.pid} on {base}, exporting to {receiver.endpoint}; "
          f"{args.seconds_per_mode:g} s per phase\nphase healthy", flush=True)
    run_for(args.seconds_per_mode, tome, load)
    results["healthy"] = {"acc": check_accounting("healthy", base)}
    for mode in OUTAGE_MODES:
        phase.set(f"outage:{mode}")
        receiver.set_mode(mode)
        run_for(args.seconds_per_mode, tome, load)
        check_accounting(f"outage:{mode}", base)
        phase.set(f"recover:{mode}")
        receiver.set_mode("healthy")
        try:
            results.setdefault(mode, {})["recovery_s"] = wait_recovered(base, receiver)
        except AssertionError as e:
            d.failures.append(f"{mode}: {e}")
        snap = receiver.snapshot()
        results[mode].update(acc=check_accounting(f"recover:{mode}", base), receiver_unique=snap["spans_unique"],
                             receiver_dupes=snap["span_duplicates"])
        check_mode(mode, load, rss, results)
    load.stop()
    return check_final(base, receiver)


def main():
    args = parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    started = time.monotonic()
    results, final, stop_line = {}, None, None
    receiver = OtlpReceiver().start()
    tome, threads = None, {}
    try:
        env = tome_otlp_env(d.tome_env(), receiver.endpoint)
        tome = d.start_tome(args.tome, "demo", write_config(args.workdir), 0, env,
                            os.path.join(args.workdir, "tome.log"), extra=["--rate", str(DEMO_RATE)])
        final = soak(args, receiver, tome, results, threads)
    except (AssertionError, OSError, ValueError) as e:  # OSError: the API unreachable (URLError)
        d.failures.append(str(e) if isinstance(e, AssertionError) else f"{type(e).__name__}: {e}")
    finally:
        if tome is not None:
            for t in threads.values():
                t.stop()
            code = tome.stop(timeout=30 * SCALE)
            stop_line = check_stop(tome, receiver, code)
        receiver.stop()
    load, rss = threads.get("load"), threads.get("rss")
    if load is not None:
        for ph, path, err in load.errors[:10]:
            d.failures.append(f"{ph}: GET {path} answered {err}")
        if len(load.errors) > 10:
            d.failures.append(f"... {len(load.errors)} API requests failed in all")
        print_report(results, load, rss, stop_line, final)
    print(f"soak took {time.monotonic() - started:.0f} s", flush=True)
    d.finish()
    print("outage soak OK: bounded memory, unchanged API latency, every span and log record "
          "accounted for, export resumed after each outage")


if __name__ == "__main__":
    main()
