#!/usr/bin/env bash
# test_evaluate -- `rgmon evaluate` (issue 15): a backtest on simulated
# players labelled from their archetypes (loss chasers and declined
# bursts positive at the end of the month) and by their self-exclusions.
# The per-player first alert equals the created_at of the player's first
# harm alert after `rgmon replay` of the same events -- the proof that
# evaluate runs the same engine and alert_decide(); the horizon lowers
# recall; bad label files are refused with one line naming the line.
. "$(dirname "$0")/lib.sh"

$RGMON simulate --players 300 --days 30 --seed 3 --out "$WORK/ev.jsonl" --archetypes "$WORK/arch.csv" 2>/dev/null
awk -F, 'NR > 1 && ($2 == "loss_chaser" || $2 == "declined_burst") { print $1 ",2026-12-01T00:00:00Z" }' \
  "$WORK/arch.csv" >"$WORK/labels.csv"
positives=$(wc -l <"$WORK/labels.csv")

# --- archetype labels ----------------------------------------------------------
out=$($RGMON evaluate --labels "$WORK/labels.csv" --json "$WORK/ev.jsonl" 2>"$WORK/eval.err"); rc=$?
check "evaluate --labels exits 0" 0 $rc
check "every simulated player is counted" 300 "$(jq .players <<<"$out")"
check "every label row is a labelled positive" "$positives" "$(jq .positives <<<"$out")"
check "AUROC of loss chasers and declined bursts is well above 0.5" true "$(jq '.auroc.value > 0.8' <<<"$out")"
check "its 95% interval holds it" true "$(jq '.auroc.ci95[0] <= .auroc.value and .auroc.value <= .auroc.ci95[1]' <<<"$out")"
check "red flags most of them" true "$(jq '.flag.red.recall > 0.5' <<<"$out")"
check "lead time quartiles are ordered" true \
  "$(jq '.lead_time_days | .p25 <= .median and .median <= .p75 and .players > 0' <<<"$out")"
check "a rule that fired is listed with its precision" true \
  "$(jq '[.rules[] | select(.players > 0 and .precision != null)] | length > 0' <<<"$out")"
# The AUROC again, by brute force over every pair, from the per-player CSV
# (27 days ahead, where it is not 1).
early=$($RGMON evaluate --labels "$WORK/labels.csv" --horizon-days 27 --json --per-player "$WORK/labelled.csv" \
  "$WORK/ev.jsonl" 2>/dev/null)
pairs=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pos = [int(r["max_score"]) for r in rows if r["label"] not in ("", "0")]
neg = [int(r["max_score"]) for r in rows if r["label"] in ("", "0")]
won = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
print("%.6f" % (won / (len(pos) * len(neg))))' "$WORK/labelled.csv")
check "the AUROC equals one computed from --per-player" "$pairs" "$(jq -r '.auroc.value' <<<"$early" | xargs printf '%.6f')"
again=$($RGMON evaluate --labels "$WORK/labels.csv" --json "$WORK/ev.jsonl" 2>/dev/null)
check "the JSON is the same on a second run" "$out" "$again"
from_stdin=$($RGMON evaluate --labels "$WORK/labels.csv" --json - <"$WORK/ev.jsonl" 2>/dev/null)
check "stdin gives the same JSON as the file" "$out" "$from_stdin"
text=$($RGMON evaluate --labels "$WORK/labels.csv" "$WORK/ev.jsonl" 2>/dev/null)
case "$text" in *"AUROC "*"flag at"*"rule "*) ok "the text table has the AUROC, flags and rules";;
  *) fail "the text table has the AUROC, flags and rules";; esac

# --- the same engine and alert_decide as replay ------------------------------
# Labels after every event, so that nothing is cut off; every pack at
# once, so that players are routed to the pack of their country.
sed 's/2026-12-01T00:00:00Z/2027-01-01T00:00:00Z/' "$WORK/labels.csv" >"$WORK/late.csv"
full=$($RGMON evaluate --policies policies --labels "$WORK/late.csv" --json --per-player "$WORK/pp.csv" "$WORK/ev.jsonl" 2>/dev/null)
check "per-player CSV header" "player_id,label,label_ts,max_score,max_level,first_alert_ts,first_alert_level" \
  "$(head -n1 "$WORK/pp.csv")"
