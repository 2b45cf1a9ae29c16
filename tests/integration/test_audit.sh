#!/bin/bash
# The audit trail end to end: serve (signing key, tokens) writes decisions,
# a staff action, checkpoints and its start and stop; the database refuses
# edits; explain re-runs decisions; exports (CLI JSONL and CSV, a player's,
# and over HTTP) verify; and
# verify catches and locates each of the six ways to tamper with an export,
# a member the format does not define, and a wrong public key.
. "$(dirname "$0")/lib.sh"
start_broker 4
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

produce_simulated 200 10 11

$RGMON keygen --out "$WORK/keys" >"$WORK/keygen.out" 2>/dev/null
check "keygen makes a private and a public key" "600 644" \
  "$(command stat -c %a "$WORK/keys/audit-signing.key") $(command stat -c %a "$WORK/keys/audit-signing.pub")"
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
check "keygen never overwrites a key" 1 $?
$RGMON keygen --out "$WORK/other" >/dev/null 2>&1
KEY="$WORK/keys/audit-signing.key"; PUB="$WORK/keys/audit-signing.pub"
for r in compliance regulator; do
  $RGMON token new --role $r --name "$r-a" --file "$WORK/tokens" >"$WORK/$r.tok" 2>/dev/null
done

SERVE_STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens" --audit-key "$KEY"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "all $N events consumed" || fail "all $N events consumed"
auth() { echo "Authorization: Bearer $(cat "$WORK/$1.tok")"; }
ALERT=$(curl -s -H "$(auth compliance)" "$URL/v1/alerts?status=open&limit=1" | jq -r '.alerts[0].alert_id')
curl -s -X POST -H "$(auth compliance)" --data-binary '{"outcome":"limits_set","note":"called; deposit limit set"}' \
  "$URL/v1/alerts/$ALERT/resolve" >/dev/null
# A note no byte of which may be lost or re-spelled on its way to a
# regulator's own check: control characters (ESC above all), quotes,
# backslashes, non-ASCII, an emoji, U+2028.
ADVERSARIAL='esc \u001b[31mred\u001b[0m bell \u0007 us \u001f tab\t nl\n cr\r quote\" backslash\\ slash/ \\u001B as text del \u007f \u00e9\u4e2d \ud83d\ude00 ls\u2028ps\u2029'
ALERT2=$(curl -s -H "$(auth compliance)" "$URL/v1/alerts?status=open&limit=1" | jq -r '.alerts[0].alert_id')
check "an acknowledgement with an adversarial note" 200 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$(auth compliance)" \
  --data-binary "{\"note\":\"$ADVERSARIAL\"}" "$URL/v1/alerts/$ALERT2/acknowledge")"
curl -s -H "$(auth regulator)" -o "$WORK/http.jsonl" -w '%{http_code} %{content_type}\n' \
  "$URL/v1/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z" >"$WORK/http.status"
check "regulator downloads an export over HTTP" "200 application/x-ndjson" "$(cat "$WORK/http.status")"
check "an HTTP export without from is 400" 400 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "$(auth regulator)" "$URL/v1/audit/export?to=2027-01-01T00:00:00Z")"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null

DB="$WORK/s.db"
kinds=$(sqlite3 "$DB" "select group_concat(kind, ' ') from (select distinct kind from audit order by kind)")
for k in alert_opened checkpoint export_made level_change player_flag policy_loaded service_start service_stop \
         staff_action token_registered; do
  case " $kinds " in *" $k "*) ok "the trail holds $k records" ;; *) fail "the trail holds $k records (has: $kinds)" ;; esac
done
check "the staff action names its actor and role" "compliance-a compliance limits_set" \
  "$(sqlite3 "$DB" "select json_extract(payload,'\$.actor') || ' ' || json_extract(payload,'\$.role') || ' ' ||
                    json_extract(payload,'\$.outcome') from audit where kind = 'staff_action' and
                    json_extract(payload,'\$.action') = 'resolve'")"
check "the last record is the checkpoint made at stop" checkpoint \
  "$(sqlite3 "$DB" "select kind from audit order by seq desc limit 1")"
sqlite3 "$DB" "update audit set payload = '{}' where seq = 3" 2>"$WORK/update.err"
grep -q 'audit records are append-only' "$WORK/update.err" && [ "$(sqlite3 "$DB" "select payload from audit where seq = 3")" != '{}' ] &&
  ok "an audit record cannot be updated" || fail "an audit record cannot be updated"
