#!/usr/bin/env python3
"""tls.mutual_tls: three real `tome serve` processes on loopback speak only TLS, require client
certificates (mutual TLS), and forward events to each other's tomes over https://.

The test makes its own PKI with the `openssl` tool in a temporary directory: CA1 with
certificates for processes A and B, and an unrelated CA2 with a certificate for process C (EC
P-256 keys; subjectAltName IP:127.0.0.1, DNS:localhost; extendedKeyUsage serverAuth, clientAuth;
each process shows the same certificate as server and as client). A and B trust CA1 on both
sides (server.tls.clientCaFile, security.outboundTls.caFile); C trusts CA2 only.

  - Handshakes with A: a client trusting CA1 and showing B's certificate gets GET /api/health
    200 over TLS 1.2 or 1.3 with an AEAD cipher (also when it offers TLS 1.2 at most: then an
    ECDHE AEAD suite). Refused: a client offering TLS 1.1 at most (skipped with a note if the
    local OpenSSL will not even offer it), a TLS 1.2 client offering only CBC suites, a client
    without a certificate, a client showing C's certificate (CA2), and plain HTTP; a client
    trusting only CA2 refuses A's certificate. A's /metrics counts every refused handshake
    (tome_server_tls_handshake_failures_total).
  - A ring L1 -> L2 -> R1 -> R2 -> L1 across A (L1, L2) and B (R1, R2) over mutual TLS, as
    tests/integration/remote_test.cpp builds it over plain HTTP: one event into L1 reaches each
    of the four tomes exactly once (the delivery report, stateSync false), eventsReceived is 1 on
    each side, nothing is dropped as remote_failed, and B has the caller's trace.
  - The far side with a certificate from another CA: A's remote tome X lives on C (which has a
    tome X); an event into L2, connected one-way to X, fails to reach X (dropped.remote_failed),
    C's X has received nothing, C's /metrics counts the refused handshake, and A's
    GET /api/metrics counts the failed forward.
Then SIGTERM to each process: exit code 0.

Python 3 standard library plus the openssl command; loopback only. TOME_TEST_TIME_SCALE
stretches the deadlines.
Usage: check_tls.py [--tome PATH] [--openssl PATH] [--keep]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "python"))
from tome_server import SCALE, Failure, TomeServer, check, tome_env  # noqa: E402
from tome_server import short as shared_short  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

READY_RE = re.compile(rb"tome \S+ listening on https://127\.0\.0\.1:(\d+)")
FAILURES_RE = re.compile(r"^(\w*tls_handshake_failures\w*)(\{[^}]*\})?\s+([0-9.eE+]+)\s*$", re.M)
AEAD_MARKS = ("GCM", "CHACHA20", "CCM")


def short(value, limit=600):
    return shared_short(value, limit)


def simple_tome(tome_id):
    return {"id": tome_id, "initial": "a", "context": {"n": 0},
            "states": {"a": {"on": {"GO": "b"}}, "b": {"on": {"GO": "a"}}}}


# ---------------------------------------------------------------------------------------------
# The test PKI

LEAF_EXT = """[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
"""


OPENSSL = ["openssl"]


def openssl(args, cwd):
    try:
        done = subprocess.run(OPENSSL + args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=30 * SCALE)
    except FileNotFoundError:
        raise Failure(f"the openssl command ({OPENSSL[0]}) is not there")
    check(done.returncode == 0, f"openssl {' '.join(args)} failed ({done.returncode}):\n"
                                f"{done.stderr.decode('utf-8', 'replace')[-1500:]}")


class Pki:
    """CA1 signs A's and B's certificates, CA2 signs C's; files <name>.pem / <name>.key in `path`."""

    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        with open(os.path.join(path, "leaf.cnf"), "w") as f:
            f.write(LEAF_EXT)
        for ca in ("ca1", "ca2"):
            openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=tome test {ca}",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"], path)
        for name, ca in (("a", "ca1"), ("b", "ca1"), ("c", "ca2")):
            openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN=tome test {name}"], path)
            openssl(["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
                     "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
                     "-extfile", "leaf.cnf", "-extensions", "leaf", "-out", f"{name}.pem"], path)

    def pem(self, name):
        return os.path.join(self.path, name + ".pem")

    def key(self, name):
        return os.path.join(self.path, name + ".key")


