"""deploy.metric_names: one set of metric names.
1. Every metric name used in deploy/prometheus/rules/tome.yml and in the Grafana dashboards
   appears in a real scrape of a running `tome demo` (the Collector's own and span-derived
   metrics, listed in deploy/README.md, excepted).
2. The Collector path gives the same names: each instrument tome records (read from the
   console's /console/api/metrics: name, unit, type) is run through the Collector's transform
   statements (deploy/collector/config.yaml) and the OTLP -> Prometheus translation; the result
   is exactly the set of metric families of the scrape, and ms instruments are rescaled to s.
Usage: check_metric_names.py TOME WORKDIR"""
import json
import os
import re
import sys

import deploylib as d

tome, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
failures = d.failures
check = d.check


used = {}
for alert, expr in d.rule_exprs():
    for n in d.metric_names(expr):
        used.setdefault(n, set()).add("rule " + alert)
for fname, b in d.dashboards().items():
    for title, expr in d.dashboard_exprs(b):
        for n in d.metric_names(d.grafana_to_promql(expr)):
            used.setdefault(n, set()).add(f"{fname}: {title}")
recorded = {r for _, r in d.rule_exprs() if ":" in r}
collector_side = sorted(n for n in used if n.startswith(d.COLLECTOR_PREFIXES))
needed = {n: w for n, w in used.items() if ":" not in n and not n.startswith(d.COLLECTOR_PREFIXES)}
check(len(needed) >= 15, f"too few metric names found in rules and dashboards: {sorted(needed)}")

# The development block of config/tome.yaml names no OTLP endpoint, so nothing leaves the process;
# the console's own reader records every instrument (name, unit, type) it would export.
env = {"TOME_ENV": "development", "TOME_CONSOLE_GRPC_PORT": "0"}
p = d.Process([tome, "demo", "--config", os.path.join(d.REPO, "config", "tome.yaml"), "--host", "127.0.0.1",
               "--port", "0", "--rate", "50"], env=env, log=os.path.join(workdir, "tome-demo.log"))
try:
    port = d.wait_tome_port_from_output(p)
    base = f"http://127.0.0.1:{port}"

    def families():
        _, text = d.http_get(base + "/metrics")
        series = set(re.findall(r"^([A-Za-z_:][\w:]*)[{ ]", text, re.M))
        types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
        return series, types, text

    def all_there():
        series, types, text = families()
        return (series, types) if all(n in series for n in needed) else None

    try:
        series, types = d.poll(all_there, 30, "every rule and dashboard metric name in /metrics")
    except AssertionError:
        series, types, _ = families()
        for n in sorted(set(needed) - series):
            failures.append(f"{n} (used by {sorted(needed[n])}) is not in a real scrape of tome demo")

    def instruments_recorded():
        _, body = d.http_get(base + "/console/api/metrics")
        data = json.loads(body)["data"]
        return data if len(data) >= len([f for f in types if f != "target_info"]) else None

    instruments = d.poll(instruments_recorded, 30, "the console to list every instrument")
finally:
    p.stop()

collector = d.load_yaml(d.path("collector", "config.yaml"))
produced = {}
for m in instruments:
    name, unit, factor = d.apply_transform_renames(collector, m["name"], m.get("unit", ""))
    prom = d.collector_prometheus_name(name, unit, m["type"], m.get("monotonic", False))
    produced[prom] = (m["name"], m.get("unit"), factor)
    if m.get("unit") == "ms":
        check(factor == 0.001 and unit == "s", f"{m['name']} in ms is not rescaled to s by the Collector config")

scraped_families = {n for n, t in types.items() if n != "target_info"}
# Prometheus text names a counter family by its series name (with _total), a histogram by its base.
for fam, t in types.items():
    if fam == "target_info":
        continue
    check(fam in produced, f"/metrics family {fam} ({t}) has no instrument that the Collector path names the same")
for prom, (orig, unit, _) in produced.items():
    check(prom in scraped_families, f"the Collector path names {orig} ({unit}) {prom}, which /metrics does not have")

print("metric names used by rules and dashboards:", len(needed), "- all in a real scrape" if not failures else "")
print("Collector-side names (not in tome's scrape):", ", ".join(collector_side) or "none")
print("instruments -> Collector names:")
for prom, (orig, unit, factor) in sorted(produced.items(), key=lambda x: x[1][0]):
    print(f"  {orig} [{unit}]{' x' + str(factor) if factor != 1 else ''} -> {prom}")
d.finish()
print("metric names OK: /metrics and the Collector path agree")