sqlite3 "$DB" "delete from audit where seq = 3" 2>/dev/null
check "an audit record cannot be deleted" 1 "$(sqlite3 "$DB" "select count(*) from audit where seq = 3")"
sqlite3 "$DB" "insert into audit(seq, at_ms, kind, payload, prev_hash, hash)
               values ((select max(seq) + 1 from audit), 0, 'x', '{}', 'nope', 'nope')" 2>/dev/null
check "a record off the chain is refused" 0 "$(sqlite3 "$DB" "select count(*) from audit where kind = 'x'")"

# ---- explain: decisions re-run from the stored events ----
for k in level_change alert_opened alert_escalated player_flag; do
  seq=$(sqlite3 "$DB" "select seq from audit where kind = '$k' order by seq desc limit 1")
  out=$($RGMON audit explain --db "$DB" "$seq" 2>&1); rc=$?
  check "explain re-runs the last $k (seq $seq) to the same decision" "0 the same decision" "$rc $(echo "$out" | tail -n1)"
done
seq=$(sqlite3 "$DB" "select seq from audit where kind = 'alert_opened' order by seq limit 1")
$RGMON audit explain --db "$DB" "$seq" --policy policies/uk.json >"$WORK/whatif.out" 2>&1
check "explain with another policy shows a different decision" "1 A DIFFERENT DECISION" "$? $(tail -n1 "$WORK/whatif.out")"
seq=$(sqlite3 "$DB" "select seq from audit where kind = 'staff_action' order by seq limit 1")
$RGMON audit explain --db "$DB" "$seq" >/dev/null 2>"$WORK/notdecision.err"
check "explain refuses a record that is no engine decision" 1 $?
grep -q 'not a decision of the engine' "$WORK/notdecision.err" && ok "and says why" || fail "and says why"

# ---- exports verify ----
FROM=2026-01-01T00:00:00Z; TO=2027-01-01T00:00:00Z
$RGMON audit export --db "$DB" --from $FROM --to $TO --key "$KEY" --out "$WORK/e.jsonl" 2>/dev/null
check "export exits 0" 0 $?
# Without --key: the key serve last signed this database with.
$RGMON audit export --db "$DB" --from $FROM --to $TO --format csv --out "$WORK/e.csv" 2>/dev/null
check "export without --key uses serve's key" 0 $?
$RGMON audit export --db "$WORK/none.db" --from $FROM --to $TO >/dev/null 2>"$WORK/nokey.err"
check "export of a database never signed needs --key" 1 $?
grep -q 'no signing key: pass --key' "$WORK/nokey.err" && ok "and says so" || fail "and says so"
PLAYER=$(sqlite3 "$DB" "select player_id from audit where kind = 'staff_action' and json_extract(payload,'$.action') = 'resolve'")
$RGMON audit export --db "$DB" --from $FROM --to $TO --key "$KEY" --player "$PLAYER" --out "$WORK/p.jsonl" 2>/dev/null
records=$(grep -c '"type":"record"' "$WORK/e.jsonl")
[ "$records" -gt 100 ] && ok "the export holds the trail ($records records)" || fail "the export holds the trail ($records records)"
check "the manifest's figures count the resolution" 1 \
  "$(tail -n1 "$WORK/e.jsonl" | jq '.summary.interactions_by_outcome.limits_set')"
check "a player's export holds only that player" "$PLAYER" \
  "$(grep '"type":"record"' "$WORK/p.jsonl" | jq -r .player_id | sort -u)"
for f in e.jsonl e.csv p.jsonl http.jsonl; do
  out=$($RGMON audit verify "$WORK/$f" --pubkey "$PUB" 2>&1); rc=$?
  check "untouched $f verifies" "0 ok" "$rc $(echo "$out" | cut -c1-2)"
done
: >"$WORK/none-held.jsonl"
out=$($RGMON audit verify "$WORK/e.jsonl" --pubkey "$PUB" --checkpoints "$WORK/none-held.jsonl" 2>&1); rc=$?
check "no held checkpoints: the export verifies and says none was held (fuzz_verify found qsort on NULL here)" \
  "0 1" "$rc $(echo "$out" | grep -c '0 of 0 held checkpoint(s) match')"
$RGMON audit verify "$WORK/e.jsonl" --pubkey "$WORK/other/audit-signing.pub" >/dev/null 2>"$WORK/wrongkey.err"
check "a wrong public key fails" 1 $?
grep -q 'bad signature' "$WORK/wrongkey.err" && ok "and says the signature is bad" || fail "and says the signature is bad"

# ---- recorded_at: when each record was written ----
check "every record serve wrote carries recorded_at" 0 \
  "$(grep '"type":"record"' "$WORK/e.jsonl" | jq -s 'map(select(has("recorded_at") | not)) | length')"
