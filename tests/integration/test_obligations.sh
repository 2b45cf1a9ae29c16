#!/bin/bash
# Obligations (issue 14): a regulator-mandated check, contact or block is a
# task that always reaches staff -- an alert of kind "obligation" with its
# own action, due time and source -- whatever the player's score, once per
# calendar month; calm players get none.
. "$(dirname "$0")/lib.sh"

# replay_pack PACK FILE -> database $WORK/PACK.db
replay_pack() {
  $RGMON replay --db "$WORK/$1.db" --policy "policies/$1.json" --quiet "$2" >/dev/null 2>"$WORK/$1.err"
  check "replay under $1.json" 0 $?
}
# obligation DB PLAYER -> "level action due_minutes rule" of the player's obligation alerts
obligations() {
  $RGMON alerts list --db "$1" --json | jq -r --arg p "$2" '.alerts[] | select(.player_id == $p and .kind == "obligation")
    | "\(.level) \(.suggested_action) \(((.due_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.created_at | sub("\\.[0-9]+Z$"; "Z") | fromdate)) / 60) \(.rules[0])"'
}
harm_alerts() { $RGMON alerts list --db "$1" --json | jq --arg p "$2" '[.alerts[] | select(.player_id == $p and .kind == "harm")] | length'; }
level() { $RGMON player show "$2" --db "$1" --json | jq -r .level; }

# ---- GB: GBP 150 net deposits in a rolling 30 days owe a financial vulnerability check (LCCP SR 3.4.4)
cat >"$WORK/gb.jsonl" <<'EOF'
{"event_id":"gb1-a","type":"account","player_id":"gb1","ts":"2026-11-02T18:00:00Z","country":"GB","birth_year":1988}
{"event_id":"gb1-d1","type":"deposit","player_id":"gb1","ts":"2026-11-02T18:05:00Z","amount":8000,"currency":"GBP"}
{"event_id":"gb1-r1","type":"game_round","player_id":"gb1","ts":"2026-11-02T18:10:00Z","stake":500,"payout":400,"currency":"GBP"}
{"event_id":"gb1-d2","type":"deposit","player_id":"gb1","ts":"2026-11-20T19:00:00Z","amount":8000,"currency":"GBP"}
{"event_id":"gb1-d3","type":"deposit","player_id":"gb1","ts":"2026-11-25T19:00:00Z","amount":2000,"currency":"GBP"}
{"event_id":"gb1-d4","type":"deposit","player_id":"gb1","ts":"2026-12-03T19:00:00Z","amount":8000,"currency":"GBP"}
{"event_id":"gb2-a","type":"account","player_id":"gb2","ts":"2026-11-02T18:00:00Z","country":"GB","birth_year":1975}
{"event_id":"gb2-d1","type":"deposit","player_id":"gb2","ts":"2026-11-02T18:05:00Z","amount":5000,"currency":"GBP"}
{"event_id":"gb2-w1","type":"withdrawal","player_id":"gb2","ts":"2026-11-10T18:05:00Z","amount":3000,"currency":"GBP","status":"completed"}
{"event_id":"gb2-d2","type":"deposit","player_id":"gb2","ts":"2026-11-20T18:05:00Z","amount":5000,"currency":"GBP"}
EOF
replay_pack uk "$WORK/gb.jsonl"
check "GB: GBP 160 net deposits owe a financial check, due in 72 h, once in November and again in December" \
  "amber financial_check 4320 regulatory.deposits
amber financial_check 4320 regulatory.deposits" "$(obligations "$WORK/uk.db" gb1)"
check "GB: the November task is the one of the deposit that crossed GBP 150" gb1-d2 \
  "$($RGMON alerts list --db "$WORK/uk.db" --json | jq -r '[.alerts[] | select(.player_id == "gb1")] | sort_by(.created_at) | .[0].evidence[0]')"
check "GB: the obligation alone makes no harm alert" 0 "$(harm_alerts "$WORK/uk.db" gb1)"
check "GB: the player's own risk stays green" green "$(level "$WORK/uk.db" gb1)"
check "GB: the obligation cites its source in the pack" "UKGC LCCP SR 3.4.4" \
  "$(jq -r '.rules["regulatory.deposits"].source | split(" (")[0]' policies/uk.json)"
check "GB: GBP 70 net (a withdrawal in between) owes nothing" "" "$(obligations "$WORK/uk.db" gb2)"
reason=$($RGMON alerts list --db "$WORK/uk.db" --json | jq -r '[.alerts[] | select(.player_id == "gb1" and .kind == "obligation")][0] | .reasons[0].detail')
case "$reason" in *"threshold of 150 GBP"*) ok "GB: the reason names the threshold ($reason)";; *) fail "GB: the reason names the threshold (got: $reason)";; esac
check "GB: the alert names its jurisdiction" GB \
  "$($RGMON alerts list --db "$WORK/uk.db" --json | jq -r '[.alerts[] | select(.player_id == "gb1") | .jurisdiction] | unique | join(",")')"

