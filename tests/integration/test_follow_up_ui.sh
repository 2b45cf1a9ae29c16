#!/bin/bash
# The follow-up and effectiveness pages in a real browser (Debian chromium
# driven by playwright-core) on the follow-up fixture: two red alerts
# resolved through the API, the stream moved past day 30. Screenshots go
# to tests/out/ (follow-up-alert.png, follow-up-player.png, effectiveness.png).
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
FIXTURE="$(dirname "$0")/follow_up_fixture.py"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
TOKEN=$($RGMON token new --role compliance --name ui-tester --file "$WORK/tokens" 2>/dev/null)
# four eyes: a red alert closed as contacted_no_action waits for a second person
SECOND=$($RGMON token new --role compliance --name ui-second --file "$WORK/tokens" 2>/dev/null)
REGULATOR=$($RGMON token new --role regulator --name ui-regulator --file "$WORK/tokens" 2>/dev/null)
TOTAL=0
produce() {
  python3 "$FIXTURE" "$1" >"$WORK/part$1.jsonl"
  TOTAL=$((TOTAL + $(wc -l <"$WORK/part$1.jsonl")))
  keyed "$WORK/part$1.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
}
all_in() { [ "$(metric "$PORT" accepted)" = "$TOTAL" ]; }
getj() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }
resolve() { curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary "$2" "$URL/v1/alerts/$1/resolve"; }
produce 1
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_for "part 1" 600 all_in && ok "part 1 consumed" || fail "part 1 consumed"
A=$(getj '/v1/alerts?status=open' | jq -r '.alerts[] | select(.player_id == "fu-a" and .kind == "harm") | .alert_id')
B=$(getj '/v1/alerts?status=open' | jq -r '.alerts[] | select(.player_id == "fu-b" and .kind == "harm") | .alert_id')
resolve "$A" '{"outcome":"limits_set","note":"agreed a deposit limit"}'
resolve "$B" '{"outcome":"contacted_no_action","note":"called"}'
curl -s -o /dev/null -X POST -H "Authorization: Bearer $SECOND" -H 'Content-Type: application/json' \
  --data-binary '{"decision":"approve"}' "$URL/v1/alerts/$B/review"
produce 2
produce 3
wait_for "parts 2 and 3" 600 all_in && ok "parts 2 and 3 consumed" || fail "parts 2 and 3 consumed"
check "the follow-ups are complete" true "$(getj "/v1/alerts/$A" | jq '.follow_up["30d"].complete')"
node tests/browser/test_follow_up.mjs "$URL" "$TOKEN" "$REGULATOR" "$A" fu-a "$OUT" || FAILED=$((FAILED + 1))
finish