check "per-player CSV has a row per player" 301 "$(wc -l <"$WORK/pp.csv")"
summary=$($RGMON replay --policies policies --db "$WORK/r.db" "$WORK/ev.jsonl" 2>/dev/null)
$RGMON alerts list --db "$WORK/r.db" --json >"$WORK/alerts.json"
jq -r '.alerts[] | select(.kind == "harm") | "\(.player_id),\(.created_at)"' "$WORK/alerts.json" | sort >"$WORK/replay.txt"
awk -F, 'NR > 1 && $6 != "" { print $1 "," $6 }' "$WORK/pp.csv" | sort >"$WORK/eval.txt"
check "some players were alerted" true "$([ "$(wc -l <"$WORK/replay.txt")" -gt 10 ] && echo true)"
check "each player's first alert time is replay's first harm alert created_at" "" \
  "$(diff "$WORK/replay.txt" "$WORK/eval.txt")"
check "alerts opened equal replay's" "$(jq .alerts <<<"$summary")" "$(jq '.alerts.harm + .alerts.obligations' <<<"$full")"
check "escalations equal replay's" "$(jq '[.alerts[] | .escalations] | add' "$WORK/alerts.json")" \
  "$(jq .alerts.escalations <<<"$full")"
check "nothing is cut off by labels after the events" 0 "$(jq .events.after_cutoff <<<"$full")"
check "every pack is named" "$(ls policies/*.json | wc -l)" "$(jq '.policies | length' <<<"$full")"

# --- the report ------------------------------------------------------------------
$RGMON evaluate --policies policies --labels "$WORK/labels.csv" --horizon-days 27 --report "$WORK/report.html" \
  "$WORK/ev.jsonl" >/dev/null 2>&1; rc=$?
check "evaluate --report exits 0" 0 $rc
check "the report has the ROC, flag, lead-time and alerts-per-day plots" 4 "$(grep -c '<svg' "$WORK/report.html")"
# The day bars add up to the alerts opened (harm alerts and obligations).
check "the alerts per day add up to the alerts" \
  "$($RGMON evaluate --policies policies --labels "$WORK/labels.csv" --horizon-days 27 --json "$WORK/ev.jsonl" 2>/dev/null |
     jq '.alerts.harm + .alerts.obligations')" \
  "$(grep -o '<title>20[0-9-]*: [0-9]*</title>' "$WORK/report.html" | sed 's/.*: \([0-9]*\)<.*/\1/' | paste -sd+ | bc)"
check "the report requests nothing from outside" 0 "$(grep -ciE 'https?://|src=|<script|<link' "$WORK/report.html")"
check "the report has the per-rule table" true \
  "$(grep -q '<td>loss_chasing.deposit_after_loss</td>' "$WORK/report.html" && echo true)"
if command -v chromium >/dev/null; then
  mkdir -p tests/out
  rm -f tests/out/evaluate-report.png
  timeout 60 chromium --headless --no-sandbox --disable-gpu --window-size=1000,2000 \
    --screenshot="$(pwd)/tests/out/evaluate-report.png" "file://$WORK/report.html" >/dev/null 2>&1
  check "a screenshot of the report is in tests/out/evaluate-report.png" true \
    "$([ -s tests/out/evaluate-report.png ] && echo true)"
fi

# --- --compare --------------------------------------------------------------------
# A stricter copy of the built-in pack (amber from 20, red from 45 points)
# beside the built-in one.
jq '.name = "strict" | .scoring.amber = 20 | .scoring.red = 45' policies/default.json >"$WORK/strict.json"
base=$($RGMON evaluate --labels "$WORK/labels.csv" --json "$WORK/ev.jsonl" 2>/dev/null)
both=$($RGMON evaluate --labels "$WORK/labels.csv" --compare "$WORK/strict.json" --compare policies/default.json \
  --json "$WORK/ev.jsonl" 2>/dev/null)
check "with --compare the baseline's metrics are unchanged" "$(jq -c . <<<"$base")" "$(jq -c 'del(.compare)' <<<"$both")"
check "the stricter pack raises some players' level and lowers none" "true 0" \
  "$(jq -r '.compare[0] | "\(.players_level_up > 0) \(.players_level_down)"' <<<"$both")"
check "the stricter pack flags at least as many at red" true \
  "$(jq '.compare[0].flag.red.flagged >= .flag.red.flagged' <<<"$both")"
check "the same pack compared changes no level" "0 0" \
  "$(jq -r '.compare[1] | "\(.players_level_up) \(.players_level_down)"' <<<"$both")"
