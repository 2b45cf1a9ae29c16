#!/bin/bash
# The command line: help, exit codes, and replay's exact counts and reject
# list on a file with valid, duplicate and broken lines.
. "$(dirname "$0")/lib.sh"

for c in serve broker replay simulate stats "rejected list"; do
  out=$($RGMON $c --help 2>&1); rc=$?
  check "rgmon $c --help exits 0" 0 $rc
  case "$out" in usage:*) ok "rgmon $c --help starts with usage";; *) fail "rgmon $c --help starts with usage";; esac
done
$RGMON --help >/dev/null; check "rgmon --help exits 0" 0 $?
$RGMON frobnicate 2>"$WORK/err"; check "unknown command exits 2" 2 $?
check "unknown command says so in one line" 1 "$(wc -l <"$WORK/err")"
$RGMON replay 2>/dev/null; check "replay without --db exits 2" 2 $?
$RGMON replay --db "$WORK/x.db" --bogus f 2>/dev/null; check "unknown option exits 2" 2 $?
$RGMON replay --db "$WORK/x.db" /nonexistent.jsonl 2>"$WORK/err"; check "missing file exits 1" 1 $?
grep -q 'cannot open "/nonexistent.jsonl"' "$WORK/err" && ok "missing file named in the error" || fail "missing file named in the error"
$RGMON stats --db "$WORK/none.db" 2>"$WORK/err"; check "stats on a missing database exits 1" 1 $?
# Errors are one line (issue 19 #10): SQLite's own warnings used to come first.
check "a missing database is one line naming it" \
  "1 rgmon: stats: cannot open database \"$WORK/none.db\" to read it: No such file or directory" \
  "$(wc -l <"$WORK/err") $(cat "$WORK/err")"
$RGMON alerts list --db "$WORK/none/x.db" 2>"$WORK/err"; check "alerts list on a missing database exits 1" 1 $?
check "and says so in one line" 1 "$(wc -l <"$WORK/err")"
# A usage error is one line: what is wrong, and where the usage is.
$RGMON stats --nope 2>"$WORK/err"; check "an unknown option exits 2" 2 $?
check "a usage error is one line naming the command" \
  '1 rgmon: stats: unknown option "--nope" (see rgmon stats --help)' "$(wc -l <"$WORK/err") $(cat "$WORK/err")"
$RGMON replay 2>"$WORK/err"; check "a missing required option is one line" 1 "$(wc -l <"$WORK/err")"
$RGMON audit export --db "$WORK/x.db" --from 2026-02-01T00:00:00Z --to 2026-01-01T00:00:00Z 2>"$WORK/err"
check "a range backwards is a usage error in one line" "2 1" "$? $(wc -l <"$WORK/err")"
# `rgmon audit --help` shows every audit subcommand.
out=$($RGMON audit --help); rc=$?
check "rgmon audit --help exits 0" 0 $rc
check "and shows export, verify and explain" "explain export verify" \
  "$(echo "$out" | grep -oE 'rgmon audit [a-z]+' | awk '{print $3}' | sort -u | tr '\n' ' ' | sed 's/ $//')"
# The README's command table is the tool's usage, command for command.
out=$(python3 "$(dirname "$0")/../readme_usage.py" "$RGMON" README.md); rc=$?
check "README's command table matches each command's --help usage" "0 " "$rc $out"
# The regulator's commands name the public key where keygen writes it.
pub=$(cd "$WORK" && $RGMON keygen --out keys 2>/dev/null | sed -n 2p)
check "keygen --out keys writes keys/audit-signing.pub" keys/audit-signing.pub "$pub"
check "every --pubkey in the README is that path" "$pub" "$(grep -oE -- '--pubkey [a-z][^ `]*' README.md | awk '{print $2}' | sort -u)"
$RGMON simulate --players 0 2>/dev/null; check "simulate --players 0 exits 2" 2 $?
$RGMON serve --http nonsense --db "$WORK/s.db" 2>"$WORK/err"; check "serve with a bad --http exits 1" 1 $?

# A file of 6 good events, 2 duplicates, 4 broken lines and a blank line (12 events).
cat >"$WORK/mixed.jsonl" <<'JSONL'
{"event_id":"m1","type":"deposit","player_id":"p1","ts":"2026-11-22T20:00:00Z","amount":10000,"currency":"SEK"}
{"event_id":"m2","type":"game_round","player_id":"p1","ts":"2026-11-22T20:01:00Z","stake":500,"payout":0,"currency":"SEK"}
{"event_id":"m1","type":"deposit","player_id":"p1","ts":"2026-11-22T20:00:00Z","amount":10000,"currency":"SEK"}
this is not json

