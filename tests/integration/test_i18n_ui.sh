#!/bin/bash
# The web UI in the staff's language: the dictionaries of src/web/i18n.js
# are complete (tests/browser/check_i18n_keys.mjs, no browser), and in
# Debian chromium (tests/browser/test_i18n.mjs) a Swedish browser gets a
# Swedish UI, the header's selector turns it Dutch and back to English,
# and the talking points switch to the agent's language. Screenshots go
# to tests/out/i18n-{sv,nl}.png.
. "$(dirname "$0")/lib.sh"
browser_ready # OUT: where screenshots go
node tests/browser/check_i18n_keys.mjs src/web && ok "the dictionaries are complete" || fail "the dictionaries are complete"
DB="$WORK/s.db"
$RGMON replay --db "$DB" --policies policies tests/fixtures/talk-chasers.jsonl >/dev/null 2>"$WORK/replay.err"
check "the fixture replays" 0 $?
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
STAFF=$($RGMON token new --role compliance --name ui-staff --file "$WORK/tokens" 2>/dev/null)
start_serve "$DB" "$PORT" --tokens "$WORK/tokens" --policies policies
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
rm -f "$OUT/i18n-sv.png" "$OUT/i18n-nl.png"
node tests/browser/test_i18n.mjs "$URL" "$STAFF" "$OUT" || FAILED=$((FAILED + 1))
for l in sv nl; do
  [ -s "$OUT/i18n-$l.png" ] && ok "screenshot tests/out/i18n-$l.png" || fail "screenshot tests/out/i18n-$l.png"
done
finish
