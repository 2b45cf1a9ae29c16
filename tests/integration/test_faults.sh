#!/bin/bash
# Faults around a running serve:
#  - the broker goes down for OUTAGE_S seconds (default 10; `make
#    test-faults` uses 30): serve stays up over HTTP, reports not-ready
#    with the reason, and resumes when the broker is back, nothing lost;
#  - SIGTERM in the middle of consuming: exits 0 within 5 s, and a restart
#    applies the rest, each event exactly once.
. "$(dirname "$0")/lib.sh"
OUTAGE_S=${OUTAGE_S:-10}
start_broker 8
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
produce_simulated 100 3 5
FIRST=$N
all_in() { [ "$(metric "$PORT" accepted)" = "$1" ]; }
wait_for "the first events" 300 all_in "$FIRST" && ok "first $FIRST events consumed" || fail "first $FIRST events consumed"

# ---- the broker goes away ----
kill -USR1 "$BROKER_PID"
not_ready() { [ "$(curl -s "$URL/readyz" | jq -r .reason)" = "Kafka brokers unreachable" ]; }
wait_for "not ready" 300 not_ready && ok "with the broker down, /readyz says why" || fail "with the broker down, /readyz says why ($(curl -s "$URL/readyz"))"
check "and answers 503" 503 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")"
healthy=0
for _ in $(seq "$OUTAGE_S"); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ] && healthy=$((healthy + 1))
  sleep 1
done
check "serve answers /healthz through the ${OUTAGE_S} s outage" "$OUTAGE_S" "$healthy"
check "and /metrics" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")"
kill -0 "$SERVE_PID" 2>/dev/null && ok "serve is still running" || fail "serve is still running"

kill -USR2 "$BROKER_PID"
$RGMON simulate --players 100 --days 3 --seed 6 --out "$WORK/more.jsonl" 2>/dev/null
MORE=$(wc -l <"$WORK/more.jsonl")
keyed "$WORK/more.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
TOTAL=$((FIRST + MORE))
wait_for "the rest" 600 all_in "$TOTAL" && ok "after the outage serve resumes: all $TOTAL events" ||
  fail "after the outage serve resumes (got $(metric "$PORT" accepted) of $TOTAL)"
ready() { curl -sf "$URL/readyz" >/dev/null; }
wait_for "ready again" 100 ready && ok "and is ready again" || fail "and is ready again ($(curl -s "$URL/readyz"))"

# ---- SIGTERM under load ----
# The backlog is produced while serve is stopped, so it is still consuming
# when the signal comes. (Sized for the dev broker's 5 MiB per partition.)
# Under a backlog one batch takes it all (group commit), so nothing commits
# in between to show that serve is busy: a batch held open for up to a
# minute is, and the signal must still close it within the 5 s a stop may
# take, committing what it holds.
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
$RGMON simulate --players 600 --days 10 --seed 7 --out "$WORK/load.jsonl" 2>/dev/null
LOAD=$(wc -l <"$WORK/load.jsonl")
keyed "$WORK/load.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
start_serve "$WORK/s.db" "$PORT" --batch-ms 60000 --batch-linger-ms 60000
open_events() { curl -s "$URL/metrics" | awk '$1 == "rgmon_batch_open_events" {print $2}'; }
busy() { [ "$(metric "$PORT" accepted)" = "$TOTAL" ] && [ "$(open_events)" -gt 0 ]; }
wait_for "consuming" 300 busy && ok "serve is consuming $LOAD more, a batch open" ||
  fail "serve is consuming $LOAD more, a batch open (accepted $(metric "$PORT" accepted), open $(open_events))"
start=$(date +%s%N)
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM under load exits 0" 0 "$rc"
[ "$ms" -lt 5000 ] && ok "within 5 s (${ms} ms)" || fail "within 5 s (${ms} ms)"
start_serve "$WORK/s.db" "$PORT"
done_all() { [ "$($RGMON stats --db "$WORK/s.db" | jq .accepted)" = $((TOTAL + LOAD)) ]; }
wait_for "the rest after restart" 900 done_all && ok "the restart applies the rest" || fail "the restart applies the rest"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check "each event exactly once: accepted, duplicates" "$((TOTAL + LOAD)) 0" \
  "$($RGMON stats --db "$WORK/s.db" | jq -r '"\(.accepted) \(.duplicates)"')"
check "the database is intact" ok "$(sqlite3 "$WORK/s.db" 'pragma integrity_check')"
finish
