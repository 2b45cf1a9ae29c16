#!/bin/bash
# The queue's sorts, filters and assignment over HTTP, on a simulated month
# replayed into the store and then served: each sort's order is the one
# sqlite3 gives on the same rows, paging through with the cursor returns
# every row once in that order; assignee (acknowledged_by) and until filter
# as the store says.
. "$(dirname "$0")/lib.sh"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

"$RGMON" simulate --players 300 --days 30 --seed 16 --out "$WORK/ev.jsonl" 2>/dev/null
"$RGMON" replay --db "$WORK/s.db" --quiet "$WORK/ev.jsonl" >/dev/null 2>"$WORK/replay.err"
check "the simulated month replays" 0 $?
# Some alerts taken by ann and bob, straight in the store before serving.
sqlite3 "$WORK/s.db" "update alerts set status='acknowledged', acknowledged_by='ann', acknowledged_ms=updated_ms
  where alert_id in (select alert_id from alerts where status='open' order by alert_id limit 5);
  update alerts set status='acknowledged', acknowledged_by='bob', acknowledged_ms=updated_ms
  where alert_id in (select alert_id from alerts where status='open' order by alert_id desc limit 3);"

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
db() { sqlite3 "$WORK/s.db" "$1"; }

TOTAL=$(db "select count(*) from alerts")
check "the month raised enough alerts to page through" true "$([ "$TOTAL" -gt 12 ] && echo true || echo false)"

# Every page of ?QUERY (limit 7) through the cursor: the ids, one a line,
# into $WORK/ids (called in this shell: a subshell would run the EXIT trap).
page_through() {
  local q=$1 cursor="" body n=0
  : >"$WORK/ids"
  while :; do
    body=$(getj ann "/v1/alerts?$q&limit=7${cursor:+&cursor=$cursor}")
    jq -r '.alerts[].alert_id' <<<"$body" >>"$WORK/ids"
    cursor=$(jq -r '.next_cursor // empty' <<<"$body")
    n=$((n + 1))
    [ -z "$cursor" ] || [ $n -gt 100 ] && break
  done
}

for sort in level due created; do
  case $sort in
    level) order="level desc, due_ms, alert_id" ;;
    due) order="due_ms, alert_id" ;;
    created) order="created_ms desc, alert_id desc" ;;
  esac
  want=$(db "select alert_id from alerts order by $order")
  page_through "sort=$sort"
  got=$(cat "$WORK/ids")
  check "sort=$sort: paging through gives every row in sqlite3's order" "$want" "$got"
  check "sort=$sort: no row twice" "$TOTAL" "$(sort -u <<<"$got" | wc -l)"
  check "sort=$sort: the first page is sqlite3's first 5" "$(head -5 <<<"$want")" \
    "$(getj ann "/v1/alerts?sort=$sort&limit=5" | jq -r '.alerts[].alert_id')"
done
check "no sort is the level order" "$(db "select alert_id from alerts order by level desc, due_ms, alert_id limit 9")" \
  "$(getj ann "/v1/alerts?limit=9" | jq -r '.alerts[].alert_id')"
check "sort=due and sort=created give different first rows" true \
  "$([ "$(getj ann '/v1/alerts?sort=due&limit=1' | jq -r '.alerts[0].alert_id')" != \
       "$(getj ann '/v1/alerts?sort=created&limit=1' | jq -r '.alerts[0].alert_id')" ] && echo true || echo false)"
page_through "status=unresolved&sort=due"
check "filters and sort together (unresolved, due)" \
  "$(db "select alert_id from alerts where status <> 'resolved' order by due_ms, alert_id")" "$(cat "$WORK/ids")"

check "an unknown sort is 400" 400 "$(code ann GET '/v1/alerts?sort=risk')"
check "its error says the sorts" "sort must be level, due or created" "$(jq -r .error "$WORK/body")"
cur=$(getj ann '/v1/alerts?sort=due&limit=2' | jq -r .next_cursor)
check "a due cursor reads as due" 200 "$(code ann GET "/v1/alerts?sort=due&cursor=$cur")"
check "a due cursor is refused in the created order" 400 "$(code ann GET "/v1/alerts?sort=created&cursor=$cur")"
check "a due cursor is refused in the level order" 400 "$(code ann GET "/v1/alerts?cursor=$cur")"

# ---- assignee and until ----
check "assignee=me is the caller's (ann)" "$(db "select alert_id from alerts where acknowledged_by='ann' order by alert_id")" \
  "$(getj ann '/v1/alerts?assignee=me' | jq -r '.alerts[].alert_id' | sort)"
check "assignee=me for bob" 3 "$(getj bob '/v1/alerts?assignee=me' | jq '.alerts | length')"
check "assignee=NAME" 5 "$(getj bob '/v1/alerts?assignee=ann' | jq '[.alerts[] | select(.acknowledged_by == "ann")] | length')"
check "assignee=nobody matches none" 0 "$(getj ann '/v1/alerts?assignee=nobody' | jq '.alerts | length')"
check "an empty assignee is 400" 400 "$(code ann GET '/v1/alerts?assignee=')"
mid=$(db "select created_ms from alerts order by created_ms limit 1 offset $((TOTAL / 2))")
mid_ts=$(date -ud "@$((mid / 1000))" +%Y-%m-%dT%H:%M:%SZ)
mid_s=$(( mid / 1000 * 1000 ))
page_through "until=$mid_ts"
check "until is an exclusive end" "$(db "select count(*) from alerts where created_ms < $mid_s")" "$(grep -c . "$WORK/ids")"
page_through "since=$mid_ts&until=$(date -ud "@$((mid / 1000 + 86400))" +%Y-%m-%dT%H:%M:%SZ)"
check "since and until together" \
  "$(db "select count(*) from alerts where created_ms >= $mid_s and created_ms < $mid_s + 86400000")" \
  "$(grep -c . "$WORK/ids")"
