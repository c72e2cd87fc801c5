"""Shared helpers for the deploy/ tests: repository paths, YAML loading, PromQL name extraction,
the Collector's OTLP -> Prometheus name translation, and real processes (tome, Prometheus) on
loopback ports, started and stopped by pid, waited for by polling with a deadline."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(REPO, "deploy")


def path(*parts):
    return os.path.join(DEPLOY, *parts)


def load_yaml(p):
    with open(p) as f:
        return yaml.safe_load(f)


def load_yaml_all(p):
    with open(p) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def dashboards():
    d = path("grafana", "dashboards")
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            with open(os.path.join(d, name)) as f:
                out[name] = json.load(f)
    return out


def panels(dashboard):
    """Every panel, rows' nested panels included."""
    for p in dashboard.get("panels", []):
        yield p
        for q in p.get("panels", []):
            yield q


def dashboard_exprs(dashboard):
    """(panel title, expr) for every Prometheus query of the dashboard."""
    for p in panels(dashboard):
        for t in p.get("targets", []):
            if t.get("expr"):
                yield p.get("title", ""), t["expr"]


def rule_exprs():
    doc = load_yaml(path("prometheus", "rules", "tome.yml"))
    for g in doc["groups"]:
        for r in g["rules"]:
            yield r.get("alert") or r.get("record"), r["expr"]


def grafana_to_promql(expr, rate_interval="1m"):
    """Replaces Grafana's variables by what they expand to, so promtool can read the query."""
    expr = expr.replace("$__rate_interval", rate_interval).replace("$__interval", rate_interval)
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr)


_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "inf", "nan", "atan2",
}


