#!/bin/bash
# Calendar months where the rule says so (issue 14, item 4): a pack's
# "periods" make its months (and weeks) calendar ones in its time zone or
# rolling days, for the rules' windows and the player's own limits alike.
# DE (GlüStV § 6c "in einem Kalendermonat") and NL (KSA: "kalendermaand
# ... niet 30 opeenvolgende dagen") count calendar months; a copy of each
# pack without "periods" counts 30 rolling days, and must judge the same
# players differently, so the test cannot pass by accident.
. "$(dirname "$0")/lib.sh"

# replay_pack NAME POLICY FILE -> database $WORK/NAME.db
replay_pack() {
  $RGMON replay --db "$WORK/$1.db" --policy "$2" --quiet "$3" >/dev/null 2>"$WORK/$1.err"
  check "replay under $1" 0 $?
}
# rules DB PLAYER -> the distinct rules of the player's alerts, sorted
alert_rules() {
  $RGMON alerts list --db "$1" --json | jq -r --arg p "$2" '[.alerts[] | select(.player_id == $p) | .rules[]] | unique | join(",")'
}
level() { $RGMON player show "$2" --db "$1" --json | jq -r .level; }
# flags DB PLAYER -> how many marketing-suppression flags the player got
flags() { sqlite3 "$1" "select count(*) from outbox where topic = 'rg.player-flags' and key = '$2' and value like '%\"suppress_marketing\":true%'"; }
used() { $RGMON player show "$2" --db "$1" --json | jq -r '[.limits[]? | select(.limit == "deposit" and .period == "month") | .used] | join(",")'; }

jq 'del(.periods) | .rules["regulatory.deposits"].params |= (del(.month) | .window_days = 30)' policies/de.json >"$WORK/de-rolling.json"
jq 'del(.periods) | .rules["regulatory.deposits"].params |= (del(.month) | .window_days = 30)' policies/nl.json >"$WORK/nl-rolling.json"

# ---- DE: EUR 1,000 a month. de1: EUR 900 on 28 Oct and EUR 900 on 3 Nov,
# two calendar months. de2: EUR 900 at 00:30 Berlin time on 1 Nov (23:30
# UTC on 31 Oct) and EUR 900 on 20 Nov, one calendar month.
cat >"$WORK/de.jsonl" <<'EOF'
{"event_id":"de1-a","type":"account","player_id":"de1","ts":"2026-10-01T09:00:00Z","country":"DE","birth_year":1985}
{"event_id":"de1-l","type":"limit_set","player_id":"de1","ts":"2026-10-01T09:01:00Z","limit":"deposit","period":"month","value":100000}
{"event_id":"de1-d1","type":"deposit","player_id":"de1","ts":"2026-10-28T18:00:00Z","amount":90000,"currency":"EUR"}
{"event_id":"de1-d2","type":"deposit","player_id":"de1","ts":"2026-11-03T18:00:00Z","amount":90000,"currency":"EUR"}
{"event_id":"de2-a","type":"account","player_id":"de2","ts":"2026-10-01T09:00:00Z","country":"DE","birth_year":1985}
{"event_id":"de2-l","type":"limit_set","player_id":"de2","ts":"2026-10-01T09:01:00Z","limit":"deposit","period":"month","value":100000}
{"event_id":"de2-d1","type":"deposit","player_id":"de2","ts":"2026-10-31T23:30:00Z","amount":90000,"currency":"EUR"}
{"event_id":"de2-d2","type":"deposit","player_id":"de2","ts":"2026-11-20T18:00:00Z","amount":90000,"currency":"EUR"}
EOF
replay_pack de policies/de.json "$WORK/de.jsonl"
check "DE: EUR 900 on 28 Oct + EUR 900 on 3 Nov is no limit breach nor regulatory alert" "" "$(alert_rules "$WORK/de.db" de1)"
check "DE: ... the player stays green, with no marketing flag" "green 0" "$(level "$WORK/de.db" de1) $(flags "$WORK/de.db" de1)"
check "DE: ... this calendar month's deposit limit use is November's EUR 900" 90000 "$(used "$WORK/de.db" de1)"
check "DE: EUR 900 + EUR 900 in one calendar month (the first at 00:30 on 1 Nov, Berlin) is a breach" \
  "limits.breach regulatory.deposits" "$(alert_rules "$WORK/de.db" de2 | tr , '\n' | grep -E '^(limits.breach|regulatory)' | tr '\n' ' ' | sed 's/ $//')"
check "DE: ... red, with the marketing flag" "red 1" "$(level "$WORK/de.db" de2) $(flags "$WORK/de.db" de2)"
reason=$($RGMON alerts list --db "$WORK/de.db" --json | jq -r '[.alerts[] | select(.player_id == "de2") | .reasons[] | select(.rule == "regulatory.deposits") | .detail][0]')
case "$reason" in *"this calendar month"*) ok "DE: the reason names the calendar month ($reason)";; *) fail "DE: the reason names the calendar month (got: $reason)";; esac

replay_pack de-rolling "$WORK/de-rolling.json" "$WORK/de.jsonl"
check "DE, rolling 30 days (control): 28 Oct + 3 Nov is a breach" red "$(level "$WORK/de-rolling.db" de1)"
check "DE, rolling 30 days (control): the limit use is both deposits" 180000 "$(used "$WORK/de-rolling.db" de1)"