check "a bad until is 400" 400 "$(code ann GET '/v1/alerts?until=yesterday')"

# ---- assign / unassign ----
A=$(db "select alert_id from alerts where status='open' order by alert_id limit 1")
sent_before=$(db "select count(*) from outbox where alert_id='$A' and topic='rg.alerts'")
check "assign: an agent gets 403" 403 "$(code agent POST "/v1/alerts/$A/assign" '{"to":"bob"}')"
check "assign: a regulator gets 403" 403 "$(code regulator POST "/v1/alerts/$A/assign" '{"to":"bob"}')"
check "assign: no \"to\" is 400" 400 "$(code ann POST "/v1/alerts/$A/assign" '{"note":"x"}')"
check "assign: a bad name is 400" 400 "$(code ann POST "/v1/alerts/$A/assign" '{"to":"no such/name"}')"
check "assign: an unknown field is 400" 400 "$(code ann POST "/v1/alerts/$A/assign" '{"to":"bob","x":1}')"
check "assign: an unknown alert is 404" 404 "$(code ann POST "/v1/alerts/0123456789abcdef0123456789abcdef/assign" '{"to":"bob"}')"
check "assign: ann hands an open alert to bob" 200 "$(code ann POST "/v1/alerts/$A/assign" '{"to":"bob","note":"your case"}')"
check "assign: the reply says acknowledged by bob" "acknowledged bob" "$(jq -r '"\(.status) \(.acknowledged_by)"' "$WORK/body")"
check "assign: the store has it" "acknowledged|bob" "$(db "select status, acknowledged_by from alerts where alert_id='$A'")"
check "assign: bob's assigned-to-me lists it" 1 "$(getj bob '/v1/alerts?assignee=me&limit=100' | jq --arg a "$A" '[.alerts[] | select(.alert_id == $a)] | length')"
check "assign: admin reassigns it to ann" 200 "$(code admin POST "/v1/alerts/$A/assign" '{"to":"ann"}')"
check "assign: the audit has both, with from and to" "assign ann bob assign admin-1 ann" \
  "$(db "select group_concat(x, ' ') from (select json_extract(payload,'\$.action') || ' ' || json_extract(payload,'\$.actor') || ' ' || json_extract(payload,'\$.to') as x from audit where kind='staff_action' and json_extract(payload,'\$.alert_id')='$A' order by seq)")"
check "assign: the reassignment's from is bob" bob \
  "$(db "select json_extract(payload,'\$.from') from audit where kind='staff_action' and json_extract(payload,'\$.alert_id')='$A' order by seq desc limit 1")"
check "unassign: back to the open queue" 200 "$(code ann POST "/v1/alerts/$A/assign" '{"to":null,"note":"nobody yet"}')"
check "unassign: open, nobody on it" "open|" "$(db "select status, coalesce(acknowledged_by,'') from alerts where alert_id='$A'")"
check "unassign: audited as unassign from ann" "unassign ann" \
  "$(db "select json_extract(payload,'\$.action') || ' ' || json_extract(payload,'\$.from') from audit where kind='staff_action' and json_extract(payload,'\$.alert_id')='$A' order by seq desc limit 1")"
check "the alert's history names whom each assign went to" "assign:bob assign:ann unassign:-" \
  "$(getj ann "/v1/alerts/$A" | jq -r '[.actions[] | select(.action | test("assign")) | "\(.action):\(.to // "-")"] | join(" ")')"
check "assign: each went to rg.alerts (the outbox)" $((sent_before + 3)) \
  "$(db "select count(*) from outbox where alert_id='$A' and topic='rg.alerts'")"
R=$(db "select alert_id from alerts where status='open' and alert_id <> '$A' order by level, alert_id limit 1")
check "an alert resolved as limits set" 200 "$(code ann POST "/v1/alerts/$R/resolve" '{"outcome":"limits_set","note":"limits agreed"}')"
check "it is resolved" resolved "$(db "select status from alerts where alert_id='$R'")"
check "assign: a resolved alert is 409" 409 "$(code ann POST "/v1/alerts/$R/assign" '{"to":"bob"}')"
check "unassign: a resolved alert is 409" 409 "$(code ann POST "/v1/alerts/$R/assign" '{"to":null}')"
P=$(db "select alert_id from alerts where status='open' and level=(select max(level) from alerts) order by alert_id limit 1")
code ann POST "/v1/alerts/$P/resolve" '{"outcome":"false_positive","note":"a lucky winner"}' >/dev/null
check "a red false positive waits in pending_review" pending_review "$(db "select status from alerts where alert_id='$P'")"
check "assign: a pending_review alert is 409" 409 "$(code bob POST "/v1/alerts/$P/assign" '{"to":"bob"}')"

finish