{"event_id":"m3","type":"session_start","player_id":"p2","ts":"2026-11-22T20:00:00Z","session_id":"s"}
{"event_id":"m4","type":"deposit","player_id":"p2","ts":"2026-11-22T20:00:00Z","amount":-1,"currency":"SEK"}
{"event_id":"m5","type":"session_end","player_id":"p2","ts":"2026-11-22T21:00:00Z","session_id":"s"}
{"event_id":"m6","type":"wager","player_id":"p2","ts":"2026-11-22T20:00:00Z"}
{"event_id":"m7","type":"limit_set","player_id":"p2","ts":"2026-11-22T20:00:00Z","limit":"loss","period":"week","value":5000}
{"event_id":"m2","type":"game_round","player_id":"p1","ts":"2026-11-22T20:01:00Z","stake":500,"payout":0,"currency":"SEK"}
{"event_id":"m8","type":"deposit","player_id":"p3","ts":"2026-11-22T20:00:00","amount":1,"currency":"SEK"}
{"event_id":"m9","type":"contact","player_id":"p3","ts":"2026-11-22T20:00:00Z","channel":"chat","topic":"bonus_request"}
JSONL
out=$($RGMON replay --db "$WORK/r.db" "$WORK/mixed.jsonl" 2>"$WORK/rejects")
check "replay exits 0" 0 $?
check "replay summary" '{"events":12,"accepted":6,"duplicates":2,"rejected":4,"alerts":0,"duplicate_conflicts":0}' "$out"
check "every rejected line reported on stderr" 4 "$(grep -c '^rgmon: rejected ' "$WORK/rejects")"
grep -q "mixed.jsonl:4: not valid JSON" "$WORK/rejects" && ok "reject names file:line and reason" || fail "reject names file:line and reason"
# The column is within the file's line; no "line 1" of the message beside it.
grep -qE 'mixed.jsonl:4: not valid JSON: .* \(column [0-9]+\)$' "$WORK/rejects" && ! grep -q 'line 1,' "$WORK/rejects" &&
  ok "a JSON error gives the column within the file's line" || fail "a JSON error gives the column within the file's line ($(grep mixed.jsonl:4 "$WORK/rejects"))"
grep -q 'mixed.jsonl:7: field "amount": must be an integer from 1' "$WORK/rejects" && ok "reject of a bad amount" || fail "reject of a bad amount"
grep -q 'mixed.jsonl:9: unknown type "wager"' "$WORK/rejects" && ok "reject of an unknown type" || fail "reject of an unknown type"
grep -q 'mixed.jsonl:12: field "ts"' "$WORK/rejects" && ok "reject of a time without offset" || fail "reject of a time without offset"
check "rejected list keeps all four with reasons" 4 "$($RGMON rejected list --db "$WORK/r.db" --json | jq -r 'select(.reason != "") | .source' | wc -l)"
check "rejected list keeps the raw event_id" "m4" "$($RGMON rejected list --db "$WORK/r.db" --json | jq -r 'select(.source == "'"$WORK"'/mixed.jsonl:7") | .event_id')"
check "stats totals" '6 2 4 12' "$($RGMON stats --db "$WORK/r.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected) \(.events)"')"
check "raw bytes of a rejected line are kept" "this is not json" "$(sqlite3 "$WORK/r.db" "select cast(raw as text) from rejected where offset = 4")"

# A line over the 1 MiB cap (5 MB) between two good events: rejected by its
# length with a bounded prefix kept, both neighbours applied, exit 0.
python3 - "$WORK/long.jsonl" <<'PY'
import sys
ev = '{"event_id":"%s","type":"deposit","player_id":"pl","ts":"2026-11-22T2%d:00:00Z","amount":100,"currency":"EUR"%s}\n'
with open(sys.argv[1], "w") as f:
    f.write(ev % ("l1", 0, ""))
    f.write(ev % ("l2", 1, ',"pad":"' + "x" * (5 * 1024 * 1024) + '"'))
    f.write(ev % ("l3", 2, ""))
PY
out=$($RGMON replay --db "$WORK/long.db" "$WORK/long.jsonl" 2>"$WORK/long.err")
check "a 5 MB line: replay exits 0" 0 $?
check "a 5 MB line: rejected, both good events accepted" '{"events":3,"accepted":2,"duplicates":0,"rejected":1,"alerts":0,"duplicate_conflicts":0}' "$out"
size=$(( $(sed -n 2p "$WORK/long.jsonl" | wc -c) - 1 ))
grep -q "long.jsonl:2: message of $size bytes is over the 1048576 byte limit (its first 4096 bytes are kept)" "$WORK/long.err" &&
  ok "a 5 MB line: the reason gives its size and the limit" || fail "a 5 MB line: the reason gives its size and the limit ($(cut -c1-200 "$WORK/long.err"))"
check "a 5 MB line: only its first 4 KiB are stored" "4096 $(head -n2 "$WORK/long.jsonl" | tail -n1 | head -c 4096 | md5sum | cut -c1-32)" \
  "$(sqlite3 "$WORK/long.db" "select length(raw) from rejected") $(sqlite3 "$WORK/long.db" "select cast(raw as text) from rejected" | head -c 4096 | md5sum | cut -c1-32)"
