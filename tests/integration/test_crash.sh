#!/bin/bash
# Exactly once under kill -9. kcat produces the events at a steady rate
# while serve is killed with SIGKILL at random moments KILLS times (after
# each restart has its partitions back, so kills land mid-stream); then a
# last serve drains the topic. Every event must be applied exactly once:
# accepted = produced, duplicates = 0, every offset accounted for, and the
# player state equal to a clean replay of the same events. After every
# kill: the database passes integrity_check, the stored offsets never go
# back, and the audit trail exports and verifies (serve signs it).
. "$(dirname "$0")/lib.sh"
EVENTS=${CRASH_EVENTS:-60000}
KILLS=${CRASH_KILLS:-10}
start_broker 16
PORT=$(free_port)

$RGMON simulate --players 800 --days 30 --seed 9 --max-events "$EVENTS" --out "$WORK/events.jsonl" 2>/dev/null
check "generated $EVENTS events" "$EVENTS" "$(wc -l <"$WORK/events.jsonl")"
# Steady producer: one chunk every ~0.75 s, sized so the events would last
# ~20 s a kill (a restart takes ~10 s: the dead member's 6 s session must
# expire, then the mock's 3 s join), so they keep arriving through all the
# kills; once the kills are done the rest goes at once.
CHUNK=$(( (EVENTS * 3 / 4 + KILLS * 20 - 1) / (KILLS * 20) ))
keyed "$WORK/events.jsonl" | split -l "$CHUNK" -a 4 - "$WORK/chunk."
( for c in "$WORK"/chunk.*; do
    kcat -P -b "$BROKER" -t rg.events -K '	' -l "$c" || exit 1
    [ -e "$WORK/kills.done" ] || sleep 0.75
  done ) 2>"$WORK/kcat.err" &
PRODUCER=$!
PIDS="$PIDS $PRODUCER"

$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
kills=0
open_kills=0
under_load=0
bad_integrity=0; bad_audit=0; offsets_back=0; prev_sum=0
open_batch_events() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 == "rgmon_batch_open_events" {print $2}'; }
while [ "$kills" -lt "$KILLS" ]; do
  # Batches stay open 400 ms, so a kill often lands in an uncommitted one.
  start_serve "$WORK/s.db" "$PORT" --batch-ms 400 --batch-linger-ms 400 --audit-key "$WORK/keys/audit-signing.key"
  if ! wait_ready "$PORT" 400; then fail "serve ready after restart $kills"; break; fi
  # A random moment: every other kill within 0-300 ms, while the backlog
  # that built up during the restart is being consumed; the rest 0-1 s.
  if [ $((kills % 2)) -eq 0 ]; then ms=$((RANDOM % 300)); else ms=$((RANDOM % 1000)); fi
  sleep "$(printf '0.%03d' "$ms")"
  open=$(open_batch_events)
  # Every other kill waits (up to 2 s) for an open batch, so that enough
  # kills land in one however fast this machine commits today.
  if [ $((kills % 2)) -eq 1 ]; then
    for _ in $(seq 40); do [ "${open:-0}" -gt 0 ] && break; sleep 0.05; open=$(open_batch_events); done
  fi
  kill -0 "$PRODUCER" 2>/dev/null && under_load=$((under_load + 1))
  kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
  kills=$((kills + 1))
  [ "${open:-0}" -gt 0 ] && open_kills=$((open_kills + 1))
  echo "# kill $kills at +${ms} ms, ${open:-?} events in the open batch: $($RGMON stats --db "$WORK/s.db" | jq -c '{accepted, duplicates}')"
  # The checks after each kill, on what the dead process left.
  [ "$(sqlite3 "$WORK/s.db" 'pragma integrity_check')" = ok ] || bad_integrity=$((bad_integrity + 1))
  sum=$($RGMON stats --db "$WORK/s.db" | jq '[.offsets["rg.events"][]?] | add // 0')
  [ "$sum" -ge "$prev_sum" ] || offsets_back=$((offsets_back + 1)); prev_sum=$sum
  if ! $RGMON audit export --db "$WORK/s.db" --from 2000-01-01T00:00:00Z --to 2100-01-01T00:00:00Z \
         --out "$WORK/audit.jsonl" 2>/dev/null ||
     ! $RGMON audit verify "$WORK/audit.jsonl" --pubkey "$WORK/keys/audit-signing.pub" >/dev/null 2>"$WORK/verify.err"; then
    bad_audit=$((bad_audit + 1)); echo "# audit after kill $kills: $(cat "$WORK/verify.err")"
  fi
done
check "integrity_check after every kill" 0 "$bad_integrity"
check "stored offsets never went back" 0 "$offsets_back"
check "the audit trail verified after every kill" 0 "$bad_audit"
check "killed serve with SIGKILL $KILLS times" "$KILLS" "$kills"
check "every kill landed while events were still being produced" "$KILLS" "$under_load"
touch "$WORK/kills.done"
wait "$PRODUCER"; check "producer finished" 0 $?
[ "$open_kills" -ge 3 ] && ok "$open_kills kills landed in an open, uncommitted batch" ||
  fail "at least 3 kills landed in an open batch (got $open_kills)"

# Drain with a last serve and stop it cleanly.
start_serve "$WORK/s.db" "$PORT"
drained() { [ "$($RGMON stats --db "$WORK/s.db" | jq .events)" -ge "$EVENTS" ]; }
wait_for "drain" 600 drained && ok "all events consumed after the kills" || fail "all events consumed after the kills"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

check "accepted = produced, nothing applied twice, nothing rejected" "$EVENTS 0 0 $EVENTS" \
  "$($RGMON stats --db "$WORK/s.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected) \(.events)"')"
check "stored offsets account for every message" "$EVENTS" "$($RGMON stats --db "$WORK/s.db" | jq '[.offsets["rg.events"][]] | add')"
check "every event stored once" "$EVENTS $EVENTS" \
  "$($RGMON events export --db "$WORK/s.db" | jq -r .event_id | awk '{ n++; seen[$0] = 1 } END { print length(seen), n }')"
check "database integrity" ok "$(sqlite3 "$WORK/s.db" 'pragma integrity_check')"

$RGMON replay --db "$WORK/r.db" "$WORK/events.jsonl" >/dev/null
a=$(sqlite3 "$WORK/s.db" "select player_id, hex(state) from players order by 1" | md5sum)
b=$(sqlite3 "$WORK/r.db" "select player_id, hex(state) from players order by 1" | md5sum)
check "state after the kills equals a clean replay" "$b" "$a"
finish