def client_context(ca_pem, cert=None, key=None):
    """Verifies the server against `ca_pem` (host name included); shows `cert` when given."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca_pem)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


# ---------------------------------------------------------------------------------------------
# The tome processes

class Server(TomeServer):
    """One `tome serve` with TLS; its config, data and log (<name>.log) live in <workdir>/<name>."""

    def __init__(self, opts, workdir, name, cert, key, ca):
        directory = os.path.join(workdir, name)
        self.data_dir = os.path.join(directory, "data")
        os.makedirs(self.data_dir)
        config = os.path.join(directory, "tome.yaml")
        with open(config, "w") as f:
            f.write("development:\n"
                    "  server:\n"
                    "    host: 127.0.0.1\n"
                    "    port: 0\n"
                    f"    tls: {{certFile: {cert}, keyFile: {key}, clientCaFile: {ca}}}\n"
                    "  security:\n"
                    f"    outboundTls: {{caFile: {ca}, certFile: {cert}, keyFile: {key}}}\n")
        super().__init__(opts.tome, config, name, os.path.join(directory, name + ".log"),
                         tome_env(self.data_dir), directory, READY_RE)

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"


class Api:
    """One keep-alive HTTPS connection to a tome, with the given client context."""

    def __init__(self, server, ctx):
        self.server = server
        self.conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=ctx, timeout=10 * SCALE)

    def send(self, method, path, body=None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            raise Failure(f"{self.server.name}: {method} {path} over HTTPS failed: {e!r}\n" + self.server.tail())
        return resp.status, raw

    def json(self, method, path, body=None, expect=200):
        status, raw = self.send(method, path, body)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise Failure(f"{self.server.name}: {method} {path}: the {status} answer is not JSON: {raw[:300]!r}")
        check(status == expect and doc.get("success") is True,
              f"{self.server.name}: {method} {path} {short(body) if body is not None else ''}: "
              f"{status} {short(doc)}, expected {expect}")
        return doc["data"]

    def get(self, path):
        return self.json("GET", path)

    def post(self, path, body, expect=201):
        return self.json("POST", path, body, expect)

    def tls(self):
        sock = self.conn.sock
        return sock.version(), sock.cipher()[0]

    def handshake_failures(self):
        """(metric name, value) of the TLS handshake failure counter on GET /metrics."""
        status, raw = self.send("GET", "/metrics")
        check(status == 200, f"{self.server.name}: GET /metrics: {status} {raw[:300]!r}")
        text = raw.decode("utf-8", "replace")
        found = FAILURES_RE.findall(text)
        if not found:
            return None, None
        return found[0][0], sum(float(v) for _, _, v in found)

    def close(self):
        self.conn.close()


def wait_failures(api, at_least, what):
    """Polls /metrics until the handshake failure counter reaches `at_least`; returns (name, value)."""
    deadline = time.monotonic() + 15 * SCALE
    name = value = None
    while True:
        name, value = api.handshake_failures()
        if value is not None and value >= at_least:
            return name, int(value)
        if time.monotonic() > deadline:
            raise Failure(f"{api.server.name}: /metrics shows tls_handshake_failures {value} "
                          f"({name or 'no such metric'}) after {15 * SCALE} s; expected at least {at_least} "
                          f"({what})")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# Handshakes

def attempt(port, ctx):
    """One GET /api/health; returns ("answered", status) or (kind of failure, exception)."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10 * SCALE)
    try:
        conn.request("GET", "/api/health")
        resp = conn.getresponse()
        resp.read()
        return "answered", resp.status
    except ssl.SSLCertVerificationError as e:
        return "verify", e
    except ssl.SSLError as e:
        return "ssl", e
    except socket.timeout as e:
        return "timeout", e
    except (ConnectionError, http.client.HTTPException) as e:
        return "closed", e
    finally:
        conn.close()


def expect_refused(port, ctx, what, kinds=("ssl", "closed")):
    kind, detail = attempt(port, ctx)
    check(kind != "answered", f"A answered {detail} to {what}: that handshake should have failed")
    check(kind != "timeout", f"A neither answered nor refused {what} in {10 * SCALE} s (hangs?)")
    check(kind in kinds, f"{what}: expected {' or '.join(kinds)}, got {kind}: {detail!r}")
    return f"{type(detail).__name__}: {str(detail)[:110]}"


