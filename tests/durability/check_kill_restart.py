#!/usr/bin/env python3
"""durability.kill_restart: a real `tome serve` keeps its network in SQLite (TOME_DATA_DIR) and
loses nothing it acknowledged when it is killed with SIGKILL.

Each round (--rounds, default 3) starts tome on a fresh data directory, builds a ring of 3 new
tomes and sends one event into it (each ring tome gets it exactly once), then sends up to 1,000
mixed changes, one after the other on one keep-alive connection: tome creates and deletes,
connection creates and deletes, 3-tome rings, toggle changes (one and several at once), events
into the tomes the API created, and a few requests the model knows are refused (400/404/409).
A Python model predicts every answer (its status, and each event's deliveries with their state
transitions). When the K-th change (K random in [100, 900]) has been acknowledged, another
thread sends SIGKILL 0 to 3 ms later (a change takes about 1.5 ms) while the driver goes on
sending, so the kill lands in the middle of a request, whose answer never comes: that change is
"in flight"; tome may have made it durable or not. Once, at a random point well before the kill,
the driver pauses for 1.2 s, so that the state of every tome as it was then must come back.

tome is restarted on the same directory, and then:
  - every acknowledged tome create is there with its definition (a deleted tome's id created
    again: the new one, from its own state), every acknowledged delete is absent, refused creates
    (400/409) never appear; the config's tomes and connections are there;
  - every acknowledged connection is there with the same id, source and target, deleted ones are
    absent; the toggles have the acknowledged values;
  - the change in flight is there whole or not at all (a ring: its 3 connections or none; a
    tome: with its whole definition or not at all; several toggles: all or none), and its audit
    record is there exactly when it is;
  - every answered change request has its audit record (same trace id, method, route, status);
  - tome states are written behind (storage.stateFlushMs): each tome's restored eventsReceived is
    at least the number of its events acknowledged more than 1.0 s before the kill, at most the
    number sent to it, and its state, context and counters are exactly the model's after that
    many events (never half written);
  - the first ring forwards an event exactly once to each of its tomes, as before the kill.
Then SIGTERM (exit 0); a further start must show the same tomes, states and connections exactly
(the last states are written at a clean stop), and SIGTERM again.

Last, refusals at start: a file of random bytes, a real store truncated in the middle of a page,
a real store whose PRAGMA user_version says a newer format, and an SQLite file of another
application: each stops tome with exit code 2 and a clear message, tome.db is unchanged and
nothing was written to its WAL.

Python 3 standard library only; loopback only. TOME_TEST_TIME_SCALE stretches the deadlines.
Usage: check_kill_restart.py [--tome PATH] [--config PATH] [--seed N] [--rounds N]
"""
import argparse
import copy
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "python"))
from tome_server import SCALE, Failure, TomeServer, check, short, tome_env, wait_for_binary  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

READY_RE = re.compile(rb"tome \S+ listening on http://127\.0\.0\.1:(\d+)")
HOP_LIMIT = 16          # development.connector.hopLimit
KILL_RANGE = (100, 900)
KILL_DELAY_S = 0.003    # the killer waits 0 to this long after the K-th acknowledgement
SAFE_TOGGLES = ["enable-advanced-validation", "enable-kotlin-backend", "enable-health-monitoring"]
WORDS = ["amber", "birch", "cobalt", "dune", "ember", "fjord", "garnet", "harbor", "iris", "jade", "zz"]
EVENT_TYPES = ["GO", "GO", "BACK", "PING", "PING", "PONG", "STEP", "STEP", "END", "SYNC_STATE", "NOPE"]
# Change mix (weights).
MIX = [("create", 22), ("delete_tome", 7), ("connect", 16), ("disconnect", 8), ("ring", 4),
       ("toggle", 5), ("toggles", 2), ("event", 36)]
ROUTE = {  # route template of each change kind, as the audit trail names it
    "create": "/api/tomes", "delete_tome": "/api/tomes/{id}", "connect": "/api/connections",
    "disconnect": "/api/connections/{id}", "ring": "/api/networks/ring", "toggle": "/api/toggles/{name}",
    "toggles": "/api/toggles", "event": None}
MISSING = object()


# ---------------------------------------------------------------------------------------------
# The tome process

class Server(TomeServer):
    """One `tome serve` run on `data_dir`; stdout and stderr go to <data_dir>/<name>.log."""

    def __init__(self, opts, data_dir, name):
        super().__init__(opts.tome, opts.config, name, os.path.join(data_dir, name + ".log"),
                         tome_env(data_dir, TOME_LOG_LEVEL="warn"), data_dir, READY_RE)
        self.data_dir = data_dir


