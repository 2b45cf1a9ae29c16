#!/usr/bin/env python3
"""Times report requests against a running serve, one at a time: the wall
time seen by the client and the CPU time serve spent (the sum over its
threads of /proc/PID/task/*/schedstat, in ns, before and after each
request; serve is otherwise idle, so the difference is the request's).
Prints the first (cold) request, then the median and max of N more, and
the load average, as a markdown table. Used by follow_up_scale.sh.
usage: time_reports.py URL TOKEN SERVE_PID N PATH..."""
import glob, os, statistics, sys, time, urllib.request
url, token, pid, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def serve_cpu_ns():
    total = 0
    for f in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            total += int(open(f).read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total
def one(path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    cpu, t = serve_cpu_ns(), time.perf_counter()
    with urllib.request.urlopen(req) as r:
        size = len(r.read())
        status = r.status
    wall, cpu = (time.perf_counter() - t) * 1000, (serve_cpu_ns() - cpu) / 1e6
    if status != 200:
        sys.exit(f"time_reports: {path} answered {status}")
    return wall, cpu, size
print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
print(f"| request | bytes | first: wall / serve CPU (ms) | {n} more: wall median / max (ms) | serve CPU median / max (ms) |")
print("|---|---|---|---|---|")
for path in sys.argv[5:]:
    w0, c0, size = one(path)
    runs = [one(path) for _ in range(n)]
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    print(f"| `GET {path}` | {size} | {w0:.1f} / {c0:.1f} | {statistics.median(walls):.1f} / {max(walls):.1f} "
          f"| {statistics.median(cpus):.1f} / {max(cpus):.1f} |")
print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
