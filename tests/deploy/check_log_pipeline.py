"""deploy.log_pipeline: the Alloy pipeline (deploy/alloy/config.alloy) and Grafana's Loki derived
field, applied to real tome JSON log lines (a `tome demo --console-logs` of deploy/compose's
tome-1): non-JSON lines are dropped, the trace id is extracted into structured metadata, the
labels are only service, environment and level and stay bounded; Loki's OTLP index labels are
only the service and the environment.
Usage: check_log_pipeline.py TOME WORKDIR"""
import json
import os
import re
import sys

import deploylib as d

tome, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
failures = d.failures
check = d.check


alloy = open(d.path("alloy", "config.alloy")).read()


def block(name):
    m = re.search(re.escape(name) + r"\s*\{(.*?)\n  \}", alloy, re.S)
    assert m, "no " + name + " in config.alloy"
    return m.group(1)


def river_map(body, key):
    m = re.search(key + r"\s*=\s*\{(.*?)\}", body, re.S)
    assert m, f"no {key} map"
    return {k: json.loads(v) for k, v in re.findall(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*")', m.group(1))}


drop_re = json.loads(re.search(r'expression\s*=\s*("(?:[^"\\]|\\.)*")', block("stage.drop")).group(1))
expressions = river_map(block("stage.json"), "expressions")
labels = river_map(block("stage.labels"), "values")
static_labels = river_map(block("stage.static_labels"), "values")
metadata = river_map(block("stage.structured_metadata"), "values")
check(set(labels) | set(static_labels) <= {"service", "environment", "level"}, f"Loki labels must be bounded fields only: {sorted(labels)}")
check("trace_id" in metadata and "trace_id" not in labels, "trace_id must be structured metadata, never a label")
check(not any(k.startswith("business") for k in labels), "business.* must not be labels")


def jmespath(expr, obj):
    """The subset the pipeline uses: dotted identifiers, "quoted.identifiers"."""
    for part in re.findall(r'"([^"]+)"|([A-Za-z_]\w*)', expr):
        key = part[0] or part[1]
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def run_pipeline(line):
    if re.search(drop_re, line):
        return None
    obj = json.loads(line)
    extracted = {k: jmespath(v, obj) for k, v in expressions.items()}
    lab = {k: extracted.get(v or k) for k, v in labels.items() if extracted.get(v or k) is not None}
    lab.update(static_labels)
    return (lab,
            {k: extracted.get(v or k) for k, v in metadata.items()})


loki = d.load_yaml(d.path("loki", "loki.yaml"))
otlp = loki["limits_config"]["otlp_config"]
index = [a for c in otlp["resource_attributes"]["attributes_config"] if c["action"] == "index_label" for a in c["attributes"]]
check(otlp["resource_attributes"].get("ignore_defaults") is True, "Loki's default OTLP index labels include unbounded ones")
check(set(index) <= {"service.name", "deployment.environment.name", "deployment.environment"}, f"Loki OTLP index labels: {index}")

ds = d.load_yaml(d.path("grafana", "provisioning", "datasources", "datasources.yaml"))
line_field = [f for s in ds["datasources"] if s["type"] == "loki" for f in s["jsonData"]["derivedFields"]
              if f.get("matcherType", "regex") == "regex"][0]

cfg = os.path.join(workdir, "tome-1.yaml")
with open(d.path("compose", "tome", "tome-1.yaml")) as f, open(cfg, "w") as g:
    g.write(re.sub(r"http://tome-\d:3000", "http://127.0.0.1:9", f.read()))
env = dict(d.tome_env(), OTEL_SERVICE_NAME="tome-1", TOME_ALERTMANAGER_URL="http://127.0.0.1:9")
p = d.Process([tome, "demo", "--config", cfg, "--host", "127.0.0.1", "--port", "0", "--console-logs", "--rate", "50",
               "--fault", "payment.failure_rate=0.5"], env=env, log=os.path.join(workdir, "tome.log"))
try:
    d.wait_tome_port_from_output(p)

    def lines_with_trace_ids():
        ls = p.output().splitlines()
        n = len(set(re.findall(r'"trace\.id":"(\w+)"', "\n".join(ls))))
        return ls if n >= 30 else None
    lines = d.poll(lines_with_trace_ids, 30, "log lines of 30 traces")
finally:
    p.stop()

kept = dropped = with_trace = 0
label_values = {k: set() for k in list(labels) + list(static_labels)}
trace_ids = set()
for line in lines:
    if not line.strip():
        continue
    r = run_pipeline(line)
    if r is None:
        dropped += 1
        check(not line.startswith("{"), "a JSON line was dropped: " + line[:200])
        continue
    kept += 1
    lab, meta = r
    for k in ("service", "level"):
        check(k in lab, f"label {k} not extracted from: {line[:200]}")
    for k, v in lab.items():
        label_values[k].add(v)
    obj = json.loads(line)
    tid = obj.get("attributes", {}).get("trace.id")
    if tid:
        with_trace += 1
        check(meta.get("trace_id") == tid and re.fullmatch(r"[0-9a-f]{32}", tid), f"trace id not extracted: {line[:200]}")
        m = re.search(line_field["matcherRegex"], line)
        check(m and m.group(1) == tid, "Grafana's derived field does not find the trace id in: " + line[:200])
        trace_ids.add(tid)

check(dropped >= 1, "the demo's summary lines should have been dropped as non-JSON")
check(with_trace >= 50 and len(trace_ids) >= 20, f"too few trace ids seen ({len(trace_ids)})")
for k, vs in label_values.items():
    check(len(vs) <= 5, f"label {k} is unbounded: {len(vs)} values in {kept} lines ({sorted(vs)[:10]})")
check(label_values.get("service") == {"tome-1"} and label_values.get("environment") == {"production"},
      f"labels: {label_values}")

d.finish(30)
print(f"log pipeline OK: {kept} JSON lines kept, {dropped} other lines dropped, {len(trace_ids)} trace ids extracted; labels {({k: sorted(v) for k, v in label_values.items()})}")
