#!/usr/bin/env bash
# test_evaluate_sim -- the simulator's validation of the policies (issue
# 15): `simulate --labels` marks the harmful archetypes (loss chasers and
# declined-deposit bursts) at the end of a month of 1,000 players (seed
# 11), and `rgmon evaluate` with every pack must tell them from everyone
# else. The figures are pinned within a tolerance, so a change to the
# engine, the rules or the packs that loses (or finds) harmful players
# shows here; rerun the commands below and update the bounds when the
# change is meant. The AUROC is also computed apart from rgmon, from
# --per-player (tests/evaluate_auroc.py), and 1 and 2 threads agree.
. "$(dirname "$0")/lib.sh"

$RGMON simulate --players 1000 --days 30 --seed 11 --out "$WORK/ev.jsonl" --labels "$WORK/labels.csv" \
  --archetypes "$WORK/arch.csv" 2>/dev/null
check "simulate --labels: a header and a row per harmful player" \
  "$(awk -F, '$2 == "loss_chaser" || $2 == "declined_burst"' "$WORK/arch.csv" | wc -l)" \
  "$(tail -n +2 "$WORK/labels.csv" | wc -l)"
check "simulate --labels: the header" "player_id,label_ts,label" "$(head -n1 "$WORK/labels.csv")"
check "simulate --labels: labelled at the end of the stream, by archetype" \
  "2026-12-01T00:00:00Z loss_chaser declined_burst" \
  "$(tail -n +2 "$WORK/labels.csv" | cut -d, -f2 | sort -u) $(tail -n +2 "$WORK/labels.csv" | cut -d, -f3 | sort -ru | paste -sd' ')"

# within NAME LOW HIGH VALUE
within() { check "$1 in [$2, $3] ($4)" true "$(jq -n "$4 >= $2 and $4 <= $3")"; }

for t in 1 2; do
  $RGMON evaluate --threads $t --policies policies --labels "$WORK/labels.csv" --json --per-player "$WORK/pp$t.csv" \
    "$WORK/ev.jsonl" >"$WORK/e$t.json" 2>"$WORK/e$t.err"
done
out=$(cat "$WORK/e1.json")
check "1 and 2 threads give the same JSON" "" "$(cmp "$WORK/e1.json" "$WORK/e2.json" 2>&1)"
check "and the same per-player CSV" "" "$(cmp "$WORK/pp1.csv" "$WORK/pp2.csv" 2>&1)"
check "1,000 players, the harmful ones positive" "1000 $(tail -n +2 "$WORK/labels.csv" | wc -l)" \
  "$(jq -r '"\(.players) \(.positives)"' <<<"$out")"
check "the AUROC equals one computed from --per-player" "$(python3 tests/evaluate_auroc.py "$WORK/pp1.csv")" \
  "$(jq -r .auroc.value <<<"$out" | xargs printf '%.6f')"
within "AUROC" 0.98 1 "$(jq .auroc.value <<<"$out")"
within "recall at red" 0.95 1 "$(jq .flag.red.recall <<<"$out")"
within "precision at red" 0.7 0.9 "$(jq .flag.red.precision <<<"$out")"
within "median lead time (days)" 24 28 "$(jq .lead_time_days.median <<<"$out")"
within "alerts per 1,000 player-days" 15 26 "$(jq .alerts.per_1000_player_days <<<"$out")"
# (loss_chasing.redeposit_after_depletion also fires for recreational
# players who top up once when broke.)
check "the loss-chasing patterns fire for harmful players only" true \
  "$(jq '[.rules[] | select(.rule | test("^loss_chasing\\.(deposit_after_loss|deposits_in_session|escalating_deposits|reversed_withdrawals|stake_escalation)$")) | .precision] | length == 5 and all(. == 1)' <<<"$out")"
check "money.declined_burst finds nearly every harmful player" true \
  "$(jq '.rules[] | select(.rule == "money.declined_burst") | .recall >= 0.95' <<<"$out")"

# Three weeks ahead of the label: still found, less often.
early=$($RGMON evaluate --policies policies --labels "$WORK/labels.csv" --horizon-days 21 --json "$WORK/ev.jsonl" 2>/dev/null)
within "AUROC 21 days ahead" 0.94 1 "$(jq .auroc.value <<<"$early")"
within "recall at red 21 days ahead" 0.7 0.92 "$(jq .flag.red.recall <<<"$early")"
finish
