"""deploy.prometheus_ring: a real Prometheus (Debian's) scrapes the three tome processes of
deploy/compose (tome-1 runs the demo workload, the ring spans the three processes) on loopback,
with the shipped deploy/prometheus/prometheus.yml whose addresses (and scrape interval, 1 s to
keep the test short) are rewritten, and the shipped rules loaded. Then: each process is up
under its own job, the ring carries events across processes with no remote failure, the
dashboards' main queries answer non-empty, and the exemplars (metrics -> traces) are there.
Usage: check_prometheus_ring.py TOME PROMETHEUS WORKDIR"""
import json
import os
import re
import shutil
import sys
import urllib.parse

import yaml

import deploylib as d

tome, prometheus, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(workdir, ignore_errors=True)
os.makedirs(workdir)
failures = d.failures
check = d.check
ports = {n: d.free_port() for n in (1, 2, 3)}
prom_port = d.free_port()
dead_port = d.free_port()  # nothing listens: the Collector and Alertmanager of Compose are not here


def rewrite(text):
    for n, port in ports.items():
        text = text.replace(f"tome-{n}:3000", f"127.0.0.1:{port}")
    return text


configs = {}
for n in (1, 2, 3):
    with open(d.path("compose", "tome", f"tome-{n}.yaml")) as f:
        text = rewrite(f.read())
    check_remote = re.findall(r"http://tome-\d:3000", text)
    assert not check_remote, check_remote
    configs[n] = os.path.join(workdir, f"tome-{n}.yaml")
    with open(configs[n], "w") as f:
        f.write(text)

prom_cfg = d.load_yaml(d.path("prometheus", "prometheus.yml"))
text = rewrite(open(d.path("prometheus", "prometheus.yml")).read())
text = text.replace("otel-collector:8888", f"127.0.0.1:{dead_port}").replace("alertmanager:9093", f"127.0.0.1:{dead_port}")
cfg = yaml.safe_load(text)
for sc in cfg["scrape_configs"]:
    sc["scrape_interval"] = "1s"
cfg["global"]["evaluation_interval"] = "1s"
os.makedirs(os.path.join(workdir, "rules"))
shutil.copy(d.path("prometheus", "rules", "tome.yml"), os.path.join(workdir, "rules", "tome.yml"))
with open(os.path.join(workdir, "prometheus.yml"), "w") as f:
    yaml.safe_dump(cfg, f, sort_keys=False)
assert "127.0.0.1:%d" % ports[1] in json.dumps(cfg), "the shipped scrape config no longer names tome-1:3000"

