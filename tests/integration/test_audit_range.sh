#!/bin/bash
# A closed audit range exports the same records every time, while serve
# keeps running: events flow, decisions on them are recorded, staff act on
# alerts. A range that ended a moment ago (to <= now) is exported twice,
# some seconds apart, by the CLI and over HTTP; the record lines must be
# byte-identical. The manifests differ by design (exported_at, the summary
# as of then, the signature), so the records are compared, not the files.
# Ranges select on recorded_at, the wall time a record was written; with
# ranges on `at` (event time for decisions) the second export held the
# decisions made in between on events of the range.
. "$(dirname "$0")/lib.sh"
start_broker 2
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
KEY="$WORK/keys/audit-signing.key"; PUB="$WORK/keys/audit-signing.pub"
for r in compliance regulator; do
  $RGMON token new --role $r --name "$r-a" --file "$WORK/tokens" >"$WORK/$r.tok" 2>/dev/null
done
auth() { echo "Authorization: Bearer $(cat "$WORK/$1.tok")"; }

start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens" --audit-key "$KEY"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
# Events keep arriving through the whole test (November's, at a steady rate).
$RGMON simulate --brokers "$BROKER" --players 100 --days 30 --seed 5 --rate 800 >/dev/null 2>"$WORK/sim.err" &
SIM_PID=$!
PIDS="$PIDS $SIM_PID"
some_in() { [ "$(metric "$PORT" accepted)" -gt 2000 ]; }
wait_for "events flowing" 600 some_in && ok "events flow into serve" || fail "events flow into serve"
alerts_open() { [ "$(curl -s -H "$(auth compliance)" "$URL/v1/alerts?status=open&limit=5" | jq '.alerts | length')" -ge 3 ]; }
wait_for "open alerts" 600 alerts_open && ok "alerts are open" || fail "alerts are open"

# The range: from long before any event to a moment ago.
FROM=2000-01-01T00:00:00Z
TO=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
sleep 0.5
export_both() { # NAME: a CLI and an HTTP export of FROM..TO
  $RGMON audit export --db "$WORK/s.db" --from "$FROM" --to "$TO" --key "$KEY" --out "$WORK/cli-$1.jsonl" 2>"$WORK/cli-$1.err"
  check "CLI export $1 exits 0" 0 $?
  curl -s -H "$(auth regulator)" -o "$WORK/http-$1.jsonl" -w '%{http_code}\n' \
    "$URL/v1/audit/export?from=$FROM&to=$TO" >"$WORK/http-$1.status"
  check "HTTP export $1 is 200" 200 "$(cat "$WORK/http-$1.status")"
}
head_seq() { sqlite3 "$WORK/s.db" "select max(seq) from audit"; }
export_both 1
seq1=$(head_seq)
# Meanwhile: staff act on alerts of the range's events, more decisions are recorded.
for a in $(curl -s -H "$(auth compliance)" "$URL/v1/alerts?status=open&limit=3" | jq -r '.alerts[].alert_id'); do
  curl -s -o /dev/null -X POST -H "$(auth compliance)" --data-binary '{"note":"looked at it"}' "$URL/v1/alerts/$a/acknowledge"
done
a=$(curl -s -H "$(auth compliance)" "$URL/v1/alerts?status=open&limit=1" | jq -r '.alerts[0].alert_id')
curl -s -o /dev/null -X POST -H "$(auth compliance)" --data-binary '{"outcome":"limits_set","note":"called"}' \
  "$URL/v1/alerts/$a/resolve"
sleep 3
export_both 2
seq2=$(head_seq)
grew() { [ "$(sqlite3 "$WORK/s.db" "select count(*) from audit where seq > $seq1 and kind in ('level_change','alert_opened','alert_escalated')")" -gt 0 ]; }
wait_for "more decisions" 300 grew && ok "decisions were recorded between the exports" \
  || fail "decisions were recorded between the exports"
check "staff actions were recorded between the exports" 4 \
  "$(sqlite3 "$WORK/s.db" "select count(*) from audit where seq > $seq1 and kind = 'staff_action'")"
late=$(sqlite3 "$WORK/s.db" "select count(*) from audit where seq > $seq1 and kind <> 'staff_action' and at_ms < \
  (select cast(strftime('%s', '$TO') as integer) * 1000)")
[ "$late" -gt 0 ] && ok "$late records written after the first export are about events before TO" \
  || fail "records written after the first export are about events before TO"

records() { grep '"type":"record"' "$1"; }
n=$(records "$WORK/cli-1.jsonl" | wc -l)
[ "$n" -gt 10 ] && ok "the closed range holds records ($n)" || fail "the closed range holds records ($n)"
for via in cli http; do
  if cmp -s <(records "$WORK/$via-1.jsonl") <(records "$WORK/$via-2.jsonl"); then
    ok "$via: the closed range's records are byte-identical the second time (manifest not compared: exported_at)"
  else
    fail "$via: the closed range's records differ the second time ($(records "$WORK/$via-1.jsonl" | wc -l) then $(records "$WORK/$via-2.jsonl" | wc -l))"
  fi
done
check "the CLI and HTTP exports hold the same records" "" \
  "$(cmp <(records "$WORK/cli-1.jsonl") <(records "$WORK/http-1.jsonl") 2>&1)"
for f in cli-1 cli-2 http-1 http-2; do
  out=$($RGMON audit verify "$WORK/$f.jsonl" --pubkey "$PUB" 2>&1)
  check "$f verifies" "0 ok" "$? $(echo "$out" | cut -c1-2)"
done
check "every record of the range was recorded before TO" true \
  "$(records "$WORK/cli-2.jsonl" | jq -s --arg to "$TO" 'all(.recorded_at != null and .recorded_at < $to)')"
# An open range (to in the future) does grow: the comparison above can fail.
$RGMON audit export --db "$WORK/s.db" --from "$FROM" --to 2100-01-01T00:00:00Z --key "$KEY" --out "$WORK/open.jsonl" 2>/dev/null
[ "$(records "$WORK/open.jsonl" | wc -l)" -gt "$(records "$WORK/cli-2.jsonl" | wc -l)" ] &&
  ok "an open range holds the records written since" || fail "an open range holds the records written since"
kill "$SIM_PID" 2>/dev/null
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
finish
