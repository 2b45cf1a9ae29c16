#!/bin/bash
# Issue 18, finding 4: whoever holds the database and the signing key must
# not rewrite the audit trail unnoticed. Three attacks with sqlite3 on a
# real store that serve wrote:
#  (a) a row put into audit_retention by hand and the records before it
#      deleted (no trigger dropped): export refuses the gap;
#  (b) the append-only trigger dropped, a record edited, every later record
#      rehashed and every later checkpoint re-signed with the operator's
#      key: the export verifies on its own, but not against the checkpoints
#      published as they were made (serve --audit-checkpoints-file, and the
#      topic rg.audit-checkpoints);
#  (c) a record edited without rehashing: export refuses to sign the
#      broken chain, naming the first bad seq.
. "$(dirname "$0")/lib.sh"
start_broker 2
PORT=$(free_port)
produce_simulated 60 10 7

$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
KEY="$WORK/keys/audit-signing.key"; PUB="$WORK/keys/audit-signing.pub"
HELD="$WORK/checkpoints.jsonl"
DB="$WORK/s.db"
FROM=2000-01-01T00:00:00Z; TO=2100-01-01T00:00:00Z
TOPIC="kafka:$BROKER/rg.audit-checkpoints"

# Two runs: each stop seals the trail with a checkpoint, published as made.
start_serve "$DB" "$PORT" --audit-key "$KEY" --audit-checkpoints-file "$HELD"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "all $N events consumed" || fail "all $N events consumed"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
start_serve "$DB" "$PORT" --audit-key "$KEY" --audit-checkpoints-file "$HELD"
wait_ready "$PORT" && ok "serve starts again" || fail "serve starts again"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null

CHECKPOINTS=$(sqlite3 "$DB" "select count(*) from audit where kind = 'checkpoint'")
check "every checkpoint was appended to the checkpoints file" "$CHECKPOINTS" "$(wc -l <"$HELD")"
check "the file holds what the database holds (seq, signed hash)" \
  "$(sqlite3 -separator ' ' "$DB" "select seq, json_extract(payload, '\$.signs_hash') from audit
                                    where kind = 'checkpoint' order by seq")" \
  "$(jq -r '"\(.seq) \(.signs_hash)"' "$HELD")"
check "every checkpoint went through the outbox and was delivered" "$CHECKPOINTS 0" \
  "$(sqlite3 -separator " " "$DB" "select count(*), count(*) - count(sent_ms) from outbox where topic = 'rg.audit-checkpoints'")"

# The genuine trail exports and verifies against what was published.
$RGMON audit export --db "$DB" --from $FROM --to $TO --key "$KEY" --out "$WORK/e.jsonl" 2>"$WORK/e.err"
check "the genuine trail exports" 0 $?
out=$($RGMON audit verify "$WORK/e.jsonl" --pubkey "$PUB" --checkpoints "$HELD" 2>&1); rc=$?
check "it verifies against the held checkpoints file" "0 $CHECKPOINTS of $CHECKPOINTS held" \
  "$rc $(echo "$out" | grep -o '[0-9]* of [0-9]* held')"
out=$($RGMON audit verify "$WORK/e.jsonl" --pubkey "$PUB" --checkpoints "$TOPIC" 2>&1); rc=$?
check "and against the topic rg.audit-checkpoints" "0 $CHECKPOINTS of $CHECKPOINTS held" \
  "$rc $(echo "$out" | grep -o '[0-9]* of [0-9]* held')"
cat "$HELD" "$HELD" >"$WORK/twice.jsonl"
out=$($RGMON audit verify "$WORK/e.jsonl" --pubkey "$PUB" --checkpoints "$WORK/twice.jsonl" 2>&1); rc=$?
check "a checkpoint held twice (the relay may resend) counts once" "0 $CHECKPOINTS of $CHECKPOINTS held" \
  "$rc $(echo "$out" | grep -o '[0-9]* of [0-9]* held')"
echo '{"format":"rgmon-audit-checkpoint/1","seq":1}' >"$WORK/bad-held.jsonl"
$RGMON audit verify "$WORK/e.jsonl" --checkpoints "$WORK/bad-held.jsonl" >/dev/null 2>"$WORK/bad-held.err"
check "a checkpoints file with a line that is no signed checkpoint is refused, naming the line" "1 1" \
  "$? $(grep -c 'bad-held.jsonl line 1: not a published audit checkpoint' "$WORK/bad-held.err")"

# The record the attacks go for (a decision of the first run), and the first
# checkpoint after it: the one that sealed it.
EDIT=$(sqlite3 "$DB" "select min(seq) from audit where kind = 'level_change'")
CP=$(sqlite3 "$DB" "select min(seq) from audit where kind = 'checkpoint' and seq > $EDIT")

