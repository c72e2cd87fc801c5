"""The API client of resilience.outage_soak, in a process of its own: GETs PATHS in turn at RATE
requests/s on one keep-alive connection to 127.0.0.1:PORT, on a fixed CLOCK_MONOTONIC schedule,
until stdin closes or SIGTERM. One line per request on stdout:

    <monotonic start, s> <latency, s> <path> <'-' for a 2xx answer, else the status or error>

It runs apart from the soak's process because that process also hosts the test OTLP receiver,
whose json.loads of a 512-span batch holds Python's GIL for several milliseconds: a client
thread in the same interpreter would measure that wait as tome's latency. CLOCK_MONOTONIC is
one clock for every process of the machine, so the soak tags each line with the phase it started
in.
Usage: api_load.py PORT RATE TIMEOUT_S PATH [PATH...]"""
import http.client
import signal
import sys
import threading
import time


def main():
    port, rate, timeout = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    paths = sys.argv[4:]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stopping.set()), daemon=True).start()
    conn = None
    start, i = time.monotonic(), 0
    while not stopping.is_set():
        due = start + i / rate
        now = time.monotonic()
        if due > now:
            if stopping.wait(due - now):  # pacing on the schedule, not synchronisation
                break
        elif now - due > 1.0:             # after a stall: restart the schedule, no burst
            start, i = now, 0
        path = paths[i % len(paths)]
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        t = time.monotonic()
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            what = "-" if 200 <= r.status < 300 else str(r.status)
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = None
            what = f"{type(e).__name__}: {e}".replace("\n", " ")
        dt = time.monotonic() - t
        print(f"{t:.6f} {dt:.6f} {path} {what}", flush=True)
        i += 1
    if conn:
        conn.close()


if __name__ == "__main__":
    main()
