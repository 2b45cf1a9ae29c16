#!/bin/bash
# The store guards itself against operators' mistakes (issue 18):
#  - #3  a second serve, or a replay, on a database a serve writes is
#        refused naming the holder; readers keep working beside it;
#  - #12 messages gone from Kafka before serve read them (the dev
#        broker's 5 MiB cap here, retention in production) are counted:
#        stats, /metrics, /readyz -- every offset is read or counted;
#  - #7  the WAL deleted, or the database replaced, under a running
#        serve: it stops being ready and writes nothing more; a restart
#        loses nothing and applies nothing twice;
#  - #11 a dedupe index missing an entry is found at start: serve and
#        replay refuse to consume, `stats --check` says what is wrong;
#  - #16 open errors say what happened, not "not an rgmon database".
. "$(dirname "$0")/lib.sh"
start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
DB="$WORK/s.db"
start_serve "$DB" "$PORT"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
produce_simulated 30 2 1
FIRST=$N
cp "$WORK/ev.jsonl" "$WORK/first.jsonl"
all_in() { [ "$(metric "$PORT" accepted)" = "$1" ]; }
wait_for "the first events" 300 all_in "$FIRST" && ok "first $FIRST events consumed" || fail "first $FIRST events consumed"

# ---- #3: one writer per database ----
PORT2=$(free_port)
timeout 20 "$RGMON" serve --brokers "$BROKER" --db "$DB" --http "127.0.0.1:$PORT2" $KAFKA_TEST_OPTS \
  >"$WORK/serve2.out" 2>"$WORK/serve2.err"
check "a second serve on the same database is refused" 1 "$?"
check "naming the holder" 1 "$(grep -c "is in use by rgmon serve (pid $SERVE_PID)" "$WORK/serve2.err")"
check "in one line" 1 "$(wc -l <"$WORK/serve2.err")"
timeout 20 "$RGMON" replay --db "$DB" --quiet "$WORK/first.jsonl" >"$WORK/replay.out" 2>"$WORK/replay.err"
check "a replay onto it is refused" 1 "$?"
check "naming the holder" 1 "$(grep -c "is in use by rgmon serve (pid $SERVE_PID)" "$WORK/replay.err")"
check "the refusals wrote nothing" "$FIRST 0" "$(stat "$DB" accepted) $(stat "$DB" duplicates)"
check_cmd "stats reads beside serve" "$RGMON" stats --db "$DB"
check_cmd "alerts list reads beside serve" "$RGMON" alerts list --db "$DB"
P=$(head -n1 "$WORK/first.jsonl" | jq -r .player_id)
check_cmd "player show reads beside serve" "$RGMON" player show "$P" --db "$DB"

# ---- #12: messages gone before they were read are counted ----
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
# About 11 MB onto the one partition: the broker keeps about 5 MiB, so
# the offsets serve stored, and some after them, are gone.
produce_simulated 100 20 2
TOTAL=$((FIRST + N))
start_serve "$DB" "$PORT"
read_all() { [ "$("$RGMON" stats --db "$DB" | jq '.accepted + (.skipped // 0)')" = "$TOTAL" ]; }
wait_for "the rest" 600 read_all && ok "every offset is read or counted skipped" ||
  fail "every offset is read or counted skipped (accepted $(stat "$DB" accepted), skipped $(stat "$DB" skipped), of $TOTAL)"
