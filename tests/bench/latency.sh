#!/bin/sh
# tests/bench/latency.sh -- only the alert latency part of durable.sh, for
# one or more rgmon binaries, alternating, REPS times (to compare builds
# on a shared, noisy machine: take the median):
#
#   sh tests/bench/latency.sh [RGMON...]     (default: build/rgmon)
#
# For each binary and repetition: a fresh `rgmon broker` and serve (an
# empty store, or one that first took BENCH_PRELOAD events), then for
# each rate of BENCH_RATES (default "1000 10000") the simulator produces
# at that fixed rate while tests/bench/alert_latency.py sends
# BENCH_PROBES (default 200) probes 50 ms apart. Prints per run the
# probes' p50/p99/max, then how many of serve's batches there were and
# how long before its commit the oldest event of a batch had been
# produced (p50/p99/max over batches, from serve's --log-level debug
# "batch:" lines), and the time the writer spent restarting the WAL
# (and waiting for the checkpointer to do so). Builds older than these
# debug lines show only the probes.
# BENCH_SERVE_ARGS adds options to serve (e.g. --batch-linger-ms 5).
set -eu
REPS=${BENCH_REPS:-3}
PRELOAD=${BENCH_PRELOAD:-0}
P=${BENCH_PARTITIONS:-64}
PLAYERS=${BENCH_PLAYERS:-5000}
PROBES=${BENCH_PROBES:-200}
RATES=${BENCH_RATES:-1000 10000}
[ $# -gt 0 ] || set -- build/rgmon
work=$(mktemp -d /tmp/rgmon-latency.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

one_run() { # RGMON LOG
  rg=$1 log=$2
  rm -f "$work/tokens"
  "$rg" token new --role compliance --name bench-staff --file "$work/tokens" >"$work/staff.tok" 2>/dev/null
  "$rg" broker --partitions "$P" >"$work/broker.out" 2>"$work/broker.err" &
  bpid=$!
  pids="$pids $bpid"
  for i in $(seq 50); do [ -s "$work/broker.out" ] && break; sleep 0.1; done
  B=$(head -n1 "$work/broker.out")
  [ "$PRELOAD" -eq 0 ] ||
    "$rg" simulate --players "$PLAYERS" --days 30 --seed 7 --max-events "$PRELOAD" --brokers "$B" 2>/dev/null
  port=$(free_port)
  # shellcheck disable=SC2086
  "$rg" serve --brokers "$B" --group bench --db "$work/s.db" --http "127.0.0.1:$port" --tokens "$work/tokens" \
    --log-level debug ${BENCH_SERVE_ARGS:-} 2>"$log" &
  spid=$!
  pids="$pids $spid"
  for i in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  [ "$PRELOAD" -eq 0 ] || python3 tests/bench/serve_rate.py "$port" "$PRELOAD" 600 >/dev/null ||
    { echo "bench: serve did not take the $PRELOAD events" >&2; exit 1; }
  sleep 1
  for rate in $RATES; do
    "$rg" simulate --players "$PLAYERS" --days 30 --seed $((11 + rate)) --brokers "$B" --rate "$rate" --loop \
      2>/dev/null &
    simpid=$!
    pids="$pids $simpid"
    sleep 2
    from=$(wc -l <"$log")
    l=$(python3 tests/bench/alert_latency.py "$B" "$port" "$(cat "$work/staff.tok")" "$PROBES" 0.05)
    kill "$simpid"; wait "$simpid" 2>/dev/null || true
    tail -n +"$from" "$log" | awk '/ batch: / { for (i = 1; i <= NF; i++) if ($i == "produced") print $(i + 1) }' |
      sort -n >"$work/oldest"
    w=$(tail -n +"$from" "$log" | awk '/ by the writer / { for (i = 1; i <= NF; i++) if ($i == "us)") w += $(i - 1) }
      / the writer waited / { for (i = 1; i <= NF; i++) if ($i == "waited") w += $(i + 1) }
      END { printf "%.0f", w / 1000 }')
    awk -v rg="$rg" -v rate="$rate" -v l="$l" -v w="$w" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
      { a[++n] = $1 }
      END {
        split(l, f, " ")
        printf "%s at %s/s (load %s): probes p50 %s p99 %s max %s ms (%s of %s seen);", rg, rate, load, f[6], f[8], f[10], f[4], f[2]
        if (n) printf " %d batches, oldest event at commit p50 %s p99 %s max %s ms;", n, a[int(n * 0.5) + 1], a[int(n * 0.99) + 1], a[n]
        printf " writer restarting the WAL %s ms\n", w
      }' "$work/oldest"
  done
  kill "$spid"; wait "$spid" 2>/dev/null || true
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  rm -f "$work"/s.db*
}

for r in $(seq "$REPS"); do
  for rg in "$@"; do
    one_run "$rg" "$work/serve.err"
  done
done
