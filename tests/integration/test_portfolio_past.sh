#!/bin/bash
# The portfolio of a replayed history behind the clock (issue 16's scale
# run: 90 days from June, served in December): the per-day snapshots of the
# stream's last days and the alerts opened then are in the report, beside
# the staff actions taken today. Fails on a report whose 90 days end on the
# clock's day only (players_daily held today's counts alone).
. "$(dirname "$0")/lib.sh"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$RGMON" simulate --players 60 --days 12 --seed 5 --start 2025-06-01T00:00:00Z --out "$WORK/ev.jsonl" 2>/dev/null
"$RGMON" replay --db "$WORK/s.db" --quiet "$WORK/ev.jsonl" >/dev/null
TOKEN=$("$RGMON" token new --role compliance --name past-1 --file "$WORK/tokens" 2>/dev/null)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" || fail "serve becomes ready"
getj() { curl -s -H "Authorization: Bearer $TOKEN" "$URL$1"; }
A=$(getj '/v1/alerts?status=open&limit=1' | jq -r '.alerts[0].alert_id')
check "an alert resolved today" 200 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data-binary '{"outcome":"limits_set","note":"agreed"}' "$URL/v1/alerts/$A/resolve")"
P=$(getj /v1/reports/portfolio)
last=$(jq -r .ts "$WORK/ev.jsonl" | sort | tail -n1 | cut -c1-10)
crossed=$(( ($(date -ud "$last" +%s) - $(date -ud 2025-06-01 +%s)) / 86400 ))
check "from: 89 days before the stream's day" "$(date -ud "$last - 89 days" +%F)" "$(jq -r .from <<<"$P")"
check "to: the clock's day" "$(date -u +%F)" "$(jq -r .to <<<"$P")"
check "a snapshot for every day the stream left, and its day so far" "$((crossed + 1))" "$(jq '.players_daily | length' <<<"$P")"
check "the first snapshot is the stream's first day" 2025-06-01 "$(jq -r '.players_daily[0].day' <<<"$P")"
check "alerts opened on the stream's days" "$(sqlite3 "$WORK/s.db" "select count(*) from alerts")" \
  "$(jq '[.alerts.daily[] | select(.day < "2025-07-01") | .opened] | add' <<<"$P")"
check "the resolution today" 1 "$(jq --arg d "$(date -u +%F)" '[.alerts.daily[] | select(.day == $d) | .resolved] | add' <<<"$P")"
finish
