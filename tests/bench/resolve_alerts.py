#!/usr/bin/env python3
"""Resolves every open or acknowledged alert through the API with a mix of
outcomes (by a hash of the alert id, so a rerun picks the same: 30%
limits_set, 15% pause_applied, 5% self_exclusion, 35% contacted_no_action,
15% false_positive). A resolution held for four eyes (pending_review) is
approved by a second compliance actor, so it becomes resolved too. Appends
"alert_id<TAB>outcome" of each alert it resolved to IDS_FILE. Used by
follow_up_scale.sh.
usage: resolve_alerts.py URL COMPLIANCE_TOKEN REVIEWER_TOKEN IDS_FILE"""
import hashlib, json, sys, time, urllib.error, urllib.request
url, token, reviewer, ids_file = sys.argv[1:5]
def call(path, body=None, tok=token):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"},
                                 method="POST" if body else "GET")
    with urllib.request.urlopen(req) as r:
        return json.load(r)
def listed(status):
    ids, cursor = [], None
    while True:
        page = call(f"/v1/alerts?status={status}&limit=500" + (f"&cursor={cursor}" if cursor else ""))
        ids += [a["alert_id"] for a in page["alerts"]]
        cursor = page.get("next_cursor")
        if not cursor: return ids
MIX = [("limits_set", 30), ("pause_applied", 15), ("self_exclusion", 5), ("contacted_no_action", 35), ("false_positive", 15)]
def outcome(aid):
    h = int(hashlib.sha256(aid.encode()).hexdigest()[:8], 16) % 100
    for o, w in MIX:
        if h < w: return o
        h -= w
ids = listed("open") + listed("acknowledged")
t = time.time(); n, held, failed, resolved = {}, 0, [], []
for aid in ids:
    o = outcome(aid)
    try:
        a = call(f"/v1/alerts/{aid}/resolve", {"outcome": o, "note": "scripted follow-up run"})
    except urllib.error.HTTPError as e:
        failed.append(f"{aid} resolve {e.code}: {e.read().decode(errors='replace').strip()}")
        continue
    n[o] = n.get(o, 0) + 1
    if a.get("status") == "pending_review":
        held += 1
    else:
        resolved.append((aid, o))
for aid in listed("pending_review"):
    try:
        a = call(f"/v1/alerts/{aid}/review", {"decision": "approve", "note": "second look, agreed"}, reviewer)
        resolved.append((aid, a.get("outcome", "")))
    except urllib.error.HTTPError as e:
        failed.append(f"{aid} review {e.code}: {e.read().decode(errors='replace').strip()}")
with open(ids_file, "a") as f:
    f.writelines(f"{aid}\t{o}\n" for aid, o in resolved)
for line in failed:
    print("resolve_alerts: " + line, file=sys.stderr)
print(json.dumps({"resolved": len(resolved), "by_outcome": n, "held_for_review_then_approved": held,
                  "failed": len(failed), "seconds": round(time.time() - t, 1)}))
sys.exit(1 if failed else 0)