# ---- (a) a retention row by hand, and the records before it deleted ----
cp "$DB" "$WORK/a.db"
sqlite3 "$WORK/a.db" "insert into audit_retention(first_seq, at_ms) values ($CP, 0);
                      delete from audit where seq < $CP;" 2>"$WORK/a.sql.err"
check "(a) the triggers let the records before a hand-made retention row go" 0 \
  "$(sqlite3 "$WORK/a.db" "select count(*) from audit where seq < $CP")"
$RGMON audit export --db "$WORK/a.db" --from $FROM --to $TO --key "$KEY" --out "$WORK/a.jsonl" 2>"$WORK/a.err"
check "(a) export refuses a gap no signed retention record covers" 1 $?
grep -q "broken at seq $CP: records 1\.\.$((CP - 1)) are gone and no signed retention record covers them" \
  "$WORK/a.err" && ok "(a) and names the first kept seq and the records gone" || fail "(a) names the gap: $(cat "$WORK/a.err")"
check "(a) the refusal is one line" 1 "$(wc -l <"$WORK/a.err")"
grep -q '"type":"manifest"' "$WORK/a.jsonl" 2>/dev/null && fail "(a) nothing is signed" || ok "(a) nothing is signed"

# ---- (b) trigger dropped, a record edited, the rest rehashed and re-signed ----
cp "$DB" "$WORK/b.db"
python3 tests/audit_rewrite.py "$WORK/b.db" "$KEY" "$EDIT" >/dev/null
check "(b) the record was rewritten" rewritten \
  "$(sqlite3 "$WORK/b.db" "select json_extract(payload, '\$.note') from audit where seq = $EDIT")"
$RGMON audit export --db "$WORK/b.db" --from $FROM --to $TO --key "$KEY" --out "$WORK/b.jsonl" 2>"$WORK/b.err"
check "(b) the rewritten chain is whole again: it exports" 0 $?
$RGMON audit verify "$WORK/b.jsonl" --pubkey "$PUB" >/dev/null 2>&1
check "(b) and its export verifies on its own, with the operator's key" 0 $?
out=$($RGMON audit verify "$WORK/b.jsonl" --pubkey "$PUB" --checkpoints "$HELD" 2>&1); rc=$?
check "(b) but not against the checkpoints file captured before" 1 $rc
SIGNED=$((CP - 1))
echo "$out" | grep -q "rewritten: record seq $SIGNED (line [0-9]*) is not the record the checkpoint published" &&
  ok "(b) naming the first record a held checkpoint signed" || fail "(b) names seq $SIGNED: $out"
out=$($RGMON audit verify "$WORK/b.jsonl" --pubkey "$PUB" --checkpoints "$TOPIC" 2>&1); rc=$?
check "(b) nor against the topic rg.audit-checkpoints" "1 1" "$rc $(echo "$out" | grep -c 'rewritten: record seq')"
$RGMON audit export --db "$WORK/b.db" --from $FROM --to $TO --format csv --out "$WORK/b.csv" 2>/dev/null
out=$($RGMON audit verify "$WORK/b.csv" --checkpoints "$HELD" 2>&1); rc=$?
check "(b) nor its CSV export, checked with the key the export names" "1 1" \
  "$rc $(echo "$out" | grep -c "rewritten: record seq $SIGNED ")"

# ---- (c) a record edited, the chain left broken ----
cp "$DB" "$WORK/c.db"
sqlite3 "$WORK/c.db" "drop trigger audit_append_only;
                      update audit set payload = '{\"forged\":true}' where seq = $EDIT;"
$RGMON audit export --db "$WORK/c.db" --from $FROM --to $TO --key "$KEY" --out "$WORK/c.jsonl" 2>"$WORK/c.err"
check "(c) export refuses to sign a broken chain" 1 $?
grep -q "broken at seq $EDIT: it does not match its hash; refusing to sign" "$WORK/c.err" &&
  ok "(c) naming the first bad seq" || fail "(c) naming the first bad seq: $(cat "$WORK/c.err")"
check "(c) nothing was recorded as exported" \
  "$(sqlite3 "$DB" "select count(*) from audit where kind = 'export_made'")" \
  "$(sqlite3 "$WORK/c.db" "select count(*) from audit where kind = 'export_made'")"
cp "$DB" "$WORK/c2.db"
sqlite3 "$WORK/c2.db" "drop trigger audit_kept; delete from audit where seq = $EDIT;"
$RGMON audit export --db "$WORK/c2.db" --from $FROM --to $TO --key "$KEY" --out "$WORK/c2.jsonl" 2>"$WORK/c2.err"
check "(c) export refuses a chain with a record taken out" 1 $?
grep -q "broken at seq $EDIT: record $EDIT is missing" "$WORK/c2.err" &&
  ok "(c) naming the missing seq" || fail "(c) naming the missing seq: $(cat "$WORK/c2.err")"

finish
