#!/bin/bash
# The follow-up of resolved alerts and the effectiveness report (issue 16)
# against a real serve: two red alerts resolved through the API, the
# stream's time moved past day 7 and then past day 30 by other players'
# events, the windows' values against hand-computed ones (fu-b has no
# events after its resolution), the audit records, the effectiveness
# figures (JSON and CSV) against hand-computed ones, the role matrix, and
# the regulator export's manifest.
. "$(dirname "$0")/lib.sh"
FIXTURE="$(dirname "$0")/follow_up_fixture.py"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
for r in agent compliance regulator admin; do
  $RGMON token new --role $r --name "$r-1" --file "$WORK/tokens" >"$WORK/$r.tok" 2>/dev/null
done
# a second compliance officer: a red alert closed as contacted_no_action
# waits for one (four eyes) before it is resolved and followed up
$RGMON token new --role compliance --name compliance-2 --file "$WORK/tokens" >"$WORK/compliance2.tok" 2>/dev/null
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
tok() { cat "$WORK/$1.tok"; }
getj() { curl -s -H "Authorization: Bearer $(tok "$1")" "$URL$2"; }
postj() { curl -s -X POST -H "Authorization: Bearer $(tok "$1")" -H 'Content-Type: application/json' --data-binary "$3" "$URL$2"; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(tok "$1")" "$URL$2"; }
TOTAL=0
produce() { # produce PART: its events onto rg.events
  python3 "$FIXTURE" "$1" >"$WORK/part$1.jsonl"
  TOTAL=$((TOTAL + $(wc -l <"$WORK/part$1.jsonl")))
  keyed "$WORK/part$1.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
}
all_in() { [ "$(metric "$PORT" accepted)" = "$TOTAL" ]; }

produce 1
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens" --audit-key "$WORK/keys/audit-signing.key"
wait_ready "$PORT" || fail "serve becomes ready"
wait_for "part 1" 600 all_in && ok "part 1 consumed" || fail "part 1 consumed"
alert_of() { getj compliance '/v1/alerts?status=open' | jq -r --arg p "$1" '.alerts[] | select(.player_id == $p and .kind == "harm") | .alert_id'; }
A=$(alert_of fu-a)
B=$(alert_of fu-b)
[ -n "$A" ] && [ -n "$B" ] && ok "both players have a harm alert" || fail "both players have a harm alert"
check "an open alert has no follow-up" null "$(getj compliance "/v1/alerts/$A" | jq -c .follow_up)"
postj compliance "/v1/alerts/$A/resolve" '{"outcome":"limits_set","note":"agreed a deposit limit"}' >"$WORK/ra.json"
postj compliance "/v1/alerts/$B/resolve" '{"outcome":"contacted_no_action","note":"called"}' >"$WORK/rb.json"
check "B waits for a second person" pending_review "$(jq -r .status "$WORK/rb.json")"
check "no follow-up before the second person approves" null "$(jq -c .follow_up "$WORK/rb.json")"
postj compliance2 "/v1/alerts/$B/review" '{"decision":"approve"}' >"$WORK/rb.json"
check "approved by the second person: resolved and followed up" '["resolved",false]' \
  "$(jq -c '[.status, .follow_up["7d"].complete]' "$WORK/rb.json")"
fa() { getj compliance "/v1/alerts/$A" | jq -c "$1"; }
fb() { getj compliance "/v1/alerts/$B" | jq -c "$1"; }
check "the resolution reply carries the follow-up" false "$(jq -c '.follow_up["7d"].complete' "$WORK/ra.json")"
check "anchor: the player's latest event time" '"2026-09-10T12:00:00Z"' "$(fa '.follow_up["30d"].anchor')"
check "the 7-day window ends at the start of day 8 (local midnight, CEST)" '"2026-09-17T22:00:00Z"' "$(fa '.follow_up["7d"].end')"
check "the 30-day window ends at the start of day 31 (local midnight, CEST)" '"2026-10-10T22:00:00Z"' "$(fa '.follow_up["30d"].end')"
# 30 days before: deposits 3,000 + 31,000 SEK, stakes 4,000 + 46,500 + 100 SEK, one 124-minute session.
check "before: per-day money, active days, play time" \
  '{"active_days":1,"days":30,"declined_deposits":0,"deposits":113333,"excluded":false,"limits_set":0,"net_loss":168667,"night_rounds":0,"play_minutes":124,"staked":168667}' \
  "$(fa '.follow_up["7d"].before | del(.score, .level)' | jq -cS .)"
check "before: the score and level at resolution" '["red",true]' "$(fa '[.follow_up["7d"].before.level, .follow_up["7d"].before.score >= 60]')"
check "before is the same for both windows" true "$(fa '.follow_up["7d"].before == .follow_up["30d"].before')"
check "no after while the window is open" null "$(fa '.follow_up["7d"].after')"

produce 2
wait_for "part 2" 600 all_in && ok "part 2 consumed (stream at 2026-09-18T18:00Z)" || fail "part 2 consumed"
check "day 7 passed: the 7-day window is complete, the 30-day one is not" '[true,false]' "$(fa '[.follow_up["7d"].complete, .follow_up["30d"].complete]')"
# Days 1-7: a deposit of 700 SEK, rounds of 70 and 140 SEK (the last at 23:59:59 local on day 7), a limit set.
check "7 days after: per-day money, active days, limits" \
  '{"active_days":2,"days":7,"declined_deposits":0,"deposits":10000,"excluded":false,"limits_set":1,"net_loss":3000,"night_rounds":0,"play_minutes":0,"staked":3000}' \
  "$(fa '.follow_up["7d"].after | del(.score, .level)' | jq -cS .)"
check "no events after the resolution: 7 days of zeros" '[0,0,0,0,false]' \
  "$(fb '.follow_up["7d"].after | [.deposits, .staked, .active_days, .play_minutes, .excluded]')"

produce 3
wait_for "part 3" 600 all_in && ok "part 3 consumed (stream past 2026-10-11)" || fail "part 3 consumed"
check "day 30 passed: both windows complete" '[true,true]' "$(fa '[.follow_up["7d"].complete, .follow_up["30d"].complete]')"
# Days 1-30: deposits 700 + 300 SEK (day 8), the same two rounds.
check "30 days after: per-day money" \
  '{"active_days":2,"days":30,"declined_deposits":0,"deposits":3333,"excluded":false,"limits_set":1,"net_loss":700,"night_rounds":0,"play_minutes":0,"staked":700}' \
  "$(fa '.follow_up["30d"].after | del(.score, .level)' | jq -cS .)"
check "no events after the resolution: 30 days of zeros, complete" '[true,0,0,0]' \
  "$(fb '[.follow_up["30d"].complete] + (.follow_up["30d"].after | [.deposits, .net_loss, .active_days])')"
check "four follow_up audit records (2 alerts x 2 windows)" 4 \
  "$(sqlite3 "$WORK/s.db" "select count(*) from audit where kind = 'follow_up'")"
check "the 30-day record carries before and after" 3333 \
  "$(sqlite3 "$WORK/s.db" "select payload from audit where kind = 'follow_up' and payload like '%\"30d\"%' and player_id = 'fu-a'" | jq .after.deposits)"

# ---- effectiveness, hand-computed: both fell by far more than a quarter;
# deposits -97.06% (fu-a) and -100% (fu-b): median -98.53 -> -99;
# net loss -99.58% and -100%: -99.79 -> -100; play 124 -> 0 minutes.
E=$(getj compliance /v1/reports/effectiveness)
check "cases and complete follow-ups" '[2,2,2]' "$(jq -c '.total | [.cases, .complete_7d, .complete_30d]' <<<"$E")"
check "deposits: with a baseline, fell by a quarter, share, median" '[2,2,100,-99]' \
  "$(jq -c '.total.deposits | [.with_baseline, .fell_by_quarter, .fell_pct, .median_change_pct]' <<<"$E")"
check "net loss median change" -100 "$(jq '.total.net_loss.median_change_pct' <<<"$E")"
check "play time fell for both" '[2,100]' "$(jq -c '.total.play_minutes | [.fell_by_quarter, .fell_pct]' <<<"$E")"
check "a limit or exclusion afterwards: fu-a only" '[1,50]' "$(jq -c '.total.limit_or_exclusion | [.count, .pct]' <<<"$E")"
check "nobody re-alerted" '[0,0]' "$(jq -c '.total.realerted_30d | [.count, .pct]' <<<"$E")"
check "by outcome" '[["contacted_no_action",1,-100],["limits_set",1,-97]]' \
  "$(jq -c '[.by_outcome[] | [.group, .cases, .deposits.median_change_pct]]' <<<"$E")"
check "by jurisdiction" '[["EU",2]]' "$(jq -c '[.by_jurisdiction[] | [.group, .cases]]' <<<"$E")"
check "by rule: each rule of the alerts" 2 "$(jq '[.by_rule[] | select(.group == "loss_chasing.escalating_deposits")][0].cases' <<<"$E")"
check "a range without the anchors is empty" 0 \
  "$(getj regulator '/v1/reports/effectiveness?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z' | jq .total.cases)"
check "a jurisdiction filter" 0 "$(getj regulator '/v1/reports/effectiveness?jurisdiction=GB' | jq .total.cases)"
csv=$(getj regulator '/v1/reports/effectiveness?format=csv')
check "csv: header and total line" "total,all,2,2,2,2,2,100,-99" "$(sed -n 2p <<<"$csv" | cut -d, -f1-9)"
check "csv: a line per group" "$((1 + 1 + 2 + 1 + $(jq '.by_rule | length' <<<"$E")))" "$(wc -l <<<"$csv")"
check "a bad from is refused" 400 "$(code compliance '/v1/reports/effectiveness?from=yesterday')"
check "a bad format is refused" 400 "$(code compliance '/v1/reports/effectiveness?format=xml')"
# role matrix: compliance, regulator and admin read it; agents do not; no token 401
got=""
for r in agent compliance regulator admin; do got="$got $(code $r /v1/reports/effectiveness)"; done
check "role matrix agent compliance regulator admin" " 403 200 200 200" "$got"
check "no token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/reports/effectiveness")"

# ---- the regulator export's signed manifest carries the same figures
curl -s -H "Authorization: Bearer $(tok regulator)" \
  "$URL/v1/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z" >"$WORK/export.jsonl"
check "the manifest carries the effectiveness figures" '[2,-99]' \
  "$(tail -n1 "$WORK/export.jsonl" | jq -c '.effectiveness.total | [.cases, .deposits.median_change_pct]')"
$RGMON audit verify "$WORK/export.jsonl" --pubkey "$WORK/keys/audit-signing.pub" >/dev/null 2>"$WORK/verify.err"
check "the export with them verifies" 0 $?
# The OpenAPI document against the live responses: follow_up on resolved
# alerts with complete windows, the effectiveness report.
node "$(dirname "$0")/../schema/check-openapi.mjs" --url "$URL" --token "$(tok admin)" 2>&1 |
  sed 's/^ok - /ok - openapi: /; s/^not ok - /not ok - openapi: /'
finish