def metric_names(expr):
    """Metric names used in a PromQL expression (recording-rule names like a:b:c included)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)        # strings
    e = re.sub(r"\{[^}]*\}", "{}", e)                   # label matchers
    e = re.sub(r"\[[^\]]*\]", "[]", e)                  # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.$])([A-Za-z_:][\w:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in _PROMQL_WORDS:
            continue
        names.add(word)
    return names


# The Collector's own metrics and the ones its connectors derive from spans: they cannot
# appear in a scrape of tome, and are listed in deploy/README.md.
COLLECTOR_PREFIXES = ("otelcol_", "traces_span_metrics_", "traces_service_graph_")

_UNIT_WORDS = {
    "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds",
    "us": "microseconds", "ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes",
    "MiBy": "mebibytes", "GiBy": "gibibytes", "KBy": "kilobytes", "MBy": "megabytes",
    "GBy": "gigabytes", "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts",
    "g": "grams", "Cel": "celsius", "Hz": "hertz", "%": "percent", "1": "",
}


def collector_prometheus_name(name, unit, kind, monotonic):
    """The OTLP -> Prometheus metric name the Collector's Prometheus exporters produce with
    add_metric_suffixes (pkg/translator/prometheus): non-alphanumerics to '_', the unit's word
    appended unless already the last token ({annotations} dropped, 'x/y' -> 'x_per_y'), and
    '_total' on monotonic sums ('total' tokens moved to the end, never doubled); a gauge in
    unit '1' gets '_ratio'."""
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", name) if t]
    unit = re.sub(r"\{[^}]*\}", "", unit or "").strip()
    main, _, per = unit.partition("/")
    main_word = _UNIT_WORDS.get(main, main if re.fullmatch(r"[A-Za-z0-9_]+", main or "-") else "")
    if main_word and main_word not in tokens:
        tokens.append(main_word)
    if per:
        per_word = {"s": "second", "m": "minute", "h": "hour", "d": "day"}.get(per, per)
        if "per" not in tokens:
            tokens += ["per", per_word]
    if kind == "sum" and monotonic:
        tokens = [t for t in tokens if t != "total"] + ["total"]
    if kind == "gauge" and unit == "1":
        tokens.append("ratio")
    return "_".join(tokens)


def apply_transform_renames(collector_config, name, unit):
    """Applies the transform/tome_metric_names statements of a Collector config to one
    instrument: scale_metric(factor, "unit") and set(name, "x") guarded by `where name == "..."`
    (and optionally `and unit == "..."`). Returns (name, unit, factor)."""
    factor = 1.0
    proc = collector_config["processors"].get("transform/tome_metric_names", {})
    for block in proc.get("metric_statements", []):
        for st in block["statements"]:
            m = re.fullmatch(r'(\w+)\((.*)\)\s+where\s+name\s*==\s*"([^"]+)"(?:\s+and\s+unit\s*==\s*"([^"]*)")?', st.strip())
            if not m:
                raise AssertionError("unreadable transform statement: " + st)
            fn, args, want_name, want_unit = m.groups()
            if name != want_name or (want_unit is not None and unit != want_unit):
                continue
            if fn == "scale_metric":
                a = [x.strip() for x in args.split(",")]
                factor *= float(a[0])
                if len(a) > 1:
                    unit = a[1].strip('"')
            elif fn == "set" and args.split(",")[0].strip() == "name":
                name = args.split(",", 1)[1].strip().strip('"')
            else:
                raise AssertionError("unexpected transform statement: " + st)
    return name, unit, factor


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8")


def poll(fn, deadline_s, what, interval=0.2):
    """Calls fn until it returns a truthy value or the deadline passes (then raises)."""
    deadline = time.monotonic() + deadline_s
    last_err = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except (OSError, urllib.error.URLError, ValueError) as e:
            last_err = e
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {deadline_s}s waiting for {what} (last error: {last_err})")
        time.sleep(interval)  # polling an observable state, not standing in for synchronisation


class Process:
    """A child process with its output in a file; stopped by pid (SIGTERM, then SIGKILL)."""

    def __init__(self, argv, env=None, log=None, cwd=None):
        self.log_path = log
        self.log = open(log, "w") if log else subprocess.DEVNULL
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(argv, env=full_env, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)
        self.pid = self.proc.pid

    def output(self):
        if not self.log_path:
            return ""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()
        return self.proc.returncode


def start_tome(tome, mode, config, port, env, log, extra=()):
    argv = [tome, mode, "--config", config, "--host", "127.0.0.1", "--port", str(port), *extra]
    p = Process(argv, env=env, log=log)
    return p


def wait_tome_port_from_output(p, deadline_s=20):
    """For `--port 0`: the first line names the address (http://127.0.0.1:PORT)."""
    def find():
        if not p.alive():
            raise AssertionError("tome exited early:\n" + p.output()[-2000:])
        m = re.search(r"http://127\.0\.0\.1:(\d+)", p.output())
        return int(m.group(1)) if m else None
    return poll(find, deadline_s, "tome to print its address")


def wait_healthy(base, p, deadline_s=20):
    def ok():
        if not p.alive():
            raise AssertionError("process exited early:\n" + p.output()[-2000:])
        status, _ = http_get(base + "/api/health", timeout=2)
        return status == 200
    poll(ok, deadline_s, base + "/api/health")


def tome_env():
    """No OTLP export in the tests (the configs name the Compose Collector, which is not here).
    Under a sanitizer (TOME_TEST_TIME_SCALE) every process is several times slower, and a
    forward around the ring crosses all three: the remote tomes' timeout grows by that scale."""
    env = {"TOME_ENV": "production", "OTEL_TRACES_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none",
           "OTEL_METRICS_EXPORTER": "none",
           "TOME_CONSOLE_GRPC_PORT": "0"}
    scale = int(os.environ.get("TOME_TEST_TIME_SCALE", "1"))
    if scale > 1:
        env["TOME_REMOTE_TIMEOUT_MS"] = str(3000 * scale)
    return env


# The failures of the one check script that imports this module (each runs as its own process).
failures = []


def check(cond, msg):
    """Records `msg` as a failure unless `cond` holds."""
    if not cond:
        failures.append(msg)


def finish(limit=None):
    """Prints the failures (the first `limit`) and exits 1 when there are any."""
    if failures:
        print("\n".join("FAIL: " + f for f in failures[:limit]))
        sys.exit(1)