def check_handshakes(a, pki, log):
    """Returns the number of handshakes A refused."""
    good = client_context(pki.pem("ca1"), pki.pem("b"), pki.key("b"))
    api = Api(a, good)
    health = api.get("/api/health")
    version, cipher = api.tls()
    check(version in ("TLSv1.2", "TLSv1.3"), f"A negotiated {version}, not TLS 1.2 or 1.3")
    check(any(m in cipher for m in AEAD_MARKS), f"A negotiated the cipher {cipher}, not an AEAD one")
    _, base = api.handshake_failures()
    check(base is not None, "A's /metrics has no tls_handshake_failures counter")
    log(f"good client (trusts CA1, shows B's certificate): /api/health 200 ({health.get('status')}) "
        f"over {version} with {cipher}")
    api.close()

    # TLS 1.2 at most: an ECDHE AEAD suite.
    ctx12 = client_context(pki.pem("ca1"), pki.pem("b"), pki.key("b"))
    ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
    api12 = Api(a, ctx12)
    api12.get("/api/health")
    v12, c12 = api12.tls()
    api12.close()
    check(v12 == "TLSv1.2", f"a client offering TLS 1.2 at most negotiated {v12}")
    check(c12.startswith("ECDHE-") and any(m in c12 for m in AEAD_MARKS),
          f"over TLS 1.2 A chose {c12}, not an ECDHE AEAD suite")
    log(f"TLS 1.2 at most: {v12} with {c12}")

    refused = 0
    # TLS 1.1 at most.
    note = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = client_context(pki.pem("ca1"), pki.pem("b"), pki.key("b"))
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
            old.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 allows TLS < 1.2 only at level 0
    except (ValueError, ssl.SSLError) as e:
        note = f"the local OpenSSL does not build a TLS 1.1 client ({e}): skipped"
    if note is None:
        kind, detail = attempt(a.port, old)
        text = str(detail)
        if kind == "ssl" and ("NO_PROTOCOLS_AVAILABLE" in text.upper() or "no protocols available" in text):
            note = f"the local OpenSSL will not offer TLS 1.1 ({text[:90]}): skipped"
        else:
            check(kind != "answered", f"A answered {detail} to a client offering TLS 1.1 at most")
            check(kind in ("ssl", "closed"), f"TLS 1.1 client: expected a refused handshake, got {kind}: {detail!r}")
            refused += 1
            note = f"refused ({type(detail).__name__}: {text[:100]})"
    log(f"TLS 1.1 at most: {note}")

    # TLS 1.2 with CBC suites only.
    cbc = client_context(pki.pem("ca1"), pki.pem("b"), pki.key("b"))
    cbc.maximum_version = ssl.TLSVersion.TLSv1_2
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:"
                    "ECDHE-ECDSA-AES256-SHA")
    log("TLS 1.2, CBC suites only: " + expect_refused(a.port, cbc, "a TLS 1.2 client offering only CBC suites"))
    refused += 1

    # No client certificate: refused during the handshake (TLS 1.2) or at the first read (1.3).
    log("no client certificate: " + expect_refused(a.port, client_context(pki.pem("ca1")),
                                                   "a client without a certificate"))
    refused += 1

    # A client certificate from CA2.
    log("client certificate from CA2: " + expect_refused(
        a.port, client_context(pki.pem("ca1"), pki.pem("c"), pki.key("c")),
        "a client showing a certificate signed by CA2"))
    refused += 1

    # A client that trusts only CA2 refuses A's certificate.
    log("client trusting only CA2: " + expect_refused(
        a.port, client_context(pki.pem("ca2"), pki.pem("b"), pki.key("b")),
        "a client trusting only CA2", kinds=("verify",)))
    refused += 1

    # Plain HTTP.
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10 * SCALE)
    try:
        conn.request("GET", "/api/health")
        resp = conn.getresponse()
        status = resp.status
        resp.read()
        check(status != 200, "plain HTTP to A's TLS port got 200")
        outcome = f"HTTP {status}"
    except socket.timeout:
        raise Failure(f"plain HTTP to A's TLS port neither answered nor closed in {10 * SCALE} s")
    except (ConnectionError, http.client.HTTPException, ssl.SSLError) as e:
        outcome = f"{type(e).__name__}: {str(e)[:100]}"
    finally:
        conn.close()
    log(f"plain HTTP: no 200 ({outcome})")
    refused += 1
    a.alive()

    api = Api(a, good)
    name, value = wait_failures(api, base + refused, f"{int(base)} before, then {refused} refused handshakes")
    api.close()
    log(f"A's /metrics: {name} {int(base)} -> {value} (>= +{refused})")
    return refused, version, cipher, name