check "and gives the same metrics" "$(jq -c '.auroc, .flag' <<<"$base")" "$(jq -c '.compare[1] | .auroc, .flag' <<<"$both")"
text=$($RGMON evaluate --labels "$WORK/labels.csv" --compare "$WORK/strict.json" "$WORK/ev.jsonl" 2>/dev/null)
case "$text" in *"compared on the same events"*"players whose level rose/fell"*) ok "the text shows them side by side";;
  *) fail "the text shows them side by side";; esac

# --- --threads ---------------------------------------------------------------------
# Players split into 1, 2 and 3 shards give the same bytes: the JSON (with
# a --compare set), the per-player CSV and the report, on events with
# duplicates and broken lines (--dirty), labelled by archetype and by
# self-exclusion.
$RGMON simulate --players 300 --days 30 --seed 3 --dirty 30 --out "$WORK/dirty.jsonl" 2>/dev/null
for t in 1 2 3; do
  $RGMON evaluate --threads $t --labels "$WORK/labels.csv" --compare "$WORK/strict.json" --per-player "$WORK/pp$t.csv" \
    --report "$WORK/r$t.html" --json --quiet "$WORK/dirty.jsonl" >"$WORK/t$t.json"
  $RGMON evaluate --threads $t --label-event self_exclusion --horizon-days 2 --json --quiet "$WORK/dirty.jsonl" \
    >"$WORK/se$t.json"
done
check "the dirty events have duplicates and rejects" true \
  "$(jq '.events.duplicates > 0 and .events.rejected > 0' "$WORK/t1.json")"
for t in 2 3; do
  check "--threads $t: the same JSON as --threads 1" "" "$(cmp "$WORK/t1.json" "$WORK/t$t.json" 2>&1)"
  check "--threads $t: the same per-player CSV" "" "$(cmp "$WORK/pp1.csv" "$WORK/pp$t.csv" 2>&1)"
  check "--threads $t: the same report" "" "$(cmp "$WORK/r1.html" "$WORK/r$t.html" 2>&1)"
  check "--threads $t: the same JSON with self-exclusion labels" "" "$(cmp "$WORK/se1.json" "$WORK/se$t.json" 2>&1)"
done
$RGMON evaluate --threads 0 --labels "$WORK/labels.csv" "$WORK/ev.jsonl" >/dev/null 2>&1; rc=$?
check "--threads 0: usage error" 2 $rc
# A read that fails part-way through the pipeline (a directory opens but
# cannot be read): every worker stops, one line says why, exit 1.
for t in 1 2 3; do
  $RGMON evaluate --threads $t --label-event self_exclusion --json "$WORK" >/dev/null 2>"$WORK/dir$t.err"; rc=$?
  check "--threads $t: an unreadable input exits 1" 1 $rc
  check "--threads $t: with one line naming it" "rgmon: evaluate: reading \"$WORK\": Is a directory" "$(cat "$WORK/dir$t.err")"
done

# --- self-exclusion labels ---------------------------------------------------
se=$(jq -r 'select(.type == "self_exclusion") | .player_id' "$WORK/ev.jsonl" | sort -u | wc -l)
out=$($RGMON evaluate --label-event self_exclusion --json "$WORK/ev.jsonl" 2>/dev/null); rc=$?
check "evaluate --label-event self_exclusion exits 0" 0 $rc
check "each self-excluding player is labelled" "$se" "$(jq .positives <<<"$out")"
check "the self-exclusions are not scored" true "$(jq '.events.after_cutoff >= '"$se" <<<"$out")"
# One pass learns each label as its self-exclusion comes. A history out of
# order -- every self-exclusion moved to the end of the file, after events
# it cuts off (a deposit a minute later, added here) -- gives the same
# answer as in order (a second pass, labels first).
python3 - "$WORK/ev.jsonl" >"$WORK/after.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    sys.stdout.write(line)
    ev = json.loads(line)
    if ev["type"] == "self_exclusion":
        ts = ev["ts"][:14] + ("%02d" % ((int(ev["ts"][14:16]) + 1) % 60)) + ev["ts"][16:]
        print(json.dumps({"event_id": ev["event_id"] + "-after", "player_id": ev["player_id"], "ts": ts,
                          "type": "deposit", "amount": 5000, "currency": "EUR"}, separators=(",", ":")))
