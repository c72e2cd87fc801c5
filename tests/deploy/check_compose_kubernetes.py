"""deploy.compose_kubernetes: deploy/compose/compose.yaml and the kustomize base in
deploy/kubernetes/base, parsed and cross-checked: images pinned to exact versions, every mounted
or generated config file exists, ports agree with the configs that use them (tome 3000, OTLP
4317/4318, Prometheus 9090, Alertmanager 9093, Loki 3100, Jaeger 4317/16686), every tome config
is accepted by `tome check-config`, probes on /api/health, and a grace period that covers tome's
shutdown (10 s drain + 5 s telemetry flush + 2 s console).
Usage: check_compose_kubernetes.py TOME"""
import os
import re
import subprocess
import sys
import urllib.parse

import deploylib as d

tome = sys.argv[1]
failures = d.failures
check = d.check
SHUTDOWN_S = 10 + 5 + 2


PINNED = re.compile(r"^[\w./-]+:v?\d+\.\d+\.\d+$")


def host_port(url):
    u = urllib.parse.urlparse(url if "//" in url else "//" + url)
    return u.hostname, u.port


def seconds(s):
    m = re.fullmatch(r"(\d+)s", str(s))
    return int(m.group(1)) if m else None


# ---- Compose
compose_dir = d.path("compose")
compose = d.load_yaml(os.path.join(compose_dir, "compose.yaml"))
services = compose["services"]
for name in ("tome-1", "tome-2", "tome-3", "otel-collector", "jaeger", "prometheus", "alertmanager", "grafana", "loki"):
    check(name in services, f"compose: no service {name}")
for name, s in services.items():
    img = s.get("image", "")
    check(PINNED.match(img), f"compose: {name}'s image {img!r} is not pinned to an exact version")
    for v in s.get("volumes", []):
        src = v.split(":")[0]
        if src.startswith((".", "/")):
            if src == "/var/run/docker.sock":
                continue
            check(os.path.exists(os.path.normpath(os.path.join(compose_dir, src))), f"compose: {name} mounts missing {src}")
        else:
            check(src in (compose.get("volumes") or {}), f"compose: {name} uses undeclared volume {src}")
    for p in s.get("ports", []):
        check(str(p).startswith("127.0.0.1:"), f"compose: {name} publishes {p} beyond loopback")
    if name.startswith("tome-") or name in ("prometheus", "alertmanager", "loki", "grafana", "jaeger"):
        check("healthcheck" in s, f"compose: {name} has no healthcheck")
    b = s.get("build")
    if b:
        check(os.path.exists(os.path.join(compose_dir, b["context"], b["dockerfile"])), f"compose: {name}'s Dockerfile missing")


def container_port(service, port):
    """True when `service` listens on `port` per its own config."""
    return port in LISTEN.get(service, set())