# ---------------------------------------------------------------------------------------------
# The ring across A and B, and the far side C

def delivery_counts(report):
    seen = {}
    for d in report.get("deliveries", []):
        if not d.get("stateSync"):
            seen[d["tome"]] = seen.get(d["tome"], 0) + 1
    return seen


def check_ring(a, b, pki, log):
    ca = Api(a, client_context(pki.pem("ca1"), pki.pem("a"), pki.key("a")))
    cb = Api(b, client_context(pki.pem("ca1"), pki.pem("b"), pki.key("b")))
    for tid in ("L1", "L2"):
        ca.post("/api/tomes", simple_tome(tid))
        cb.post("/api/tomes", {"id": tid, "remote": a.url})
    for tid in ("R1", "R2"):
        cb.post("/api/tomes", simple_tome(tid))
        ca.post("/api/tomes", {"id": tid, "remote": b.url})
    # Each process knows the connections that touch its own tomes.
    for api, s, t in ((ca, "L1", "L2"), (ca, "L2", "R1"), (ca, "R2", "L1"),
                      (cb, "R1", "R2"), (cb, "L2", "R1"), (cb, "R2", "L1")):
        api.post("/api/connections", {"sourceTome": s, "targetTome": t})

    started = time.monotonic()
    report = ca.post("/api/tomes/L1/events", {"type": "GO"}, expect=200)
    took = time.monotonic() - started
    seen = delivery_counts(report)
    check(seen == {"L1": 1, "L2": 1, "R1": 1, "R2": 1},
          f"the ring's event reached (stateSync false) {seen}, not each of L1, L2, R1, R2 once: {short(report, 2000)}")
    dropped = report.get("dropped") or {}
    check(not dropped.get("remote_failed"), f"the ring's event dropped {dropped}: forwards over TLS failed\n"
                                            f"A: {a.tail(1200)}\nB: {b.tail(1200)}")
    received = {tid: ca.get(f"/api/tomes/{tid}").get("eventsReceived") for tid in ("L1", "L2")}
    received.update({tid: cb.get(f"/api/tomes/{tid}").get("eventsReceived") for tid in ("R1", "R2")})
    check(received == {"L1": 1, "L2": 1, "R1": 1, "R2": 1},
          f"eventsReceived after one event into the ring: {received}, expected 1 each")
    trace = report.get("traceId")
    status, raw = cb.send("GET", f"/api/traces/{trace}")
    check(status == 200, f"B does not have the caller's trace {trace}: {status} {raw[:200]!r}")
    syncs = sum(1 for d in report.get("deliveries", []) if d.get("stateSync"))
    log(f"ring L1 -> L2 -> R1 -> R2 -> L1 over mutual TLS: each tome once ({len(report['deliveries'])} deliveries, "
        f"{syncs} state syncs), eventsReceived {received}, dropped {dropped}, B has trace {trace}; {took * 1000:.0f} ms")
    ca.close()
    cb.close()


def remote_send_failures(server, target):
    """The attributes of `server`'s "Remote send failed" log records for `target`."""
    found = []
    for line in server.output().decode("utf-8", "replace").splitlines():
        if "Remote send failed" not in line:
            continue
        try:
            attrs = json.loads(line).get("attributes", {})
        except ValueError:
            continue
        if attrs.get("tome.target") == target:
            found.append(attrs)
    return found


