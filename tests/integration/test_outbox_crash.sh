#!/bin/bash
# The support queue survives kill -9: serve is killed while the outbox relay
# is publishing (rows committed, some sent, some not); after the restarts
# rg.alerts holds every message the store decided on -- duplicates allowed,
# none missing -- and the latest message of each alert equals the store.
. "$(dirname "$0")/lib.sh"
KILLS=${KILLS:-4}
start_broker 8
PORT=$(free_port)
# Small enough for the dev broker's 5 MiB per partition retention.
produce_simulated 600 10 8
DB="$WORK/s.db"

# progress -> "EVENTS SENT": events applied and outbox rows sent so far
progress() {
  sqlite3 "$DB" "select (select value from counters where name = 'events'), count(sent_ms) from outbox" 2>/dev/null ||
    echo "0 0"
}
# mid_publish EV0 SENT0: waits (up to 60 s) until, since this start, the
# consumer applied events and the relay sent rows, and some committed rows
# are not sent yet. Polls every 2 ms from one process: the window between
# a commit and the relay's delivery is short, and a sqlite3 process per
# look every 0.1 s missed it once ingest got faster.
mid_publish() {
  python3 - "$DB" "$1" "$2" <<'PY'
import sqlite3, sys, time
db, ev0, sent0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
q = ("select (select value from counters where name = 'events') > ? and count(sent_ms) > ?"
     " and count(*) > count(sent_ms) from outbox")
until = time.monotonic() + 60
while time.monotonic() < until:
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        while time.monotonic() < until:
            if con.execute(q, (ev0, sent0)).fetchone()[0] == 1:
                sys.exit(0)
            time.sleep(0.002)
    except sqlite3.Error:
        time.sleep(0.01)
sys.exit(1)
PY
}
landed=0
for k in $(seq "$KILLS"); do
  read -r ev0 sent0 <<<"$(progress | tr '|' ' ')"
  start_serve "$DB" "$PORT"
  if mid_publish "${ev0:-0}" "${sent0:-0}"; then landed=$((landed + 1)); fi
  kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
  echo "# kill $k: $(sqlite3 "$DB" "select count(*) || ' outbox rows, ' || (count(*) - count(sent_ms)) || ' unsent' from outbox")"
done
[ "$landed" -ge 1 ] && ok "$landed of $KILLS kills landed while the relay was publishing" || fail "no kill landed mid-publish"

start_serve "$DB" "$PORT"
all_in() { [ "$($RGMON stats --db "$DB" | jq .events)" -eq "$N" ]; }
wait_for "all events" 1200 all_in && ok "all $N events applied after the kills" || fail "all events applied"
drained() { [ "$(sqlite3 "$DB" 'select count(*) from outbox where sent_ms is null')" = 0 ]; }
wait_for "outbox drained" 300 drained && ok "the outbox drains" || fail "the outbox drains"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check "exactly once: accepted = produced, no duplicates" "$N 0" "$($RGMON stats --db "$DB" | jq -r '"\(.accepted) \(.duplicates)"')"

kcat -C -b "$BROKER" -t rg.alerts -e -q -f '%h\t%s\n' >"$WORK/topic" 2>/dev/null
sqlite3 -separator '	' "$DB" "select alert_id, value from outbox where topic = 'rg.alerts' order by seq" >"$WORK/outbox"
"$RGMON" alerts list --db "$DB" --json >"$WORK/store.json"
python3 - "$WORK/topic" "$WORK/outbox" "$WORK/store.json" <<'PY'
import json, sys
topic, last = [], {}
for line in open(sys.argv[1]):
    hdr, val = line.rstrip("\n").split("\t", 1)
    topic.append(val)
    last[json.loads(val)["alert_id"]] = json.loads(val)
published = set(topic)
decided = [l.rstrip("\n").split("\t", 1)[1] for l in open(sys.argv[2])]
store = {a["alert_id"]: a for a in json.load(open(sys.argv[3]))["alerts"]}
for a in store.values():
    a.pop("overdue", None)
def ok(name, cond, info=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond or not info else " (%s)" % info))
missing = [d for d in decided if d not in published]
ok("every outbox message reached rg.alerts (%d messages, %d on the topic)" % (len(decided), len(topic)), not missing, "%d missing" % len(missing))
ok("every alert is on the topic (%d)" % len(store), set(store) == set(last), len(set(store) ^ set(last)))
ok("the latest message of each alert equals the store", all(last.get(k) == v for k, v in store.items()))
print("# %d duplicate messages after the kills (allowed: consumers dedupe on alert_id)" % (len(topic) - len(published)))
PY
finish
