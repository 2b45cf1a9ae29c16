#!/bin/bash
# Talking points, the agent card, interactions and case notes against a real
# serve (issue 17): three loss chasers of tests/fixtures/talk-chasers.jsonl
# (Sweden, the Netherlands, Great Britain) get talking points in their
# language with their reasons' numbers and their help line; the role matrix
# of the new routes; an interaction posted by an agent joins the open
# alert's thread and the audit export; hostile summaries are stored and
# shown escaped, too large ones refused with nothing stored.
. "$(dirname "$0")/lib.sh"

$RGMON policy check policies/talk >"$WORK/check.out" 2>&1; check "policy check accepts policies/talk" 0 $?
check "policy check prints every talk file" 7 "$(grep -c '^ok .*@sha256:' "$WORK/check.out")"

DB="$WORK/s.db"
$RGMON replay --db "$DB" --policies policies tests/fixtures/talk-chasers.jsonl >"$WORK/replay.out" 2>"$WORK/replay.err"
check "the fixture replays" 0 $?

start_broker 1
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
TOKENS="$WORK/tokens"
for r in agent compliance regulator admin; do
  $RGMON token new --role $r --name "$r-1" --file "$TOKENS" >"$WORK/$r.tok" 2>/dev/null
done
$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
start_serve "$DB" "$PORT" --tokens "$TOKENS" --policies policies --audit-key "$WORK/keys/audit-signing.key"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"

tok() { cat "$WORK/$1.tok"; }
getj() { curl -s -H "Authorization: Bearer $(tok "$1")" "$URL$2"; }
# post ROLE PATH BODY -> status; the reply in $WORK/body
post() { curl -s -o "$WORK/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $(tok "$1")" \
  -H 'Content-Type: application/json' --data-binary "$3" "$URL$2"; }

# ---- talking points in the player's language ------------------------------------
tp() { getj "$1" "/v1/players/$2/risk$3" | jq -c .talking_points; }
SE=$(tp compliance se-chaser ""); SE_AGENT=$(tp agent se-chaser "")
check "Swedish player: Swedish talking points" sv "$(echo "$SE" | jq -r .language)"
check "Swedish player: Stödlinjen" "Stödlinjen 020-81 91 00" "$(echo "$SE" | jq -r '.help.name + " " + .help.phone')"
check "the template is named name@sha256" yes \
  "$(echo "$SE" | jq -r '.template | test("^talk-sv-[0-9.]+@sha256:[0-9a-f]{64}$") | if . then "yes" else "no" end')"
echo "$SE" | jq -r '.observations[]' >"$WORK/se.obs"
grep -qx 'Hen satte in pengar 3 gånger inom 24 timmar (15 000 kr totalt), varje gång inom 30 minuter efter en förlust; förlusterna var 15 000 kr.' "$WORK/se.obs" &&
  ok "the loss chasing reason with its numbers, in kronor" || fail "the loss chasing reason with its numbers ($(cat "$WORK/se.obs"))"
echo "$SE_AGENT" | jq -r '.observations[]' >"$WORK/se-agent.obs"
grep -qx 'Hen satte in pengar 3 gånger inom 24 timmar, varje gång inom 30 minuter efter en förlust.' "$WORK/se-agent.obs" &&
  ok "an agent reads the reason in words" || fail "an agent reads the reason in words ($(cat "$WORK/se-agent.obs"))"
check "an agent reads no money" 0 "$(grep -c ' kr' "$WORK/se-agent.obs")"
check "an agent's risk has no money in its reasons either" 0 \
  "$(getj agent /v1/players/se-chaser/risk | jq -r '.reasons[].detail' | grep -c SEK)"
check "Swedish talking points offer Spelpaus" 1 \
  "$(echo "$SE" | jq -r '.offer[].text' | grep -c 'Spelpaus (https://www.spelpaus.se)')"

NL=$(tp agent nl-chaser "")
check "Dutch player: Dutch talking points and Loket Kansspel" "nl Loket Kansspel" "$(echo "$NL" | jq -r '.language + " " + .help.name')"
echo "$NL" | jq -r '.observations[]' | grep -qx 'De speler heeft binnen 24 uur 3 keer gestort, telkens binnen 30 minuten na een verlies.' &&
  ok "the Dutch reason in Dutch" || fail "the Dutch reason in Dutch ($(echo "$NL" | jq -r '.observations[]'))"
getj compliance /v1/players/nl-chaser/risk | jq -r '.talking_points.observations[]' | grep -q '(€ 1.500 in totaal)' &&
  ok "Dutch money is written € 1.500" || fail "Dutch money is written € 1.500"
GB=$(tp agent gb-chaser "")
check "British player: English and the National Gambling Helpline" "en National Gambling Helpline 0808 8020 133" \
  "$(echo "$GB" | jq -r '.language + " " + .help.name + " " + .help.phone')"
getj compliance /v1/players/gb-chaser/risk | jq -r '.talking_points.observations[]' | grep -q '(£1,500 in all)' &&
  ok "British money is written £1,500" || fail "British money is written £1,500"
