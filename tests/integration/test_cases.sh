#!/bin/bash
# The scenario suite (issue 14): players shaped after public enforcement
# cases (tests/integration/cases.py, figures from policies/SOURCES.md) and
# calm players, all in one stream, replayed with every pack loaded. Each
# case's harm alert level, flag, due time, rule, obligation and final level
# are checked, and the table (case, expected, got) is printed.
. "$(dirname "$0")/lib.sh"

python3 "$(dirname "$0")/cases.py" "$WORK/cases.json" >"$WORK/cases.jsonl"
check "the cases' events are written" 0 $?
summary=$($RGMON replay --db "$WORK/db" --policies policies/ --quiet "$WORK/cases.jsonl" 2>"$WORK/replay.err")
check "replay with every pack" 0 $?
check "no event is rejected" 0 "$(jq .rejected <<<"$summary")"
$RGMON alerts list --db "$WORK/db" --json >"$WORK/alerts.json"
sqlite3 "$WORK/db" "select player_id, count(*) from audit where kind = 'player_flag' group by player_id" >"$WORK/flags"
# Every version of every alert, in order: when each level was reached, and its due time then.
sqlite3 "$WORK/db" "select payload from audit where kind in ('alert_opened', 'alert_escalated') order by seq" >"$WORK/versions"
while read -r p; do
  printf '%s\t%s\n' "$p" "$($RGMON player show "$p" --db "$WORK/db" --json | jq -r .level)"
done < <(jq -r '.[].player' "$WORK/cases.json") >"$WORK/levels"

python3 - "$WORK" <<'PY'
import json, sys
from datetime import datetime
work = sys.argv[1]
cases = json.load(open(f"{work}/cases.json"))
alerts = json.load(open(f"{work}/alerts.json"))["alerts"]
flags = dict(l.split("|") for l in open(f"{work}/flags").read().split())
levels = dict(l.rstrip("\n").split("\t") for l in open(f"{work}/levels"))
versions = [json.loads(l) for l in open(f"{work}/versions")]
rank = {"none": 0, "amber": 1, "red": 2}
def t(s): return datetime.fromisoformat(s.replace("Z", "+00:00"))
rows = []
for c in cases:
    e, pid = c["expect"], c["player"]
    harm = sorted((a for a in alerts if a["player_id"] == pid and a["kind"] == "harm"), key=lambda a: a["created_at"])
    obl = [a for a in alerts if a["player_id"] == pid and a["kind"] == "obligation"]
    top = max((rank[a["level"]] for a in harm), default=0)
    got_level = ["none", "amber", "red"][top]
    checks = []
    want = e.get("harm")
    if want in rank: checks.append(("harm alert " + want, got_level == want))
    if want == "amber_or_more": checks.append(("harm alert amber or red", top >= 1))
    if want == "amber_or_less": checks.append(("harm alert at most amber", top <= 1))
    if "flag" in e: checks.append(("marketing flag" if e["flag"] else "no flag", (pid in flags) == e["flag"]))
    if "due_max_h" in e:
        # the version in which the alert first reached its top level: due within N h of that event
        first = next((v for v in versions if v["player_id"] == pid and v.get("kind", "harm") == "harm"
                      and rank[v["level"]] == top), None)
        hours = (t(first["due_at"]) - t(first["updated_at"])).total_seconds() / 3600 if first else None
        checks.append((f"due within {e['due_max_h']} h", hours is not None and hours <= e["due_max_h"]))
    if "rule_prefix" in e:
        checks.append((f"a {e['rule_prefix']}* rule named", any(r.startswith(e["rule_prefix"]) for a in harm for r in a["rules"])))
    if "alert_before" in e:
        checks.append((f"alert before {e['alert_before']}", bool(harm) and harm[0]["created_at"] < e["alert_before"]))
    if "obligation" in e:
        checks.append((f"obligation {e['obligation']}", any(a["suggested_action"] == e["obligation"] for a in obl)))
    if "obligation_due_max_h" in e:
        checks.append((f"obligation due within {e['obligation_due_max_h']} h",
                       any((t(a["due_at"]) - t(a["created_at"])).total_seconds() <= e["obligation_due_max_h"] * 3600 for a in obl)))
    if "final" in e: checks.append((f"ends {e['final']}", levels.get(pid) == e["final"]))
    got = f"harm {got_level}" + (", flag" if pid in flags else "") + \
          (f", obligations {','.join(sorted(a['suggested_action'] for a in obl))}" if obl else "") + \
          f", ends {levels.get(pid)}"
    for name, ok in checks:
        print(("ok" if ok else "not ok") + f" - {c['case']}: {name}" + ("" if ok else f" (got: {got})"))
    rows.append((c["case"], ", ".join(n for n, _ in checks), got))
print("# case | expected | got")
for r in rows: print("# " + " | ".join(r))
PY
finish
