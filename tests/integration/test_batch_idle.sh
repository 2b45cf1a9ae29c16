#!/bin/bash
# A batch commits as soon as the consumer has nothing more waiting, not
# when --batch-ms runs out: with --batch-ms at a minute, a lone event, and
# then its alert, are committed and visible long before that minute.
. "$(dirname "$0")/lib.sh"
start_broker 2
PORT=$(free_port)
$RGMON token new --role compliance --name t --file "$WORK/tokens" >"$WORK/tok" 2>/dev/null
start_serve "$WORK/s.db" "$PORT" --batch-ms 60000 --tokens "$WORK/tokens"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"

accepted_is() { [ "$(metric "$PORT" accepted)" = "$1" ]; }
# until COMMAND succeeds, for at most 30 s of wall time (half the batch
# window; a try may take long on a loaded machine, so tries are not counted)
within_30s() {
  end=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -lt "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
printf 'p1\t{"event_id":"e1","type":"deposit","player_id":"p1","ts":"2026-11-01T10:00:00Z","amount":1000,"currency":"EUR"}\n' |
  kcat -P -b "$BROKER" -t rg.events -K '	' 2>"$WORK/kcat.err"
within_30s accepted_is 1 && ok "a lone event commits before --batch-ms" ||
  fail "a lone event commits before --batch-ms (accepted $(metric "$PORT" accepted))"

# A deposit during a self-exclusion: an alert at once, visible in the API.
printf 'p2\t{"event_id":"x2","type":"self_exclusion","player_id":"p2","ts":"2026-11-01T10:00:00Z","days":30,"source":"player"}\np2\t{"event_id":"d2","type":"deposit","player_id":"p2","ts":"2026-11-01T10:01:00Z","amount":5000,"currency":"EUR"}\n' |
  kcat -P -b "$BROKER" -t rg.events -K '	' 2>>"$WORK/kcat.err"
alert_seen() {
  curl -s -H "Authorization: Bearer $(cat "$WORK/tok")" "http://127.0.0.1:$PORT/v1/alerts?player=p2" |
    jq -e '.alerts | length > 0'
}
within_30s alert_seen && ok "its alert is in the API before --batch-ms" ||
  fail "its alert is in the API before --batch-ms"
check "all three events accepted" 3 "$(metric "$PORT" accepted)"

kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check "SIGTERM exits 0" 0 "$?"
check "nothing lost or applied twice" 3 "$(stat "$WORK/s.db" accepted)"
finish
