#!/usr/bin/env bash
# test_packs -- every pack at once (issue 14 item 1): players of GB, SE, NL,
# CA and of no known country in one stream with --policies policies/, each
# scored by the pack of their account country (the fallback until an
# account event names one), in that pack's time zone; by replay and by
# serve against `rgmon broker`; and policy check of the set.
. "$(dirname "$0")/lib.sh"

# --- policy check of a set -------------------------------------------------
out=$($RGMON policy check policies/ 2>&1); rc=$?
check "policy check policies/ exits 0" 0 $rc
check "policy check policies/ names the fallback" "policies/default.json" \
  "$(sed -n 's/^set: .* fallback [^ ]* (\(.*\))$/\1/p' <<<"$out")"
mkdir -p "$WORK/twice"
cp policies/uk.json "$WORK/twice/a.json"
jq '.name = "uk-copy"' policies/uk.json >"$WORK/twice/b.json"
err=$($RGMON policy check "$WORK/twice" 2>&1 >/dev/null); rc=$?
check "a set with GB twice exits 1" 1 $rc
check "the error names both files and the country" \
  "rgmon: $WORK/twice/a.json and $WORK/twice/b.json: both govern country \"GB\"" "$err"
err=$($RGMON replay --db "$WORK/refused.db" --policy policies/default.json --policy policies/default.json - \
  </dev/null 2>&1 >/dev/null); rc=$?
check "replay refuses two fallbacks" 1 $rc
case "$err" in *"policies/default.json and policies/default.json: both are fallback packs"*)
  ok "the error names both fallback files";; *) fail "the error names both fallback files (got: $err)";; esac
