#!/usr/bin/env python3
"""serve_rate.py -- how fast a running serve takes N events, for the
benches (run.sh, durable.sh).

    serve_rate.py PORT N TIMEOUT_S

Polls GET /metrics every 10 ms over one keep-alive connection until
rgmon_events_total{outcome="accepted"} reaches N. Prints "t0 n0 t1": the
monotonic-free wall times (seconds) of the first poll that showed accepted
events (n0 of them) and of the first that showed all N; serve's rate is
(N - n0) / (t1 - t0). Exit 1 if N is not reached within TIMEOUT_S.

One process and one connection: the shell loop it replaces forked a curl
(and an awk) every 10 ms, about a third of a core on this 2-core machine,
taken from the serve it was timing (and /metrics answered 100 times a
second besides).
"""
import http.client
import sys
import time

port, n_want, timeout_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
PREFIX = 'rgmon_events_total{outcome="accepted"} '


def accepted(conn):
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    body = r.read().decode()
    for line in body.splitlines():
        if line.startswith(PREFIX):
            return int(float(line[len(PREFIX):]))
    return 0


deadline = time.time() + timeout_s
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
t0, n0 = None, 0
while time.time() < deadline:
    try:
        n = accepted(conn)
    except (OSError, http.client.HTTPException, ValueError):
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        time.sleep(0.01)
        continue
    now = time.time()
    if t0 is None and n > 0:
        t0, n0 = now, n
    if n >= n_want:
        print("%.6f %d %.6f" % (t0, n0, now))
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
