# lib.sh -- shared by the integration tests: they run the real binary
# against `rgmon broker`, a real SQLite file and a real HTTP port.
# Each test prints "ok - ..." / "not ok - ..." lines (counted by
# tests/run-suites) and exits non-zero if any check failed.
set -u
RGMON=${RGMON:-$(pwd)/build/rgmon}
WORK=$(mktemp -d /tmp/rgmon-it.XXXXXX)
FAILED=0
PIDS=""
# Fast failover for restarts in tests (see serve's session.timeout.ms).
KAFKA_TEST_OPTS="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"

cleanup() {
  for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$FAILED" -eq 0 ]; then rm -rf "$WORK"; return; fi
  # CI shows only the "# " lines: say what the processes said.
  for f in "$WORK"/*.err; do
    [ -s "$f" ] && tail -n 5 "$f" | sed "s|^|# $(basename "$f"): |"
  done
  echo "# kept $WORK for inspection"
}
trap cleanup EXIT

ok()   { echo "ok - $1"; }
fail() { echo "not ok - $1"; FAILED=$((FAILED + 1)); }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected [$2], got [$3])"; fi; }
# check_cmd NAME command...   (passes when the command succeeds)
check_cmd() { n=$1; shift; if "$@" >/dev/null 2>&1; then ok "$n"; else fail "$n"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_broker PARTITIONS -> sets BROKER
start_broker() {
  "$RGMON" broker --partitions "$1" >"$WORK/broker.out" 2>"$WORK/broker.err" &
  PIDS="$PIDS $!"
  BROKER_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/broker.out" ] && break; sleep 0.05; done
  BROKER=$(head -n1 "$WORK/broker.out")
  [ -n "$BROKER" ] || { fail "broker started"; exit 1; }
}

# start_serve DB PORT [args...] -> sets SERVE_PID
start_serve() {
  db=$1; port=$2; shift 2
  "$RGMON" serve --brokers "$BROKER" --db "$db" --http "127.0.0.1:$port" $KAFKA_TEST_OPTS "$@" \
    >>"$WORK/serve.out" 2>>"$WORK/serve.err" &
  SERVE_PID=$!
  PIDS="$PIDS $SERVE_PID"
}

# wait_ready PORT [tries of 0.05 s]
wait_ready() {
  for _ in $(seq "${2:-600}"); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# metric PORT OUTCOME -> the rgmon_events_total value
metric() {
  curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null |
    awk -v o="$2" '$1 == "rgmon_events_total{outcome=\"" o "\"}" {print $2}'
}

# stat DB FIELD -> a number from `rgmon stats`
stat() { "$RGMON" stats --db "$1" | jq -r ".$2"; }

# wait_for DESCRIPTION TRIES-of-0.1s COMMAND... : until the command succeeds
wait_for() {
  d=$1; n=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# keyed FILE.jsonl > key<TAB>json lines for kcat -K '\t'
keyed() { sed -E 's/^(.*"player_id":"([^"]*)".*)$/\2\t\1/' "$1"; }

# produce_simulated PLAYERS DAYS SEED: simulated events into $WORK/ev.jsonl
# and onto rg.events (keyed by player); sets N to their number
produce_simulated() {
  $RGMON simulate --players "$1" --days "$2" --seed "$3" --out "$WORK/ev.jsonl" 2>/dev/null
  N=$(wc -l <"$WORK/ev.jsonl")
  keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
}

finish() { [ "$FAILED" -eq 0 ]; exit $?; }

# browser_ready: for the browser tests -- OUT (tests/out, where their
# screenshots go) and playwright-core from tests/browser's lock file.
browser_ready() {
  OUT=$(pwd)/tests/out
  mkdir -p "$OUT"
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
      { fail "npm ci in tests/browser"; finish; }
  fi
}
