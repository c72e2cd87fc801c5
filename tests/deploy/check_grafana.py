"""deploy.grafana: the provisioned data sources and dashboards fit together: uids unique, every
panel's and query's data source uid resolves to a provisioned data source, the cross links
(exemplars -> traces, traces -> logs, logs -> traces) name provisioned uids, the dashboard
provider's path is where Compose mounts the dashboards, and every dashboard query parses as
PromQL (promtool check rules on recording rules wrapping each query).
Usage: check_grafana.py PROMTOOL WORKDIR"""
import os
import subprocess
import sys

import yaml

import deploylib as d

promtool, workdir = sys.argv[1], sys.argv[2]
os.makedirs(workdir, exist_ok=True)
failures = d.failures
check = d.check


ds_doc = d.load_yaml(d.path("grafana", "provisioning", "datasources", "datasources.yaml"))
sources = {s["uid"]: s for s in ds_doc["datasources"]}
check(len(sources) == len(ds_doc["datasources"]), "data source uids are not unique")
types = {uid: s["type"] for uid, s in sources.items()}

prom = [s for s in sources.values() if s["type"] == "prometheus"][0]
for ex in prom["jsonData"].get("exemplarTraceIdDestinations", []):
    check(ex["datasourceUid"] in sources, f"exemplar destination {ex['datasourceUid']} is not provisioned")
    check(ex["name"] == "trace_id", "tome's exemplars carry trace_id, not " + ex["name"])
jaeger = [s for s in sources.values() if s["type"] == "jaeger"][0]
t2l = jaeger["jsonData"].get("tracesToLogsV2", {})
check(types.get(t2l.get("datasourceUid")) == "loki", "traces -> logs must point at the Loki data source")
loki = [s for s in sources.values() if s["type"] == "loki"][0]
derived = loki["jsonData"].get("derivedFields", [])
check(derived and all(types.get(f["datasourceUid"]) == "jaeger" for f in derived), "logs -> traces must point at Jaeger")

prov = d.load_yaml(d.path("grafana", "provisioning", "dashboards", "dashboards.yaml"))
compose = d.load_yaml(d.path("compose", "compose.yaml"))
mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"]["grafana"]["volumes"]}
for p in prov["providers"]:
    target = p["options"]["path"]
    check(target in mounts and os.path.normpath(os.path.join(d.path("compose"), mounts[target])) == d.path("grafana", "dashboards"),
          f"dashboard provider path {target} is not where compose mounts deploy/grafana/dashboards")

boards = d.dashboards()
check(len(boards) >= 3, "expected the three dashboards")
uids = [b["uid"] for b in boards.values()]
check(len(uids) == len(set(uids)), f"dashboard uids not unique: {uids}")
titles = {b["title"] for b in boards.values()}
for t in ("tome overview", "tome RED", "telemetry health"):
    check(t in titles, f"missing dashboard {t!r}")


def resolve(ref, where):
    if isinstance(ref, dict):
        uid = ref.get("uid")
        if uid in ("-- Grafana --", "-- Mixed --", "-- Dashboard --"):
            return
        check(uid in sources, f"{where}: data source uid {uid!r} is not provisioned")
        if uid in sources and ref.get("type"):
            check(ref["type"] == sources[uid]["type"], f"{where}: type {ref['type']} != provisioned {sources[uid]['type']}")
    else:
        check(False, f"{where}: data source given by name {ref!r}, not by uid")


rules = []
for fname, b in boards.items():
    ids = [p["id"] for p in d.panels(b)]
    check(len(ids) == len(set(ids)), f"{fname}: panel ids not unique")
    for v in b.get("templating", {}).get("list", []):
        if "datasource" in v:
            resolve(v["datasource"], f"{fname} variable {v['name']}")
    for p in d.panels(b):
        if p["type"] == "row":
            continue
        resolve(p.get("datasource"), f"{fname} panel {p['title']!r}")
        for t in p.get("targets", []):
            resolve(t.get("datasource", p.get("datasource")), f"{fname} panel {p['title']!r} query {t.get('refId')}")
    for i, (title, expr) in enumerate(d.dashboard_exprs(b)):
        rules.append({"record": f"dashboard:check_{len(rules)}", "expr": d.grafana_to_promql(expr),
                      "labels": {"dashboard": b["uid"], "panel": title}})

rules_file = os.path.join(workdir, "dashboard_queries_as_rules.yml")
with open(rules_file, "w") as f:
    yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, f, sort_keys=False)
r = subprocess.run([promtool, "check", "rules", rules_file], capture_output=True, text=True)
check(r.returncode == 0, f"promtool cannot parse the dashboard queries:\n{r.stdout}{r.stderr}")

d.finish()
print(f"grafana OK: {len(sources)} data sources, {len(boards)} dashboards, {len(rules)} queries parse as PromQL")
