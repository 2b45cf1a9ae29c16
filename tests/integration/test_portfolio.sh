#!/bin/bash
# The portfolio view and four eyes over HTTP, on a simulated month replayed
# into the store and then served: the players by level add up to the
# players of the stream, every day the stream crossed has its snapshot,
# movers and alert figures are there; a red alert closed as a false
# positive waits in pending_review, its proposer may not review it,
# another compliance person sends it back and then approves it, and each
# step is in the audit trail and the outbox for rg.alerts.
. "$(dirname "$0")/lib.sh"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

"$RGMON" simulate --players 300 --days 30 --seed 16 --out "$WORK/ev.jsonl" 2>/dev/null
"$RGMON" replay --db "$WORK/s.db" --quiet "$WORK/ev.jsonl" >/dev/null 2>"$WORK/replay.err"
check "the simulated month replays" 0 $?
PLAYERS=$(jq -r .player_id "$WORK/ev.jsonl" | sort -u | wc -l)
# The UTC days of the first and the newest event (times carry offsets).
read -r first_day last_day < <(jq -r .ts "$WORK/ev.jsonl" | python3 -c '
import sys, datetime
ts = [datetime.datetime.fromisoformat(l.strip().replace("Z", "+00:00")).astimezone(datetime.timezone.utc) for l in sys.stdin]
print(min(ts).date(), max(ts).date())')
crossed=$(( ($(date -ud "$last_day" +%s) - $(date -ud "$first_day" +%s)) / 86400 ))

for who in ann bob; do
  "$RGMON" token new --role compliance --name "$who" --file "$WORK/tokens" >"$WORK/$who.tok" 2>/dev/null
done
for r in agent regulator admin; do
  "$RGMON" token new --role $r --name "$r-1" --file "$WORK/tokens" >"$WORK/$r.tok" 2>/dev/null
done
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"

tok() { cat "$WORK/$1.tok"; }
getj() { curl -s -H "Authorization: Bearer $(tok "$1")" "$URL$2"; }
code() { curl -s -o "$WORK/body" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $(tok "$1")" \
  -H 'Content-Type: application/json' ${4:+--data-binary "$4"} "$URL$3"; }

# ---- the portfolio ----
for role in agent regulator; do
  check "portfolio: $role gets 403" 403 "$(code $role GET /v1/reports/portfolio)"
done
check "portfolio: admin may read it" 200 "$(code admin GET /v1/reports/portfolio)"
check "portfolio: compliance reads it" 200 "$(code ann GET /v1/reports/portfolio)"
P=$(cat "$WORK/body")
check "players now add up to the players of the stream" "$PLAYERS" "$(jq '.players_now.total' <<<"$P")"
check "players now by level add up too" "$PLAYERS" "$(jq '[.players_now.by_level[]] | add' <<<"$P")"
check "players now by jurisdiction add up too" "$PLAYERS" \
  "$(jq '[.players_now.by_jurisdiction[][]] | add' <<<"$P")"
check "a snapshot for every day the stream left, and today's" "$((crossed + 1))" "$(jq '.players_daily | length' <<<"$P")"
check "the first snapshot is the stream's first day" "$first_day" "$(jq -r '.players_daily[0].day' <<<"$P")"
check "every day's counts add up to its total" 0 \
  "$(jq '[.players_daily[] | select(([.by_level[]] | add) != .total)] | length' <<<"$P")"
check "the snapshots match the store" \
  "$(sqlite3 "$WORK/s.db" "select count(distinct day) from portfolio_daily")" "$crossed"
check "movers compare with a week ago" "$(date -ud "$last_day - 7 days" +%F)" "$(jq -r '.movers.since' <<<"$P")"
check "movers up rose" true "$(jq '.movers.up | length > 0 and all(.score_now > .score_then)' <<<"$P")"
check "movers down fell" true "$(jq '.movers.down | all(.score_now < .score_then)' <<<"$P")"
check "alerts opened per day add up to the alerts of the window" \
  "$(sqlite3 "$WORK/s.db" "select count(*) from alerts where created_ms >= (strftime('%s','$(jq -r .from <<<"$P")') * 1000)")" \
  "$(jq '[.alerts.daily[].opened] | add' <<<"$P")"
check "overdue now is counted" true "$(jq '.alerts.overdue_now >= 0' <<<"$P")"
check "no interaction yet: none per 1,000 active players" 0 "$(jq '.interactions_per_1000_active' <<<"$P")"
# one interaction, then (UKGC Req 14) 1,000 / the active players: players
# with an event other than a game round in the last 30 days of event time
SOMEONE=$(sqlite3 "$WORK/s.db" "select player_id from players order by player_id limit 1")
curl -s -o /dev/null -X POST -H "Authorization: Bearer $(tok ann)" -H 'Content-Type: application/json' \
  --data-binary '{"channel":"chat","topic":"rg_question","summary":"asked how limits work","offered":["deposit_limit"],"accepted":[]}' \
  "$URL/v1/players/$SOMEONE/interactions"
ACTIVE=$(sqlite3 "$WORK/s.db" "select count(distinct player_id) from player_events where ts_ms >= (select max(max_ts) from event_batches) - 30 * 86400000")
check "interactions per 1,000 active players ($ACTIVE active)" "$(python3 -c "print(round(1000 / $ACTIVE, 3))")" \
  "$(getj ann /v1/reports/portfolio | jq '.interactions_per_1000_active * 1000 | round / 1000')"
# a measurement, not an assertion
start=$(date +%s%N); code ann GET /v1/reports/portfolio >/dev/null; end=$(date +%s%N)
echo "# portfolio answered in $(( (end - start) / 1000000 )) ms ($PLAYERS players x 30 days)"

# ---- four eyes ----
RED=$(getj ann '/v1/alerts?status=open&level=red&limit=1' | jq -r '.alerts[0].alert_id')
[ -n "$RED" ] && [ "$RED" != null ] && ok "there is an open red alert" || fail "there is an open red alert"
check "review before any resolution: 409" 409 "$(code bob POST "/v1/alerts/$RED/review" '{"decision":"approve"}')"
check "resolving red as a false positive is accepted" 200 \
  "$(code ann POST "/v1/alerts/$RED/resolve" '{"outcome":"false_positive","note":"a lucky winner, no harm"}')"
check "... and waits for review" pending_review "$(jq -r .status "$WORK/body")"
check "... with the outcome proposed, not taken" "false_positive null ann" \
  "$(jq -r '"\(.proposed_outcome) \(.outcome) \(.proposed_by)"' "$WORK/body")"
check "the pending_review filter lists it" "$RED" \
  "$(getj ann '/v1/alerts?status=pending_review' | jq -r --arg id "$RED" '.alerts[] | select(.alert_id == $id) | .alert_id')"
check "the open filter does not" "" \
  "$(getj ann '/v1/alerts?status=open&level=red&limit=500' | jq -r --arg id "$RED" '.alerts[] | select(.alert_id == $id) | .alert_id')"
check "the proposer may not review it: 409" 409 "$(code ann POST "/v1/alerts/$RED/review" '{"decision":"approve"}')"
check "... said in JSON" true "$(jq -e '.error | test("may not review")' "$WORK/body" >/dev/null && echo true)"
check "resolving it again: 409" 409 \
  "$(code bob POST "/v1/alerts/$RED/resolve" '{"outcome":"limits_set","note":"x"}')"
check "an unknown decision: 400" 400 "$(code bob POST "/v1/alerts/$RED/review" '{"decision":"maybe"}')"
check "no decision: 400" 400 "$(code bob POST "/v1/alerts/$RED/review" '{}')"
check "sending back without a note: 400" 400 "$(code bob POST "/v1/alerts/$RED/review" '{"decision":"reject"}')"
check "an unknown field: 400" 400 "$(code bob POST "/v1/alerts/$RED/review" '{"decision":"approve","x":"1"}')"
check "bad JSON: 400 with a JSON error" "400 true" \
  "$(code bob POST "/v1/alerts/$RED/review" '{"decision"' ) $(jq -e 'has("error")' "$WORK/body")"
check "an unknown alert: 404" 404 \
  "$(code bob POST /v1/alerts/00000000000000000000000000000000/review '{"decision":"approve"}')"
check "an agent may not review: 403" 403 "$(code agent POST "/v1/alerts/$RED/review" '{"decision":"approve"}')"
check "another person sends it back" 200 \
  "$(code bob POST "/v1/alerts/$RED/review" '{"decision":"reject","note":"call the player first"}')"
check "... back in the open queue with the note" "open bob call the player first" \
  "$(jq -r '"\(.status) \(.reviewed_by) \(.review_note)"' "$WORK/body")"
code ann POST "/v1/alerts/$RED/resolve" '{"outcome":"contacted_no_action","note":"called: all fine"}' >/dev/null
check "proposed again" pending_review "$(jq -r .status "$WORK/body")"
check "an admin approves" 200 "$(code admin POST "/v1/alerts/$RED/review" '{"decision":"approve","note":"agreed"}')"
check "resolved with the proposed outcome, proposer and approver kept" \
  "resolved contacted_no_action ann ann admin-1" \
  "$(jq -r '"\(.status) \(.outcome) \(.actor) \(.proposed_by) \(.reviewed_by)"' "$WORK/body")"
check "the history shows every step" "resolve reject resolve approve" \
  "$(jq -r '[.actions[].action] | join(" ")' "$WORK/body")"
check "the audit trail has both decisions" "review_rejected review_approved" \
  "$(sqlite3 "$WORK/s.db" "select group_concat(kind, ' ') from (select kind from audit where kind like 'review_%' order by seq)")"
check "the audit records name the reviewer and the proposal" "bob false_positive|admin-1 contacted_no_action" \
  "$(sqlite3 "$WORK/s.db" "select group_concat(json_extract(payload,'$.actor') || ' ' || json_extract(payload,'$.proposed_outcome'), '|') from (select payload from audit where kind like 'review_%' order by seq)")"
check "rg.alerts carries every version: pending, sent back, pending, resolved" \
  "pending_review open pending_review resolved" \
  "$(sqlite3 "$WORK/s.db" "select group_concat(json_extract(value,'$.status'), ' ') from (select value from outbox where topic = 'rg.alerts' and alert_id = '$RED' and created_ms > 1700000000000 order by seq)" | sed 's/^.*\(pending_review open pending_review resolved\)$/\1/')"
check "the resolved message names the reviewer" admin-1 \
  "$(sqlite3 "$WORK/s.db" "select json_extract(value,'$.reviewed_by') from outbox where topic = 'rg.alerts' and alert_id = '$RED' order by seq desc limit 1")"
check "the review route is counted in the metrics" true \
  "$(curl -s "$URL/metrics" | grep -q 'route="alert_review"' && echo true)"
AMBER=$(getj ann '/v1/alerts?status=open&level=amber&limit=1' | jq -r '.alerts[0].alert_id')
check "an amber false positive closes at once (the default review rule)" resolved \
  "$(code ann POST "/v1/alerts/$AMBER/resolve" '{"outcome":"false_positive","note":"no harm"}' >/dev/null; jq -r .status "$WORK/body")"
RED2=$(getj ann '/v1/alerts?status=open&level=red&limit=1' | jq -r '.alerts[0].alert_id')
check "another red closure waits (for the schema check below)" pending_review \
  "$(code ann POST "/v1/alerts/$RED2/resolve" '{"outcome":"false_positive","note":"no harm"}' >/dev/null; jq -r .status "$WORK/body")"
# The answers and the rg.alerts messages (review decisions among them)
# against schemas/openapi.yaml.
sqlite3 "$WORK/s.db" "select value from outbox where topic = 'rg.alerts'" >"$WORK/topic.values"
node "$(dirname "$0")/../schema/check-openapi.mjs" --url "$URL" --token "$(tok admin)" --alerts "$WORK/topic.values" 2>&1 |
  sed 's/^ok - /ok - openapi: /; s/^not ok - /not ok - openapi: /' | tee "$WORK/openapi.out"
grep -q '^not ok' "$WORK/openapi.out" && FAILED=$((FAILED + 1))
finish
