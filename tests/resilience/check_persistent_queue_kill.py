"""resilience.persistent_queue_kill: the OTLP span exporter's on-disk queue
(telemetry.persistentQueue) survives `kill -9`. A `tome demo` exports to an OTLP/HTTP receiver
(otlp_receiver.py) that refuses every connection, so its span batches pile up on disk; once at
least 200 spans are there it is killed with SIGKILL. The receiver then comes up, and a `tome
serve` (no workload: its only spans are this script's few polls) started on the same config and
queue directory finds the batches, counts them as recovered, and sends them all: the queue
drains to 0, the receiver holds at least as many distinct spans as were on disk at the kill,
and no span arrives twice. The config is the shipped config/tome.yaml with a persistent queue in
development.telemetry and without tail sampling (every span is exported). Deadlines grow with
TOME_TEST_TIME_SCALE (as in deploy/).
Usage: check_persistent_queue_kill.py TOME WORKDIR"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
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
QUEUE_MAX_BYTES = 64 * 1024 * 1024
MIN_ON_DISK = 200                 # spans on disk before the kill
FILL_DEADLINE_S = 60 * SCALE
DRAIN_DEADLINE_S = 30 * SCALE
PQ_FIELDS = ["batches", "spans", "bytes", "recovered"]


def write_config(workdir, queue_dir):
    cfg = d.load_yaml(os.path.join(d.REPO, "config", "tome.yaml"))
    telemetry = cfg["development"]["telemetry"]
    telemetry["persistentQueue"] = {"dir": queue_dir, "maxBytes": QUEUE_MAX_BYTES}
    telemetry.pop("sampling", None)  # no tail sampling: every span goes to the exporter
    out = os.path.join(workdir, "tome.yaml")
    with open(out, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return out


def check_config(tome, config):
    """`tome check-config` accepts the config (or the test stops here, saying why)."""
    r = subprocess.run([tome, "check-config", config], capture_output=True, text=True, timeout=30 * SCALE,
                       env=dict(os.environ, TOME_ENV="development"))
    if r.returncode != 0:
        raise AssertionError(f"tome check-config rejects the config with telemetry.persistentQueue:\n"
                             f"{(r.stdout + r.stderr).strip()[-1500:]}")


def persistent_queue(base):
    """spans.persistentQueue of GET /api/telemetry (looked for in data.pipeline, then data)."""
    _, body = d.http_get(base + "/api/telemetry", timeout=5 * SCALE)
    data = json.loads(body)["data"]
    root = data["pipeline"] if isinstance(data.get("pipeline"), dict) else data
    pq = (root.get("spans") or {}).get("persistentQueue")
    if not isinstance(pq, dict):
        raise AssertionError("GET /api/telemetry has no field spans.persistentQueue (looked in data.pipeline "
                             "and data): " + json.dumps(root.get("spans"))[:600])
    missing = [f for f in PQ_FIELDS if not isinstance(pq.get(f), int)]
    if missing:
        raise AssertionError(f"GET /api/telemetry spans.persistentQueue lacks {', '.join(missing)}: {json.dumps(pq)}")
    return pq


def start(tome, mode, config, env, workdir, name, extra=()):
    """Starts `tome MODE` on a free port; returns (process, base URL) once it answers."""
    p = d.start_tome(tome, mode, config, 0, env, os.path.join(workdir, name + ".log"), extra=extra)
    try:
        port = d.wait_tome_port_from_output(p, 20 * SCALE)
        base = f"http://127.0.0.1:{port}"
        d.wait_healthy(base, p, 20 * SCALE)
    except BaseException:
        p.stop()
        raise
    return p, base


def fill_and_kill(tome, config, env, workdir):
    """tome demo against the refusing receiver until >= MIN_ON_DISK spans are on disk, then
    SIGKILL. Returns the persistentQueue read just before the kill."""
    p, base = start(tome, "demo", config, env, workdir, "demo", extra=["--rate", "20"])
    try:
        def on_disk():
            if not p.alive():
                raise AssertionError("tome demo exited:\n" + p.output()[-2000:])
            pq = persistent_queue(base)
            return pq if pq["spans"] >= MIN_ON_DISK else None
        pq = d.poll(on_disk, FILL_DEADLINE_S, f">= {MIN_ON_DISK} spans in the persistent queue")
        os.kill(p.pid, signal.SIGKILL)
        p.proc.wait(timeout=10 * SCALE)
        d.check(p.proc.returncode == -signal.SIGKILL, f"tome demo ended with {p.proc.returncode}, not by SIGKILL")
        return pq
    finally:
        p.stop()


def directory_listing(queue_dir):
    """(file count, bytes) under the queue directory."""
    files = [os.path.join(r, f) for r, _, fs in os.walk(queue_dir) for f in fs]
    return len(files), sum(os.path.getsize(f) for f in files)


def recover(tome, config, env, workdir, receiver):
    """tome serve on the same queue: it must find and send everything. Returns the report."""
    p, base = start(tome, "serve", config, env, workdir, "serve")
    t0 = time.monotonic()
    report = {}
    try:
        start_pq = persistent_queue(base)
        report["recovered"] = start_pq["recovered"]

        def drained():
            if not p.alive():
                raise AssertionError("tome serve exited:\n" + p.output()[-2000:])
            pq = persistent_queue(base)
            report["last"] = pq
            return pq["spans"] == 0
        try:
            d.poll(drained, DRAIN_DEADLINE_S, "the persistent queue to drain (spans == 0)")
        except AssertionError as e:
            d.failures.append(f"{e}; last spans.persistentQueue: {json.dumps(report.get('last'))}")
        report["drain_s"] = time.monotonic() - t0
        report["recovered"] = persistent_queue(base)["recovered"]
    finally:
        report["exit_code"] = p.stop(timeout=30 * SCALE)
        m = re.search(STOP_LINE, p.output(), re.M)
        report["stop_line"] = m.group(0) if m else None
    snap = receiver.snapshot()
    report.update(unique=snap["spans_unique"], total=snap["spans_total"], dupes=snap["span_duplicates"])
    return report


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tome, workdir = sys.argv[1], sys.argv[2]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    queue_dir = os.path.join(workdir, "queue")
    config = write_config(workdir, queue_dir)
    receiver = OtlpReceiver(d.free_port(), mode="refuse").start()  # binds when set healthy
    env = tome_otlp_env(d.tome_env(), receiver.endpoint)
    before, files, report = None, None, None
    try:
        check_config(tome, config)
        before = fill_and_kill(tome, config, env, workdir)
        files = directory_listing(queue_dir)
        print(f"killed with {before['spans']} spans in {before['batches']} batches ({before['bytes']} bytes) "
              f"on disk; the queue directory holds {files[0]} files, {files[1]} bytes", flush=True)
        d.check(receiver.snapshot()["spans_total"] == 0, "the refusing receiver got spans")
        receiver.set_mode("healthy")
        report = recover(tome, config, env, workdir, receiver)
        on_disk = before["spans"]
        d.check(report["recovered"] >= on_disk,
                f"tome serve recovered {report['recovered']} spans from disk, {on_disk} were there at the kill")
        d.check(report["unique"] >= on_disk,
                f"the receiver got {report['unique']} distinct spans, {on_disk} were on disk at the kill")
        d.check(report["dupes"] == 0, f"the receiver got {report['dupes']} spans more than once "
                                      f"({report['total']} received, {report['unique']} distinct)")
        d.check(report["exit_code"] == 0, f"tome serve exited with {report['exit_code']} on SIGTERM")
    except (AssertionError, OSError, ValueError) as e:  # OSError: the API unreachable (URLError)
        d.failures.append(str(e) if isinstance(e, AssertionError) else f"{type(e).__name__}: {e}")
    finally:
        receiver.stop()
    if report:
        print(f"on disk at the kill: {before['spans']} spans; recovered at restart: {report['recovered']}; "
              f"drained in {report['drain_s']:.1f} s")
        print(f"receiver: {report['unique']} distinct spans, {report['total']} received, {report['dupes']} duplicates")
        print("tome serve's stop line: " + (report["stop_line"] or "(none)"), flush=True)
    d.finish()
    print("persistent queue OK: the batches on disk at kill -9 were recovered and sent once each")


if __name__ == "__main__":
    main()
