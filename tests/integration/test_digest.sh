#!/usr/bin/env bash
# test_digest -- pins rgmon's decisions byte for byte while the code moves.
#
# A simulated month of 2,000 players is replayed; then the digests of
#   alerts:  `alerts list --json` (without "overdue", which reads the clock)
#   players: `player show ID --json` for every player
#   audit:   the audit export's records without their wall-clock parts
#            (the "at" of records written at wall time, and the hashes,
#            which cover it)
# must equal tests/fixtures/behaviour-digest.txt. A change that alters
# decisions on purpose updates that file in the same commit and says so:
#   RGMON_DIGEST_UPDATE=1 bash tests/integration/test_digest.sh
. "$(dirname "$0")/lib.sh"
EXPECTED=$(dirname "$0")/../fixtures/behaviour-digest.txt

"$RGMON" simulate --players 2000 --days 30 --seed 20261202 --out "$WORK/ev.jsonl" 2>/dev/null
summary=$("$RGMON" replay --db "$WORK/db" --quiet "$WORK/ev.jsonl" 2>"$WORK/replay.err")
check "replay of the simulated month succeeds" 0 $?
"$RGMON" keygen --out "$WORK/keys" >/dev/null 2>&1

alerts=$("$RGMON" alerts list --db "$WORK/db" --json | jq -cS '.alerts | map(del(.overdue))' | sha256sum | cut -c1-64)

# Every player of the stream, in id order, one JSON line each.
jq -r .player_id "$WORK/ev.jsonl" | sort -u >"$WORK/players"
while read -r p; do "$RGMON" player show "$p" --db "$WORK/db" --json; echo; done <"$WORK/players" >"$WORK/players.json"
# The talking points are words from policies/talk/, not decisions: an edit
# of a sentence must not move the behaviour digest.
players=$(jq -cS 'del(.talking_points)' "$WORK/players.json" | sha256sum | cut -c1-64)

"$RGMON" audit export --db "$WORK/db" --key "$WORK/keys/audit-signing.key" \
	--from 2000-01-01T00:00:00Z --to 2100-01-01T00:00:00Z >"$WORK/export.jsonl" 2>/dev/null
audit=$(jq -cS 'select(.type == "record") | del(.hash, .prev_hash)
	| del(.recorded_at) | if .kind == "policy_loaded" then del(.at) else . end' "$WORK/export.jsonl" | sha256sum | cut -c1-64)

got=$(printf 'summary %s\nalerts %s\nplayers %s\naudit %s\n' "$summary" "$alerts" "$players" "$audit")
if [ "${RGMON_DIGEST_UPDATE:-0}" = 1 ]; then
	printf '%s\n' "$got" >"$EXPECTED"
	echo "# wrote $EXPECTED"
fi
check "players in the stream" 2000 "$(wc -l <"$WORK/players")"
check "alerts were raised (the month is not trivial)" true "$(jq -e '.alerts > 100' <<<"$summary" >/dev/null && echo true)"
while read -r part value; do
	check "$part digest unchanged" "$(awk -v p="$part" '$1 == p {sub(/^[^ ]* /, ""); print}' "$EXPECTED")" "$value"
done <<<"$got"
finish