SKIPPED=$(stat "$DB" skipped)
[ "${SKIPPED:-0}" -gt 0 ] 2>/dev/null && ok "stats counts $SKIPPED skipped" || fail "stats counts skipped ($SKIPPED)"
check "per partition" "$SKIPPED" "$("$RGMON" stats --db "$DB" | jq -r '.skipped_by_partition["rg.events"]["0"]')"
check "and /metrics" "$SKIPPED" \
  "$(curl -s -m 5 "$URL/metrics" | awk '$1 == "rgmon_offsets_skipped_total{partition=\"0\"}" {print $2}')"
RZ=$(curl -s -m 5 -w ' %{http_code}' "$URL/readyz")
check "/readyz says so and stays ready" "200 true $SKIPPED" \
  "${RZ##* } $(echo "${RZ% *}" | jq -r '"\(.ready) \(.skipped_offsets)"')"
grep -q "message(s) skipped, never read" "$WORK/serve.err" && ok "and the log" || fail "and the log"

# ---- #7: the files changed under serve ----
ACCEPTED=$(metric "$PORT" accepted)
rm -f "$DB-wal"
changed() { curl -s -m 5 "$URL/readyz" | jq -r .reason | grep -q "deleted or replaced"; }
wait_for "not ready" 100 changed && ok "WAL deleted: /readyz says why" || fail "WAL deleted: /readyz says why ($(curl -s -m 5 "$URL/readyz"))"
check "and answers 503" 503 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/readyz")"
# Logged once by the store; the outbox relay, refused its writes, may name
# the same reason in its own warnings.
check "logged once" 1 "$(grep -c "error: store: .* was deleted while rgmon was writing it" "$WORK/serve.err")"
$RGMON simulate --players 20 --days 1 --seed 9 --start 2026-12-01T00:00:00Z --out "$WORK/more.jsonl" 2>/dev/null
MORE=$(wc -l <"$WORK/more.jsonl")
keyed "$WORK/more.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
check "what was committed before survived" "$ACCEPTED" "$(stat "$DB" accepted)"
# A consistent copy taken while nothing writes: the file that replaces the
# database below. (A cp of the live file could catch the checkpointer
# mid-copy and be torn, which is not what this test is about.)
sqlite3 "$DB" ".backup '$WORK/snapshot.db'"
start_serve "$DB" "$PORT"
wait_for "the rest" 300 all_in "$((ACCEPTED + MORE))" && ok "a restart applies the rest" ||
  fail "a restart applies the rest ($(metric "$PORT" accepted) of $((ACCEPTED + MORE)))"
check "each once" 0 "$(stat "$DB" duplicates)"

cp "$WORK/snapshot.db" "$WORK/copy.db"; mv "$WORK/copy.db" "$DB"
wait_for "not ready" 100 changed && ok "database replaced: /readyz says why" ||
  fail "database replaced: /readyz says why ($(curl -s -m 5 "$URL/readyz"))"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
rm -f "$DB-wal" "$DB-shm"
check "the database is intact" ok "$(sqlite3 "$DB" 'pragma integrity_check')"

# ---- #11: a dedupe index missing an entry ----
# The first batch of the event log losing its first event's fingerprint,
# as a byte flip could leave it: that event would be applied again.
ID=$("$RGMON" events export --db "$DB" | head -n1 | jq -r .event_id)
cp "$DB" "$WORK/backup.db"
sqlite3 "$DB" "UPDATE event_batches SET ids = substr(ids, 9) WHERE seq = (SELECT min(seq) FROM event_batches)"
timeout 30 "$RGMON" serve --brokers "$BROKER" --db "$DB" --http "127.0.0.1:$PORT2" $KAFKA_TEST_OPTS \
  >"$WORK/serve3.out" 2>"$WORK/serve3.err"
check "serve refuses a corrupt dedupe index" 1 "$?"
check "saying so" 1 "$(grep -c "the dedupe index is corrupt" "$WORK/serve3.err")"
grep "\"event_id\":\"$ID\"" "$WORK/first.jsonl" "$WORK/ev.jsonl" | head -n1 | cut -d: -f2- >"$WORK/again.jsonl"
before=$(stat "$DB" accepted)
timeout 30 "$RGMON" replay --db "$DB" --quiet "$WORK/again.jsonl" >/dev/null 2>"$WORK/replay3.err"
check "replay refuses it" 1 "$?"
check "and applied nothing again" "$before" "$(stat "$DB" accepted)"
"$RGMON" stats --db "$DB" --check >/dev/null 2>"$WORK/check.err"
check "stats --check fails" 1 "$?"
check "saying what is wrong" 1 "$(grep -c "the dedupe index is corrupt" "$WORK/check.err")"
cp "$WORK/backup.db" "$DB"
check "restored from the backup stats --check passes" ok "$("$RGMON" stats --db "$DB" --check | jq -r .check)"

# ---- #16: open errors say what happened ----
printf 'not a database, only text long enough to fill a SQLite header....................\n' >"$WORK/text.db"
"$RGMON" stats --db "$WORK/text.db" 2>"$WORK/e1.err" >/dev/null
check "a file that is not SQLite says so" 1 "$(grep -c 'is not a SQLite database' "$WORK/e1.err")"
"$RGMON" stats --db "$WORK/none.db" 2>"$WORK/e2.err" >/dev/null
check "a missing file says so" 1 "$(grep -c 'No such file or directory' "$WORK/e2.err")"
sqlite3 "$WORK/other.db" "CREATE TABLE t(a); PRAGMA application_id = 42"
"$RGMON" replay --db "$WORK/other.db" --quiet /dev/null 2>"$WORK/e4.err" >/dev/null
check "another application's database says so" 1 "$(grep -c "another application's SQLite database (application_id 42)" "$WORK/e4.err")"
check "and is left as it was" "t delete" "$(sqlite3 "$WORK/other.db" "SELECT group_concat(name) FROM sqlite_schema; PRAGMA journal_mode" | tr '\n' ' ' | sed 's/ $//')"
sqlite3 "$WORK/plain.db" "CREATE TABLE t(a)"
"$RGMON" stats --db "$WORK/plain.db" 2>"$WORK/e5.err" >/dev/null
check "a SQLite database with other tables says so" 1 "$(grep -c 'with tables but no rgmon schema' "$WORK/e5.err")"
check "an rgmon database says whose it is" 1919380846 "$(sqlite3 "$DB" 'PRAGMA application_id')"

# A WAL database in a directory the reader may not write (a read-only
# mount reads the same): needs a user the permissions apply to.
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
  mkdir "$WORK/ro" && cp "$DB" "$WORK/ro/r.db" && chmod 755 "$WORK" && chmod 555 "$WORK/ro"
  runuser -u nobody -- "$RGMON" stats --db "$WORK/ro/r.db" 2>"$WORK/e3.err" >/dev/null
  check "a read-only directory says so" 1 "$(grep -c 'its directory is read-only' "$WORK/e3.err")"
  chmod 755 "$WORK/ro"
fi
finish