# (compared with the milliseconds written out: "…46Z" is 46.000, before "…46.002Z")
check "recorded_at never decreases along the chain" true \
  "$(grep '"type":"record"' "$WORK/e.jsonl" | jq -s '[.[].recorded_at | sub("Z$"; "") | if test("\\.") then . else . + ".000" end] as $r | $r == ($r | sort)')"
check "the CSV carries it beside at" "type,seq,at,recorded_at,kind" "$(head -n1 "$WORK/e.csv" | cut -d, -f1-5)"
# Ranges select on recorded_at: the simulated events are of the last days,
# but nothing was recorded before serve started, so the days before hold
# nothing -- with ranges on at they held every decision.
$RGMON audit export --db "$DB" --from "$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)" --to "$SERVE_STARTED" \
  --key "$KEY" --out "$WORK/before.jsonl" 2>/dev/null
check "a range before serve started holds no record, whatever the events' times" 0 \
  "$(grep -c '"type":"record"' "$WORK/before.jsonl")"
check "while the decisions in the trail are on events of those days" true \
  "$(grep '"type":"record"' "$WORK/e.jsonl" | jq -s --arg t "$SERVE_STARTED" 'map(select(.kind == "alert_opened" and .at < $t)) | length > 0')"
# Exports made before recorded_at existed (rgmon-audit-export/1, from the
# previous build: tests/fixtures/audit-export-v1.*) verify unchanged.
for f in jsonl csv; do
  out=$($RGMON audit verify "$(dirname "$0")/../fixtures/audit-export-v1.$f" \
    --pubkey "$(dirname "$0")/../fixtures/audit-export-v1.pub" 2>&1)
  check "a /1 $f export made before recorded_at still verifies" "0 ok" "$? $(echo "$out" | cut -c1-2)"
done

# ---- the canonical JSON: rgmon and an independent implementation agree ----
# tests/audit_recipe.py is the document's recipe (checked here, so the two
# cannot drift) with the chain, digest and signatures around it, in Python's
# standard library and the openssl command: no code shared with rgmon.
RECIPE="$(dirname "$0")/../audit_recipe.py"
check "the recipe in tests/ is the one schemas/audit-export.md gives" "" \
  "$(diff <(python3 "$RECIPE" recipe) <(awk '/^```python$/ {f = 1; next} /^```$/ {f = 0} f' schemas/audit-export.md))"
check "the note reached the trail with its escape character" 1 \
  "$(sqlite3 "$DB" "select count(*) from audit where kind = 'staff_action' and instr(payload, char(27)) = 0 and payload like '%esc \\u001B[31mred%'")"
for f in e.jsonl e.csv p.jsonl http.jsonl; do
  out=$(python3 "$RECIPE" verify "$WORK/$f" --pubkey "$PUB" 2>&1); rc=$?
  check "the documented recipe verifies rgmon's $f" "0 ok" "$rc $(echo "$out" | cut -c1-2)"
done
for f in jsonl csv; do
  out=$(python3 "$RECIPE" verify "$(dirname "$0")/../fixtures/audit-export-v1.$f" 2>&1)
  check "the documented recipe verifies the /1 $f export too" "0 ok" "$? $(echo "$out" | cut -c1-2)"
done
# The recipe earlier versions of the document gave (json.dumps) fails on it.
check "json.dumps, the old recipe, fails exactly on the records with a control character" true "$(python3 - "$WORK/e.jsonl" <<'PY'
import hashlib, json, sys
def old(r):
    six = {k: r[k] for k in ("seq", "at", "recorded_at", "kind", "player_id", "payload", "prev_hash") if k in r}
    return hashlib.sha256(json.dumps(six, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if '"type":"record"' in l]
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
def control(r):  # a character written as \u00XX
    return any(c < " " and c not in "\b\t\n\f\r" for s in strings(r["payload"]) for c in s)
differ = [r["seq"] for r in recs if old(r) != r["hash"]]
print(str(len(differ) > 0 and differ == [r["seq"] for r in recs if control(r)]).lower())
PY
)"
# The other way: records hashed and signed by the recipe, with adversarial
# strings and keys and the largest, smallest and negative integers.
python3 "$RECIPE" forge "$KEY" "$WORK/forged.jsonl"
out=$($RGMON audit verify "$WORK/forged.jsonl" --pubkey "$PUB" 2>&1)
check "rgmon verifies records hashed and signed by the recipe" "0 ok: 10 records" "$? $(echo "$out" | grep -o 'ok: [0-9]* records')"
python3 - "$RECIPE" "$KEY" "$WORK/forged-old.jsonl" <<'PY'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("recipe", sys.argv[1]); r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r)
r.canonical = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
r.forge(sys.argv[2], sys.argv[3])
PY
$RGMON audit verify "$WORK/forged-old.jsonl" --pubkey "$PUB" >/dev/null 2>&1
check "rgmon refuses them hashed by the old recipe" 1 $?