check "?lang= switches the language, the help line stays the player's" "de Stödlinjen" \
  "$(tp agent se-chaser '?lang=de' | jq -r '.language + " " + .help.name')"
check "an unknown ?lang= falls back to the player's" sv "$(tp agent se-chaser '?lang=zz' | jq -r .language)"

# ---- the card --------------------------------------------------------------------
curl -s -D "$WORK/card.h" -o "$WORK/card.html" -H "Authorization: Bearer $(tok agent)" "$URL/v1/players/se-chaser/card"
check "the card is HTML" 1 "$(grep -ci '^content-type: text/html; charset=utf-8' "$WORK/card.h")"
grep -qi "^content-security-policy: default-src 'none'; style-src 'unsafe-inline'" "$WORK/card.h" &&
  ok "the card may load nothing" || fail "the card may load nothing"
check "the card references nothing outside itself" 0 "$(grep -Eci '<(script|link|img|iframe)|src=|@import|url\(' "$WORK/card.html")"
grep -q 'Marknadsföring och bonusar är stoppade' "$WORK/card.html" && ok "the card says marketing and bonuses are stopped" ||
  fail "the card says marketing and bonuses are stopped"
grep -q 'Stödlinjen: 020-81 91 00' "$WORK/card.html" && ok "the card gives the help line" || fail "the card gives the help line"
check "the card in English on ?lang=en" 1 "$(curl -s -H "Authorization: Bearer $(tok agent)" "$URL/v1/players/se-chaser/card?lang=en" | grep -c 'html lang="en"')"

# ---- role matrix of the new routes --------------------------------------------------
ALERT=$(getj compliance '/v1/alerts?player=se-chaser&status=open' | jq -r '[.alerts[] | select(.kind == "harm")][0].alert_id')
[ -n "$ALERT" ] && [ "$ALERT" != null ] && ok "the Swedish chaser has an open alert" || fail "the Swedish chaser has an open alert"
code() { # ROLE METHOD PATH [BODY]
  auth=(); case $1 in none) ;; wrong) auth=(-H "Authorization: Bearer rgm_nope") ;; *) auth=(-H "Authorization: Bearer $(tok "$1")") ;; esac
  if [ -n "${4:-}" ]; then curl -s -o /dev/null -w '%{http_code}' -X "$2" "${auth[@]}" --data-binary "$4" "$URL$3"
  else curl -s -o /dev/null -w '%{http_code}' -X "$2" "${auth[@]}" "$URL$3"; fi
}
while IFS='|' read -r method path body expect; do
  [ -z "$method" ] && continue
  got=""
  for role in none wrong agent compliance regulator admin; do got="$got $(code "$role" "$method" "$path" "$body")"; done
  check "roles: $method $path" " $expect" "$got"
done <<ROUTES
GET|/v1/players/se-chaser/card||401 401 200 200 403 200
GET|/v1/players/se-chaser/risk||401 401 200 200 403 200
POST|/v1/players/se-chaser/interactions|{}|401 401 400 400 403 400
POST|/v1/alerts/$ALERT/notes|{}|401 401 403 400 403 400
ROUTES
check "no note was stored by the matrix" 0 "$(sqlite3 "$DB" 'select count(*) from notes')"

# ---- interactions and notes ----------------------------------------------------------
check "an agent records an interaction" 201 "$(post agent /v1/players/se-chaser/interactions \
  '{"channel":"chat","topic":"bonus_request","summary":"Asked for a goodwill bonus; talked about the losses; offered a deposit limit and a time-out.","offered":["deposit_limit","time_out","help_line"],"accepted":["deposit_limit"]}')"
NOTE=$(jq -r .id "$WORK/body")
check "it joins the open alert" "$ALERT" "$(jq -r .alert_id "$WORK/body")"
THREAD=$(getj compliance "/v1/alerts/$ALERT" | jq -c .notes)
check "the alert's thread holds it, with the agent as actor" "$NOTE interaction agent-1 chat bonus_request" \
  "$(echo "$THREAD" | jq -r '.[0] | "\(.id) \(.kind) \(.actor) \(.channel) \(.topic)"')"
check "what was accepted is recorded" '["deposit_limit"]' "$(echo "$THREAD" | jq -c '.[0].accepted')"
check "a compliance officer adds a case note" 201 "$(post compliance "/v1/alerts/$ALERT/notes" \
  '{"channel":"internal","text":"Second look: the limit is set, follow up in a week."}')"
check "the thread is in time order" "interaction note" "$(getj compliance "/v1/alerts/$ALERT" | jq -r '[.notes[].kind] | join(" ")')"
check "an interaction without an open alert stands alone" "201 null" "$(post agent /v1/players/gb-quiet/interactions \
  '{"channel":"phone","topic":"rg_question","summary":"Asked about limits."}') $(jq -r .alert_id "$WORK/body")"

