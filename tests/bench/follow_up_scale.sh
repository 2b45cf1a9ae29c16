#!/bin/bash
# The follow-up at scale (issue 16, "done when"): 90 simulated days of
# 5,000 players replayed into a real SQLite store in three parts; after
# day 30 and after day 55 a real serve (on the dev broker, for its HTTP API)
# answers while a script resolves every open alert through the API with a
# mix of outcomes (a second compliance actor approves those held for four
# eyes). After the rest of the stream it
#   - checks that every alert resolved >= 30 days of stream time before the
#     end has complete 7d and 30d follow-ups (follow_up_check.py lists any
#     that has not),
#   - times GET /v1/reports/effectiveness and /v1/reports/portfolio on a
#     serve of the final store: client wall time and serve CPU time, first
#     request then median / max of TIMED_REQUESTS more (time_reports.py),
#   - prints the effectiveness table by outcome and by jurisdiction as
#     markdown,
#   - screenshots the dashboard (#/) and the effectiveness page in chromium.
# Everything it prints also goes to tests/out/follow-up-scale.txt; the
# screenshots are tests/out/scale-dashboard.png and
# tests/out/scale-effectiveness.png. SCALE_KEEP=1 keeps the work directory
# (the store is about 3 GB) and says where. Slow (about 25 min on 2 busy
# cores): run by hand, not by make test. Exits 1 if a check fails.
# SCALE_REUSE=DIR (a kept directory) skips the simulation, the replays and
# the resolutions and does the checks, times and pages again on DIR's store
# (for a rebuilt binary).
#   usage: tests/bench/follow_up_scale.sh [PLAYERS] [DAYS]
set -eu
RGMON=${RGMON:-$(pwd)/build/rgmon}
PLAYERS=${1:-5000}
DAYS=${2:-90}
TIMED_REQUESTS=${TIMED_REQUESTS:-10}
BENCH=$(cd "$(dirname "$0")" && pwd)
OUT=$(pwd)/tests/out
mkdir -p "$OUT"
W=${SCALE_REUSE:-$(mktemp -d /tmp/rgmon-scale.XXXXXX)}
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done # serve stopped before the broker
  if [ -n "${SCALE_KEEP:-}${SCALE_REUSE:-}" ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
exec > >(tee "$OUT/follow-up-scale${SCALE_REUSE:+-again}.txt") 2>&1
FAILED=0
ERR_LINES=$(cat "$W/serve.err" 2>/dev/null | wc -l) # serve's log of earlier runs on a reused directory
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stream_time() { sqlite3 "$W/db" "select value from meta where key = 'stream_time'"; }
# user+system CPU seconds of one command, on stderr's last line
timed() { /usr/bin/time -f "  $1: %U s user, %S s system, %e s wall" "${@:2}"; }
echo "follow_up_scale: $PLAYERS players, $DAYS days, $(git rev-parse --short HEAD 2>/dev/null), $(date -u +%FT%TZ)${SCALE_REUSE:+, reusing $W}"
if [ -z "${SCALE_REUSE:-}" ]; then
$RGMON simulate --players "$PLAYERS" --days "$DAYS" --seed 7 --start 2026-06-01T00:00:00Z --out "$W/all.jsonl" 2>/dev/null
echo "events: $(wc -l <"$W/all.jsonl")"
# three parts by event day: days 1-30, 31-55, 56-DAYS
awk '{ i = index($0, "\"ts\":\""); d = substr($0, i + 6, 10);
       f = d < "2026-07-01" ? "p1" : d < "2026-07-26" ? "p2" : "p3"; print > (W "/" f ".jsonl") }' W="$W" "$W/all.jsonl"