check "a 5 MB line: both neighbours were applied" "l1 l3" "$($RGMON events export --db "$WORK/long.db" | jq -r .event_id | paste -sd' ')"
# Memory does not grow with the line: peak RSS of replaying a 5 MB and a
# 200 MB line (streamed through stdin) differs by little (it was ~2x the line).
rss_kb() { python3 - "$RGMON" "$WORK/$1.db" "$2" <<'PY'
import resource, subprocess, sys
p = subprocess.Popen([sys.argv[1], "replay", "--quiet", "--db", sys.argv[2], "-"], stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
chunk = b"x" * (1 << 20)
p.stdin.write(b'{"event_id":"m","type":"contact","player_id":"pm","ts":"2026-11-22T20:00:00Z","channel":"chat","topic":"other"}\n{"pad":"')
for _ in range(int(sys.argv[3])):
    p.stdin.write(chunk)
p.stdin.write(b'"}\n')
p.stdin.close()
p.wait()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if p.returncode == 0 else -1)
PY
}
small=$(rss_kb rss5 5); large=$(rss_kb rss200 200)
[ "$small" -gt 0 ] && [ "$large" -gt 0 ] && [ $((large - small)) -lt 16384 ] &&
  ok "a 200 MB line takes no more memory than a 5 MB one (${small} vs ${large} KB peak)" ||
  fail "a 200 MB line takes no more memory than a 5 MB one (${small} vs ${large} KB peak)"

# Replaying the same file again: everything valid is now a duplicate.
out=$($RGMON replay --db "$WORK/r.db" --quiet "$WORK/mixed.jsonl" 2>&1)
check "second replay: all valid events are duplicates" '{"events":12,"accepted":0,"duplicates":8,"rejected":4,"alerts":0,"duplicate_conflicts":0}' "$out"

# An event_id reused with a different payload is no redelivery: a conflict,
# not applied, counted apart and kept with both payloads' digests; the same
# payload with other spacing and key order stays a plain duplicate.
cat >"$WORK/conflict.jsonl" <<'JSONL'
{"event_id":"c1","type":"deposit","player_id":"pc","ts":"2026-11-22T20:00:00Z","amount":10000,"currency":"SEK"}
{ "currency": "SEK", "amount": 10000, "ts": "2026-11-22T20:00:00Z", "player_id": "pc", "type": "deposit", "event_id": "c1" }
{"event_id":"c1","type":"deposit","player_id":"pc","ts":"2026-11-22T20:00:00Z","amount":99999,"currency":"SEK"}
JSONL
out=$($RGMON replay --db "$WORK/c.db" "$WORK/conflict.jsonl" 2>"$WORK/conflict.err")
check "a reused event_id: a conflict, apart from duplicates" '{"events":3,"accepted":1,"duplicates":1,"rejected":0,"alerts":0,"duplicate_conflicts":1}' "$out"
digest() { sed -n "$1p" "$WORK/conflict.jsonl" | python3 -c 'import hashlib, json, sys
print(hashlib.sha256(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":")).encode()).hexdigest())'; }
want="duplicate event_id \"c1\" with a different payload (accepted sha256:$(digest 1), this sha256:$(digest 3))"
check "a reused event_id: reported with both digests" "rgmon: conflict $WORK/conflict.jsonl:3: $want" "$(cat "$WORK/conflict.err")"
check "a reused event_id: kept with the rejects" "$WORK/conflict.jsonl:3 $want" "$($RGMON rejected list --db "$WORK/c.db" --json | jq -r '"\(.source) \(.reason)"')"
check "a reused event_id: stats count it apart" '1 1 0 1' "$($RGMON stats --db "$WORK/c.db" | jq -r '"\(.accepted) \(.duplicates) \(.rejected) \(.duplicate_conflicts)"')"
check "a reused event_id: the first payload stays applied" 10000 "$($RGMON events export --db "$WORK/c.db" | jq -r 'select(.event_id == "c1") | .amount')"

# stdin, and determinism: two fresh replays store identical player state.
$RGMON simulate --players 50 --days 5 --seed 3 --out "$WORK/sim.jsonl" 2>/dev/null
$RGMON replay --db "$WORK/a.db" - <"$WORK/sim.jsonl" >/dev/null
$RGMON replay --db "$WORK/b.db" "$WORK/sim.jsonl" >/dev/null
a=$(sqlite3 "$WORK/a.db" "select player_id, hex(state) from players order by 1" | md5sum)
b=$(sqlite3 "$WORK/b.db" "select player_id, hex(state) from players order by 1" | md5sum)
check "replay is deterministic (stdin and file give the same state)" "$a" "$b"
# at least the six migrations of 2026-11; later features append theirs
check "schema version is recorded" true "$([ "$(sqlite3 "$WORK/a.db" 'pragma user_version')" -ge 6 ] && echo true)"
check "database is in WAL mode" wal "$(sqlite3 "$WORK/a.db" 'pragma journal_mode')"
finish
