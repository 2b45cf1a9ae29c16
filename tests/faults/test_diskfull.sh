#!/bin/bash
# A full disk under a running serve (a small tmpfs; needs root to mount,
# so `make test-faults` runs it, not `make test`): writes fail, the batch
# rolls back, serve stays up, /readyz says why and the consumer retries;
# once space is freed it carries on, and every event is applied once.
. "$(dirname "$0")/../integration/lib.sh"
DISK="$WORK/disk"
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=256m tmpfs "$DISK" 2>"$WORK/mount.err"; then
  fail "mount a 256 MiB tmpfs for the database ($(cat "$WORK/mount.err"); run as root)"; finish
fi
# Stop the processes before unmounting, then the usual cleanup.
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; umount "$DISK" 2>/dev/null; cleanup' EXIT
start_broker 8
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
# Fill the disk but about 2 MiB: room to start, not to take the events.
dd if=/dev/zero of="$DISK/filler" bs=1M count=254 2>/dev/null
start_serve "$DISK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve starts on the nearly full disk" || fail "serve starts on the nearly full disk"
produce_simulated 600 10 8
failing() { [ "$(curl -s "$URL/readyz" | jq -r .reason)" = "database writes failing; retrying" ]; }
wait_for "writes failing" 600 failing && ok "with the disk full, /readyz says writes are failing" ||
  fail "with the disk full, /readyz says writes are failing ($(curl -s "$URL/readyz"))"
check "serve stays up over HTTP" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")"
fails=$(curl -s "$URL/metrics" | awk '$1 == "rgmon_batch_failures_total" {print $2}')
[ "${fails:-0}" -ge 1 ] && ok "failed batches are counted and rolled back ($fails)" || fail "failed batches are counted"
sleep 3
more=$(curl -s "$URL/metrics" | awk '$1 == "rgmon_batch_failures_total" {print $2}')
[ "${more:-0}" -gt "${fails:-0}" ] && ok "the consumer keeps retrying" || fail "the consumer keeps retrying ($fails -> $more)"

rm -f "$DISK/filler"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 900 all_in && ok "with space again, serve takes all $N events" || fail "with space again, serve takes all $N events ($(metric "$PORT" accepted))"
ready() { curl -sf "$URL/readyz" >/dev/null; }
wait_for "ready" 100 ready && ok "and is ready again" || fail "and is ready again"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check "each event exactly once" "$N 0" "$($RGMON stats --db "$DISK/s.db" | jq -r '"\(.accepted) \(.duplicates)"')"
check "the database is intact" ok "$(sqlite3 "$DISK/s.db" 'pragma integrity_check')"
finish