# bad bodies: one clear line, nothing stored
before=$(sqlite3 "$DB" 'select count(*) from notes')
bad() { # NAME BODY EXPECTED-ERROR-PART
  c=$(post agent /v1/players/se-chaser/interactions "$2")
  case "$c $(jq -r .error "$WORK/body")" in "400 "*"$3"*) ok "$1";; *) fail "$1 (got $c $(cat "$WORK/body"))";; esac
}
bad "an unknown channel is refused" '{"channel":"fax","topic":"other","summary":"x"}' 'field "channel"'
bad "an internal channel is not an interaction" '{"channel":"internal","topic":"other","summary":"x"}' 'field "channel"'
bad "an unknown topic is refused" '{"channel":"chat","topic":"gossip","summary":"x"}' 'field "topic"'
bad "an unknown tool is refused" '{"channel":"chat","topic":"other","summary":"x","offered":["free_spins"]}' 'field "offered"'
bad "a blank summary is refused" '{"channel":"chat","topic":"other","summary":"  "}' 'field "summary"'
bad "an unknown field is refused" '{"channel":"chat","topic":"other","summary":"x","bonus":1}' 'unknown field "bonus"'
python3 -c 'import json; print(json.dumps({"channel":"chat","topic":"other","summary":"x"*2001}))' >"$WORK/long.json"
bad "a summary over 2,000 bytes is refused" "$(cat "$WORK/long.json")" 'longer than 2000 bytes'
head -c 3000000 /dev/zero | tr '\0' 'a' | sed 's/^/{"channel":"chat","topic":"other","summary":"/; s/$/"}/' >"$WORK/big.json"
check "a 3 MB summary is refused with 413" 413 "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H "Authorization: Bearer $(tok agent)" --data-binary @"$WORK/big.json" "$URL/v1/players/se-chaser/interactions")"
check "an unknown player is 404" 404 "$(post agent /v1/players/nobody/interactions '{"channel":"chat","topic":"other","summary":"x"}')"
check "a note on an unknown alert is 404" 404 "$(post compliance /v1/alerts/0123456789abcdef0123456789abcdef/notes '{"channel":"chat","text":"x"}')"
check "nothing was stored by the refusals" "$before" "$(sqlite3 "$DB" 'select count(*) from notes')"

# a hostile summary is kept byte for byte and shown escaped
HOSTILE='<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & done'
check "a hostile summary is accepted" 201 "$(post agent /v1/players/se-chaser/interactions \
  "$(jq -cn --arg s "$HOSTILE" '{channel:"email",topic:"complaint",summary:$s}')")"
check "it is stored as written" "$HOSTILE" "$(sqlite3 "$DB" "select summary from notes where note_id = '$(jq -r .id "$WORK/body")'")"
check "the API returns it as written (JSON-escaped)" "$HOSTILE" \
  "$(getj compliance "/v1/alerts/$ALERT" | jq -r '.notes[] | select(.channel == "email") | .text')"

# ---- audit and metrics -------------------------------------------------------------------
curl -s -H "Authorization: Bearer $(tok regulator)" -o "$WORK/export.jsonl" \
  "$URL/v1/audit/export?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z"
check "the agent's interaction is in the audit export with its actor and text" \
  "agent-1 Asked for a goodwill bonus; talked about the losses; offered a deposit limit and a time-out." \
  "$(jq -r "select(.kind == \"interaction\" and .payload.note_id == \"$NOTE\") | .payload.actor + \" \" + .payload.summary" "$WORK/export.jsonl" 2>/dev/null)"
check "the case note is in the audit export" 1 "$(jq -r 'select(.kind == "case_note") | .payload.actor' "$WORK/export.jsonl" 2>/dev/null | grep -c compliance-1)"
curl -s "$URL/metrics" >"$WORK/metrics"
check "interactions are counted by channel" "1 1 1" \
  "$(awk '/^rgmon_interactions_total\{channel="chat"\}/{c=$2} /^rgmon_interactions_total\{channel="email"\}/{e=$2} /^rgmon_interactions_total\{channel="phone"\}/{p=$2} END{print c, e, p}' "$WORK/metrics")"
# live replies (risk with talking points for staff and agents, alerts with
# their threads) against schemas/openapi.yaml
node tests/schema/check-openapi.mjs --url "$URL" --token "$(tok admin)" --agent "$(tok agent)" 2>&1 |
  sed 's/^ok - /ok - openapi: /; s/^not ok - /not ok - openapi: /' >"$WORK/openapi.out"
cat "$WORK/openapi.out"
FAILED=$((FAILED + $(grep -c '^not ok' "$WORK/openapi.out")))
# 3 interactions over 4 players active in the fixture's last 30 days
check "active players" 4 "$(awk '$1 == "rgmon_active_players" {print $2}' "$WORK/metrics")"
check "interactions per 1,000 active players" 750.00 "$(awk '$1 == "rgmon_interactions_per_1000_active_players" {print $2}' "$WORK/metrics")"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
$RGMON audit verify "$WORK/export.jsonl" >/dev/null 2>&1; check "the export with interactions verifies" 0 $?
finish
