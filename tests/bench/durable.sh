#!/bin/sh
# tests/bench/durable.sh -- the durable path's figures, for one or more
# rgmon binaries in one run on the same events (to compare builds):
#
#   sh tests/bench/durable.sh [RGMON...]     (default: build/rgmon)
#
# For each binary, on the same N events (BENCH_EVENTS, default 300000) of
# BENCH_PLAYERS (default 5000) players on P partitions (BENCH_PARTITIONS,
# default 64) of one `rgmon broker`:
#   - serve end-to-end events/s, and its ratio to a bare librdkafka read
#     (the median of three reads);
#   - store bytes per event after serve stopped: database + WAL on disk;
#   - bytes serve wrote per event: write_bytes less cancelled_write_bytes
#     (what reached the disk: a temporary file deleted before it was
#     flushed never does) and wchar (write syscalls) from /proc/PID/io
#     just before it stopped;
#   - replay events/s of the same events as JSONL, and the database and
#     WAL bytes per event it leaves;
#   - alert latency p50/p99 (tests/bench/alert_latency.py) while the
#     simulator produces at fixed rates of 1,000 and 10,000 events/s.
# Load from other processes on the machine moves these figures: compare
# builds within one run.
set -eu
N=${BENCH_EVENTS:-300000}
P=${BENCH_PARTITIONS:-64}
PLAYERS=${BENCH_PLAYERS:-5000}
DAYS=${BENCH_DAYS:-30} # of simulated history: 5,000 players make ~1.16M events in 30
PROBES=${BENCH_PROBES:-200}
RATES=${BENCH_RATES-1000 10000} # empty: no latency runs
[ $# -gt 0 ] || set -- build/rgmon
READER=build/kafka_read
work=$(mktemp -d /tmp/rgmon-durable.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

cc -O2 -o "$READER" tests/bench/kafka_read.c $(pkg-config --cflags --libs rdkafka)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
# The largest size FILE reached while process PID ran, sampled every 50 ms.
peak_of() {
  max=0
  while kill -0 "$2" 2>/dev/null; do
    s=$(size_of "$1"); [ "$s" -gt "$max" ] && max=$s
    sleep 0.05
  done
  echo "$max"
}
io_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/io"; }

RG0=$1
"$RG0" simulate --players "$PLAYERS" --days "$DAYS" --seed 7 --max-events "$N" --out "$work/events.jsonl" 2>/dev/null
"$RG0" token new --role compliance --name bench-staff --file "$work/tokens" >"$work/staff.tok" 2>/dev/null
echo "durable bench: $N events, $PLAYERS players, $P partitions"

b=0
for RG in "$@"; do
  b=$((b + 1))
  # A broker of its own for each build: the topic holds the same N events,
  # and none the previous build's latency runs produced.
  "$RG0" broker --partitions "$P" >"$work/broker$b.out" 2>"$work/broker$b.err" &
  bpid=$!
  pids="$pids $bpid"
  for i in $(seq 50); do [ -s "$work/broker$b.out" ] && break; sleep 0.1; done
  B=$(head -n1 "$work/broker$b.out")
  "$RG0" simulate --players "$PLAYERS" --days "$DAYS" --seed 7 --max-events "$N" --brokers "$B" 2>/dev/null
  # The raw read is the ratio's denominator and takes well under a second:
  # one read moved between ~360k and ~980k events/s on the same topic in
  # one bench run, so it is the median of three.
  raws=$(for i in 1 2 3; do "$READER" "$B" rg.events "$N"; done)
  raw=$(echo "$raws" | sort -g | sed -n 2p)
  port=$(free_port)
  db="$work/serve$b.db"
  "$RG" serve --brokers "$B" --group "bench$b" --db "$db" --http "127.0.0.1:$port" --tokens "$work/tokens" \
    --log-level warn 2>"$work/serve$b.err" &
  spid=$!
  pids="$pids $spid"
  peak_of "$db-wal" "$spid" >"$work/walpeak$b" &
  speakpid=$!
  r=$(python3 tests/bench/serve_rate.py "$port" "$N" 300 || true)
  t0=$(echo "$r" | awk '{print $1}'); n0=$(echo "$r" | awk '{print $2 + 0}'); t1=$(echo "$r" | awk '{print $3}')
  [ -n "$t1" ] || { echo "bench: $RG serve did not take all $N events in time" >&2; cat "$work/serve$b.err" >&2; exit 1; }
  sleep 1 # the checkpointer's idle pass
  wb=$(( $(io_field "$spid" write_bytes) - $(io_field "$spid" cancelled_write_bytes) )); wc=$(io_field "$spid" wchar)
  sdb=$(size_of "$db"); swal=$(size_of "$db-wal")
  lat=""
  for rate in $RATES; do
    "$RG" simulate --players "$PLAYERS" --days 30 --seed $((11 + rate)) --brokers "$B" --rate "$rate" --loop 2>/dev/null &
    simpid=$!
    pids="$pids $simpid"
    sleep 2
    l=$(python3 tests/bench/alert_latency.py "$B" "$port" "$(cat "$work/staff.tok")" "$PROBES" 0.05)
    lat="$lat $rate:$(echo "$l" | awk '{printf "%s/%s/%s/%s", $6, $8, $4, $2}')"
    kill "$simpid"; wait "$simpid" 2>/dev/null || true
  done
  kill "$spid"; wait "$spid" 2>/dev/null || true
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  wait "$speakpid"
  dbs=$(size_of "$db"); wal=$(size_of "$db-wal")

  rdb="$work/replay$b.db"
  rs=$(now)
  "$RG" replay --db "$rdb" --quiet "$work/events.jsonl" >/dev/null &
  rpid=$!
  peak_of "$rdb-wal" "$rpid" >"$work/rwalpeak$b" &
  rpeakpid=$!
  wait "$rpid"
  re=$(now)
  wait "$rpeakpid"
  rwalpeak=$(cat "$work/rwalpeak$b")
  swalpeak=$(cat "$work/walpeak$b")
  rdbs=$(size_of "$rdb"); rwal=$(size_of "$rdb-wal")

  raws=$(echo $raws)
  awk -v RG="$RG" -v N="$N" -v raw="$raw" -v raws="$raws" -v t0="$t0" -v t1="$t1" -v n0="$n0" -v wb="$wb" -v wc="$wc" \
    -v sdb="$sdb" -v swal="$swal" -v dbs="$dbs" -v wal="$wal" -v rs="$rs" -v re="$re" -v rdbs="$rdbs" -v rwal="$rwal" -v rwp="$rwalpeak" -v swp="$swalpeak" \
    -v lat="$lat" 'BEGIN {
    serve = (N - n0) / (t1 - t0);
    printf "== %s\n", RG;
    printf "  serve %.0f/s, %.2fx the time of a raw librdkafka read (%.0f/s, the median of 3: %s s)\n", serve, (N / raw) / serve, N / raw, raws;
    printf "  serve store after the %d events: db %.0f B/event + WAL %.0f B/event = %.0f B/event (WAL %.1f MB)\n",
      N, sdb / N, swal / N, (sdb + swal) / N, swal / 1e6;
    printf "  serve store after stop (with the latency probes events): db %.1f MB + WAL %.1f MB; WAL peak %.1f MB\n",
      dbs / 1e6, wal / 1e6, swp / 1e6;
    printf "  serve wrote: %.0f B/event to disk (write_bytes - cancelled), %.0f B/event in write calls (wchar)\n", wb / N, wc / N;
    printf "  replay %.0f/s; store db %.0f B/event + WAL %.0f B/event = %.0f B/event; WAL peak %.1f MB\n",
      N / (re - rs), rdbs / N, rwal / N, (rdbs + rwal) / N, rwp / 1e6;
    n = split(lat, parts, " ");
    for (i = 1; i <= n; i++) { split(parts[i], kv, ":"); split(kv[2], f, "/");
      printf "  alert latency at %s events/s: p50 %s ms, p99 %s ms (%s of %s probes seen)\n", kv[1], f[1], f[2], f[3], f[4]; }
  }'
done
