#!/bin/bash
# The queue's sort and "assigned to me" in a real browser (Debian chromium
# driven by playwright-core, tests/browser/test_queue.mjs), on a simulated
# month replayed into the store with some alerts taken by ann. Screenshots
# go to tests/out/.
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
start_broker 1
PORT=$(free_port)
"$RGMON" simulate --players 300 --days 30 --seed 16 --out "$WORK/ev.jsonl" 2>/dev/null
"$RGMON" replay --db "$WORK/s.db" --quiet "$WORK/ev.jsonl" >/dev/null 2>"$WORK/replay.err"
check "the simulated month replays" 0 $?
# Four alerts taken by ann, two by bob (acknowledging an alert takes it).
sqlite3 "$WORK/s.db" "update alerts set status='acknowledged', acknowledged_by='ann', acknowledged_ms=updated_ms
  where alert_id in (select alert_id from alerts where status='open' order by alert_id limit 4);
  update alerts set status='acknowledged', acknowledged_by='bob', acknowledged_ms=updated_ms
  where alert_id in (select alert_id from alerts where status='open' order by alert_id desc limit 2);
  update alerts set due_ms = (select min(due_ms) from alerts) - 60000 where alert_id =
    (select alert_id from alerts where status='open' and level < (select max(level) from alerts) order by alert_id limit 1);"
check "the soonest due open alert is not red (so sorting by due changes the first row)" 1 \
  "$(sqlite3 "$WORK/s.db" "select level < (select max(level) from alerts) from alerts where status <> 'resolved' order by due_ms limit 1")"
ANN=$($RGMON token new --role compliance --name ann --file "$WORK/tokens" 2>/dev/null)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
node tests/browser/test_queue.mjs "http://127.0.0.1:$PORT" "$ANN" ann "$OUT" || FAILED=$((FAILED + 1))
finish