collector = d.load_yaml(d.path("collector", "config.yaml"))
loki = d.load_yaml(d.path("loki", "loki.yaml"))
LISTEN = {
    "otel-collector": {host_port(collector["receivers"]["otlp"]["protocols"][p]["endpoint"])[1] for p in ("grpc", "http")}
                      | {collector["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]["port"],
                         host_port(collector["extensions"]["health_check"]["endpoint"])[1]},
    "prometheus": {9090}, "alertmanager": {9093}, "grafana": {3000},
    "loki": {loki["server"]["http_listen_port"]}, "jaeger": {4317, 4318, 16686, 14269},
}
tome_cfgs = {n: d.load_yaml(os.path.join(compose_dir, "tome", f"tome-{n}.yaml")) for n in (1, 2, 3)}
for n, cfg in tome_cfgs.items():
    LISTEN[f"tome-{n}"] = {cfg["production"]["server"]["port"]}
for n, cfg in tome_cfgs.items():
    check(cfg["production"]["server"]["host"] == "0.0.0.0", f"tome-{n} must listen on 0.0.0.0 in its container")
    for r in cfg["network"].get("remoteTomes", []):
        h, p = host_port(r["endpoint"])
        check(h in services and container_port(h, p), f"tome-{n}: remote tome {r['id']} at {r['endpoint']} is not a compose service port")
    for mnt in services[f"tome-{n}"]["volumes"]:
        check(mnt.split(":")[0] == f"./tome/tome-{n}.yaml", f"tome-{n} mounts {mnt}")
    svc = services[f"tome-{n}"]
    check(seconds(svc.get("stop_grace_period")) and seconds(svc["stop_grace_period"]) >= SHUTDOWN_S,
          f"tome-{n}: stop_grace_period must cover tome's {SHUTDOWN_S} s shutdown")
    env = dict(svc["environment"])
    h, p = host_port(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
    check(h == "otel-collector" and container_port(h, p), f"tome-{n}: OTLP endpoint {env['OTEL_EXPORTER_OTLP_ENDPOINT']}")

# `tome check-config` accepts each file (run side by side: each takes a few seconds).
checks = {n: subprocess.Popen([tome, "check-config", os.path.join(compose_dir, "tome", f"tome-{n}.yaml")],
                              env=dict(os.environ, TOME_ENV="production", OTEL_SDK_DISABLED="true"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for n in (1, 2, 3)}
for n, pr in checks.items():
    out, _ = pr.communicate(timeout=60)
    check(pr.returncode == 0, f"tome check-config tome-{n}.yaml: {out[-500:]}")

# Every address a config names is a compose service on a port it listens on.
addresses = []
for e in collector["exporters"].values():
    addresses.append(("collector exporter", e["endpoint"]))
prom = d.load_yaml(d.path("prometheus", "prometheus.yml"))
for sc in prom["scrape_configs"]:
    for st in sc["static_configs"]:
        addresses += [("prometheus scrape " + sc["job_name"], t) for t in st["targets"]]
for am in prom["alerting"]["alertmanagers"]:
    for st in am["static_configs"]:
        addresses += [("prometheus alerting", t) for t in st["targets"]]
ds = d.load_yaml(d.path("grafana", "provisioning", "datasources", "datasources.yaml"))
addresses += [("grafana data source " + s["name"], s["url"]) for s in ds["datasources"]]
alloy_url = re.search(r'url\s*=\s*"([^"]+)"', open(d.path("alloy", "config.alloy")).read()).group(1)
addresses.append(("alloy loki.write", alloy_url))
for what, addr in addresses:
    h, p = host_port(addr)
    check(h in services and container_port(h, p), f"{what}: {addr} is not a compose service port")
check("--web.enable-remote-write-receiver" in services["prometheus"]["command"],
      "prometheus must accept the Collector's remote writes")
pub = {str(p).split(":")[-1] for p in services["otel-collector"]["ports"]}
check({"4317", "4318"} <= pub, "compose: the Collector's OTLP ports are not published")

# ---- Kubernetes
kdir = d.path("kubernetes", "base")
kust = d.load_yaml(os.path.join(kdir, "kustomization.yaml"))
docs = []
for r in kust["resources"]:
    check(os.path.exists(os.path.join(kdir, r)), f"kustomization: missing resource {r}")
    if os.path.exists(os.path.join(kdir, r)):
        docs += d.load_yaml_all(os.path.join(kdir, r))
generated = {}
for g in kust.get("configMapGenerator", []):
    keys = []
    for f in g["files"]:
        key, _, src = f.partition("=")
        src = src or key
        check(os.path.exists(os.path.join(kdir, src)), f"kustomization: configMapGenerator {g['name']} file {src} missing")
        keys.append(key)
    generated[g["name"]] = keys
kinds = {(x["kind"], x["metadata"]["name"]): x for x in docs}
check(("Deployment", "tome") in kinds and ("Service", "tome") in kinds, "kubernetes: tome Deployment and Service")
check(("DaemonSet", "otel-agent") in kinds, "kubernetes: Collector agent DaemonSet")
check(("Deployment", "otel-gateway") in kinds and ("Service", "otel-gateway") in kinds, "kubernetes: Collector gateway")

for (kind, name), x in kinds.items():
    if kind not in ("Deployment", "DaemonSet"):
        continue
    spec = x["spec"]["template"]["spec"]
    check(x["spec"]["selector"]["matchLabels"].items() <= x["spec"]["template"]["metadata"]["labels"].items(),
          f"kubernetes {name}: selector does not match the pod labels")
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    for c in spec["containers"]:
        img = c["image"]
        check(PINNED.match(img), f"kubernetes {name}: image {img} not pinned")
        for vm in c.get("volumeMounts", []):
            check(vm["name"] in vols, f"kubernetes {name}: mounts undefined volume {vm['name']}")
            cm = vols.get(vm["name"], {}).get("configMap")
            if cm:
                check(cm["name"] in generated, f"kubernetes {name}: ConfigMap {cm['name']} is not generated")
                for it in cm.get("items", []):
                    check(it["key"] in generated.get(cm["name"], []), f"kubernetes {name}: key {it['key']} not in {cm['name']}")
        named_ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        for probe in ("readinessProbe", "livenessProbe"):
            pr = c.get(probe)
            check(pr and "httpGet" in pr, f"kubernetes {name}: no {probe}")
            if pr and "httpGet" in pr:
                port = pr["httpGet"]["port"]
                check(port in named_ports or port in named_ports.values(), f"kubernetes {name}: {probe} port {port} not a container port")
                if name == "tome":
                    check(pr["httpGet"]["path"] == "/api/health", f"kubernetes tome: {probe} is not on /api/health")
    if name == "tome":
        grace = spec.get("terminationGracePeriodSeconds")
        check(grace is not None and grace >= SHUTDOWN_S, f"kubernetes tome: terminationGracePeriodSeconds {grace} < {SHUTDOWN_S}")
        c = spec["containers"][0]
        tcfg = d.load_yaml(os.path.join(kdir, "tome.yaml"))
        check(c["ports"][0]["containerPort"] == tcfg["production"]["server"]["port"], "kubernetes tome: containerPort != config port")
        r = subprocess.run([tome, "check-config", os.path.join(kdir, "tome.yaml")],
                           env=dict(os.environ, TOME_ENV="production", OTEL_SDK_DISABLED="true"), capture_output=True, text=True)
        check(r.returncode == 0, f"tome check-config kubernetes tome.yaml: {r.stdout[-500:]}{r.stderr[-500:]}")

for (kind, name), svc in kinds.items():
    if kind != "Service":
        continue
    dep = kinds.get(("Deployment", name))
    check(dep is not None, f"kubernetes Service {name} selects no Deployment")
    if dep:
        c = dep["spec"]["template"]["spec"]["containers"][0]
        named = {p["name"]: p["containerPort"] for p in c["ports"]}
        check(svc["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items(), f"Service {name} selector")
        for p in svc["spec"]["ports"]:
            check(p["targetPort"] in named or p["targetPort"] in named.values(), f"Service {name}: targetPort {p['targetPort']}")

# The agent sends to the gateway's Service on a port the gateway listens on.
agent = d.load_yaml(os.path.join(kdir, "collector-agent-config.yaml"))
gw_ports = {p["port"] for p in kinds[("Service", "otel-gateway")]["spec"]["ports"]}
res = agent["exporters"]["loadbalancing"]["resolver"]["dns"]
check(res["hostname"].startswith("otel-gateway.") and res["port"] in gw_ports, f"agent loadbalancing resolver {res}")
check(kinds[("Service", "otel-gateway")]["spec"].get("clusterIP") == "None", "the gateway Service must be headless for the DNS resolver")
agent_ports = {p["containerPort"] for p in kinds[("DaemonSet", "otel-agent")]["spec"]["template"]["spec"]["containers"][0]["ports"]}
for proto in ("grpc", "http"):
    check(host_port(agent["receivers"]["otlp"]["protocols"][proto]["endpoint"])[1] in agent_ports, f"agent {proto} port not exposed")
tome_env = {e["name"]: e.get("value") for e in kinds[("Deployment", "tome")]["spec"]["template"]["spec"]["containers"][0]["env"]}
check(tome_env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").endswith(":4318"), "kubernetes tome must send OTLP/HTTP to its node's agent")

d.finish()
print(f"compose and kubernetes OK: {len(services)} compose services, {len(docs)} kubernetes objects, {len(addresses)} addresses resolved")
