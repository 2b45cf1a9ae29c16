#!/bin/bash
# The support queue survives kill -9: serve is killed while the outbox relay
# is publishing (rows committed, some sent, some not); after the restarts
# rg.alerts holds every message the store decided on -- duplicates allowed,
# none missing -- and the latest message of each alert equals the store.
#
# Each kill is set up, not caught by luck: once the relay has sent rows in
# this run, the dev broker goes down (SIGUSR1), so what serve commits from
# then on -- alerts from events it already fetched, and a staff
# acknowledgement made over HTTP -- stays unsent; serve is killed with those
# rows in the outbox and the broker comes back (SIGUSR2) for the restart.
. "$(dirname "$0")/lib.sh"
KILLS=${KILLS:-4}
start_broker 8
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
DB="$WORK/s.db"
TOKENS="$WORK/tokens"
$RGMON token new --role compliance --name compliance-1 --file "$TOKENS" >"$WORK/compliance.tok" 2>/dev/null
# Small enough for the dev broker's 5 MiB per partition retention; produced
# in one part per kill, so every run has new events to apply.
$RGMON simulate --players 600 --days 10 --seed 8 --out "$WORK/ev.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/ev.jsonl")
split -n "l/$KILLS" -d -a 3 "$WORK/ev.jsonl" "$WORK/part."

q() { [ -f "$DB" ] && sqlite3 "$DB" "$1" 2>/dev/null || echo 0; }
sent() { q 'select count(sent_ms) from outbox'; }
sent_since() { [ "$(sent)" -gt "$1" ]; }
unsent() { q 'select count(*) from outbox where sent_ms is null'; }
some_unsent() { [ "$(unsent)" -gt 0 ]; }
acknowledge() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $(cat "$WORK/compliance.tok")" \
    -H 'Content-Type: application/json' -d '{}' "$URL/v1/alerts/$1/acknowledge"
}
landed=0
for k in $(seq "$KILLS"); do
  keyed "$(ls "$WORK"/part.* | sed -n "${k}p")" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
  sent0=$(sent) left=$(unsent)
  start_serve "$DB" "$PORT" --tokens "$TOKENS"
  # more than what the last kill left unsent: rows from this part's events
  wait_for "the relay sends" 600 sent_since $((sent0 + left)) ||
    fail "kill $k: the relay sent this part's rows before the broker went down"
  kill -USR1 "$BROKER_PID"
  alert=$(q "select alert_id from alerts where status = 'open' order by created_ms, alert_id limit 1")
  check "kill $k: an alert acknowledged while the broker is down" 200 "$(acknowledge "$alert")"
  wait_for "a committed row the relay cannot send" 100 some_unsent
  s=$(sent) u=$(unsent)
  kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
  echo "# kill $k: $((s - sent0)) rows sent in this run, $u committed and unsent"
  [ "$s" -gt "$sent0" ] && [ "$u" -gt 0 ] && landed=$((landed + 1))
  kill -USR2 "$BROKER_PID"
done
check "every kill landed while the relay was publishing" "$KILLS" "$landed"

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
