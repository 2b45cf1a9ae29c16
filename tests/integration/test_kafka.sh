#!/bin/bash
# serve against `rgmon broker`, with kcat as an independent producer:
# counts, dead letters, HTTP health, clean shutdown, restart without
# re-applying anything, and the same state as a replay of the same events.
. "$(dirname "$0")/lib.sh"
start_broker 4
PORT=$(free_port)

$RGMON simulate --players 40 --days 3 --seed 5 --out "$WORK/clean.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/clean.jsonl")
{ keyed "$WORK/clean.jsonl"
  head -n 5 "$WORK/clean.jsonl" | keyed /dev/stdin       # 5 duplicates
  printf 'p000001\tnot json at all\n'
  printf 'p000002\t{"event_id":"bad-1","type":"deposit","player_id":"p000002","ts":"2026-11-01T10:00:00Z","amount":0,"currency":"SEK"}\n'
  printf 'p000003\t[1,2,3]\n'
  # keyed for another player than its own: it would land in that player's
  # partition, with the instance owning that partition's state
  printf 'pkeyB\t{"event_id":"key-1","type":"contact","player_id":"pkeyA","ts":"2026-11-01T10:00:00Z","channel":"email","topic":"other"}\n'
  # the first event's id again, with another payload: a conflict, no redelivery
  head -n 1 "$WORK/clean.jsonl" | jq -c '.ts = "2026-10-31T23:59:59Z"' | keyed /dev/stdin
} >"$WORK/produce.tsv"
# Keyless producers exist: without a key an event is accepted.
KEYLESS='{"event_id":"nokey-1","type":"contact","player_id":"pkeyC","ts":"2026-11-01T10:00:00Z","channel":"chat","topic":"other"}'
TOTAL=$((N + 11))
kcat -P -b "$BROKER" -t rg.events -K '	' -l "$WORK/produce.tsv" 2>"$WORK/kcat.err"
check "kcat produced" 0 $?
echo "$KEYLESS" | kcat -P -b "$BROKER" -t rg.events 2>>"$WORK/kcat.err"
check "kcat produced without a key" 0 $?

start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
events_total() { echo $(( $(metric "$PORT" accepted) + $(metric "$PORT" duplicate) + $(metric "$PORT" rejected) +
  $(metric "$PORT" duplicate_conflict) )); }
all_in() { [ "$(events_total)" -eq "$TOTAL" ]; }
wait_for "all events" 300 all_in && ok "all $TOTAL messages consumed" || fail "all $TOTAL messages consumed (got $(events_total))"
check "metrics: accepted" "$((N + 1))" "$(metric "$PORT" accepted)"
check "metrics: duplicate" 5 "$(metric "$PORT" duplicate)"
check "metrics: rejected" 4 "$(metric "$PORT" rejected)"
check "metrics: duplicate_conflict" 1 "$(metric "$PORT" duplicate_conflict)"
check "healthz" '{"status":"ok"}' "$(curl -s "http://127.0.0.1:$PORT/healthz")"
check "readyz" 'true' "$(curl -s "http://127.0.0.1:$PORT/readyz" | jq -r .ready)"
check "unknown route is 404" 404 "$(curl -s -o "$WORK/404" -w '%{http_code}' "http://127.0.0.1:$PORT/nope")"
check "404 body is a JSON error" "not found" "$(jq -r .error "$WORK/404")"
check "wrong method is 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/healthz")"
grep -q '^rgmon_batch_commit_seconds_count [1-9]' <(curl -s "http://127.0.0.1:$PORT/metrics") &&
  ok "metrics: commit latency histogram" || fail "metrics: commit latency histogram"

# Dead letters: each rejected message and the conflict, with reason and source.
kcat -C -b "$BROKER" -t rg.events.dlq -e -q -f '%k\t%h\t%s\n' >"$WORK/dlq" 2>/dev/null
check "five dead letters" 5 "$(wc -l <"$WORK/dlq")"
FIRST_ID=$(head -n 1 "$WORK/clean.jsonl" | jq -r .event_id)
grep -q "rgmon.reason=duplicate event_id \"$FIRST_ID\" with a different payload (accepted sha256:[0-9a-f]\{64\}, this sha256:[0-9a-f]\{64\})" "$WORK/dlq" &&
  ok "a reused event_id is a dead letter naming both digests" || fail "a reused event_id is a dead letter naming both digests"
check "a key that is not the player_id is a dead letter, with its reason" \
  'pkeyB	rgmon.reason=key "pkeyB" does not match player_id "pkeyA"' "$(grep -o '^pkeyB	rgmon.reason=[^,]*' "$WORK/dlq")"
check "and nothing of it was applied" 0 "$(sqlite3 "$WORK/s.db" "select count(*) from players where player_id = 'pkeyA'")"
check "the keyless event was applied" 1 "$(sqlite3 "$WORK/s.db" "select count(*) from players where player_id = 'pkeyC'")"
grep -q 'rgmon.reason=not valid JSON' "$WORK/dlq" && ok "dead letter carries the reason" || fail "dead letter carries the reason"
grep -q 'rgmon.source=rg.events/[0-3]@[0-9]' "$WORK/dlq" && ok "dead letter carries its source" || fail "dead letter carries its source"
grep -q 'field "amount"' "$WORK/dlq" && ok "dead letter of a bad amount" || fail "dead letter of a bad amount"

