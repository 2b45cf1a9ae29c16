#!/bin/bash
# Four eyes and the dashboard in a real browser (Debian chromium driven by
# playwright-core, tests/browser/test_review.mjs): the dashboard renders,
# a red alert closed as a false positive waits for review, a second
# compliance token approves it. Screenshots go to tests/out/.
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
start_broker 8
PORT=$(free_port)
$RGMON simulate --players 400 --days 10 --seed 3 --out "$WORK/ev.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/ev.jsonl")
keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
ANN=$($RGMON token new --role compliance --name ann --file "$WORK/tokens" 2>/dev/null)
BOB=$($RGMON token new --role compliance --name bob --file "$WORK/tokens" 2>/dev/null)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "serve consumed the simulated events" || fail "serve consumed the simulated events"
node tests/browser/test_review.mjs "http://127.0.0.1:$PORT" "$ANN" "$BOB" "$OUT" || FAILED=$((FAILED + 1))
check "the store has the approved closure: proposed by ann, approved by bob" 1 \
  "$(sqlite3 "$WORK/s.db" "select count(*) from alerts where status = 'resolved' and outcome = 'false_positive' and proposed_by = 'ann' and reviewed_by = 'bob'")"
finish
