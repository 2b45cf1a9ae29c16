#!/bin/bash
# The web UI in a real browser (Debian chromium driven by playwright-core):
# sign in, open the top alert, resolve it, see it leave the open queue.
# Screenshots go to tests/out/.
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
# 8 partitions: the dev broker keeps ~5 MiB per partition and drops older
# messages silently; 400 players over 10 days are ~20 MB.
start_broker 8
PORT=$(free_port)
$RGMON simulate --players 400 --days 10 --seed 3 --out "$WORK/ev.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/ev.jsonl")
keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
TOKEN=$($RGMON token new --role compliance --name ui-tester --file "$WORK/tokens" 2>/dev/null)
AGENT=$($RGMON token new --role agent --name ui-agent --file "$WORK/tokens" 2>/dev/null)
REGULATOR=$($RGMON token new --role regulator --name ui-regulator --file "$WORK/tokens" 2>/dev/null)
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens" --audit-key "$WORK/keys/audit-signing.key"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "serve consumed the simulated events" || fail "serve consumed the simulated events"
AGENT_TOKEN=$AGENT REGULATOR_TOKEN=$REGULATOR \
  node tests/browser/test_ui.mjs "http://127.0.0.1:$PORT" "$TOKEN" "$OUT" || FAILED=$((FAILED + 1))
$RGMON audit verify "$OUT/ui-export.csv" --pubkey "$WORK/keys/audit-signing.pub" >/dev/null 2>"$WORK/verify.err"
check "the export the regulator downloaded verifies with the operator's key" 0 $?
check "the browser's resolution is in the store" 1 \
  "$(sqlite3 "$WORK/s.db" "select count(*) from alerts where status = 'resolved' and actor = 'ui-tester' and outcome = 'pause_applied'")"
finish
