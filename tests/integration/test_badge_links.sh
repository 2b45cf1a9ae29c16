#!/bin/bash
# Signed, expiring badge links (POST /v1/players/ID/badge-link): who may
# make one, that it opens the badge without a token, and that an expired,
# tampered or other player's link is refused with an image saying so; the
# grey "unknown" badge; the secret survives a restart.
. "$(dirname "$0")/lib.sh"
start_broker 2
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
produce_simulated 60 4 5
for r in agent compliance regulator admin; do
  $RGMON token new --role $r --name "$r-1" --file "$WORK/tokens" >"$WORK/$r.tok" 2>/dev/null
done
tok() { cat "$WORK/$1.tok"; }
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "all $N events consumed" || fail "all $N events consumed"

A=$(sqlite3 "$WORK/s.db" "select player_id from players order by player_id limit 1")
B=$(sqlite3 "$WORK/s.db" "select player_id from players order by player_id limit 1 offset 1")
# status ROLE METHOD PATH [BODY]: the HTTP status; the body in $WORK/body
status() {
  role=$1 method=$2 path=$3 body=${4:-}
  auth=()
  case $role in
    none) ;;
    wrong) auth=(-H "Authorization: Bearer rgm_not-a-real-token") ;;
    *) auth=(-H "Authorization: Bearer $(tok "$role")") ;;
  esac
  curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" "${auth[@]}" \
    ${body:+-H 'Content-Type: application/json' --data-binary "$body"} "$URL$path"
}
ctype() { tr -d '\r' <"$WORK/headers" | awk -F': ' 'tolower($1) == "content-type" {print $2}'; }

# ---- who may make a link: none wrong agent compliance regulator admin ----
got=""
for role in none wrong agent compliance regulator admin; do got="$got $(status "$role" POST "/v1/players/$A/badge-link")"; done
check "roles: POST /v1/players/ID/badge-link" " 401 401 201 201 403 201" "$got"

status agent POST "/v1/players/$A/badge-link" >/dev/null
LINK=$(jq -r .url "$WORK/body")
EXP=$(jq -r .expires_at "$WORK/body")
check "the link names the badge, its expiry and a signature" true \
  "$(jq -r '.url | test("^/v1/badge/[^/]+\\.svg\\?exp=[0-9]+&sig=[0-9a-f]{64}$")' "$WORK/body")"
NOW=$(date -u +%s)
check "the default link lasts one hour" true \
  "$(jq --argjson now "$NOW" '(.url | capture("exp=(?<e>[0-9]+)").e | tonumber) - $now | . > 3500 and . <= 3601' "$WORK/body")"
check "expires_at is the link's exp" "$(jq -r '.url | capture("exp=(?<e>[0-9]+)").e | tonumber | todate' "$WORK/body")" "$EXP"

# ---- the link opens the badge without a token ----
check "a signed link opens the badge without a token" 200 "$(status none GET "$LINK")"
check "... as an image" "image/svg+xml" "$(ctype)"
status agent GET "/v1/badge/$A.svg" >/dev/null
cp "$WORK/body" "$WORK/badge-token.svg"
status none GET "$LINK" >/dev/null
check "... the same badge a token gets" "$(cat "$WORK/badge-token.svg")" "$(cat "$WORK/body")"
check "without a link or token the badge is still 401" 401 "$(status none GET "/v1/badge/$A.svg")"

