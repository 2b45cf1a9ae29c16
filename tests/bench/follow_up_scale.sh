#!/bin/bash
# The follow-up at scale (issue 16, "done when"): 90 simulated days of
# 5,000 players, alerts resolved through the API by a script with a mix of
# outcomes at day 30 and day 55, then the rest of the stream; checks that
# every resolved alert has complete follow-ups, times the effectiveness
# report and prints its table. Slow (about 25 min on 2 busy cores, 3 GB of
# disk): run by hand, not by make test.
#   usage: tests/bench/follow_up_scale.sh [PLAYERS] [DAYS]
set -eu
RGMON=${RGMON:-$(pwd)/build/rgmon}
PLAYERS=${1:-5000}
DAYS=${2:-90}
W=$(mktemp -d /tmp/rgmon-scale.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
$RGMON simulate --players "$PLAYERS" --days "$DAYS" --seed 7 --start 2026-06-01T00:00:00Z --out "$W/all.jsonl" 2>/dev/null
# three parts by event day: days 1-30, 31-55, 56-DAYS
awk '{ i = index($0, "\"ts\":\""); d = substr($0, i + 6, 10);
       f = d < "2026-07-01" ? "p1" : d < "2026-07-26" ? "p2" : "p3"; print > (W "/" f ".jsonl") }' W="$W" "$W/all.jsonl"
rm "$W/all.jsonl"
TOKEN=$($RGMON token new --role compliance --name scale-bot --file "$W/tokens" 2>/dev/null)
$RGMON broker --partitions 1 >"$W/broker.out" 2>/dev/null &
PIDS="$PIDS $!"
sleep 1
PORT=$(free_port)
serve_and_resolve() {
  $RGMON serve --brokers "$(head -n1 "$W/broker.out")" --db "$W/db" --http "127.0.0.1:$PORT" \
    --policies policies --tokens "$W/tokens" 2>>"$W/serve.err" &
  local pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  # the last serve only answers the report
  [ "${1:-}" = keep ] && { PIDS="$PIDS $pid"; return; }
  python3 "$(dirname "$0")/resolve_alerts.py" "http://127.0.0.1:$PORT" "$TOKEN"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
$RGMON replay --db "$W/db" --policies policies --quiet "$W/p1.jsonl"
serve_and_resolve
$RGMON replay --db "$W/db" --policies policies --quiet "$W/p2.jsonl"
serve_and_resolve
$RGMON replay --db "$W/db" --policies policies --quiet "$W/p3.jsonl"
ST=$(sqlite3 "$W/db" "select value from meta where key = 'stream_time'")
echo "resolved: $(sqlite3 "$W/db" "select count(*) from alerts where status = 'resolved'")"
echo "follow-up windows by length and completeness:"
sqlite3 "$W/db" "select window_days, complete, count(*) from alert_follow_up group by 1, 2"
echo "resolved alerts anchored over 31 days before the stream's time without both windows complete:" \
  "$(sqlite3 "$W/db" "select count(*) from alert_follow_up where anchor_ms < $ST - 31 * 86400000 and complete = 0")"
serve_and_resolve keep
for _ in 1 2 3; do
  curl -s -o "$W/eff.json" -w 'effectiveness report: %{time_total} s\n' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/v1/reports/effectiveness"
done
jq -r '(["group","cases","30d","deposits fell","median","net loss fell","median","play fell","median","limit/excl","re-alerted"] | @tsv),
  (([.total] + .by_outcome + .by_jurisdiction)[] | [.group, .cases, .complete_30d,
   "\(.deposits.fell_pct)% of \(.deposits.with_baseline)", .deposits.median_change_pct,
   "\(.net_loss.fell_pct)% of \(.net_loss.with_baseline)", .net_loss.median_change_pct,
   "\(.play_minutes.fell_pct)%", .play_minutes.median_change_pct,
   "\(.limit_or_exclusion.pct)%", "\(.realerted_30d.pct)%"] | @tsv)' "$W/eff.json" | column -t -s "$(printf '\t')"
