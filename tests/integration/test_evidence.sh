#!/bin/bash
# An alert's evidence over HTTP: every event behind each reason's count,
# in event time order, grouped by reason ("6 deposits ..." backed by 6
# rows, not 3); and a currency no pack prices, counted in /metrics and
# named on the player.
. "$(dirname "$0")/lib.sh"
start_broker 4
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
$RGMON simulate --players 200 --days 6 --seed 3 --out "$WORK/ev.jsonl" 2>/dev/null
# A player paying in a currency no pack prices (XYZ): accepted, scored
# without money rules, counted.
{
  echo '{"event_id":"xyz-0","player_id":"pxyz","ts":"2026-11-02T10:00:00Z","type":"account","country":"SE","birth_date":"1990-01-01"}'
  for i in 1 2 3; do
    printf '{"event_id":"xyz-%d","player_id":"pxyz","ts":"2026-11-02T10:0%d:00Z","type":"deposit","amount":50000,"currency":"XYZ","status":"approved","method":"card","instrument":"c1"}\n' "$i" "$i"
  done
} >>"$WORK/ev.jsonl"
N=$(wc -l <"$WORK/ev.jsonl")
keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
TOKEN=$($RGMON token new --role compliance --name ev-tester --file "$WORK/tokens" 2>/dev/null)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "all $N events consumed" || fail "all $N events consumed"
getj() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }

# ---- evidence per reason ----
# Every alert with a reason that counts deposits: the count its words
# state equals the rows behind that reason, each of them a deposit.
COUNTING='loss_chasing.deposit_after_loss|loss_chasing.deposits_in_session|loss_chasing.escalating_deposits'
sqlite3 "$WORK/s.db" "select distinct a.alert_id from alerts a, json_each(a.reasons) r
  where json_extract(r.value, '$.rule') in ('loss_chasing.deposit_after_loss', 'loss_chasing.deposits_in_session',
  'loss_chasing.escalating_deposits')" >"$WORK/counting"
check "some alerts have a reason that counts deposits" true "$([ "$(wc -l <"$WORK/counting")" -ge 5 ] && echo true)"
: >"$WORK/mismatch"
: >"$WORK/unordered"
: >"$WORK/six"
while read -r id; do
  getj "/v1/alerts/$id" >"$WORK/a.json"
  jq -r --arg re "$COUNTING" '
    . as $a | ($a.evidence_events | map({key: .event_id, value: .}) | from_entries) as $ev |
    $a.evidence_by_reason[] | select(.rule | test($re)) |
    "\(.detail | capture("^(?<n>[0-9]+) deposits?").n) \(.event_ids | length) \([.event_ids[] | $ev[.].event.type] | unique | join(","))"' "$WORK/a.json" |
    while read -r said rows types; do
      [ "$said" = "$rows" ] && [ "$types" = deposit ] || echo "$id: says $said, $rows rows of $types" >>"$WORK/mismatch"
      [ "$said" = 6 ] && echo "$id" >>"$WORK/six"
    done
  # time order: the events' times never go back
  python3 -c 'import json, sys, datetime
ev = json.load(open(sys.argv[1]))["evidence_events"]
t = [datetime.datetime.fromisoformat(e["event"]["ts"].replace("Z", "+00:00")) for e in ev if e["event"]]
sys.exit(t != sorted(t))' "$WORK/a.json" || echo "$id" >>"$WORK/unordered"
done <"$WORK/counting"
check "each deposit count equals the deposits listed under its reason" "" "$(head -3 "$WORK/mismatch")"
check "a '6 deposits' reason lists 6 deposits" true "$([ -s "$WORK/six" ] && echo true)"
check "evidence is in event time order" "" "$(head -3 "$WORK/unordered")"
ID=$(head -1 "$WORK/counting")
getj "/v1/alerts/$ID" >"$WORK/a.json"
check "reasons that count deposits list them completely, others not" true \
  "$(jq --arg re "$COUNTING" 'all(.evidence_by_reason[]; .complete == (.rule | test($re)))' "$WORK/a.json")"
check "every reason has its group" "$(jq '.reasons | length' "$WORK/a.json")" "$(jq '.evidence_by_reason | length' "$WORK/a.json")"
check "the alert's own evidence ids are all listed" true \
  "$(jq '[.evidence_events[].event_id] as $l | all(.evidence[]; . as $e | $l | index($e))' "$WORK/a.json")"
check "each listed event names the reasons it backs" true \
  "$(jq '[.evidence_by_reason[] | .rule as $r | .event_ids[] as $id | {$r, $id}] as $p | .evidence_events as $e |
     all($p[]; .r as $r | .id as $id | ($e[] | select(.event_id == $id) | .rules | index($r)) != null)' "$WORK/a.json")"

# ---- a currency no pack prices ----
check "events in a currency no pack prices are counted" 3 \
  "$(curl -s "$URL/metrics" | awk '$1 == "rgmon_unpriced_currency_events_total" {print $2}')"
check "serve says so once in its log" 1 "$(grep -c 'currency "XYZ".*no money rule applies' "$WORK/serve.err")"
check "the player says the currency is unpriced" "XYZ false" "$(getj /v1/players/pxyz | jq -r '"\(.currency) \(.currency_priced)"')"
P=$(sqlite3 "$WORK/s.db" "select player_id from players where player_id <> 'pxyz' limit 1")
check "a priced currency says so" true "$(getj "/v1/players/$P" | jq .currency_priced)"
finish