procs = []
try:
    env = d.tome_env()
    for n in (2, 3):
        p = d.start_tome(tome, "serve", configs[n], ports[n], dict(env, OTEL_SERVICE_NAME=f"tome-{n}"),
                         os.path.join(workdir, f"tome-{n}.log"))
        procs.append(p)
    for n, p in zip((2, 3), procs):
        d.wait_healthy(f"http://127.0.0.1:{ports[n]}", p)
    # 20 orders/s; under a sanitizer (TOME_TEST_TIME_SCALE) each process is that many times
    # slower, so the workload is that many times lighter. A forward around the ring holds a
    # worker in every process it crosses until the far side answers, so a ring loaded beyond
    # what its workers serve runs into its remote timeouts (see the README on remote tomes).
    rate = max(2, 20 // int(os.environ.get("TOME_TEST_TIME_SCALE", "1")))
    p1 = d.start_tome(tome, "demo", configs[1], ports[1], dict(env, OTEL_SERVICE_NAME="tome-1"),
                      os.path.join(workdir, "tome-1.log"), extra=["--rate", str(rate)])
    procs.append(p1)
    d.wait_healthy(f"http://127.0.0.1:{ports[1]}", p1)

    prom = d.Process([prometheus, "--config.file=" + os.path.join(workdir, "prometheus.yml"),
                      "--storage.tsdb.path=" + os.path.join(workdir, "data"),
                      f"--web.listen-address=127.0.0.1:{prom_port}", "--enable-feature=exemplar-storage"],
                     log=os.path.join(workdir, "prometheus.log"))
    procs.append(prom)
    api = f"http://127.0.0.1:{prom_port}/api/v1"

    def query(q):
        _, body = d.http_get(api + "/query?" + urllib.parse.urlencode({"query": q}))
        r = json.loads(body)
        if r["status"] != "success":
            raise AssertionError(f"query failed: {q}: {r}")
        return r["data"]["result"]

    def up_jobs():
        if not prom.alive():
            raise AssertionError("prometheus exited:\n" + prom.output()[-3000:])
        res = query('up{job=~"tome-.*"} == 1')
        jobs = sorted(s["metric"]["job"] for s in res)
        return jobs if jobs == ["tome-1", "tome-2", "tome-3"] else None

    print("up:", d.poll(up_jobs, 60, "Prometheus to scrape tome-1, tome-2 and tome-3 (job from the service label)"))

    # The ring spans the processes: tome-2 and tome-3 get no traffic but the forwards from the
    # other processes (POST /api/remote/events, counted as tome_event).
    def ring_busy():
        res = query('sum by (job) (increase(proxy_responses_total{tome_operation="tome_event", http_status_code="200"}[30s])) > 0')
        jobs = sorted(s["metric"]["job"] for s in res)
        return jobs if {"tome-2", "tome-3"} <= set(jobs) else None

    try:
        print("remote events received by:", d.poll(ring_busy, 60, "events forwarded across processes"))
    except AssertionError as e:
        failures.append(str(e) + " | " + json.dumps(query("sum by (job, tome_operation, http_status_code) (proxy_responses_total)")))
    failed = query('sum(tome_events_dropped_total{tome_drop_reason="remote_failed"}) > 0')
    if failed:
        failures.append("remote forwards failed in the ring: " + json.dumps(failed))

    # The dashboards' queries (Collector-side panels and one 5xx-only panel excepted, which
    # are empty without a Collector or without server errors).
    expect_empty = ("API error rate by operation (5xx share)",)
    for fname, b in d.dashboards().items():
        for title, expr in d.dashboard_exprs(b):
            if any(n.startswith(d.COLLECTOR_PREFIXES) for n in d.metric_names(d.grafana_to_promql(expr))):
                continue
            if title in expect_empty:
                continue
            q = d.grafana_to_promql(expr, rate_interval="15s")
            try:
                d.poll(lambda: query(q), 45, f"{fname}: {title}: {q}")
            except AssertionError as e:
                failures.append(str(e))

    # Each process is its own job in the overview's per-job queries.
    res = query("sum by (job) (rate(tome_response_time_seconds_count[15s]))")
    jobs = sorted(s["metric"]["job"] for s in res)
    if not {"tome-1", "tome-2", "tome-3"} <= set(jobs):
        failures.append(f"tome_response_time_seconds by job covers only {jobs}")

    # The shipped rules load and are evaluated, none firing under the default demo.
    _, body = d.http_get(api + "/rules")
    groups = json.loads(body)["data"]["groups"]
    alerts = [r for g in groups for r in g["rules"] if r["type"] == "alerting"]
    if len(alerts) != 5:
        failures.append(f"expected the 5 shipped alert rules loaded, got {len(alerts)}")

    # Exemplars: the trace ids behind tome's histograms reach Prometheus (metrics -> traces).
    def exemplars():
        now = json.loads(d.http_get(api + "/query?query=time()")[1])["data"]["result"][1]
        q = urllib.parse.urlencode({"query": "tome_response_time_seconds_bucket", "start": float(now) - 300, "end": now})
        data = json.loads(d.http_get(api + "/query_exemplars?" + q)[1])["data"]
        ids = [e["labels"].get("trace_id") for s in data for e in s["exemplars"]]
        return ids if ids and all(i and re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) else None
    try:
        print("exemplars with trace ids:", len(d.poll(exemplars, 30, "exemplars with trace_id")))
    except AssertionError as e:
        failures.append(str(e))
finally:
    for p in reversed(procs):
        p.stop()

d.finish()
print("prometheus ring OK: three tome processes scraped, the dashboards' queries answer, exemplars present")
