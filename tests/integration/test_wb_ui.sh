#!/bin/bash
# The workbench additions in a real browser (Debian chromium driven by
# playwright-core): a signed badge link in an <img> of another page without
# a token, the alert page's evidence grouped by reason and in time order,
# an unknown alert's error alone, the player page's zone and unpriced
# currency, and an agent making a badge link from the player lookup. Screenshots go to tests/out/ (wb-*.png).
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
start_broker 4
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
$RGMON simulate --players 200 --days 6 --seed 3 --out "$WORK/ev.jsonl" 2>/dev/null
{
  echo '{"event_id":"xyz-0","player_id":"pxyz","ts":"2026-11-02T10:00:00Z","type":"account","country":"SE","birth_date":"1990-01-01"}'
  echo '{"event_id":"xyz-1","player_id":"pxyz","ts":"2026-11-02T10:01:00Z","type":"deposit","amount":50000,"currency":"XYZ","status":"approved","method":"card","instrument":"c1"}'
} >>"$WORK/ev.jsonl"
N=$(wc -l <"$WORK/ev.jsonl")
keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
TOKEN=$($RGMON token new --role compliance --name wb-tester --file "$WORK/tokens" 2>/dev/null)
AGENT=$($RGMON token new --role agent --name wb-agent --file "$WORK/tokens" 2>/dev/null)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "serve consumed the events" || fail "serve consumed the events"

# An alert with a reason that counts deposits, and a badge link made by an agent.
ALERT=$(sqlite3 "$WORK/s.db" "select a.alert_id from alerts a, json_each(a.reasons) r
  where json_extract(r.value, '$.rule') = 'loss_chasing.deposit_after_loss' order by a.alert_id limit 1")
PLAYER=$(sqlite3 "$WORK/s.db" "select player_id from alerts where alert_id = '$ALERT'")
LINK=$(curl -s -X POST -H "Authorization: Bearer $AGENT" "$URL/v1/players/$PLAYER/badge-link" | jq -r .url)
OTHER=$(sqlite3 "$WORK/s.db" "select player_id from players where player_id <> '$PLAYER' limit 1")
TAMPERED=$(echo "$LINK" | sed "s|/v1/badge/$PLAYER.svg|/v1/badge/$OTHER.svg|")
# A link for a player the store does not know (one it has erased, say),
# signed as serve signs with the database's secret.
SECRET=$(sqlite3 "$WORK/s.db" "select value from meta where key = 'badge_link_secret'")
EXP=$(($(date -u +%s) + 3600))
SIG=$(printf 'rgmon-badge-v1\nnobody-here\n%s' "$EXP" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$SECRET" | awk '{print $NF}')
UNKNOWN="/v1/badge/nobody-here.svg?exp=$EXP&sig=$SIG"
[ -n "$ALERT" ] && [ "${LINK:0:10}" = /v1/badge/ ] && ok "an alert and a badge link to show" || fail "an alert and a badge link to show"
AGENT_TOKEN=$AGENT node tests/browser/test_wb.mjs "$URL" "$TOKEN" "$OUT" "$LINK" "$TAMPERED" "$UNKNOWN" "$ALERT" pxyz || FAILED=$((FAILED + 1))
finish