# ---- NL: net deposits over EUR 300 (18-23) / EUR 700 (24+) in a calendar
# month owe a check. nl1 (22): EUR 200 on 25 Oct, EUR 200 on 5 Nov, then
# EUR 150 on 20 Nov, which makes November's EUR 350. nl2 (40): EUR 600 on
# 30 Oct and EUR 600 on 2 Nov, under EUR 700 in each month.
cat >"$WORK/nl.jsonl" <<'EOF'
{"event_id":"nl1-a","type":"account","player_id":"nl1","ts":"2026-10-20T18:00:00Z","country":"NL","birth_year":2004}
{"event_id":"nl1-d1","type":"deposit","player_id":"nl1","ts":"2026-10-25T18:00:00Z","amount":20000,"currency":"EUR"}
{"event_id":"nl1-d2","type":"deposit","player_id":"nl1","ts":"2026-11-05T18:00:00Z","amount":20000,"currency":"EUR"}
{"event_id":"nl1-d3","type":"deposit","player_id":"nl1","ts":"2026-11-20T18:00:00Z","amount":15000,"currency":"EUR"}
{"event_id":"nl2-a","type":"account","player_id":"nl2","ts":"2026-10-20T18:00:00Z","country":"NL","birth_year":1986}
{"event_id":"nl2-d1","type":"deposit","player_id":"nl2","ts":"2026-10-30T18:00:00Z","amount":60000,"currency":"EUR"}
{"event_id":"nl2-d2","type":"deposit","player_id":"nl2","ts":"2026-11-02T18:00:00Z","amount":60000,"currency":"EUR"}
EOF
replay_pack nl policies/nl.json "$WORK/nl.jsonl"
nl_obligations() {
  $RGMON alerts list --db "$1" --json | jq -r --arg p "$2" '[.alerts[] | select(.player_id == $p and .kind == "obligation") | "\(.rules[0]) \(.evidence[0])"] | join(";")'
}
check "NL: at 22, the check is owed in November from November's deposits only (on the EUR 150 of 20 Nov)" \
  "regulatory.deposits nl1-d3" "$(nl_obligations "$WORK/nl.db" nl1)"
reason=$($RGMON alerts list --db "$WORK/nl.db" --json | jq -r '[.alerts[] | select(.player_id == "nl1") | .reasons[] | select(.rule == "regulatory.deposits") | .detail][0]')
case "$reason" in *"350 EUR this calendar month"*) ok "NL: the reason counts November's EUR 350 ($reason)";; *) fail "NL: the reason counts November's EUR 350 (got: $reason)";; esac
check "NL: at 40, EUR 600 in October and EUR 600 in November owe nothing" "" "$(nl_obligations "$WORK/nl.db" nl2)"

replay_pack nl-rolling "$WORK/nl-rolling.json" "$WORK/nl.jsonl"
check "NL, rolling 30 days (control): the check would be owed on 5 Nov, and for the 40-year-old" \
  "regulatory.deposits nl1-d2 regulatory.deposits nl2-d2" \
  "$(nl_obligations "$WORK/nl-rolling.db" nl1) $(nl_obligations "$WORK/nl-rolling.db" nl2)"

# ---- the same events replay to the same alerts
$RGMON replay --db "$WORK/de2.db" --policy policies/de.json --quiet "$WORK/de.jsonl" >/dev/null 2>&1
check "replay is deterministic under a calendar pack" \
  "$($RGMON alerts list --db "$WORK/de.db" --json | jq -cS '.alerts | map(del(.overdue))')" \
  "$($RGMON alerts list --db "$WORK/de2.db" --json | jq -cS '.alerts | map(del(.overdue))')"

# ---- SE: a raised deposit limit applies after 72 h *and* not before the
# period running at the raise has ended (spelförordningen 11 kap. 3 §,
# Spelinspektionen's position of 13 Dec 2021). se1 sets SEK 1,000 a month
# on 1 Nov, raises it to SEK 20,000 on 5 Nov, and deposits SEK 5,000 on
# 10 Nov: 72 h have passed but the running month has not, so SEK 1,000
# still holds and the operator let a deposit through over it. A copy of
# the pack without limit_raise_after_period (control) lets it pass.
cat >"$WORK/se.jsonl" <<'EOF'
{"event_id":"se1-a","type":"account","player_id":"se1","ts":"2026-11-01T09:00:00Z","country":"SE","birth_year":1985}
{"event_id":"se1-l1","type":"limit_set","player_id":"se1","ts":"2026-11-01T09:01:00Z","limit":"deposit","period":"month","value":100000}
{"event_id":"se1-l2","type":"limit_set","player_id":"se1","ts":"2026-11-05T10:00:00Z","limit":"deposit","period":"month","value":2000000}
{"event_id":"se1-d1","type":"deposit","player_id":"se1","ts":"2026-11-10T18:00:00Z","amount":500000,"currency":"SEK"}
EOF
jq 'del(.limit_raise_after_period)' policies/se.json >"$WORK/se-72h.json"
replay_pack se policies/se.json "$WORK/se.jsonl"
replay_pack se-72h "$WORK/se-72h.json" "$WORK/se.jsonl"
has_breach() { alert_rules "$1" se1 | tr , '\n' | grep -cx limits.breach; }
check "SE: a deposit over the old limit after 72 h but within the running month is a breach" 1 "$(has_breach "$WORK/se.db")"
check "SE, 72 h only (control): the raised limit already applies" 0 "$(has_breach "$WORK/se-72h.db")"
finish
