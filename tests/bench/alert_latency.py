#!/usr/bin/env python3
"""alert_latency.py -- alert latency for `make bench`: from produce to
visible in the API.

    alert_latency.py BROKERS PORT TOKEN PROBES INTERVAL_S

Every INTERVAL_S a fresh player self-excludes and then deposits during the
exclusion (a strong marker: an alert at once). Both go to one long-lived
producer (tests/bench/probe_produce.c, built here into build/), which
answers once the broker acknowledged them; the clock starts then. (A kcat
per probe cost ~27 ms of CPU each: half a core of this 2-core machine at
20 probes a second, taken from the service being measured. A long-running
kcat would not do: it reads stdin in blocks, holding lines back.) One poller thread asks GET /v1/alerts?player=P for every
outstanding probe, over one keep-alive connection, until its alert is
there. One thread and one connection keep the probe's own load small and
fixed: a thread per probe polling on its own grew with the latency it
measured, took half a core and made the latency it was measuring.
Prints: probes N seen N p50_ms X p99_ms Y max_ms Z
"""
import http.client
import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

brokers, port, token, probes, interval = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
TIMEOUT_S, POLL_S = 10.0, 0.002
latencies, outstanding, lock = [], {}, threading.Lock()
sending_done = threading.Event()
run = str(int(time.time()))


def now_rfc3339():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


PRODUCER_SRC, PRODUCER = "tests/bench/probe_produce.c", "build/probe_produce"
subprocess.run("cc -O2 -o %s %s $(pkg-config --cflags --libs rdkafka)" % (PRODUCER, PRODUCER_SRC), shell=True, check=True)
producer = subprocess.Popen([PRODUCER, brokers, "rg.events"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def send(player, events):
    """Returns once the broker acknowledged every one of events."""
    producer.stdin.write("".join(player + "\t" + json.dumps(e) + "\n" for e in events) + "\n")
    producer.stdin.flush()
    answer = producer.stdout.readline()
    if answer != "ok\n":
        sys.exit("alert_latency: producing a probe: " + (answer.strip() or "the producer stopped"))


def seen(conn, player):
    conn.request("GET", "/v1/alerts?player=" + player, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    return r.status == 200 and bool(json.loads(body)["alerts"])


def poll():
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=2)
    while not (sending_done.is_set() and not outstanding):
        with lock:
            todo = list(outstanding.items())
        for player, started in todo:
            try:
                found = seen(conn, player)
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=2)
                continue
            now = time.monotonic()
            if found or now - started > TIMEOUT_S:
                with lock:
                    del outstanding[player]
                    if found:
                        latencies.append((now - started) * 1000)
        time.sleep(POLL_S)


poller = threading.Thread(target=poll)
poller.start()
for i in range(probes):
    player = "lat-%s-%05d" % (run, i)
    due = time.monotonic() + interval
    base = {"player_id": player, "ts": now_rfc3339()}
    send(player, [dict(base, event_id=player + "-x", type="self_exclusion", days=30, source="player"),
                  dict(base, event_id=player + "-d", type="deposit", amount=5000, currency="EUR")])
    with lock:
        outstanding[player] = time.monotonic()
    time.sleep(max(0.0, due - time.monotonic()))
sending_done.set()
producer.stdin.close()
producer.wait()
poller.join()
lat = sorted(latencies)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0.0
print("probes %d seen %d p50_ms %.1f p99_ms %.1f max_ms %.1f" % (probes, len(lat), pick(0.5), pick(0.99), lat[-1] if lat else 0.0))
