"""A test OTLP/HTTP receiver on loopback whose behaviour can be switched while a tome process
exports to it, for the resilience tests (check_outage_soak.py, check_persistent_queue_kill.py).

It accepts OTLP/HTTP JSON (Content-Type application/json, optionally Content-Encoding: gzip)
POSTs on /v1/traces, /v1/logs and /v1/metrics, over keep-alive connections, several at a time
(the tome process holds one exporter connection per signal). In healthy mode it records every
span's (traceId, spanId), the span count with duplicates, the log record count and the metric
request count, and answers 200 `{}`. `set_mode(mode)` switches to:

- "healthy":     as above.
- "refuse":      the listening socket is closed and the open connections are shut down, so the
                 exporter gets ECONNREFUSED; back to "healthy" re-binds the same port.
- "blackhole":   reads each request and never answers; the connection is held open until the
                 mode changes or the receiver stops, then closed without an answer.
- "unavailable": answers 503 with `Retry-After: 1`, recording nothing.
- "slow":        reads the request, waits 5 s (cut short only by stop()), then answers like
                 "healthy" (the spans are recorded then).

A request that arrives on an already open connection gets the current mode's behaviour, so a
keep-alive connection cannot bypass an outage.

Usage (a library):
    r = OtlpReceiver(); r.start()              # or OtlpReceiver(port, mode="refuse")
    ... OTEL_EXPORTER_OTLP_ENDPOINT = r.endpoint ...
    r.set_mode("blackhole"); r.snapshot(); r.stop()
Run directly (`otlp_receiver.py [PORT]`) it serves until Ctrl-C and reads modes from stdin,
one per line, which is how its modes can be tried by hand with curl.
"""
import gzip
import http.server
import json
import socket
import socketserver
import sys
import threading

MODES = ("healthy", "refuse", "blackhole", "unavailable", "slow")
SLOW_SECONDS = 5.0
SIGNALS = ("/v1/traces", "/v1/logs", "/v1/metrics")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def span_keys(doc):
    """(traceId, spanId) of every span of an OTLP/JSON ExportTraceServiceRequest."""
    for rs in doc.get("resourceSpans") or []:
        for ss in rs.get("scopeSpans") or []:
            for span in ss.get("spans") or []:
                yield span.get("traceId", ""), span.get("spanId", "")


def log_record_count(doc):
    """Log records of an OTLP/JSON ExportLogsServiceRequest."""
    return sum(len(sl.get("logRecords") or [])
               for rl in doc.get("resourceLogs") or []
               for sl in rl.get("scopeLogs") or [])


def _shutdown(conn):
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """One thread per connection; the threads are tracked by the receiver (to join them)."""
    daemon_threads = True
    allow_reuse_address = True  # SO_REUSEADDR: re-binding the same port after "refuse"

    def __init__(self, address, receiver):
        self.receiver = receiver
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                             daemon=True, name="otlp-receiver-conn")
        self.receiver._track_thread(t)
        t.start()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the exporter's libcurl expects

    def setup(self):
        super().setup()
        self.server.receiver._track_conn(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.receiver._untrack_conn(self.connection)

    def log_message(self, fmt, *args):  # quiet: the tests print their own report
        pass

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, extra_headers=()):
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status < 300 else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra_headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client gave up (its timeout) or the receiver shut it down
            self.close_connection = True

    def drop(self):
        """Closes the connection without an answer."""
        self.close_connection = True
        _shutdown(self.connection)

    def do_GET(self):
        self.reply(405, "POST OTLP/HTTP JSON to /v1/traces, /v1/logs or /v1/metrics\n")

    def do_POST(self):
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        self.server.receiver._on_request(self, body)


