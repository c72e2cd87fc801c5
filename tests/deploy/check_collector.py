"""deploy.collector_config: the Collector configs (deploy/collector/config.yaml and the
Kubernetes agent and gateway) are consistent: every component a pipeline uses is defined, every
defined one is used, memory_limiter comes first in every pipeline, receivers bind explicit
addresses, push exporters retry and queue on disk, and the gateway's tail sampling is exactly
tome's four rules (errors, business.order_value > 1000 as an OTTL condition that reads doubles,
premium tier, 10 % of the rest), OR'ed, with no invert_match and no numeric_attribute."""
import re
import sys

import deploylib as d

KINDS = ("receivers", "processors", "exporters", "connectors")
failures = d.failures
check = d.check


def check_config(name, cfg, sampling):
    service = cfg.get("service", {})
    pipelines = service.get("pipelines", {})
    check(pipelines, f"{name}: no pipelines")
    defined = {k: set((cfg.get(k) or {}).keys()) for k in KINDS}
    used = {k: set() for k in KINDS}
    connectors_as_receiver, connectors_as_exporter = set(), set()
    for pname, p in pipelines.items():
        procs = p.get("processors", [])
        check(procs and procs[0] == "memory_limiter", f"{name}: pipeline {pname} does not start with memory_limiter: {procs}")
        for r in p.get("receivers", []):
            if r in defined["connectors"]:
                used["connectors"].add(r)
                connectors_as_receiver.add(r)
            else:
                check(r in defined["receivers"], f"{name}: pipeline {pname} uses undefined receiver {r}")
                used["receivers"].add(r)
        for x in procs:
            check(x in defined["processors"], f"{name}: pipeline {pname} uses undefined processor {x}")
            used["processors"].add(x)
        for e in p.get("exporters", []):
            if e in defined["connectors"]:
                used["connectors"].add(e)
                connectors_as_exporter.add(e)
            else:
                check(e in defined["exporters"], f"{name}: pipeline {pname} uses undefined exporter {e}")
                used["exporters"].add(e)
    for k in KINDS:
        unused = defined[k] - used[k]
        check(not unused, f"{name}: {k} defined but used by no pipeline: {sorted(unused)}")
    for c in defined["connectors"]:
        check(c in connectors_as_receiver and c in connectors_as_exporter,
              f"{name}: connector {c} must be an exporter of one pipeline and a receiver of another")
    ext_defined = set((cfg.get("extensions") or {}).keys())
    ext_used = set(service.get("extensions", []))
    check(ext_defined == ext_used, f"{name}: extensions defined {sorted(ext_defined)} != enabled {sorted(ext_used)}")

    # Receivers bind explicit addresses.
    for rname, r in (cfg.get("receivers") or {}).items():
        if rname.split("/")[0] == "otlp":
            for proto in ("grpc", "http"):
                ep = ((r.get("protocols") or {}).get(proto) or {}).get("endpoint")
                check(ep and re.fullmatch(r"[\w.\-]+:\d+", ep), f"{name}: receiver {rname} {proto} has no explicit endpoint")

    # Push exporters: retry and a persistent queue (file_storage), or the remote-write WAL.
    storages = {e for e in ext_defined if e.split("/")[0] == "file_storage"}
    for ename, e in (cfg.get("exporters") or {}).items():
        kind = ename.split("/")[0]
        if kind == "debug":
            continue
        settings = e
        if kind == "loadbalancing":
            settings = e["protocol"]["otlp"]
        retry = settings.get("retry_on_failure") or {}
        check(retry.get("enabled") is True, f"{name}: exporter {ename} does not retry")
        if kind == "prometheusremotewrite":
            check((e.get("wal") or {}).get("directory"), f"{name}: exporter {ename} has no WAL directory")
        else:
            q = settings.get("sending_queue") or {}
            check(q.get("enabled") is True and q.get("storage") in storages,
                  f"{name}: exporter {ename} has no persistent sending queue (storage {q.get('storage')} not in {sorted(storages)})")

    ml = (cfg.get("processors") or {}).get("memory_limiter") or {}
    check(ml.get("limit_mib") or ml.get("limit_percentage"), f"{name}: memory_limiter has no limit")

    ts = (cfg.get("processors") or {}).get("tail_sampling")
    if not sampling:
        check(ts is None, f"{name}: the agent must not tail-sample (it sees only part of each trace)")
        return
    check(ts is not None, f"{name}: no tail_sampling processor")
    if ts is None:
        return
    pols = ts.get("policies", [])
    types = [p["type"] for p in pols]
    check(sorted(types) == sorted(["status_code", "ottl_condition", "string_attribute", "probabilistic"]),
          f"{name}: tail-sampling policies are {types}")
    check("numeric_attribute" not in types, f"{name}: numeric_attribute ignores doubles (business.order_value)")
    for p in pols:
        body = p.get(p["type"], {})
        check("invert_match" not in str(body), f"{name}: policy {p['name']} uses invert_match")
        if p["type"] == "status_code":
            check(body.get("status_codes") == ["ERROR"], f"{name}: status_code policy keeps {body.get('status_codes')}")
        elif p["type"] == "ottl_condition":
            conds = body.get("span", [])
            check(any(re.fullmatch(r'attributes\["business\.order_value"\]\s*>\s*1000(\.0*)?', c.strip()) for c in conds),
                  f"{name}: OTTL policy does not keep business.order_value > 1000: {conds}")
        elif p["type"] == "string_attribute":
            check(body.get("key") == "business.customer_tier" and body.get("values") == ["premium"],
                  f"{name}: string_attribute policy is {body}")
        elif p["type"] == "probabilistic":
            check(body.get("sampling_percentage") == 10, f"{name}: probabilistic keeps {body.get('sampling_percentage')} %")
    check(ts.get("decision_wait") and ts.get("num_traces"), f"{name}: tail_sampling needs decision_wait and num_traces sized")
    # Span metrics must see every span: the connector sits before tail sampling.
    for pname, p in (cfg["service"]["pipelines"]).items():
        if "tail_sampling" in p.get("processors", []):
            check("spanmetrics" not in p.get("exporters", []),
                  f"{name}: spanmetrics would only see sampled spans in pipeline {pname}")


main = d.load_yaml(d.path("collector", "config.yaml"))
gateway = d.load_yaml(d.path("kubernetes", "base", "collector-gateway-config.yaml"))
agent = d.load_yaml(d.path("kubernetes", "base", "collector-agent-config.yaml"))
check_config("deploy/collector/config.yaml", main, sampling=True)
check_config("kubernetes gateway", gateway, sampling=True)
check_config("kubernetes agent", agent, sampling=False)

# The agent routes traces by trace id (all of a trace's spans meet in one gateway replica).
lb = agent["exporters"].get("loadbalancing", {})
check(lb.get("routing_key") == "traceID", "kubernetes agent: loadbalancing must route by traceID")
check("loadbalancing" in agent["service"]["pipelines"]["traces"]["exporters"], "kubernetes agent: traces must go through loadbalancing")


# The gateway is the Compose Collector with in-cluster addresses, nothing else.
def strip_endpoints(cfg):
    out = yaml_copy(cfg)
    for e in out["exporters"].values():
        e.pop("endpoint", None)
    return out


def yaml_copy(x):
    import copy
    return copy.deepcopy(x)


check(strip_endpoints(main) == strip_endpoints(gateway),
      "kubernetes gateway config differs from deploy/collector/config.yaml beyond exporter endpoints")

d.finish()
print("collector configs OK: 3 configs, pipelines, memory_limiter first, exporters retry and queue on disk, 4 tail-sampling policies")
