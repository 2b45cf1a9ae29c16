#!/usr/bin/env python3
"""Resolves every unresolved alert through the API with a mix of outcomes
(by a hash of the alert id, so a rerun picks the same: 30% limits_set,
15% pause_applied, 5% self_exclusion, 35% contacted_no_action, 15%
false_positive). Used by follow_up_scale.sh.
usage: resolve_alerts.py URL COMPLIANCE_TOKEN"""
import hashlib, json, sys, time, urllib.request
url, token = sys.argv[1], sys.argv[2]
def call(path, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                                 method="POST" if body else "GET")
    with urllib.request.urlopen(req) as r:
        return json.load(r)
MIX = [("limits_set", 30), ("pause_applied", 15), ("self_exclusion", 5), ("contacted_no_action", 35), ("false_positive", 15)]
def outcome(aid):
    h = int(hashlib.sha256(aid.encode()).hexdigest()[:8], 16) % 100
    for o, w in MIX:
        if h < w: return o
        h -= w
ids, cursor = [], None
while True:
    page = call("/v1/alerts?status=unresolved&limit=500" + (f"&cursor={cursor}" if cursor else ""))
    ids += [a["alert_id"] for a in page["alerts"]]
    cursor = page.get("next_cursor")
    if not cursor: break
t = time.time(); n = {}
for aid in ids:
    o = outcome(aid)
    call(f"/v1/alerts/{aid}/resolve", {"outcome": o, "note": "scripted follow-up run"})
    n[o] = n.get(o, 0) + 1
print(json.dumps({"resolved": len(ids), "by_outcome": n, "seconds": round(time.time() - t, 1)}))