# ---- tampering: each way is caught and located ----
# tamper NAME KIND LINE FILE: verify must exit 1 naming KIND and "line LINE"
tamper() {
  out=$($RGMON audit verify "$4" --pubkey "$PUB" 2>&1); rc=$?
  if [ "$rc" = 1 ] && echo "$out" | grep -q "$2" && echo "$out" | grep -q "line $3\b"; then ok "$1: $out"
  else fail "$1 (exit $rc: $out)"; fi
}
python3 - "$WORK" <<'PY'
import hashlib, json, sys
w = sys.argv[1]
L = open(w + "/e.jsonl", encoding="utf-8").read().split("\n")[:-1]  # not splitlines(): a note holds U+2028
def save(name, lines, end="\n"): open(w + "/" + name, "w").write("\n".join(lines) + end)
def rehash(r):
    c = {k: r[k] for k in ("seq", "at", "recorded_at", "kind", "payload", "prev_hash", "player_id") if k in r}
    r["hash"] = hashlib.sha256(json.dumps(c, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    return json.dumps(r, separators=(",", ":"))
r = json.loads(L[9]); r["at"] = "2026-01-01T00:00:00Z"
M = L[:]; M[9] = json.dumps(r, separators=(",", ":")); save("edited", M)
r = json.loads(L[19]); r["kind"] = "service_stop"
M = L[:]; M[19] = rehash(r); save("edited_rehashed", M)
M = L[:]; del M[29]; save("removed", M)
M = L[:]; M.insert(40, rehash(dict(json.loads(L[39]), payload={"forged": True}))); save("inserted", M)
M = L[:]; M[49], M[50] = M[50], M[49]; save("reordered", M)
M = L[:]; M.insert(61, M[60]); save("duplicated", M)
r = json.loads(L[69]); r["payload_display"] = {"note": "FORGED"}
M = L[:]; M[69] = json.dumps(r, separators=(",", ":")); save("extra_member", M)
save("truncated", L[:-3])
r = json.loads(L[79]); del r["recorded_at"]
M = L[:]; M[79] = json.dumps(r, separators=(",", ":")); save("recorded_at_dropped", M)
r = json.loads(L[89]); r["recorded_at"] = "2026-11-30T23:59:59Z"
M = L[:]; M[89] = json.dumps(r, separators=(",", ":")); save("recorded_at_backdated", M)
open(w + "/cut", "w").write("\n".join(L)[:-40])
PY
tamper "edited" "edited" 10 "$WORK/edited"
tamper "edited and re-hashed" "edited" 20 "$WORK/edited_rehashed"
tamper "removed" "removed" 30 "$WORK/removed"
tamper "inserted" "inserted" 41 "$WORK/inserted"
tamper "reordered" "reordered" 50 "$WORK/reordered"
tamper "duplicated" "duplicated" 62 "$WORK/duplicated"
tamper "truncated" "truncated" $(( $(wc -l <"$WORK/e.jsonl") - 3 )) "$WORK/truncated"
# No hash covers a member the format does not define: it must not ride along.
tamper "a member the format does not define" 'edited.*"payload_display"' 70 "$WORK/extra_member"
# recorded_at is hashed: dropped or backdated (into an earlier range), the record no longer matches.
tamper "recorded_at dropped" "edited" 80 "$WORK/recorded_at_dropped"
tamper "recorded_at backdated" "edited" 90 "$WORK/recorded_at_backdated"
tamper "cut mid-line" "truncated" "$(wc -l <"$WORK/e.jsonl")" "$WORK/cut"
sed '6s/,2026-/,2025-/' "$WORK/e.csv" >"$WORK/edited.csv"
cmp -s "$WORK/e.csv" "$WORK/edited.csv" && fail "the CSV edit changed nothing"
tamper "edited CSV" "edited" 6 "$WORK/edited.csv"
sed '$s/^manifest,,/manifest,x,/' "$WORK/e.csv" >"$WORK/stray.csv"
tamper "a value in a CSV manifest column the format leaves empty" "edited.*column 2" "$(wc -l <"$WORK/e.csv")" "$WORK/stray.csv"
finish
