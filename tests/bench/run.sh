#!/bin/sh
# make bench -- throughput of rgmon, each figure measured in this one run.
#
#  1. serve end-to-end vs a bare librdkafka read of the same events
#     (N events on P partitions of `rgmon broker`), as a ratio of times;
#  2. replay events/s from a JSONL file of the same events.
#
# Serve's rate is (N - n0) / (t1 - t0), where t0 is the first /metrics
# poll that shows accepted events (n0 of them) and t1 the poll that shows
# all N; polls run every ~10 ms. The raw read is timed from its first
# message to its N-th. Both exclude the consumer group join (the mock
# cluster's fixed ~3 s).
set -eu
N=${BENCH_EVENTS:-300000}
P=${BENCH_PARTITIONS:-64}
RGMON=${RGMON:-build/rgmon}
READER=build/kafka_read
work=$(mktemp -d /tmp/rgmon-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

cc -O2 -o "$READER" tests/bench/kafka_read.c $(pkg-config --cflags --libs rdkafka)
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -o build/engine_bench tests/bench/engine_bench.c \
  build/obj-release/librgmon.a $(pkg-config --libs rdkafka jansson sqlite3 libmicrohttpd libcrypto) -lpthread -lm
engine=$(build/engine_bench 1000000)
engine_rate=$(echo "$engine" | awk '$1 == "engine_events_per_s" {print $2}')
player_bytes=$(echo "$engine" | awk '$1 == "bytes_per_cached_player" {print $2}')

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
              echo $((20000 + $$ % 20000)); }
now() { date +%s.%N; }

"$RGMON" broker --partitions "$P" >"$work/broker.out" 2>"$work/broker.err" &
pids="$pids $!"
for i in $(seq 50); do [ -s "$work/broker.out" ] && break; sleep 0.1; done
B=$(head -n1 "$work/broker.out")

"$RGMON" simulate --players 5000 --days 30 --seed 7 --max-events "$N" --out "$work/events.jsonl" 2>/dev/null
"$RGMON" simulate --players 5000 --days 30 --seed 7 --max-events "$N" --brokers "$B" 2>/dev/null

raw=$("$READER" "$B" rg.events "$N")

port=$(free_port)
"$RGMON" serve --brokers "$B" --db "$work/serve.db" --http "127.0.0.1:$port" --log-level warn 2>"$work/serve.err" &
spid=$!
pids="$pids $spid"
accepted() { curl -s "http://127.0.0.1:$port/metrics" 2>/dev/null | awk '/^rgmon_events_total\{outcome="accepted"\}/ {print $2}'; }
t0=""; n0=0; t1=""
deadline=$(( $(date +%s) + 180 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  n=$(accepted); n=${n:-0}
  if [ -z "$t0" ] && [ "$n" -gt 0 ]; then t0=$(now); n0=$n; fi
  if [ "$n" -ge "$N" ]; then t1=$(now); break; fi
  sleep 0.01
done
[ -n "$t1" ] || { echo "bench: serve did not take all $N events in time" >&2; cat "$work/serve.err" >&2; exit 1; }
kill "$spid"; wait "$spid" 2>/dev/null || true

start=$(now)
"$RGMON" replay --db "$work/replay.db" --quiet "$work/events.jsonl" >/dev/null
end=$(now)

awk -v er="$engine_rate" -v pb="$player_bytes" -v N="$N" -v P="$P" -v raw="$raw" -v t0="$t0" -v t1="$t1" -v n0="$n0" -v rs="$start" -v re="$end" 'BEGIN {
  raw_rate = N / raw; serve_rate = (N - n0) / (t1 - t0); replay_rate = N / (re - rs);
  printf "rgmon bench: %d events, %d partitions, one run (2-core machine; figures are noisy)\n", N, P;
  printf "%-34s %14s  %s\n", "measure", "value", "method";
  printf "%-34s %11.0f/s  %s\n", "raw librdkafka read", raw_rate, "tests/bench/kafka_read.c, first to last message";
  printf "%-34s %11.0f/s  %s\n", "serve end-to-end (consumed+committed)", serve_rate, "/metrics accepted, polled every 10 ms";
  printf "%-34s %13.2fx  %s\n", "serve time / raw read time", raw_rate / serve_rate, "target <= 2.0 (issue 2), goal <= 1.5";
  printf "%-34s %11.0f/s  %s\n", "replay", replay_rate, "rgmon replay of the same events as JSONL";
  printf "%-34s %11.0f/s  %s\n", "engine only, one core", er, "tests/bench/engine_bench.c: 1M simulated events, parse untimed; target >= 1M/s";
  printf "%-34s %12d B  %s\n", "memory per cached player", pb, "cache entry + hash + dirty index (fixed-size state); target <= 2048";
}'
