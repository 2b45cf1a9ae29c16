#!/bin/sh
# make demo -- the whole system on embedded defaults: a development broker,
# the simulator producing to it continuously, and serve with its HTTP API
# and web UI on 127.0.0.1:$PORT, with a compliance token printed to sign in
# with. Ctrl-C or SIGTERM stops all three.
set -u
PORT=${PORT:-8080}
RGMON=build/rgmon
DIR=build/demo
mkdir -p "$DIR"
# The dev broker keeps its topics in memory: each demo starts afresh.
rm -f "$DIR"/rgmon.db "$DIR"/rgmon.db-wal "$DIR"/rgmon.db-shm

broker_pid=""; sim_pid=""; serve_pid=""
# The children run in sessions of their own (setsid), so a Ctrl-C reaches
# only this script, which then stops them in dependency order, each waited
# for: the simulator (delivers what it produced), serve (commits its open
# batch), then the broker they use. A child that has not stopped after
# 15 s is killed: a demo must never leave a process behind.
stop_child() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    echo "demo: process $1 did not stop in 15 s; killing it" >&2
    kill -KILL "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null
}
stop() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  for p in $sim_pid $serve_pid $broker_pid; do stop_child "$p"; done
  exit 0
}
trap stop INT TERM EXIT

setsid $RGMON broker --partitions 32 >"$DIR/broker.out" 2>"$DIR/broker.log" &
broker_pid=$!
for _ in $(seq 100); do [ -s "$DIR/broker.out" ] && break; sleep 0.05; done
BROKER=$(head -n1 "$DIR/broker.out")
[ -n "$BROKER" ] || { echo "demo: the broker did not start; see $DIR/broker.log" >&2; exit 1; }

# Simulated players, live: their history since yesterday's midnight (UTC)
# goes at once, so the queue fills within seconds, and from then on each
# event is sent when its time comes, so due times, overdue alerts and the
# plots mean what they mean in production.
start=$(date -u -d 'yesterday' +%Y-%m-%dT00:00:00Z)
setsid $RGMON simulate --brokers "$BROKER" --players 5000 --days 3 --start "$start" --live --loop --dirty 2 \
  2>"$DIR/simulate.log" &
sim_pid=$!

# A fresh compliance token to sign in to the web UI with (only its hash is
# kept in $DIR/tokens).
rm -f "$DIR/tokens"
TOKEN=$($RGMON token new --role compliance --name demo-officer --file "$DIR/tokens" 2>/dev/null)
AGENT_TOKEN=$($RGMON token new --role agent --name demo-agent --file "$DIR/tokens" 2>/dev/null)
REGULATOR_TOKEN=$($RGMON token new --role regulator --name demo-regulator --file "$DIR/tokens" 2>/dev/null)
# The audit trail's signing key, made once and kept with the demo's data.
[ -f "$DIR/keys/audit-signing.key" ] || $RGMON keygen --out "$DIR/keys" >/dev/null 2>&1

setsid $RGMON serve --brokers "$BROKER" --db "$DIR/rgmon.db" --http "127.0.0.1:$PORT" --tokens "$DIR/tokens" \
  --audit-key "$DIR/keys/audit-signing.key" \
  2>"$DIR/serve.log" &
serve_pid=$!

for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
if ! curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
  echo "demo: serve did not start; see $DIR/serve.log:" >&2
  tail -n 5 "$DIR/serve.log" >&2
  exit 1
fi
cat <<MSG

  rgmon demo is running.

  Web UI (alert queue):  http://127.0.0.1:$PORT/
  Sign in with this compliance token:

      $TOKEN

  An agent token (badges and risk only): $AGENT_TOKEN
      curl -H "Authorization: Bearer $AGENT_TOKEN" http://127.0.0.1:$PORT/v1/players/p000001/risk

  A regulator's signed audit export, and its verification:
      curl -H "Authorization: Bearer $REGULATOR_TOKEN" -o audit.jsonl \\
        "http://127.0.0.1:$PORT/v1/audit/export?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z"
      build/rgmon audit verify audit.jsonl --pubkey $DIR/keys/audit-signing.pub

  http://127.0.0.1:$PORT/healthz    liveness
  http://127.0.0.1:$PORT/readyz     readiness (after the consumer joins, ~3 s)
  http://127.0.0.1:$PORT/metrics    Prometheus metrics: watch rgmon_events_total rise

  broker $BROKER, database $DIR/rgmon.db, logs in $DIR/
  try:   build/rgmon stats --db $DIR/rgmon.db
  Ctrl-C stops everything.

MSG
# Stop when any of them dies, or on Ctrl-C / SIGTERM.
while kill -0 $serve_pid 2>/dev/null; do
  for p in $sim_pid $broker_pid; do kill -0 "$p" 2>/dev/null || { echo "demo: a component exited; see $DIR/*.log" >&2; stop; }; done
  sleep 1
done
echo "demo: serve exited; see $DIR/serve.log" >&2
stop
