#!/bin/sh
# make fuzz -- each libFuzzer harness for FUZZ_SECONDS, from a seed corpus:
# the event fixtures, the policy packs, and a real audit export (JSONL and
# CSV). Corpora grow in build/fuzz/ between runs; a crash, leak or UBSan
# report is saved there as crash-* and fails the run. Prints the executions
# per harness.
set -u
SECONDS_EACH=${FUZZ_SECONDS:-60}
BIN=build/obj-fuzz/fuzz
WORK=build/fuzz
mkdir -p "$WORK/event" "$WORK/policy" "$WORK/verify" "$WORK/seed-event" "$WORK/seed-policy" "$WORK/seed-verify"

# Seeds: one file per event case, the policies, an export of a small replay.
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" | jq -j '.raw // empty' >"$WORK/seed-event/case-$n" 2>/dev/null || true
  [ -s "$WORK/seed-event/case-$n" ] || printf '%s' "$line" >"$WORK/seed-event/case-$n"
done <tests/fixtures/event-cases.jsonl
cp policies/*.json "$WORK/seed-policy/"
tmp=$(mktemp -d /tmp/rgmon-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
build/rgmon simulate --players 20 --days 3 --seed 4 --out "$tmp/ev.jsonl" 2>/dev/null
build/rgmon replay --db "$tmp/a.db" --quiet "$tmp/ev.jsonl" >/dev/null
build/rgmon keygen --out "$tmp/k" >/dev/null 2>&1
for f in jsonl csv; do
  build/rgmon audit export --db "$tmp/a.db" --from 2026-01-01T00:00:00Z --to 2027-01-01T00:00:00Z \
    --key "$tmp/k/audit-signing.key" --format $f --out "$WORK/seed-verify/export.$f" 2>/dev/null
done

failed=0
for h in event policy verify; do
  log="$WORK/$h.log"
  "$BIN/fuzz_$h" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$WORK/crash-$h-" \
    -max_len=65536 "$WORK/$h" "$WORK/seed-$h" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "FAIL fuzz_$h: a finding after ${runs:-?} executions (see $log and $WORK/crash-$h-*)"
    grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5
  else
    echo "pass fuzz_$h: ${runs:-?} executions in ${SECONDS_EACH} s, no finding"
  fi
done
exit $failed