def check_far_side(a, c, pki, log):
    ca = Api(a, client_context(pki.pem("ca1"), pki.pem("a"), pki.key("a")))
    cc = Api(c, client_context(pki.pem("ca2"), pki.pem("c"), pki.key("c")))
    cc.post("/api/tomes", simple_tome("X"))
    _, c_base = cc.handshake_failures()
    check(c_base is not None, "C's /metrics has no tls_handshake_failures counter")
    before = ca.get("/api/metrics").get("connector", {})
    ca.post("/api/tomes", {"id": "X", "remote": c.url})
    ca.post("/api/connections", {"sourceTome": "L2", "targetTome": "X", "config": {"bidirectional": False}})

    started = time.monotonic()
    report = ca.post("/api/tomes/L2/events", {"type": "GO"}, expect=200)
    took = time.monotonic() - started
    dropped = report.get("dropped") or {}
    check(dropped.get("remote_failed", 0) >= 1,
          f"the forward L2 -> X (C, certificate from CA2) was not counted as remote_failed: dropped {dropped}: "
          f"{short(report, 1500)}")
    seen = delivery_counts(report)
    check("X" not in seen, f"the report delivers to X on C although C's certificate is from CA2: {short(report)}")
    x = cc.get("/api/tomes/X")
    check(x.get("eventsReceived") == 0, f"C's X received {x.get('eventsReceived')} events over an untrusted link")
    name, c_after = wait_failures(cc, c_base + 1, "A's forward to C must fail its handshake")
    after = ca.get("/api/metrics").get("connector", {})
    grew = after.get("dropped", {}).get("remote_failed", 0) - before.get("dropped", {}).get("remote_failed", 0)
    check(grew >= 1, f"A's GET /api/metrics does not count the failed forward: connector before {short(before)}, "
                     f"after {short(after)}")
    x_entries = [d for d in report.get("deliveries", []) if d.get("tome") == "X"]
    log(f"far side C (CA2): event into L2 -> {took * 1000:.0f} ms, dropped {dropped}, reached {seen}; "
        f"C's X eventsReceived 0; C's {name} {int(c_base)} -> {c_after}")
    log(f"  A's /api/metrics connector.dropped {after.get('dropped')} (remote_failed +{grew}); "
        f"X in the report: {short(x_entries) if x_entries else 'absent'}")
    # Why: A logs the failed send with the transport's error, which must be about TLS.
    deadline = time.monotonic() + 5 * SCALE
    while True:
        failed = remote_send_failures(a, "X")
        if failed or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(failed, f"A logged no 'Remote send failed' for X:\n{a.tail()}")
    why = failed[-1]
    message = str(why.get("error.message", ""))
    check("SSL" in message or "certificate" in message.lower(),
          f"A's forward to X failed for another reason than TLS: {short(why)}")
    log(f"  A's log: Remote send failed, {why.get('tome.remote.attempts')} attempts: {message[:200]}")
    ca.close()
    cc.close()


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tome", default=os.path.join(REPO, "build", "app", "tome"))
    ap.add_argument("--openssl", default="openssl", help="the openssl command that makes the test PKI")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = ap.parse_args()
    opts.tome = os.path.abspath(opts.tome)
    OPENSSL[0] = opts.openssl
    print(f"tls.mutual_tls: tome {opts.tome}, {ssl.OPENSSL_VERSION}", flush=True)
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="tome-tls-")
    servers = []
    ok = False

    def log(line):
        print("  " + line, flush=True)

    try:
        t = time.monotonic()
        pki = Pki(os.path.join(workdir, "pki"))
        log(f"PKI: CA1 -> A, B; CA2 -> C (EC P-256) in {time.monotonic() - t:.1f} s")
        a = Server(opts, workdir, "A", pki.pem("a"), pki.key("a"), pki.pem("ca1"))
        b = Server(opts, workdir, "B", pki.pem("b"), pki.key("b"), pki.pem("ca1"))
        c = Server(opts, workdir, "C", pki.pem("c"), pki.key("c"), pki.pem("ca2"))
        for s in (a, b, c):
            servers.append(s)
            s.start()
        log(f"started A {a.url}, B {b.url}, C {c.url}")

        print("handshakes with A:", flush=True)
        refused, version, cipher, _ = check_handshakes(a, pki, log)
        print("ring across A and B:", flush=True)
        check_ring(a, b, pki, log)
        print("far side with another CA:", flush=True)
        check_far_side(a, c, pki, log)

        codes = {}
        for s in servers:
            s.alive()
        for s in servers:
            codes[s.name] = s.stop()
        for name, rc in codes.items():
            s = next(x for x in servers if x.name == name)
            check(rc == 0, f"{name}: tome exited with {rc} on SIGTERM, not 0:\n" + s.tail())
        log(f"SIGTERM: exit codes {codes}")
        ok = True
    except Failure as e:
        logs = "\n".join(f"--- {s.name}.log (tail) ---\n{s.tail(1500)}" for s in servers)
        print(f"FAIL: {e}\n{logs}", file=sys.stderr, flush=True)
        print(f"(files kept in {workdir})", file=sys.stderr)
        return 1
    finally:
        for s in servers:
            s.cleanup()
        if ok and not opts.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"tls.mutual_tls: OK in {time.monotonic() - started:.1f} s: {refused} refused handshakes counted, "
          f"{version} {cipher}, ring exactly once over mutual TLS, the far side with another CA refused",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