rm "$W/all.jsonl"
TOKEN=$($RGMON token new --role compliance --name scale-bot --file "$W/tokens" 2>/dev/null)
REVIEWER=$($RGMON token new --role compliance --name scale-reviewer --file "$W/tokens" 2>/dev/null)
printf 'TOKEN=%s\nREVIEWER=%s\n' "$TOKEN" "$REVIEWER" >"$W/token.env"
fi
. "$W/token.env"
$RGMON broker --partitions 1 >"$W/broker.out" 2>/dev/null &
PIDS="$PIDS $!"
sleep 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
SERVE=""
start_serve() {
  $RGMON serve --brokers "$(head -n1 "$W/broker.out")" --db "$W/db" --http "127.0.0.1:$PORT" \
    --policies policies --tokens "$W/tokens" 2>>"$W/serve.err" &
  SERVE=$!
  for _ in $(seq 600); do curl -sf "$URL/readyz" >/dev/null && return; sleep 0.5; done
  echo "serve did not become ready:"; tail -5 "$W/serve.err"; exit 1
}
resolve_round() {
  printf '%s\t%s\n' "$(stream_time)" "$W/ids.$1" >>"$W/rounds"
  start_serve
  python3 "$BENCH/resolve_alerts.py" "$URL" "$TOKEN" "$REVIEWER" "$W/ids.$1" || FAILED=1
  kill "$SERVE"; wait "$SERVE" 2>/dev/null || true
}
replay() { timed "replay $1" $RGMON replay --db "$W/db" --policies policies --quiet "$W/$1.jsonl"; }
[ -n "${SCALE_REUSE:-}" ] || {
replay p1
resolve_round 1
replay p2
resolve_round 2
replay p3
}
echo
echo "## Follow-ups"
python3 "$BENCH/follow_up_check.py" "$W/db" "$W/rounds" || FAILED=1
sqlite3 "$W/db" "select 'windows: ' || window_days || 'd complete=' || complete || ': ' || count(*) from alert_follow_up group by window_days, complete"
echo "follow_up audit records: $(sqlite3 "$W/db" "select count(*) from audit where kind = 'follow_up'" 2>/dev/null || echo '?')"
echo "store: $(du -h "$W/db" | cut -f1), alerts: $(sqlite3 "$W/db" "select status || ' ' || count(*) from alerts group by status" | tr '\n' ',')"
start_serve
PIDS="$SERVE $PIDS" # serve first: without the broker it logs errors
echo
echo "## Report times ($(nproc) cores, shared)"
python3 "$BENCH/time_reports.py" "$URL" "$TOKEN" "$SERVE" "$TIMED_REQUESTS" /v1/reports/effectiveness \
  /v1/reports/portfolio "/v1/reports/effectiveness?format=csv" || FAILED=1
curl -sf -o "$W/eff.json" -H "Authorization: Bearer $TOKEN" "$URL/v1/reports/effectiveness"
cp "$W/eff.json" "$OUT/follow-up-scale-effectiveness.json"
echo
echo "## Effectiveness (30-day window; fell = fell by at least a quarter, of the cases with a baseline)"
jq -r '"| group | cases | 7d complete | 30d complete | deposits fell | median | net loss fell | median | play time fell | median | limit or excluded after | re-alerted in 30d |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  (([.total] + .by_outcome + .by_jurisdiction)[] | "| \(.group) | \(.cases) | \(.complete_7d) | \(.complete_30d) | " +
   ([.deposits, .net_loss, .play_minutes] | map("\(.fell_pct)% of \(.with_baseline) | \(.median_change_pct)%") | join(" | ")) +
   " | \(.limit_or_exclusion.pct)% | \(.realerted_30d.pct)% |")' "$W/eff.json"
echo
echo "## Pages"
node "$BENCH/follow_up_scale_screens.mjs" "$URL" "$TOKEN" "$OUT" "$PLAYERS" "$(jq .total.cases "$W/eff.json")" || FAILED=1
echo "serve's log: $(tail -n +$((ERR_LINES + 1)) "$W/serve.err" | grep -ci error || true) lines with 'error'"
echo "follow_up_scale: $([ $FAILED = 0 ] && echo all checks passed || echo SOME CHECKS FAILED)"
exit $FAILED
