#!/usr/bin/env python3
"""The follow-up check of follow_up_scale.sh (issue 16, "done when"): every
alert resolved by the script at least 30 days of stream time before the
end has both windows (7d and 30d) stored and complete. Also: every stored
window whose end the stream's time has passed is complete, and every
resolved alert has its windows. Lists the alerts that fail (up to 20 of
each kind) and exits 1 if any does.
usage: follow_up_check.py DB ROUNDS_FILE
ROUNDS_FILE lines: "STREAM_MS<TAB>IDS_FILE", the stream's time when a round
of resolutions was made and the ids that round resolved."""
import sqlite3, sys
DAY = 86400000
db, rounds_file = sys.argv[1:3]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
stream_ms = int(con.execute("SELECT value FROM meta WHERE key = 'stream_time'").fetchone()[0])
print(f"stream time at the end: {stream_ms}")
old, young = [], 0
for line in open(rounds_file):
    at, ids_file = line.rstrip("\n").split("\t")
    ids = [l.split("\t")[0] for l in open(ids_file) if l.strip()]
    if stream_ms - int(at) >= 30 * DAY:
        old += ids
    else:
        young += len(ids)
windows = {}
for aid, days, complete, after in con.execute("SELECT alert_id, window_days, complete, after IS NOT NULL FROM alert_follow_up"):
    windows.setdefault(aid, {})[days] = bool(complete and after)
status = dict(con.execute("SELECT alert_id, status FROM alerts"))
bad = []
for aid in old:
    w = windows.get(aid, {})
    why = []
    if status.get(aid) != "resolved":
        why.append(f"status {status.get(aid)}")
    for days in (7, 30):
        if days not in w:
            why.append(f"no {days}d window")
        elif not w[days]:
            why.append(f"{days}d incomplete")
    if why:
        bad.append(f"{aid}: {', '.join(why)}")
print(f"resolved by the script >= 30 days of stream time before the end: {len(old)} (and {young} later)")
print(f"  of them without both windows complete: {len(bad)}")
for b in bad[:20]:
    print("    " + b)
overdue = con.execute("SELECT alert_id, window_days, end_ms FROM alert_follow_up WHERE complete = 0 AND end_ms <= ?",
                      (stream_ms,)).fetchall()
print(f"windows whose end the stream's time has passed, still incomplete: {len(overdue)}")
for aid, days, end in overdue[:20]:
    print(f"    {aid} {days}d ended {(stream_ms - end) / DAY:.1f} days ago")
missing = [a for a, s in status.items() if s == "resolved" and set(windows.get(a, {})) != {7, 30}]
print(f"resolved alerts (any) without both windows stored: {len(missing)}")
for a in missing[:20]:
    print("    " + a)
sys.exit(1 if bad or overdue or missing else 0)
