#!/bin/bash
# Scale-out: two serve instances with their own databases in one consumer
# group split the partitions of rg.events; together they apply every event
# exactly once, and each player's state lives in exactly one of them.
# (Both join before events flow: moving a partition's state between
# instances is the planned changelog step, README "Scale-out".)
. "$(dirname "$0")/lib.sh"
start_broker 8
PA=$(free_port); PB=$(free_port)
start_serve "$WORK/a.db" "$PA"; A=$SERVE_PID
start_serve "$WORK/b.db" "$PB"; B=$SERVE_PID
assigned() { curl -s "http://127.0.0.1:$1/metrics" | awk '$1 == "rgmon_assigned_partitions" {print $2}'; }
split() { a=$(assigned "$PA"); b=$(assigned "$PB"); [ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] && [ $((a + b)) -eq 8 ]; }
wait_for "the partitions split" 600 split && ok "two instances split the 8 partitions ($(assigned "$PA") + $(assigned "$PB"))" ||
  fail "two instances split the 8 partitions (got $(assigned "$PA") + $(assigned "$PB"))"

produce_simulated 200 5 13
applied() { echo $(( $(metric "$PA" accepted) + $(metric "$PB" accepted) )); }
all_in() { [ "$(applied)" -eq "$N" ]; }
wait_for "all events" 600 all_in && ok "together they apply all $N events" || fail "together they apply all $N events (got $(applied))"
kill -TERM "$A" "$B"; wait "$A" "$B" 2>/dev/null

sa=$($RGMON stats --db "$WORK/a.db"); sb=$($RGMON stats --db "$WORK/b.db")
check "exactly once across instances: accepted sums to produced, no duplicates" "$N 0" \
  "$(( $(echo "$sa" | jq .accepted) + $(echo "$sb" | jq .accepted) )) $(( $(echo "$sa" | jq .duplicates) + $(echo "$sb" | jq .duplicates) ))"
pa=$(echo "$sa" | jq -r '.offsets["rg.events"] | keys | join(",")'); pb=$(echo "$sb" | jq -r '.offsets["rg.events"] | keys | join(",")')
check "each instance stored offsets only for its own partitions" "" \
  "$(comm -12 <(tr , '\n' <<<"$pa" | sort) <(tr , '\n' <<<"$pb" | sort) | tr '\n' ' ')"
both=$(sqlite3 "$WORK/a.db" "attach '$WORK/b.db' as b; select count(*) from players p join b.players q using (player_id)")
check "no player's state is in both databases" 0 "$both"
players=$(grep -o '"player_id":"[^"]*"' "$WORK/ev.jsonl" | sort -u | wc -l)
check "every player is in one of them" "$players" \
  "$(( $(sqlite3 "$WORK/a.db" 'select count(*) from players') + $(sqlite3 "$WORK/b.db" 'select count(*) from players') ))"
check "players are stored with the partition that owns them" 0 \
  "$(sqlite3 "$WORK/a.db" "select count(*) from players where partition not in ($pa)")"
finish
