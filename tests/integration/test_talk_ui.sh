#!/bin/bash
# The agent card and talking points in a real browser (Debian chromium
# driven by playwright-core, tests/browser/test_talk.mjs): a card per
# language, the player page's language switch, an agent's lookup, the
# alert thread with a hostile summary shown as text. Screenshots go to
# tests/out/talk-*.png.
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
DB="$WORK/s.db"
$RGMON replay --db "$DB" --policies policies tests/fixtures/talk-chasers.jsonl >/dev/null 2>"$WORK/replay.err"
check "the fixture replays" 0 $?
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
STAFF=$($RGMON token new --role compliance --name ui-staff --file "$WORK/tokens" 2>/dev/null)
AGENT=$($RGMON token new --role agent --name ui-agent --file "$WORK/tokens" 2>/dev/null)
start_serve "$DB" "$PORT" --tokens "$WORK/tokens" --policies policies
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
ALERT=$(curl -s -H "Authorization: Bearer $STAFF" "$URL/v1/alerts?player=se-chaser&status=open" |
  jq -r '[.alerts[] | select(.kind == "harm")][0].alert_id')
HOSTILE='<img src=x onerror=alert(1)><script>alert(2)</script> & "quotes"'
check "an agent records a hostile summary" 201 "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H "Authorization: Bearer $AGENT" --data-binary "$(jq -cn --arg s "$HOSTILE" '{channel:"chat",topic:"complaint",summary:$s}')" \
  "$URL/v1/players/se-chaser/interactions")"
HOSTILE=$HOSTILE node tests/browser/test_talk.mjs "$URL" "$AGENT" "$STAFF" "$ALERT" "$OUT" || FAILED=$((FAILED + 1))
check "the note added in the browser is stored, by the staff token" "ui-staff phone" \
  "$(sqlite3 "$DB" "select actor || ' ' || channel from notes where kind = 'note'")"
for l in en sv nl de es fr; do
  [ -s "$OUT/talk-card-$l.png" ] && ok "screenshot tests/out/talk-card-$l.png" || fail "screenshot tests/out/talk-card-$l.png"
done
finish
