#!/bin/bash
# The event log (issue 20): accepted events as compressed rows per batch,
# duplicates found by the writer's fingerprint table. The contract's
# dedupe guarantee: an event_id resent -- by the same player, by another
# player, long after, after a restart, after kill -9 -- is counted a
# duplicate (or a conflict, with another payload) and applied once. And a
# database from before the log (an events table) is converted on open.
. "$(dirname "$0")/lib.sh"

summary() { jq -c '{accepted, duplicates, duplicate_conflicts}'; }
$RGMON simulate --players 60 --days 6 --seed 5 --max-events 4000 --out "$WORK/ev.jsonl" 2>/dev/null
N=$(wc -l <"$WORK/ev.jsonl")
DB="$WORK/s.db"

# ---- the same events again: same player, after a restart ----
check "first replay accepts all" "{\"accepted\":$N,\"duplicates\":0,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --db "$DB" --quiet "$WORK/ev.jsonl" | summary)"
check "a second process: every one a duplicate" "{\"accepted\":0,\"duplicates\":$N,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --db "$DB" --quiet "$WORK/ev.jsonl" | summary)"
check "the log keeps each event once, as it came" "$(md5sum <"$WORK/ev.jsonl")" "$($RGMON events export --db "$DB" | md5sum)"
cp "$DB" "$WORK/first.db"

# ---- another player's event with the same id: a conflict, not applied ----
head -n1 "$WORK/ev.jsonl" | sed -E 's/"player_id":"[^"]*"/"player_id":"someone-else"/' >"$WORK/other.jsonl"
check "the id under another player: a conflict" '{"accepted":0,"duplicates":0,"duplicate_conflicts":1}' \
  "$($RGMON replay --db "$DB" --quiet "$WORK/other.jsonl" 2>/dev/null | summary)"
check "that player got nothing" 0 "$($RGMON events export --db "$DB" --player someone-else | wc -l)"

# ---- long after: thousands of events later, the first one again ----
$RGMON simulate --players 60 --days 6 --seed 6 --max-events 4000 --out "$WORK/more.jsonl" 2>/dev/null
sed -E 's/"event_id":"/"event_id":"more-/' "$WORK/more.jsonl" >"$WORK/later.jsonl"
head -n1 "$WORK/ev.jsonl" >>"$WORK/later.jsonl"
M=$(wc -l <"$WORK/more.jsonl")
check "long after: the first event is a duplicate" "{\"accepted\":$M,\"duplicates\":1,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --db "$DB" --quiet "$WORK/later.jsonl" | summary)"

# ---- after kill -9: the batches committed before it stay, the rest once ----
$RGMON simulate --players 200 --days 10 --seed 8 --max-events 60000 --out "$WORK/big.jsonl" 2>/dev/null
B=$(wc -l <"$WORK/big.jsonl")
K="$WORK/k.db"
$RGMON replay --db "$K" --quiet "$WORK/big.jsonl" >/dev/null 2>&1 &
RP=$!
wait_for "a first batch" 300 sh -c "[ \"\$($RGMON stats --db $K 2>/dev/null | jq -r '.accepted // 0')\" -gt 0 ]" ||
  fail "a first batch was committed before the kill"
kill -9 "$RP"; wait "$RP" 2>/dev/null
before=$(stat "$K" accepted)
check "after kill -9: the rest once, the committed ones duplicates" \
  "{\"accepted\":$((B - before)),\"duplicates\":$before,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --db "$K" --quiet "$WORK/big.jsonl" | summary)"
check "every event stored once" "$B $B" \
  "$($RGMON events export --db "$K" | jq -r .event_id | awk '{ n++; seen[$0] = 1 } END { print length(seen), n }')"

# ---- a database from before the event log ----
# Made from the first one: its events back into an events table (the schema
# of then), the log's tables dropped and the schema version 12, the one
# before the log's migration (13; migration 14 re-indexes its table).
O="$WORK/old.db"
cp "$WORK/first.db" "$O"
$RGMON events export --db "$O" >"$WORK/kept.jsonl"
python3 - "$O" "$WORK/kept.jsonl" 12 <<'EOF'
import datetime, json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript("""
CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, player_id TEXT NOT NULL,
 type TEXT NOT NULL, ts_ms INTEGER NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, raw TEXT NOT NULL);
CREATE INDEX events_by_player ON events(player_id, ts_ms) WHERE type <> 'game_round';
DROP TABLE event_batches; DROP TABLE player_events;""")
for i, line in enumerate(open(sys.argv[2])):
    raw = line.rstrip("\n")
    e = json.loads(raw)
    ts = int(datetime.datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp() * 1000)
    con.execute("INSERT INTO events(event_id, player_id, type, ts_ms, partition, offset, raw) VALUES (?,?,?,?,?,?,?)",
                (e["event_id"], e["player_id"], e["type"], ts, -1, i + 1, raw))
con.execute(f"PRAGMA user_version = {sys.argv[3]}")
con.commit()
EOF
$RGMON stats --db "$O" >/dev/null 2>"$WORK/old.err"
check "a reader refuses the old schema" 1 "$(grep -c 'run serve or replay on it once to migrate it' "$WORK/old.err")"
check "the old database: replayed again, every event a duplicate" \
  "{\"accepted\":0,\"duplicates\":$N,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --db "$O" --quiet "$WORK/ev.jsonl" 2>"$WORK/conv.err" | summary)"
check "the conversion says so" 1 "$(grep -c "converted the $(wc -l <"$WORK/kept.jsonl") rows of the events table" "$WORK/conv.err")"
check "no events table is left" 0 "$(sqlite3 "$O" "select count(*) from sqlite_schema where name = 'events'")"
check "the log holds the old rows, in order" "$(md5sum <"$WORK/kept.jsonl")" "$($RGMON events export --db "$O" | md5sum)"
check "stats --check passes" ok "$($RGMON stats --db "$O" --check | jq -r .check)"
# a decision re-run from the converted log: the same as recorded
SEQ=$(sqlite3 "$O" "select seq from audit where kind = 'level_change' order by seq desc limit 1")
if [ -n "$SEQ" ]; then
  $RGMON audit explain --db "$O" "$SEQ" >"$WORK/explain.out" 2>&1
  check "audit explain re-runs a decision from the converted log" 0 $?
else
  fail "the stream raised no level change to explain"
fi

finish