# ---- SE: a deposit limit above SEK 10,000 a month owes contact
cat >"$WORK/se.jsonl" <<'EOF'
{"event_id":"se1-a","type":"account","player_id":"se1","ts":"2026-11-02T18:00:00Z","country":"SE","birth_year":1990}
{"event_id":"se1-d1","type":"deposit","player_id":"se1","ts":"2026-11-02T18:05:00Z","amount":50000,"currency":"SEK"}
{"event_id":"se1-l1","type":"limit_set","player_id":"se1","ts":"2026-11-03T10:00:00Z","limit":"deposit","period":"month","value":1500000}
{"event_id":"se1-l2","type":"limit_set","player_id":"se1","ts":"2026-11-09T10:00:00Z","limit":"deposit","period":"month","value":2000000}
{"event_id":"se2-a","type":"account","player_id":"se2","ts":"2026-11-02T18:00:00Z","country":"SE","birth_year":1990}
{"event_id":"se2-d1","type":"deposit","player_id":"se2","ts":"2026-11-02T18:05:00Z","amount":50000,"currency":"SEK"}
{"event_id":"se2-l1","type":"limit_set","player_id":"se2","ts":"2026-11-03T10:00:00Z","limit":"deposit","period":"month","value":500000}
EOF
replay_pack se "$WORK/se.jsonl"
check "SE: a SEK 15,000 monthly limit owes contact once this month" \
  "amber contact 4320 limits.high_limit" "$(obligations "$WORK/se.db" se1)"
check "SE: a SEK 5,000 limit owes nothing" "" "$(obligations "$WORK/se.db" se2)"
check "SE: both players stay green" "green green" "$(level "$WORK/se.db" se1) $(level "$WORK/se.db" se2)"

# ---- NL: a 22-year-old over EUR 300 net deposits in a month owes a check within 1 h
cat >"$WORK/nl.jsonl" <<'EOF'
{"event_id":"nl1-a","type":"account","player_id":"nl1","ts":"2026-11-02T18:00:00Z","country":"NL","birth_year":2004}
{"event_id":"nl1-d1","type":"deposit","player_id":"nl1","ts":"2026-11-02T18:05:00Z","amount":20000,"currency":"EUR"}
{"event_id":"nl1-d2","type":"deposit","player_id":"nl1","ts":"2026-11-12T18:05:00Z","amount":15000,"currency":"EUR"}
{"event_id":"nl2-a","type":"account","player_id":"nl2","ts":"2026-11-02T18:00:00Z","country":"NL","birth_year":1980}
{"event_id":"nl2-d1","type":"deposit","player_id":"nl2","ts":"2026-11-02T18:05:00Z","amount":20000,"currency":"EUR"}
{"event_id":"nl2-d2","type":"deposit","player_id":"nl2","ts":"2026-11-12T18:05:00Z","amount":15000,"currency":"EUR"}
EOF
replay_pack nl "$WORK/nl.jsonl"
check "NL: EUR 350 net at 22 owes a check within 1 h" \
  "amber financial_check 60 regulatory.deposits" "$(obligations "$WORK/nl.db" nl1)"
check "NL: EUR 350 net at 46 owes nothing (EUR 700 band)" "" "$(obligations "$WORK/nl.db" nl2)"

# ---- replay is deterministic, and explain re-runs an obligation
$RGMON replay --db "$WORK/uk2.db" --policy policies/uk.json --quiet "$WORK/gb.jsonl" >/dev/null 2>&1
check "the same events give the same obligation alerts" \
  "$($RGMON alerts list --db "$WORK/uk.db" --json | jq -cS '.alerts | map(del(.overdue))')" \
  "$($RGMON alerts list --db "$WORK/uk2.db" --json | jq -cS '.alerts | map(del(.overdue))')"
seq=$(sqlite3 "$WORK/uk.db" "select seq from audit where kind = 'alert_opened' and payload like '%\"kind\":\"obligation\"%' limit 1")
out=$($RGMON audit explain --db "$WORK/uk.db" "$seq" 2>&1); rc=$?
check "audit explain re-runs the obligation to the same decision" "0 the same decision" "$rc $(echo "$out" | tail -n1)"
check "audit explain names the obligation's source from the pack" \
  "source of regulatory.deposits: $(jq -r '.rules["regulatory.deposits"].source' policies/uk.json)" \
  "$(grep '^source of ' <<<"$out")"
finish