# Every rule of every shipped pack names its source (a regulation and
# article, or "rgmon house rule"), and policy check shows it; a pack whose
# rules do not is checked with one warning naming them.
check "policy check policies/ warns of no rule without a source" "" "$(grep 'without a source' <<<"$out")"
check "policy check policies/ shows a source on every rule line" "" "$(grep '^  .* source: (none)$' <<<"$out")"
for f in policies/*.json; do
  check "every rule of $(basename "$f") has a source" "" \
    "$(jq -r '.rules | to_entries[] | select((.value.source // "") == "") | .key' "$f")"
done
jq 'del(.rules["limits.near_breach"].source, .rules["intensity.long_session"].source)' policies/uk.json \
  >"$WORK/unsourced.json"
err=$($RGMON policy check "$WORK/unsourced.json" 2>&1 >/dev/null); rc=$?
check "a pack with rules without a source is still valid" 0 $rc
check "policy check names the rules without a source" \
  "rgmon: warn: $WORK/unsourced.json: 2 rules without a source (a regulation and article, or \"rgmon house rule\"): limits.near_breach, intensity.long_session" \
  "$err"
# policies/README.md lists every rule of every pack with its source: the
# table is generated from the packs and must match them.
out=$(python3 policies/table.py --check 2>&1); rc=$?
check "policies/README.md lists every rule of every pack as the packs say (python3 policies/table.py)" 0 $rc
jq '.countries = ["gb"]' policies/uk.json >"$WORK/lower.json"
err=$($RGMON policy check "$WORK/lower.json" 2>&1 >/dev/null)
case "$err" in *"countries[0]: must be"*) ok "a lowercase country is refused naming the field";;
  *) fail "a lowercase country is refused naming the field (got: $err)";; esac

# --- the stream -------------------------------------------------------------
# Each of se1 and ca1 plays 12 rounds at 04:30Z on three nights: 05:30 in
# Stockholm (night: 00:00-06:00) but 23:30 the evening before in Toronto.
ev() { echo "{\"event_id\":\"$1\",\"player_id\":\"$2\",\"ts\":\"$3\",$4}"; }
# chase PLAYER CURRENCY: an hour of losses, redeposits and declined
# attempts that raises an alert under any pack
# chase PLAYER CURRENCY [SCALE]: loss chasing; SCALE multiplies the money
# (a SEK is worth a tenth of a euro: the same pattern in SEK needs 10x the
# minor units to be as material to the Swedish pack).
chase() {
  k=${3:-1}
  ev "$1-d0" "$1" 2026-11-09T10:01:00Z "\"type\":\"deposit\",\"amount\":$((50000 * k)),\"currency\":\"$2\""
  for n in 2 3 4 5 6; do
    ev "$1-r$n" "$1" "2026-11-09T10:0$n:00Z" "\"type\":\"game_round\",\"stake\":$((10000 * k)),\"payout\":0,\"currency\":\"$2\""
  done
  for m in 10 15 20 25; do
    ev "$1-d$m" "$1" "2026-11-09T10:$m:00Z" "\"type\":\"deposit\",\"amount\":$((50000 * k)),\"currency\":\"$2\""
  done
  for m in 31 32 33 34; do
    ev "$1-x$m" "$1" "2026-11-09T10:$m:00Z" \
      "\"type\":\"deposit\",\"amount\":$((m * 1000 * k)),\"currency\":\"$2\",\"status\":\"declined\""
  done
}
{
  ev gb-a gb1 2026-11-09T10:00:00Z '"type":"account","country":"GB","birth_year":1980'
  chase gb1 GBP
  ev nl-a nl1 2026-11-09T10:00:00Z '"type":"account","country":"NL","birth_year":1990'
  ev nl-d nl1 2026-11-09T10:05:00Z '"type":"deposit","amount":5000,"currency":"EUR"'
  chase xx1 EUR
  # late: a deposit under the fallback, then the account event moves the player
  ev lt-d late1 2026-11-09T09:00:00Z '"type":"deposit","amount":5000,"currency":"SEK"'
  ev lt-a late1 2026-11-09T10:00:00Z '"type":"account","country":"SE"'
  chase late1 SEK 10
  for p in se1:SE:SEK ca1:CA:CAD; do
    id=${p%%:*}; rest=${p#*:}; c=${rest%%:*}; cur=${rest#*:}
    ev "$id-a" "$id" 2026-11-09T12:00:00Z "\"type\":\"account\",\"country\":\"$c\",\"birth_year\":1985"
    for d in 10 11 12; do
      for m in 30 31 32 33 34 35 36 37 38 39 40 41; do
        ev "$id-r$d$m" "$id" "2026-11-${d}T04:${m}:00Z" "\"type\":\"game_round\",\"stake\":100,\"payout\":50,\"currency\":\"$cur\""
      done
    done
  done
} >"$WORK/ev.jsonl"
N=$(wc -l <"$WORK/ev.jsonl")

id_of() { $RGMON policy check "policies/$1.json" | sed -n 's/^ok //p'; }
declare -A WANT_POLICY=([gb1]=$(id_of uk) [nl1]=$(id_of nl) [se1]=$(id_of se) [ca1]=$(id_of on)
  [late1]=$(id_of se) [xx1]=$(id_of default))
declare -A WANT_JUR=([gb1]=GB [nl1]=NL [se1]=SE [ca1]=CA [late1]=SE [xx1]=EU)

# check_players HOW COMMAND-PRINTING-RISK-JSON-FOR-$1
check_players() {
  how=$1; shift
  for p in gb1 nl1 se1 ca1 late1 xx1; do
    j=$("$@" "$p")
    check "$how: $p is scored by its pack" "${WANT_POLICY[$p]}" "$(jq -r .policy <<<"$j")"
    check "$how: $p's jurisdiction" "${WANT_JUR[$p]}" "$(jq -r .jurisdiction <<<"$j")"
  done
  night() { "$@" | jq -r '[.reasons[].rule] | index("intensity.night_play") != null'; }
  check "$how: rounds at 05:30 Stockholm are night play for se1" true "$(night "$@" se1)"
  check "$how: the same rounds at 23:30 Toronto are not for ca1" false "$(night "$@" ca1)"
}

# --- replay -----------------------------------------------------------------
summary=$($RGMON replay --db "$WORK/r.db" --policies policies/ --quiet "$WORK/ev.jsonl")
check "replay with --policies accepts every event" "$N" "$(jq -r .accepted <<<"$summary")"
show() { $RGMON player show "$1" --db "$WORK/r.db" --json; }
check_players "replay, then player show with the stored set" show
show_flag() { $RGMON player show "$1" --db "$WORK/r.db" --json --policies policies/; }
check_players "player show --policies" show_flag
check "one pack alone scores everyone, as one --policy FILE did before sets" "$(id_of on)" \
  "$($RGMON player show gb1 --db "$WORK/r.db" --json --policy policies/on.json | jq -r .policy)"
text=$($RGMON player show gb1 --db "$WORK/r.db")
case "$text" in *"jurisdiction GB, policy uk-2026.1@"*) ok "player show prints the jurisdiction";;
  *) fail "player show prints the jurisdiction (got: $text)";; esac
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
$RGMON audit export --db "$WORK/r.db" --key "$WORK/keys/audit-signing.key" \
  --from 2000-01-01T00:00:00Z --to 2100-01-01T00:00:00Z >"$WORK/export.jsonl" 2>/dev/null
check "each pack's loading is in the audit trail" 7 \
  "$(jq -s '[.[] | select(.type == "record" and .kind == "policy_loaded")] | length' "$WORK/export.jsonl")"
# audit explain re-runs each decision with the pack of each event: late1's
# first deposit under the fallback, the rest under se.json.
seqs=$(jq -r 'select(.type == "record" and (.player_id == "late1" or .player_id == "gb1") and .payload.event_id != null)
  | .seq' "$WORK/export.jsonl")
[ -n "$seqs" ] || fail "late1 and gb1 have decision records"
for seq in $seqs; do
  check_cmd "audit explain $seq reproduces the decision" $RGMON audit explain --db "$WORK/r.db" "$seq"
done
stats=$($RGMON stats --db "$WORK/r.db")
# GB: gb1's harm alert and the financial vulnerability check its GBP 2,500 of
# net deposits owe (an obligation, LCCP SR 3.4.4).
check "stats count alerts by jurisdiction (the pack that raised each)" '{"EU":1,"GB":2,"SE":1}' \
  "$(jq -cS .alerts_by_jurisdiction <<<"$stats")"

# --- serve against rgmon broker ---------------------------------------------
start_broker 2
$RGMON token new --role agent --name agent-1 --file "$WORK/tokens" >"$WORK/agent.tok" 2>/dev/null
PORT=$(free_port)
start_serve "$WORK/s.db" "$PORT" --policies policies/ --tokens "$WORK/tokens"
wait_ready "$PORT" || fail "serve became ready"
keyed "$WORK/ev.jsonl" | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
applied() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "serve applied every event" 300 applied ||
  fail "serve applied every event (accepted: $(metric "$PORT" accepted))"
api() { curl -s -H "Authorization: Bearer $(cat "$WORK/agent.tok")" "http://127.0.0.1:$PORT/v1/players/$1/risk"; }
check_players "serve --policies, the HTTP API" api
check "/metrics counts alerts by jurisdiction" "EU 1 GB 2 SE 1" "$(curl -s "http://127.0.0.1:$PORT/metrics" |
  sed -n 's/^rgmon_alerts_by_jurisdiction{jurisdiction="\(..\)"} \([0-9]*\)$/\1 \2/p' | tr '\n' ' ' | sed 's/ $//')"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
show_s() { $RGMON player show "$1" --db "$WORK/s.db" --json; }
check_players "after serve, player show with the stored set" show_s
finish