# ---- refused links: 403 with an image that says why ----
SIG=${LINK##*sig=}
E=$(echo "$LINK" | sed -E 's/.*exp=([0-9]+).*/\1/')
check "a link for A does not open B's badge" 403 "$(status none GET "/v1/badge/$B.svg?exp=$E&sig=$SIG")"
check "... and says so in an image" "image/svg+xml invalid link" "$(ctype) $(grep -o 'invalid link' "$WORK/body" | head -1)"
check "a later exp with A's signature is refused" 403 "$(status none GET "/v1/badge/$A.svg?exp=$((E + 86400))&sig=$SIG")"
if [ "${SIG:0:1}" = 0 ]; then FLIP=1${SIG:1}; else FLIP=0${SIG:1}; fi
check "a changed signature is refused" 403 "$(status none GET "/v1/badge/$A.svg?exp=$E&sig=$FLIP")"
check "a short signature is refused" 403 "$(status none GET "/v1/badge/$A.svg?exp=$E&sig=abc")"
check "a link without exp is refused" 403 "$(status none GET "/v1/badge/$A.svg?sig=$SIG")"
# An expired link, signed as serve would with the database's secret.
SECRET=$(sqlite3 "$WORK/s.db" "select value from meta where key = 'badge_link_secret'")
check "the secret is 32 bytes kept in the database" 64 "${#SECRET}"
sign() { printf 'rgmon-badge-v1\n%s\n%s' "$1" "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$SECRET" | awk '{print $NF}'; }
check "the signature is HMAC-SHA256 of player and expiry" "$SIG" "$(sign "$A" "$E")"
PAST=$((NOW - 10))
check "an expired link is refused" 403 "$(status none GET "/v1/badge/$A.svg?exp=$PAST&sig=$(sign "$A" "$PAST")")"
check "... saying it expired" "image/svg+xml link expired" "$(ctype) $(grep -o 'link expired' "$WORK/body" | head -1)"

# ---- unknown players: a grey image, 404 ----
check "an unknown player's badge is 404" 404 "$(status agent GET /v1/badge/nobody-here.svg)"
check "... as an 'unknown' image" "image/svg+xml unknown" "$(ctype) $(grep -o 'risk: unknown' "$WORK/body" | head -1 | sed 's/risk: //')"
check "a signed link for an unknown player is 404 too" 404 "$(status none GET "/v1/badge/nobody-here.svg?exp=$((NOW + 600))&sig=$(sign nobody-here $((NOW + 600)))")"
check "no link for an unknown player" 404 "$(status agent POST /v1/players/nobody-here/badge-link)"

# ---- the body ----
check "ttl_seconds sets the expiry" true \
  "$(status agent POST "/v1/players/$A/badge-link" '{"ttl_seconds":120}' >/dev/null; jq '.ttl_seconds == 120' "$WORK/body")"
for b in '{"ttl_seconds":59}' '{"ttl_seconds":2592001}' '{"ttl_seconds":"60"}' '{"ttl":60}' '[1]' '{'; do
  check "body $b is 400" 400 "$(status agent POST "/v1/players/$A/badge-link" "$b")"
done
check "30 days is allowed" 201 "$(status agent POST "/v1/players/$A/badge-link" '{"ttl_seconds":2592000}')"

# ---- who made which link is audited, without the signature ----
# 5 links made above for A (the role matrix's 3, the default, 30 days) and 1 of 120 s.
check "each link made is an audit record" 6 "$(sqlite3 "$WORK/s.db" "select count(*) from audit where kind = 'badge_link_made' and player_id = '$A'")"
check "the record names the maker, role and expiry" "agent-1 agent true" \
  "$(sqlite3 "$WORK/s.db" "select json_extract(payload, '$.actor'), json_extract(payload, '$.role'), json_extract(payload, '$.expires_at') like '20%Z' from audit where kind = 'badge_link_made' order by seq limit 1" | sed 's/|1$/|true/' | tr '|' ' ')"
check "no record holds a signature" 0 "$(sqlite3 "$WORK/s.db" "select count(*) from audit where kind = 'badge_link_made' and (payload like '%sig%' or payload like '%$SIG%')")"

# ---- links survive a restart ----
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
start_serve "$WORK/s.db" "$PORT" --tokens "$WORK/tokens"
wait_ready "$PORT" && ok "serve restarts" || fail "serve restarts"
check "a link made before a restart still opens the badge" 200 "$(status none GET "$LINK")"
curl -s "$URL/metrics" | grep -q '^rgmon_http_requests_total{route="badge",status="200"}' &&
  ok "badge requests are counted by route" || fail "badge requests are counted by route"
finish