PY
{ grep -v '"type":"self_exclusion"' "$WORK/after.jsonl"; grep '"type":"self_exclusion"' "$WORK/after.jsonl"; } >"$WORK/late.jsonl"
in_order=$($RGMON evaluate --label-event self_exclusion --json "$WORK/after.jsonl" 2>/dev/null)
check "the deposits after the self-exclusions are not scored" true "$(jq '.events.after_cutoff == 2 * '"$se" <<<"$in_order")"
for t in 1 2; do
  late=$($RGMON evaluate --threads $t --label-event self_exclusion --json "$WORK/late.jsonl" 2>/dev/null)
  check "--threads $t: self-exclusions after the events they cut off give the same metrics" "$in_order" "$late"
done
# A self-exclusion resent with an earlier time (the same event_id) labels
# from the earlier time whether it comes last, as a duplicate, or first
# (as the pass for the labels alone, which cannot tell duplicates, did).
se_line=$(grep -m1 '"type":"self_exclusion"' "$WORK/ev.jsonl")
early_line=$(jq -c '.ts = "2026-11-01T00:00:00Z"' <<<"$se_line") # before any of the player's events
{ cat "$WORK/ev.jsonl"; echo "$early_line"; } >"$WORK/dup_last.jsonl"
{ echo "$early_line"; cat "$WORK/ev.jsonl"; } >"$WORK/dup_first.jsonl"
first=$($RGMON evaluate --label-event self_exclusion --json "$WORK/dup_first.jsonl" 2>/dev/null)
check "an earlier resent self-exclusion cuts off more of that player's events" true "$(jq ".events.after_cutoff > $(jq .events.after_cutoff <<<"$out")" <<<"$first")"
for t in 1 2; do
  last=$($RGMON evaluate --threads $t --label-event self_exclusion --json "$WORK/dup_last.jsonl" 2>/dev/null)
  check "--threads $t: resent last or first, the same metrics but for the duplicate" \
    "$(jq -c 'del(.events.duplicates, .events.read, .events.scored)' <<<"$first")" \
    "$(jq -c 'del(.events.duplicates, .events.read, .events.scored)' <<<"$last")"
done
$RGMON evaluate --label-event self_exclusion --horizon-days 1 - <"$WORK/ev.jsonl" >/dev/null 2>&1; rc=$?
check "--label-event with --horizon-days refuses stdin" 2 $rc

# --- the horizon ---------------------------------------------------------------
r0=$($RGMON evaluate --labels "$WORK/labels.csv" --json "$WORK/ev.jsonl" 2>/dev/null | jq .flag.alert.recall)
r28=$($RGMON evaluate --labels "$WORK/labels.csv" --horizon-days 28 --json "$WORK/ev.jsonl" 2>/dev/null |
  jq .flag.alert.recall)
check "a 28-day horizon lowers recall ($r0 -> $r28)" true "$(jq -n "$r28 < $r0")"

# --- bad labels ------------------------------------------------------------------
# bad_labels NAME CONTENT EXPECTED-ERROR
bad_labels() {
  printf '%b' "$2" >"$WORK/bad.csv"
  err=$($RGMON evaluate --labels "$WORK/bad.csv" "$WORK/ev.jsonl" 2>&1 >/dev/null); rc=$?
  check "$1: exit 2" 2 $rc
  check "$1: one line naming the line" "rgmon: evaluate: $WORK/bad.csv:$3" "$err"
}
bad_labels "a bad time" 'player_id,label_ts\np000001,2026-11-40T00:00:00Z\n' \
  '2: label_ts: "2026-11-40T00:00:00Z" is not an RFC 3339 time'
bad_labels "a bad label" 'p000001,2026-11-20T00:00:00Z,"yes"\n' \
  '1: label: ""yes"" is not 1, 0 or a text of 1-64 printable characters'
bad_labels "a duplicate row" 'p000001,2026-11-20T00:00:00Z\np000002,2026-11-20T00:00:00Z\np000001,2026-11-21T00:00:00Z\n' \
  '3: player "p000001" has a label already, on line 1'
bad_labels "an unknown player" 'p000001,2026-11-20T00:00:00Z\nnobody,2026-11-20T00:00:00Z\n' \
  '2: player "nobody" has no events'
$RGMON evaluate "$WORK/ev.jsonl" >/dev/null 2>&1; rc=$?
check "no labels: usage error" 2 $rc
$RGMON evaluate --labels "$WORK/labels.csv" --label-event self_exclusion "$WORK/ev.jsonl" >/dev/null 2>&1; rc=$?
check "both kinds of labels: usage error" 2 $rc
help=$($RGMON evaluate --help)
case "$help" in *"--horizon-days N"*"--per-player FILE"*) ok "--help lists the options";;
  *) fail "--help lists the options";; esac

finish