class Api:
    """One keep-alive HTTP/1.1 connection to tome."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10 * SCALE)

    def send(self, method, path, body=None, trace_id=None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if trace_id is not None:
            headers["traceparent"] = f"00-{trace_id}-{trace_id[:16]}-01"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        try:
            doc = json.loads(raw)
        except ValueError:
            raise Failure(f"{method} {path}: the {resp.status} answer is not JSON: {raw[:300]!r}")
        return resp.status, doc

    def get(self, path):
        status, doc = self.send("GET", path)
        check(status == 200 and doc.get("success") is True, f"GET {path}: {status} {short(doc)}")
        return doc["data"]

    def close(self):
        self.conn.close()


# ---------------------------------------------------------------------------------------------
# Tome definitions and a Python model of how a tome handles an event (core/src/tome.cpp)

def find_path(doc, path):
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def set_path(doc, path, value):
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def merge_into(target, updates):
    for k, v in updates.items():
        if isinstance(target.get(k), dict) and isinstance(v, dict):
            merge_into(target[k], v)
        else:
            target[k] = v


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def guard_holds(guard, context):
    actual = find_path(context, guard["field"])
    op = guard["op"]
    if op == "exists":
        return actual is not MISSING and actual is not None
    if actual is MISSING:
        return op == "!="
    if op == "==":
        return actual == guard["value"]
    if op == "!=":
        return actual != guard["value"]
    if not is_number(actual) or not is_number(guard["value"]):
        return False
    a, b = float(actual), float(guard["value"])
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def initial_snapshot(definition):
    return {"state": definition["initial"], "context": copy.deepcopy(definition.get("context", {})),
            "eventsReceived": 0, "transitions": 0, "eventsIgnored": 0}


def step(definition, snap, etype, payload):
    """Applies one event to `snap` in place; returns (handled, from, to)."""
    frm = snap["state"]
    snap["eventsReceived"] += 1
    handled = False
    if etype == "SYNC_STATE":
        updates = find_path(payload, "updates")
        if isinstance(updates, dict):
            merge_into(snap["context"], copy.deepcopy(updates))
            handled = True
    else:
        sdef = definition["states"][frm]
        on = sdef.get("on", {})
        if sdef.get("type") != "final" and etype in on:
            t = on[etype]
            t = {"target": t} if isinstance(t, str) else t
            if "guard" not in t or guard_holds(t["guard"], snap["context"]):
                assign = t.get("assign", {})
                for ctx_path in sorted(assign):
                    v = find_path(payload, assign[ctx_path])
                    if v is not MISSING:
                        set_path(snap["context"], ctx_path, copy.deepcopy(v))
                snap["state"] = t["target"]
                snap["transitions"] += 1
                handled = True
    if not handled:
        snap["eventsIgnored"] += 1
    return handled, frm, snap["state"]


def tome_definition(rng, tome_id):
    """A valid definition, already in the shape GET /api/tomes/{id} gives back (ToJson)."""
    kind = rng.randrange(3)
    if kind == 0:
        return {"id": tome_id, "initial": "idle", "context": {"n": 0, "last": None, "tag": rng.choice(WORDS)},
                "states": {
                    "idle": {"on": {"GO": {"target": "busy", "assign": {"last": "v", "n": "n"}}, "PING": "idle"}},
                    "busy": {"on": {"BACK": "idle",
                                    "GO": {"target": "busy", "guard": {"field": "n", "op": ">", "value": 50},
                                           "assign": {"n": "n"}},
                                    "STEP": {"target": "idle", "assign": {"meta.step": "n"}}}}}}
    if kind == 1:
        return {"id": tome_id, "initial": "a", "context": {"hits": 0, "who": "", "meta": {"k": 0}},
                "states": {
                    "a": {"on": {"GO": "b", "STEP": {"target": "b", "assign": {"who": "v"}}}},
                    "b": {"on": {"BACK": "a",
                                 "STEP": {"target": "c", "guard": {"field": "who", "op": "!=", "value": "zz"}}}},
                    "c": {"on": {"END": "done", "GO": {"target": "c", "guard": {"field": "meta.k", "op": "exists"}},
                                 "STEP": {"target": "a", "assign": {"hits": "n"}}}},
                    "done": {"type": "final"}}}
    return {"id": tome_id, "initial": "left", "context": {"score": 0, "who": None, "deep": {"a": {"b": 1}}},
            "states": {
                "left": {"on": {"GO": "right",
                                "PING": {"target": "right", "guard": {"field": "score", "op": "<=", "value": 60},
                                         "assign": {"deep.a.c": "v", "score": "n"}}}},
                "right": {"on": {"BACK": {"target": "left", "assign": {"who": "v"}},
                                 "PING": {"target": "left", "guard": {"field": "who", "op": "==", "value": "amber"}},
                                 "PONG": "left"}}}}


def invalid_definition(rng, tome_id):
    """Refused with 400: a transition to a state that does not exist."""
    return {"id": tome_id, "initial": "idle", "context": {"n": rng.randrange(10)},
            "states": {"idle": {"on": {"GO": "nowhere"}}}}


def event_body(rng):
    etype = rng.choice(EVENT_TYPES)
    if etype == "SYNC_STATE":
        updates = rng.choice([{"meta": {"k": rng.randrange(10)}}, {"score": rng.randrange(100)},
                              {"deep": {"a": {"z": rng.choice(WORDS)}}}])
        return etype, {"updates": updates}
    payload = {"n": rng.randrange(101)}
    if rng.random() < 0.8:
        payload["v"] = rng.choice(WORDS)
    return etype, payload


# ---------------------------------------------------------------------------------------------
# The model of what the API acknowledged

class TomeModel:
    def __init__(self, definition):
        self.definition = definition
        self.history = []   # (type, payload, ack time) of every acknowledged delivery, in order
        self.current = initial_snapshot(definition)

    def after(self, events):
        snap = initial_snapshot(self.definition)
        for etype, payload in events:
            step(self.definition, snap, etype, payload)
        return snap


class Model:
    def __init__(self, toggles):
        self.tomes = {}            # alive API-created tomes
        self.deleted = {}          # deleted API-created tomes
        self.refused = set()       # fresh ids whose create was refused: must never appear
        self.conns = {}            # id -> (source, target), API-created and alive
        self.deleted_conns = {}
        self.pairs = set()         # directed (source, target) of every connection the API keeps
        self.toggles = dict(toggles)
        self.fresh = []            # alive API tomes in no connection (material for new rings)
        self.protected = set()     # the first ring's tomes: no other change touches them
        self.audited = []          # (trace id, method, route, status) of each answered change request
        self.counter = 0

    def new_id(self, prefix):
        self.counter += 1
        return f"{prefix}-t{self.counter}"

    def free(self):
        return sorted(t for t in self.tomes if t not in self.protected)

    def reach(self, origin):
        """Tomes an event sent to `origin` is delivered to (BFS, one-way links, hop limit)."""
        links = {}
        for s, t in self.conns.values():
            links.setdefault(s, []).append(t)
        seen, frontier, hop = {origin}, [origin], 0
        while frontier and hop < HOP_LIMIT:
            nxt = []
            for x in frontier:
                for y in links.get(x, []):
                    if y not in seen and (y in self.tomes or y in CONFIG_TOMES):
                        seen.add(y)
                        nxt.append(y)
            frontier, hop = nxt, hop + 1
        return seen


CONFIG_TOMES = set()  # filled at the first start


class Op:
    def __init__(self, kind, method, path, body, expect, **info):
        self.kind, self.method, self.path, self.body, self.expect = kind, method, path, body, expect
        self.info = info
        self.trace = None

    def describe(self):
        return f"{self.kind} {self.method} {self.path} {short(self.body, 200) if self.body is not None else ''}"


def next_op(rng, m, prefix):
    """A random change, with the status the model expects for it."""
    kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
    free = m.free()
    x = rng.random()
    if kind == "delete_tome":
        if x < 0.1 and m.deleted:
            tid = rng.choice(sorted(m.deleted))
            return Op(kind, "DELETE", f"/api/tomes/{tid}", None, 404, id=tid)
        if len(free) > 4:
            tid = rng.choice(free)
            return Op(kind, "DELETE", f"/api/tomes/{tid}", None, 200, id=tid)
        kind = "create"
    if kind in ("connect", "ring") and len(free) < 4:
        kind = "create"
    if kind == "connect":
        if x < 0.08 and m.deleted:
            s, t = rng.choice(sorted(m.deleted)), rng.choice(free)
        elif x < 0.2 and any(s in free and t in free for s, t in m.conns.values()):
            s, t = rng.choice(sorted((s, t) for s, t in m.conns.values() if s in free and t in free))
        else:
            s, t = rng.sample(free, 2)
        expect = 404 if (s not in m.tomes or t not in m.tomes) else 409 if (s, t) in m.pairs else 201
        return Op(kind, "POST", "/api/connections",
                  {"sourceTome": s, "targetTome": t, "config": {"bidirectional": False}}, expect, pair=(s, t))
    if kind == "disconnect":
        if x < 0.1 and m.deleted_conns:
            cid = rng.choice(sorted(m.deleted_conns))
            return Op(kind, "DELETE", f"/api/connections/{cid}", None, 404, id=cid)
        mine = sorted(c for c, pair in m.conns.items() if not m.protected.intersection(pair))
        if mine:
            cid = rng.choice(mine)
            return Op(kind, "DELETE", f"/api/connections/{cid}", None, 200, id=cid)
        kind = "create"
    if kind == "ring":
        taken = sorted((s, t) for s, t in m.conns.values() if s in free and t in free)
        if x < 0.15 and taken:
            s, t = rng.choice(taken)
            third = rng.choice([f for f in free if f not in (s, t)])
            tomes = [s, t, third]  # s -> t exists: refused, and none of the 3 is created
        elif len(m.fresh) >= 3:
            tomes = m.fresh[-3:]
        else:
            tomes = rng.sample(free, 3)
        pairs = [(tomes[0], tomes[1]), (tomes[1], tomes[2]), (tomes[2], tomes[0])]
        expect = 409 if any(p in m.pairs for p in pairs) else 201
        return Op(kind, "POST", "/api/networks/ring", {"tomes": tomes, "config": {"bidirectional": False}},
                  expect, pairs=pairs)
    if kind == "toggle":
        name, on = rng.choice(SAFE_TOGGLES), rng.random() < 0.5
        return Op(kind, "PUT", f"/api/toggles/{name}", {"enabled": on}, 200, values={name: on})
    if kind == "toggles":
        values = {n: rng.random() < 0.5 for n in rng.sample(SAFE_TOGGLES, rng.choice([2, 3]))}
        body = dict(values)
        if x < 0.2:
            body["enable-no-such-toggle"] = True  # refused whole: none of the others changes
        return Op(kind, "PUT", "/api/toggles", {"toggles": body}, 404 if x < 0.2 else 200, values=values)
    if kind == "event" and free:
        etype, payload = event_body(rng)
        if x < 0.05 and m.deleted:
            tid = rng.choice(sorted(m.deleted))
            return Op(kind, "POST", f"/api/tomes/{tid}/events", {"type": etype, "payload": payload}, 404,
                      origin=tid, etype=etype, payload=payload)
        tid = rng.choice(free)
        return Op(kind, "POST", f"/api/tomes/{tid}/events", {"type": etype, "payload": payload}, 200,
                  origin=tid, etype=etype, payload=payload)
    # create
    if x < 0.05 and free:
        tid = rng.choice(free)
        return Op("create", "POST", "/api/tomes", tome_definition(rng, tid), 409, id=tid)
    if x < 0.11 and m.deleted:
        # A deleted tome's id again: a new tome (new definition, initial state), which the old one's
        # connections, kept, reach again.
        tid = rng.choice(sorted(m.deleted))
        return Op("create", "POST", "/api/tomes", tome_definition(rng, tid), 201, id=tid)
    tid = m.new_id(prefix)
    if x < 0.15:
        return Op("create", "POST", "/api/tomes", invalid_definition(rng, tid), 400, id=tid)
    return Op("create", "POST", "/api/tomes", tome_definition(rng, tid), 201, id=tid)


def apply_answer(m, op, status, doc, now, number):
    """Checks the answer against the model's expectation and records it. True when acknowledged."""
    where = f"change {number} ({op.describe()})"
    check(status == op.expect, f"{where}: expected {op.expect}, got {status}: {short(doc)}")
    check(doc.get("success") is (status < 400), f"{where}: envelope success={doc.get('success')} with {status}")
    if ROUTE[op.kind] is not None:
        m.audited.append((op.trace, op.method, ROUTE[op.kind], status))
    if status >= 400:
        if op.kind == "create" and op.info["id"] not in m.tomes and op.info["id"] not in m.deleted:
            m.refused.add(op.info["id"])
        return False
    data = doc["data"]
    if op.kind == "create":
        tid = op.info["id"]
        check(data.get("id") == tid and data.get("state") == op.body["initial"], f"{where}: answer {short(data)}")
        m.deleted.pop(tid, None)
        m.tomes[tid] = TomeModel(op.body)
        if not any(tid in pair for pair in m.conns.values()):
            m.fresh.append(tid)
    elif op.kind == "delete_tome":
        tid = op.info["id"]
        m.deleted[tid] = m.tomes.pop(tid)
        if tid in m.fresh:
            m.fresh.remove(tid)
    elif op.kind in ("connect", "ring"):
        created = [data] if op.kind == "connect" else data.get("connections", [])
        want = [op.info["pair"]] if op.kind == "connect" else op.info["pairs"]
        got = [(c.get("sourceTome"), c.get("targetTome")) for c in created]
        check(got == want, f"{where}: created {got}, expected {want}")
        for c, pair in zip(created, want):
            cid = c.get("id")
            check(isinstance(cid, str) and cid not in m.conns and cid not in m.deleted_conns,
                  f"{where}: connection id {cid!r} is not new")
            m.conns[cid] = pair
            m.pairs.add(pair)
            for t in pair:
                if t in m.fresh:
                    m.fresh.remove(t)
    elif op.kind == "disconnect":
        cid = op.info["id"]
        pair = m.conns.pop(cid)
        m.deleted_conns[cid] = pair
        m.pairs.discard(pair)
    elif op.kind == "toggle":
        (name, on), = op.info["values"].items()
        check(data.get("enabled") is on, f"{where}: answer {short(data)}")
        m.toggles[name] = on
    elif op.kind == "toggles":
        m.toggles.update(op.info["values"])
        check(data.get("toggles") == m.toggles, f"{where}: toggles {data.get('toggles')} != model {m.toggles}")
    elif op.kind == "event":
        deliveries = data.get("deliveries", [])
        reached = [d.get("tome") for d in deliveries]
        predicted = m.reach(op.info["origin"])
        check(len(reached) == len(set(reached)) and set(reached) == predicted,
              f"{where}: delivered to {reached}, the model says {sorted(predicted)}")
        for d in deliveries:
            check(not d.get("stateSync"), f"{where}: unexpected state sync delivery {short(d)}")
            tm = m.tomes.get(d["tome"])
            check(tm is not None, f"{where}: delivered to {d['tome']}, which is not an API tome")
            handled, frm, to = step(tm.definition, tm.current, op.info["etype"], op.info["payload"])
            check((d.get("fromState"), d.get("handled"), d.get("toState")) == (frm, handled, to),
                  f"{where}: delivery to {d['tome']} {d.get('fromState')}->{d.get('toState')} "
                  f"handled={d.get('handled')}; the model says {frm}->{to} handled={handled}")
            tm.history.append((op.info["etype"], op.info["payload"], now))
    return True