# SIGTERM: commits and exits 0, quickly.
start=$(date +%s%N)
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM exits 0" 0 "$rc"
[ "$ms" -lt 5000 ] && ok "SIGTERM stops within 5 s (${ms} ms)" || fail "SIGTERM stops within 5 s (${ms} ms)"
check "stats after stop" "$((N + 1)) 5 4 1 $TOTAL" "$($RGMON stats --db "$WORK/s.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected) \(.duplicate_conflicts) \(.events)"')"
check "stored offsets cover every message" "$TOTAL" "$($RGMON stats --db "$WORK/s.db" | jq '[.offsets["rg.events"][]] | add')"
check "rejects and the conflict kept in the store" 5 "$(sqlite3 "$WORK/s.db" 'select count(*) from rejected where topic = "rg.events"')"

# Restart: nothing is read twice; new events are.
start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "restarted serve is ready" || fail "restarted serve is ready"
printf 'p000009\t{"event_id":"after-restart","type":"contact","player_id":"p000009","ts":"2026-11-04T10:00:00Z","channel":"email","topic":"other"}\n' |
  kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
one_more() { [ "$($RGMON stats --db "$WORK/s.db" | jq .events)" -eq $((TOTAL + 1)) ]; }
wait_for "the new event" 100 one_more && ok "event after restart consumed" || fail "event after restart consumed"
sleep 0.5
check "restart re-applied nothing" "$((N + 2)) 5 4" "$($RGMON stats --db "$WORK/s.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected)"')"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

# The state serve built equals a replay of the same events.
echo "$KEYLESS" >>"$WORK/clean.jsonl"
printf '{"event_id":"after-restart","type":"contact","player_id":"p000009","ts":"2026-11-04T10:00:00Z","channel":"email","topic":"other"}\n' >>"$WORK/clean.jsonl"
$RGMON replay --db "$WORK/r.db" "$WORK/clean.jsonl" >/dev/null
a=$(sqlite3 "$WORK/s.db" "select player_id, hex(state) from players order by 1" | md5sum)
b=$(sqlite3 "$WORK/r.db" "select player_id, hex(state) from players order by 1" | md5sum)
check "serve state equals replay state" "$b" "$a"
$RGMON alerts list --db "$WORK/s.db" --json >"$WORK/serve-alerts.json"
$RGMON alerts list --db "$WORK/r.db" --json >"$WORK/replay-alerts.json"
n=$(jq '.alerts | length' "$WORK/serve-alerts.json")
[ "$n" -gt 0 ] && ok "serve raised alerts ($n)" || fail "serve raised alerts"
cmp -s "$WORK/serve-alerts.json" "$WORK/replay-alerts.json" && ok "serve's alerts equal replay's, byte for byte" ||
  fail "serve's alerts equal replay's, byte for byte"

# A bad -X is refused with librdkafka's own message.
$RGMON serve --brokers "$BROKER" --db "$WORK/x.db" --http "127.0.0.1:0" -X no.such.property=1 2>"$WORK/err"
check "unknown -X property exits 1" 1 $?
grep -q 'no.such.property' "$WORK/err" && ok "unknown -X property named" || fail "unknown -X property named"

# A stop when the broker is gone or frozen (make demo's Ctrl-C used to reach
# both): serve must not wait on the dead group coordinator. The demo was
# seen hanging for minutes in rd_kafka_consumer_close (issue 19); leaving
# the group now waits at most 2 s, whatever the broker does, and the
# unanswered leave is logged. The watchdog's 30 s only guards against a
# hang (a long session.timeout.ms, as large groups use, is set on purpose).
stop_within() { # PID SECONDS -> 0 when PID exited in time (its status in $STOP_RC)
  for _ in $(seq $(( $2 * 10 ))); do kill -0 "$1" 2>/dev/null || { wait "$1"; STOP_RC=$?; return 0; }; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null; wait "$1"; STOP_RC=killed; return 1
}
start_serve "$WORK/s.db" "$PORT" -X session.timeout.ms=60000
wait_ready "$PORT" && ok "serve ready before the broker dies" || fail "serve ready before the broker dies"
# A frozen broker answers nothing and refuses nothing, like one behind a
# lost network or one in the middle of its own shutdown.
kill -STOP "$BROKER_PID"
kill -TERM "$SERVE_PID"
t0=$(date +%s%N)
stop_within "$SERVE_PID" 30 && ok "SIGTERM stops serve with the broker gone" || fail "SIGTERM stops serve with the broker gone"
echo "# stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "and exits 0 after committing" 0 "$STOP_RC"
check "nothing lost or applied twice" "$((N + 2)) 5 4" "$($RGMON stats --db "$WORK/s.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected)"')"
grep -q 'did not answer within' "$WORK/serve.err" && ok "the unanswered group leave is logged" || fail "the unanswered group leave is logged"
kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null

# A second stop signal ends the process at once (128 + SIGTERM); the store
# stays whole, as after kill -9.
start_broker 4
start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve ready again" || fail "serve ready again"
kill -KILL "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null
kill -TERM "$SERVE_PID"; sleep 0.5; kill -TERM "$SERVE_PID"
stop_within "$SERVE_PID" 60
check "a second SIGTERM exits at once with 143" 143 "$STOP_RC"
check "the store is intact after it" ok "$(sqlite3 "$WORK/s.db" 'pragma quick_check')"
finish