class OtlpReceiver:
    """The receiver: start(), set_mode(), snapshot(), stop(). Thread-safe. In "refuse" (also as
    the initial mode) nothing listens on `port` until the mode changes."""

    def __init__(self, port=None, mode="healthy", host="127.0.0.1"):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.host = host
        self.port = port or _free_port()
        self._mode = mode
        self._generation = 0                    # counts set_mode calls (see spans_new_in_mode)
        self._cond = threading.Condition()      # guards _mode; notified when it changes
        self._switch = threading.Lock()         # serializes set_mode/stop (binding, unbinding)
        self._lock = threading.Lock()           # guards the counters, threads and connections
        self._stopping = threading.Event()      # interrupts the "slow" wait
        self._server = None
        self._serve_thread = None
        self._threads = set()
        self._conns = set()
        self._span_keys = set()
        self._spans_new_in_mode = 0
        self._logs_new_in_mode = 0
        self._spans_total = 0
        self._log_records = 0
        self._requests = {s: 0 for s in SIGNALS}
        self._metric_requests = 0
        self._by_mode = {m: 0 for m in MODES}
        self._bad = 0

    @property
    def endpoint(self):
        return f"http://{self.host}:{self.port}"

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        with self._switch:
            if self._mode != "refuse":
                self._bind()
        return self

    def _bind(self):
        self._server = _Server((self.host, self.port), self)
        self._serve_thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                              daemon=True, name="otlp-receiver-accept")
        self._serve_thread.start()

    def _unbind(self):
        """Closes the listening socket, then shuts down every open connection."""
        if self._server is not None:
            self._server.shutdown()       # returns once serve_forever has left its loop
            self._server.server_close()
            self._serve_thread.join()
            self._server = self._serve_thread = None
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            _shutdown(c)

    def set_mode(self, mode):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        with self._switch:
            if self._stopping.is_set():
                return
            with self._cond:
                old, self._mode = self._mode, mode
                with self._lock:
                    self._generation += 1
                    self._spans_new_in_mode = 0
                    self._logs_new_in_mode = 0
                self._cond.notify_all()   # wakes the black-holed requests
            if mode == "refuse" and old != "refuse":
                self._unbind()
            elif old == "refuse" and mode != "refuse":
                self._bind()

    def mode(self):
        with self._cond:
            return self._mode

    def stop(self, join_timeout=10):
        with self._switch:
            if self._stopping.is_set():
                return
            self._stopping.set()
            with self._cond:
                self._cond.notify_all()
            self._unbind()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(join_timeout)
        alive = [t for t in threads if t.is_alive()]
        if alive:
            raise RuntimeError(f"{len(alive)} receiver connection threads did not end")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- bookkeeping -----------------------------------------------------------------------
    def _track_thread(self, t):
        with self._lock:
            self._threads = {x for x in self._threads if x.is_alive()}
            self._threads.add(t)

    def _track_conn(self, c):
        with self._lock:
            self._conns.add(c)
        if self._mode == "refuse" or self._stopping.is_set():
            _shutdown(c)                  # accepted just before the listener closed

    def _untrack_conn(self, c):
        with self._lock:
            self._conns.discard(c)

    def snapshot(self):
        with self._lock:
            return {
                "mode": self._mode,
                "spans_unique": len(self._span_keys),
                # distinct spans first seen in requests that arrived in the current mode (a
                # request held by "slow" before a switch to "healthy" does not count)
                "spans_new_in_mode": self._spans_new_in_mode,
                "logs_new_in_mode": self._logs_new_in_mode,
                "spans_total": self._spans_total,
                "span_duplicates": self._spans_total - len(self._span_keys),
                "log_records": self._log_records,
                "metric_requests": self._metric_requests,
                "requests": dict(self._requests),
                "requests_by_mode": dict(self._by_mode),
                "bad_requests": self._bad,
                "open_connections": len(self._conns),
            }

    def span_ids(self):
        with self._lock:
            return set(self._span_keys)

    # -- requests --------------------------------------------------------------------------
    def _on_request(self, h, body):
        with self._cond, self._lock:
            mode, generation = self._mode, self._generation
            self._by_mode[mode] += 1
        if mode == "refuse":          # a request on a connection from before the outage
            return h.drop()
        if mode == "blackhole":
            with self._cond:
                self._cond.wait_for(lambda: self._mode != "blackhole" or self._stopping.is_set())
            return h.drop()
        if mode == "unavailable":
            return h.reply(503, "unavailable (test receiver)\n", [("Retry-After", "1")])
        if mode == "slow" and self._stopping.wait(SLOW_SECONDS):
            return h.drop()
        self._record(h, body, generation)

    def _record(self, h, body, generation):
        path = h.path.split("?")[0]
        if path not in SIGNALS:
            return h.reply(404, "unknown path\n")
        if "application/json" not in h.headers.get("Content-Type", ""):
            self._count_bad()
            return h.reply(415, "this receiver reads OTLP/HTTP JSON only\n")
        try:
            if h.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            doc = json.loads(body or b"{}")
        except (OSError, ValueError, EOFError):
            self._count_bad()
            return h.reply(400, "unreadable body\n")
        keys = list(span_keys(doc)) if path == "/v1/traces" else []
        logs = log_record_count(doc) if path == "/v1/logs" else 0
        with self._lock:
            self._requests[path] += 1
            if generation == self._generation:
                self._spans_new_in_mode += len(set(keys) - self._span_keys)
                self._logs_new_in_mode += logs
            self._span_keys.update(keys)
            self._spans_total += len(keys)
            self._log_records += logs
            if path == "/v1/metrics":
                self._metric_requests += 1
        h.reply(200, "{}")

    def _count_bad(self):
        with self._lock:
            self._bad += 1


def tome_otlp_env(base_env, endpoint):
    """`base_env` (deploylib.tome_env()) turned into a tome exporting traces, logs and metrics
    as OTLP/HTTP JSON to `endpoint`, quickly: 2 s export timeout, batches every 500 ms, metrics
    every second, development settings (queue 2048, batch 512)."""
    env = {k: v for k, v in base_env.items() if not (k.startswith("OTEL_") and k.endswith("_EXPORTER"))}
    env.update({
        "OTEL_TRACES_EXPORTER": "otlp", "OTEL_LOGS_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp",
        "TOME_ENV": "development",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "2000",
        "OTEL_BSP_SCHEDULE_DELAY": "500",
        "OTEL_BLRP_SCHEDULE_DELAY": "500",
        "OTEL_METRIC_EXPORT_INTERVAL": "1000",
        "TOME_CONSOLE_GRPC_PORT": "0",
    })
    return env


def _main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    r = OtlpReceiver(port).start()
    print(f"OTLP/HTTP JSON receiver on {r.endpoint}; type a mode ({', '.join(MODES)}), "
          "'s' for a snapshot, Ctrl-D to stop", flush=True)
    try:
        for line in sys.stdin:
            word = line.strip()
            if word in MODES:
                r.set_mode(word)
                print("mode:", word, flush=True)
            elif word:
                print(json.dumps(r.snapshot()), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        r.stop()


if __name__ == "__main__":
    _main()