def ring_report(deliveries):
    return [(d.get("tome"), d.get("hop"), d.get("viaConnection")) for d in deliveries]


# ---------------------------------------------------------------------------------------------
# One round: changes, SIGKILL, restart, checks

def fetch_audit(api):
    records = {}
    to = None
    while True:
        path = "/api/audit?limit=1000" + (f"&to={to}" if to is not None else "")
        page = api.get(path)["records"]
        new = [r for r in page if r["seq"] not in records]
        for r in page:
            records[r["seq"]] = r
        if len(page) < 1000 or not new:
            return list(records.values())
        to = min(r["timeUnixMs"] for r in page)


def run_round(opts, rnd, seed, workdir, config_view):
    t0 = time.monotonic()
    rng = random.Random(seed)
    prefix = f"r{rnd}"
    data_dir = os.path.join(workdir, f"round{rnd}")
    os.makedirs(data_dir)
    servers = []

    def trace():
        return f"{rng.getrandbits(128) | 1:032x}"

    try:
        first = Server(opts, data_dir, "first").start()
        servers.append(first)
        check(os.path.isfile(os.path.join(data_dir, "tome.db")),
              f"no store at {data_dir}/tome.db after the start (TOME_DATA_DIR not honoured?)")
        api = Api(first.port)
        tomes0 = {t["id"]: t for t in api.get("/api/tomes")["tomes"]}
        conns0 = {c["id"]: (c["sourceTome"], c["targetTome"]) for c in api.get("/api/connections")["connections"]}
        toggles0 = api.get("/api/toggles")["toggles"]
        if config_view is None:
            config_view = (tomes0, conns0, toggles0)
            CONFIG_TOMES.update(tomes0)
        check(tomes0 == config_view[0] and conns0 == config_view[1],
              f"a fresh start has other config tomes/connections than the first round's")
        check(len(tomes0) >= 1 and len(conns0) >= 1, "the config defines no tomes or no connections")
        for name in SAFE_TOGGLES + ["enable-event-routing"]:
            check(name in toggles0, f"toggle {name} is not in GET /api/toggles: {toggles0}")
        check(toggles0["enable-event-routing"] is True, "enable-event-routing is off in the config")
        m = Model(toggles0)

        number = 0

        def do(op):
            nonlocal number
            number += 1
            op.trace = trace()
            status, doc = api.send(op.method, op.path, op.body, op.trace)
            return apply_answer(m, op, status, doc, time.monotonic(), number)

        # The first ring: 3 new tomes, one event into it.
        ring0 = [m.new_id(prefix + "ring") for _ in range(3)]
        for tid in ring0:
            do(Op("create", "POST", "/api/tomes", tome_definition(rng, tid), 201, id=tid))
        pairs0 = [(ring0[0], ring0[1]), (ring0[1], ring0[2]), (ring0[2], ring0[0])]
        do(Op("ring", "POST", "/api/networks/ring", {"tomes": ring0, "config": {"bidirectional": False}}, 201,
              pairs=pairs0))
        m.protected.update(ring0)
        m.fresh = [t for t in m.fresh if t not in m.protected]
        etype, payload = "GO", {"n": 7, "v": "amber"}
        op = Op("event", "POST", f"/api/tomes/{ring0[0]}/events", {"type": etype, "payload": payload}, 200,
                origin=ring0[0], etype=etype, payload=payload)
        op.trace = trace()
        status, doc = api.send(op.method, op.path, op.body, op.trace)
        apply_answer(m, op, status, doc, time.monotonic(), 0)
        ring_before = ring_report(doc["data"]["deliveries"])
        check(sorted(t for t, _, _ in ring_before) == sorted(ring0) and [h for _, h, _ in ring_before] == [0, 1, 2],
              f"the first ring's event: deliveries {ring_before}, expected each of {ring0} once, hops 0, 1, 2")
        check(doc["data"].get("dropped") == {"already_visited": 1},
              f"the first ring's event drops {doc['data'].get('dropped')}, not one already_visited")
        setup_changes = number

        # Up to opts.changes changes; SIGKILL right after the K-th acknowledged one.
        kill_at = rng.randint(*KILL_RANGE)
        # The driver pauses once, a little longer than --stale, at a random point well before the
        # kill: the tome states of everything before the pause must then be restored exactly.
        pause_at = rng.randint(kill_at // 4, kill_at * 3 // 4)
        # 0 to 3 ms after the K-th answer: anywhere in the next request or two (a change takes about
        # 1.5 ms), from before tome reads it to after it committed but before it answered.
        delay = rng.uniform(0, KILL_DELAY_S)
        fire = threading.Event()
        killed = {}

        def killer():
            fire.wait()
            if delay > 0:
                time.sleep(delay)
            killed["t"] = time.monotonic()
            os.kill(first.proc.pid, signal.SIGKILL)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        acked = answered = 0
        inflight = None
        drive_start = time.monotonic()
        for _ in range(opts.changes):
            op = next_op(rng, m, prefix)
            try:
                ok = do(op)
            except (OSError, http.client.HTTPException) as e:
                if not fire.is_set():
                    raise Failure(f"change {number} ({op.describe()}) failed before the kill: {e!r}\n" + first.tail())
                inflight = op
                break
            answered += 1
            if ok:
                acked += 1
                if acked == kill_at:
                    fire.set()
                elif acked == pause_at:
                    time.sleep(opts.stale + 0.2)
        else:
            fire.set()
            raise Failure(f"all {opts.changes} changes were answered: the SIGKILL after change {kill_at} did not land")
        drive_s = time.monotonic() - drive_start
        thread.join(10)
        api.close()
        rc = first.reap()
        check(rc == -signal.SIGKILL, f"the first tome ended with {rc}, not by SIGKILL")
        kill_t = killed["t"]

        # Restart on the same store.
        second = Server(opts, data_dir, "second").start()
        servers.append(second)
        api = Api(second.port)
        stats = verify_restored(api, m, inflight, kill_t, opts.stale, config_view)
        # The first ring forwards exactly once, as before.
        status, doc = api.send("POST", f"/api/tomes/{ring0[0]}/events", {"type": "PING", "payload": {"n": 1}})
        check(status == 200, f"event into the first ring after the restart: {status} {short(doc)}")
        ring_after = ring_report(doc["data"]["deliveries"])
        check(ring_after == ring_before,
              f"after the restart the first ring delivers {ring_after}; before the kill it delivered {ring_before}")
        check(doc["data"].get("dropped") == {"already_visited": 1},
              f"after the restart the first ring's event drops {doc['data'].get('dropped')}")

        # A clean stop keeps everything, the states included, exactly.
        views = {t["id"]: t for t in api.get("/api/tomes")["tomes"]}
        conns = sorted((c["id"], c["sourceTome"], c["targetTome"], json.dumps(c["config"], sort_keys=True))
                       for c in api.get("/api/connections")["connections"])
        toggles = api.get("/api/toggles")["toggles"]
        api.close()
        rc = second.stop()
        check(rc == 0, f"tome exited with {rc} on SIGTERM, not 0:\n" + second.tail())
        third = Server(opts, data_dir, "third").start()
        servers.append(third)
        api = Api(third.port)
        views3 = {t["id"]: t for t in api.get("/api/tomes")["tomes"]}
        for tid in sorted(set(views) | set(views3)):
            check(views.get(tid) == views3.get(tid),
                  f"after a clean stop and start, tome {tid} is {short(views3.get(tid))}; "
                  f"before the stop it was {short(views.get(tid))}")
        conns3 = sorted((c["id"], c["sourceTome"], c["targetTome"], json.dumps(c["config"], sort_keys=True))
                        for c in api.get("/api/connections")["connections"])
        check(conns3 == conns, "after a clean stop and start the connections differ: "
              f"{sorted(set(conns) ^ set(conns3))[:6]}")
        check(api.get("/api/toggles")["toggles"] == toggles, "after a clean stop and start the toggles differ")
        api.close()
        rc = third.stop()
        check(rc == 0, f"tome exited with {rc} on SIGTERM, not 0:\n" + third.tail())

        stats.update(kill_at=kill_at, pause_at=pause_at, delay_ms=delay * 1000, answered=answered, acked=acked,
                     setup=setup_changes, inflight=inflight.kind if inflight else "-", drive_s=drive_s,
                     seconds=time.monotonic() - t0, data_dir=data_dir)
        return stats, config_view
    except Failure as e:
        logs = "\n".join(f"--- {s.name}.log (tail) ---\n{s.tail(1500)}" for s in servers)
        raise Failure(f"round {rnd} (seed {seed}): {e}\n{logs}") from None
    finally:
        for s in servers:
            s.cleanup()


def verify_restored(api, m, inflight, kill_t, stale_s, config_view):
    """Everything acknowledged is back; the change in flight is whole or absent."""
    config_tomes, config_conns, _ = config_view
    views = {t["id"]: t for t in api.get("/api/tomes")["tomes"]}
    conns = {c["id"]: (c["sourceTome"], c["targetTome"]) for c in api.get("/api/connections")["connections"]}
    toggles = api.get("/api/toggles")["toggles"]
    audit = fetch_audit(api)
    kind = inflight.kind if inflight else None
    present = None  # whether the change in flight is there (None: cannot tell / nothing to tell)

    # Tomes.
    expected = set(config_tomes) | set(m.tomes)
    extra, missing = set(views) - expected, expected - set(views)
    if kind == "create" and inflight.expect == 201:
        tid = inflight.info["id"]
        check(extra <= {tid}, f"tomes nobody created are there: {sorted(extra - {tid})}")
        present = tid in views
        if present:
            d = api.get(f"/api/tomes/{tid}")
            check(d.get("definition") == inflight.body,
                  f"the tome created in flight, {tid}, is there with definition {short(d.get('definition'))}, "
                  f"not the whole one sent: {short(inflight.body)}")
            init = initial_snapshot(inflight.body)
            got = {k: d.get(k) for k in init}
            check(got == init, f"the tome created in flight, {tid}, is there in {short(got)}, not {short(init)}")
    else:
        check(not extra, f"tomes that were deleted, refused or never created are there: {sorted(extra)[:10]}")
    if kind == "delete_tome" and inflight.expect == 200:
        tid = inflight.info["id"]
        check(missing <= {tid}, f"acknowledged tomes are missing: {sorted(missing - {tid})[:10]}")
        present = tid not in views
    else:
        check(not missing, f"acknowledged tomes are missing after the restart: {sorted(missing)[:10]}")
    for tid, view in config_tomes.items():
        check(views.get(tid) == view, f"config tome {tid} is {short(views.get(tid))}, not {short(view)}")

    # Definitions and states of the API's tomes.
    inflight_reach = set()
    if kind == "event" and inflight.expect == 200:
        inflight_reach = m.reach(inflight.info["origin"])
    lost_events = behind = old_events = 0
    for tid, tm in sorted(m.tomes.items()):
        if tid not in views:
            continue  # deleted in flight
        d = api.get(f"/api/tomes/{tid}")
        check(d.get("definition") == tm.definition,
              f"tome {tid}: definition {short(d.get('definition'))} != acknowledged {short(tm.definition)}")
        n = d.get("eventsReceived")
        acked = len(tm.history)
        old = sum(1 for _, _, t in tm.history if t < kill_t - stale_s)
        old_events += old
        upper = acked + (1 if tid in inflight_reach else 0)
        check(isinstance(n, int) and old <= n <= upper,
              f"tome {tid}: restored eventsReceived {n}; {acked} events were acknowledged "
              f"({old} of them more than {stale_s} s before the kill), {upper - acked} more in flight")
        events = [(e, p) for e, p, _ in tm.history]
        if n > acked:
            events.append((inflight.info["etype"], inflight.info["payload"]))
        want = tm.after(events[:n])
        got = {k: d.get(k) for k in want}
        check(got == want, f"tome {tid}: restored after {n} events as {short(got, 600)}; after {n} events it was "
                           f"{short(want, 600)} (half written?)")
        lost_events += acked - min(n, acked)
        behind += 1 if n < acked else 0

    # Connections.
    expected_conns = dict(config_conns)
    expected_conns.update(m.conns)
    extra = {c: conns[c] for c in set(conns) - set(expected_conns)}
    missing = set(expected_conns) - set(conns)
    for cid in set(conns) & set(expected_conns):
        check(conns[cid] == expected_conns[cid],
              f"connection {cid} joins {conns[cid]}; acknowledged as {expected_conns[cid]}")
    if kind in ("connect", "ring") and inflight.expect == 201:
        want = [inflight.info["pair"]] if kind == "connect" else inflight.info["pairs"]
        got = sorted(extra.values())
        check(not extra or got == sorted(want),
              f"the {kind} in flight ({short(inflight.body)}) left connections {sorted(extra.items())}: "
              f"expected all of {want} or none")
        present = bool(extra)
    else:
        check(not extra, f"connections that were deleted or never acknowledged are there: {sorted(extra.items())[:6]}")
    if kind == "disconnect" and inflight.expect == 200:
        cid = inflight.info["id"]
        check(missing <= {cid}, f"acknowledged connections are missing: {sorted(missing - {cid})[:6]}")
        present = cid not in conns
    else:
        check(not missing, f"acknowledged connections are missing after the restart: {sorted(missing)[:6]}")

    # Toggles.
    changing = {}
    if kind in ("toggle", "toggles") and inflight.expect == 200:
        changing = {n: v for n, v in inflight.info["values"].items() if m.toggles.get(n) != v}
    for name, on in m.toggles.items():
        if name in changing:
            continue
        check(toggles.get(name) == on, f"toggle {name} is {toggles.get(name)}; acknowledged {on}")
    if changing:
        now_new = {n: toggles.get(n) == v for n, v in changing.items()}
        check(len(set(now_new.values())) == 1,
              f"the toggle change in flight ({short(inflight.body)}) is half there: {toggles}")
        present = next(iter(now_new.values()))

    # Audit: one record per answered change request; the change in flight's exactly when it is there.
    by_trace = {}
    for r in audit:
        by_trace.setdefault(r.get("traceId"), []).append(r)
    for trace_id, method, route, status in m.audited:
        recs = by_trace.pop(trace_id, [])
        check(len(recs) == 1, f"{len(recs)} audit records for the answered {method} {route} ({status}, trace "
                              f"{trace_id}); expected 1")
        r = recs[0]
        check((r.get("method"), r.get("route"), r.get("status")) == (method, route, status),
              f"audit record {short(r)} for {method} {route} answered {status}")
    inflight_audit = by_trace.pop(inflight.trace, []) if inflight is not None else []
    check(not by_trace, f"audit records for requests nobody made: {short(list(by_trace.values()))}")
    check(len(inflight_audit) <= 1, f"{len(inflight_audit)} audit records for the change in flight")
    if present is not None:
        check(bool(inflight_audit) == present,
              f"the change in flight ({inflight.describe()}) is {'there' if present else 'absent'} but its "
              f"audit record is {'there' if inflight_audit else 'absent'}")

    return {"tomes": len(views), "api_tomes": sum(1 for t in views if t not in config_tomes),
            "conns": len(conns), "audit": len(audit), "behind": behind, "lost_events": lost_events,
            "old_events": old_events,
            "deliveries": sum(len(tm.history) for tm in m.tomes.values()),
            "present": ("there, with its audit record" if present else "absent, and its audit record too")
            if present is not None else
            "an event: checked by the per-tome bounds" if kind == "event" else
            f"answered {inflight.expect} had it been answered: changes nothing" if inflight and inflight.expect >= 400 else
            "the value it sets was already there" if kind in ("toggle", "toggles") else "-"}


# ---------------------------------------------------------------------------------------------
# Refusals at start

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expect_refusal(opts, data_dir, what, needles):
    store = os.path.join(data_dir, "tome.db")
    before = sha256(store)
    wait_for_binary(opts.tome)
    cmd = [opts.tome, "serve", "--port", "0", "--host", "127.0.0.1", "--config", opts.config]
    out_path, err_path = os.path.join(data_dir, "refusal.out"), os.path.join(data_dir, "refusal.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=tome_env(data_dir),
                                cwd=data_dir)
        try:
            rc = proc.wait(timeout=20 * SCALE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = None
    with open(out_path, "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    check(rc is not None, f"{what}: tome did not stop within {20 * SCALE} s (it started?):\n{stdout[-800:]}")
    check(rc == 2, f"{what}: tome exited with {rc}, not 2\nstderr: {stderr[-800:]}\nstdout: {stdout[-400:]}")
    check(any(n in stderr for n in needles), f"{what}: stderr does not say {' or '.join(map(repr, needles))}: "
                                            f"{stderr[-800:]!r}")
    check(sha256(store) == before, f"{what}: tome.db was changed by the refused start")
    wal = store + "-wal"  # what a WAL holds is the store's too: the next open would apply it
    check(not os.path.exists(wal) or os.path.getsize(wal) == 0,
          f"{what}: the refused start wrote {os.path.getsize(wal) if os.path.exists(wal) else 0} bytes to {wal}")
    line = next((l for l in stderr.splitlines() if any(n in l for n in needles)), stderr.strip())
    return line


def real_store(src_dir, dst_dir):
    """A copy of a store tome stopped cleanly, checkpointed so that tome.db holds everything."""
    os.makedirs(dst_dir)
    for name in ("tome.db", "tome.db-wal"):
        if os.path.exists(os.path.join(src_dir, name)):
            shutil.copy(os.path.join(src_dir, name), os.path.join(dst_dir, name))
    path = os.path.join(dst_dir, "tome.db")
    db = sqlite3.connect(path, isolation_level=None)
    try:
        check(db.execute("PRAGMA application_id").fetchone()[0] != 0, "the copied store has no application_id")
        check(db.execute("PRAGMA user_version").fetchone()[0] == 1, "the copied store is not of format 1")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


def no_wal(path):
    wal = path + "-wal"
    check(not os.path.exists(wal) or os.path.getsize(wal) == 0, f"{wal} still holds content")
    for side in (wal, path + "-shm"):
        if os.path.exists(side):
            os.remove(side)


def run_refusals(opts, workdir, store_dir, rng):
    lines = []
    # Random bytes.
    d = os.path.join(workdir, "refuse-random")
    os.makedirs(d)
    with open(os.path.join(d, "tome.db"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(8192)))
    lines.append(("8 KiB of random bytes",
                  expect_refusal(opts, d, "random bytes", ["is not a tome store or is corrupt", "is corrupt"])))
    # A real store cut in the middle of a page.
    d = os.path.join(workdir, "refuse-truncated")
    path = real_store(store_dir, d)
    no_wal(path)
    size = os.path.getsize(path)
    check(size >= 8 * 4096, f"the store of the last round is only {size} bytes")
    cut = (size // 4096 // 2) * 4096 + 1234
    with open(path, "r+b") as f:
        f.truncate(cut)
    lines.append((f"a real store cut at {cut} of {size} bytes",
                  expect_refusal(opts, d, "truncated store", ["is corrupt", "is not a tome store or is corrupt"])))
    # A real store of a newer format.
    d = os.path.join(workdir, "refuse-newer")
    path = real_store(store_dir, d)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA user_version=99")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    no_wal(path)
    lines.append(("a real store with user_version 99", expect_refusal(opts, d, "newer store", ["newer tome"])))
    # An SQLite database of another application.
    d = os.path.join(workdir, "refuse-other")
    os.makedirs(d)
    db = sqlite3.connect(os.path.join(d, "tome.db"), isolation_level=None)
    try:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO notes (text) VALUES ('not a tome store')")
    finally:
        db.close()
    no_wal(os.path.join(d, "tome.db"))
    lines.append(("an SQLite file of another application",
                  expect_refusal(opts, d, "other application", ["another application", "not a tome store"])))
    return lines


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tome", default=os.path.join(REPO, "build", "app", "tome"))
    ap.add_argument("--config", default=os.path.join(REPO, "config", "tome.yaml"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--stale", type=float, default=1.0 * SCALE,
                    help="events acknowledged this many seconds before the kill must have been written")
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    opts = ap.parse_args()
    opts.tome = os.path.abspath(opts.tome)
    opts.config = os.path.abspath(opts.config)
    check(opts.changes > KILL_RANGE[1], f"--changes must be above {KILL_RANGE[1]}")
    seed = opts.seed if opts.seed is not None else int.from_bytes(os.urandom(4), "big")
    print(f"durability.kill_restart: seed {seed} (rerun with --seed {seed}), {opts.rounds} rounds, "
          f"{opts.changes} changes each, tome {opts.tome}", flush=True)
    master = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix="tome-durability-")
    started = time.monotonic()
    ok = False
    try:
        config_view = None
        last_dir = None
        for rnd in range(1, opts.rounds + 1):
            stats, config_view = run_round(opts, rnd, master.getrandbits(32), workdir, config_view)
            last_dir = stats["data_dir"]
            print(f"round {rnd}: SIGKILL {stats['delay_ms']:.1f} ms after acknowledged change {stats['kill_at']} "
                  f"(paused after {stats['pause_at']}); {stats['answered']} answered, {stats['acked']} acknowledged "
                  f"in {stats['drive_s']:.1f} s; in flight: {stats['inflight']} ({stats['present']})\n"
                  f"  restored {stats['tomes']} tomes ({stats['api_tomes']} from the API), {stats['conns']} connections, "
                  f"{stats['audit']} audit records; event deliveries: {stats['deliveries']} acknowledged, "
                  f"{stats['old_events']} older than {opts.stale:.1f} s all restored, {stats['lost_events']} newer "
                  f"ones not yet written in {stats['behind']} tomes; first ring forwards once after the restart "
                  f"and a clean stop keeps everything; {stats['seconds']:.1f} s", flush=True)
        for what, line in run_refusals(opts, workdir, last_dir, master):
            print(f"refused, exit 2, file unchanged: {what}: {line.strip()[:160]}", flush=True)
        ok = True
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr, flush=True)
        print(f"(data kept in {workdir}; rerun with --seed {seed})", file=sys.stderr)
        return 1
    finally:
        if ok and not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"durability.kill_restart: OK in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
