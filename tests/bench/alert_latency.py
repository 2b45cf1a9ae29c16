#!/usr/bin/env python3
"""alert_latency.py -- alert latency for `make bench`: from produce to
visible in the API.

    alert_latency.py BROKERS PORT TOKEN PROBES INTERVAL_S

Every INTERVAL_S a fresh player self-excludes and then deposits during the
exclusion (a strong marker: an alert at once). Both go through one kcat
call, which returns once the broker acknowledged them; the clock starts
then, and the probe polls GET /v1/alerts?player=P every 2 ms until the
alert is there. (A long-running kcat would not do: it reads stdin in
blocks, holding lines back.) Probes overlap (each is polled on its own
thread), so the schedule is kept whatever the latency.
Prints: probes N seen N p50_ms X p99_ms Y max_ms Z
"""
import json
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone

brokers, port, token, probes, interval = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
latencies, lock = [], threading.Lock()
run = str(int(time.time()))


def now_rfc3339():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def send(player, events):
    lines = "".join(player + "\t" + json.dumps(e) + "\n" for e in events)
    subprocess.run(["kcat", "-P", "-b", brokers, "-t", "rg.events", "-K", "\t", "-X", "linger.ms=0"],
                   input=lines, text=True, check=True)


def watch(player, started):
    url = "http://127.0.0.1:%s/v1/alerts?player=%s" % (port, player)
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    while time.monotonic() - started < 10:
        try:
            with urllib.request.urlopen(req, timeout=2) as r:
                if json.load(r)["alerts"]:
                    with lock:
                        latencies.append((time.monotonic() - started) * 1000)
                    return
        except OSError:
            pass
        time.sleep(0.002)


threads = []
for i in range(probes):
    player = "lat-%s-%05d" % (run, i)
    due = time.monotonic() + interval
    base = {"player_id": player, "ts": now_rfc3339()}
    send(player, [dict(base, event_id=player + "-x", type="self_exclusion", days=30, source="player"),
                  dict(base, event_id=player + "-d", type="deposit", amount=5000, currency="EUR")])
    t = threading.Thread(target=watch, args=(player, time.monotonic()))
    t.start()
    threads.append(t)
    time.sleep(max(0.0, due - time.monotonic()))
for t in threads:
    t.join()
lat = sorted(latencies)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0.0
print("probes %d seen %d p50_ms %.1f p99_ms %.1f max_ms %.1f" % (probes, len(lat), pick(0.5), pick(0.99), lat[-1] if lat else 0.0))
