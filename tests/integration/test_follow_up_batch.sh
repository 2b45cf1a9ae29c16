#!/bin/bash
# A follow-up window measured when a replay batch holds more than a day of
# the player's events past its end (issue 16): the player's day ring has 31
# days, so an event on day 32 after the anchor takes the slot of day 1. The
# window must be measured before that event is applied, not at the batch's
# end. Part 1 of the follow-up fixture is replayed, fu-a's alert resolved
# through serve's API, then one batch: a deposit and a round on day 1 after the anchor,
# a round on day 31 and a deposit on day 32 (local days, CEST). Fails on a
# build that measures only at the batch's end (both windows read zeros).
. "$(dirname "$0")/lib.sh"
FIXTURE="$(dirname "$0")/follow_up_fixture.py"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
TOKEN=$($RGMON token new --role compliance --name batch-1 --file "$WORK/tokens" 2>/dev/null)
getj() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }
python3 "$FIXTURE" 1 >"$WORK/part1.jsonl"
$RGMON replay --db "$WORK/s.db" --quiet "$WORK/part1.jsonl" >/dev/null
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" || fail "serve becomes ready"
A=$(getj '/v1/alerts?status=open' | jq -r '.alerts[] | select(.player_id == "fu-a" and .kind == "harm") | .alert_id')
check "fu-a resolved" resolved "$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary '{"outcome":"limits_set","note":"agreed a limit"}' "$URL/v1/alerts/$A/resolve" | jq -r .status)"
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
# the anchor is 2026-09-10T12:00Z (local day 0); the 30-day window ends at
# 2026-10-10T22:00Z, the start of local day 31
cat >"$WORK/part2.jsonl" <<'EOF'
{"event_id":"b-1","type":"deposit","player_id":"fu-a","ts":"2026-09-11T12:00:00.000Z","currency":"SEK","amount":70000,"status":"approved"}
{"event_id":"b-4","type":"game_round","player_id":"fu-a","ts":"2026-09-11T12:05:00.000Z","currency":"SEK","stake":7000,"payout":0}
{"event_id":"b-2","type":"game_round","player_id":"fu-a","ts":"2026-10-11T12:00:00.000Z","currency":"SEK","stake":100,"payout":100}
{"event_id":"b-3","type":"deposit","player_id":"fu-a","ts":"2026-10-12T12:00:00.000Z","currency":"SEK","amount":50000,"status":"approved"}
EOF
check "one replay batch" '[4,0]' "$($RGMON replay --db "$WORK/s.db" --quiet "$WORK/part2.jsonl" | jq -c '[.accepted, .rejected]')"
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" || fail "serve becomes ready again"
F=$(getj "/v1/alerts/$A" | jq -c '.follow_up')
check "both windows complete" '[true,true]' "$(jq -c '[.["7d"].complete, .["30d"].complete]' <<<"$F")"
check "7 days after: day 1's deposit, per day (70000 / 7)" 10000 "$(jq '.["7d"].after.deposits' <<<"$F")"
check "30 days after: day 1's deposit, not day 32's (70000 / 30)" 2333 "$(jq '.["30d"].after.deposits' <<<"$F")"
check "30 days after: day 1's round, one active day, no day 32 (7000 / 30)" '[233,1]' \
  "$(jq -c '.["30d"].after | [.staked, .active_days]' <<<"$F")"
finish
