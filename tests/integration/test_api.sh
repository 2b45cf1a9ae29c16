#!/bin/bash
# The HTTP API against a real serve: tokens and the role matrix, the
# resolve flow, filters and paging, hostile requests (bad JSON, 3 MB body,
# path traversal, unknown routes), metrics, the support queue topics, TLS.
. "$(dirname "$0")/lib.sh"
start_broker 8 # the dev broker keeps at most 5 MiB per partition: 73k events need 8
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

produce_simulated 300 10 21

TOKENS="$WORK/tokens"
for r in agent compliance regulator admin; do
  $RGMON token new --role $r --name "$r-1" --file "$TOKENS" >"$WORK/$r.tok" 2>/dev/null
done
$RGMON token new --role compliance --name carol --file "$TOKENS" >"$WORK/carol.tok" 2>/dev/null
check "token file keeps no token" 0 "$(grep -c -F -f "$WORK/agent.tok" "$TOKENS")"
check "token file is private" 600 "$(command stat -c %a "$TOKENS")"
$RGMON token new --role admin --name carol --file "$TOKENS" >/dev/null 2>"$WORK/dup.err"
check "a name is unique in the tokens file" 1 $?
$RGMON token new --role boss --name x --file "$TOKENS" >/dev/null 2>&1
check "an unknown role is a usage error" 2 $?

$RGMON keygen --out "$WORK/keys" >/dev/null 2>&1
start_serve "$WORK/s.db" "$PORT" --tokens "$TOKENS" --audit-key "$WORK/keys/audit-signing.key"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
all_in() { [ "$(metric "$PORT" accepted)" = "$N" ]; }
wait_for "all events" 600 all_in && ok "all $N events consumed" || fail "all $N events consumed"

tok() { cat "$WORK/$1.tok"; }
# code ROLE METHOD PATH [BODY] -> HTTP status (ROLE: none, wrong or a role)
code() {
  role=$1 method=$2 path=$3 body=${4:-}
  auth=()
  case $role in
    none) ;;
    wrong) auth=(-H "Authorization: Bearer rgm_not-a-real-token") ;;
    *) auth=(-H "Authorization: Bearer $(tok "$role")") ;;
  esac
  if [ -n "$body" ]; then
    curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$body" "$URL$path"
  else
    curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" "${auth[@]}" "$URL$path"
  fi
}
getj() { curl -s -H "Authorization: Bearer $(tok "$1")" "$URL$2"; }
postj() { curl -s -X POST -H "Authorization: Bearer $(tok "$1")" -H 'Content-Type: application/json' --data-binary "$3" "$URL$2"; }

ALERT=$(getj compliance '/v1/alerts?status=open&limit=1' | jq -r '.alerts[0].alert_id')
PLAYER=$(getj compliance "/v1/alerts/$ALERT" | jq -r .player_id)
[ -n "$ALERT" ] && [ "$ALERT" != null ] && ok "there is an open alert" || fail "there is an open alert"

# ---- role matrix: every route x no token, a wrong token and each role ----
# METHOD PATH BODY then the status for: none wrong agent compliance regulator admin.
# POSTs carry a body the handler refuses (400), so the matrix changes nothing.
while IFS='|' read -r method path body expect; do
  [ -z "$method" ] && continue
  set -- $expect
  got=""
  for role in none wrong agent compliance regulator admin; do
    got="$got $(code "$role" "$method" "$path" "$body")"
  done
  check "roles: $method $path" " $expect" "$got"
done <<EOF
GET|/healthz||200 200 200 200 200 200
GET|/readyz||200 200 200 200 200 200
GET|/metrics||200 200 200 200 200 200
GET|/||200 200 200 200 200 200
GET|/ui/app.js||200 200 200 200 200 200
GET|/v1/me||401 401 200 200 200 200
GET|/v1/players/$PLAYER/risk||401 401 200 200 403 200
GET|/v1/players/$PLAYER||401 401 403 200 403 200
GET|/v1/badge/$PLAYER.svg||401 401 200 200 403 200
POST|/v1/players/$PLAYER/badge-link|{"bogus":1}|401 401 400 400 403 400
GET|/v1/alerts||401 401 403 200 403 200
GET|/v1/alerts/$ALERT||401 401 403 200 403 200
POST|/v1/alerts/$ALERT/acknowledge|{"bogus":"1"}|401 401 403 400 403 400
POST|/v1/alerts/$ALERT/resolve|{}|401 401 403 400 403 400
POST|/v1/alerts/$ALERT/review|{}|401 401 403 400 403 400
GET|/v1/reports/portfolio||401 401 403 200 403 200
GET|/v1/policy||401 401 403 200 403 200
GET|/v1/rules||401 401 403 200 403 200
GET|/v1/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z||401 401 403 403 200 200
GET|/v1/reports/effectiveness||401 401 403 200 200 200
EOF
check "401 says how to authenticate" "missing token: send Authorization: Bearer TOKEN" \
  "$(curl -s "$URL/v1/alerts" | jq -r .error)"
curl -s -D "$WORK/h401" -o /dev/null "$URL/v1/alerts"
grep -qi '^WWW-Authenticate: Bearer' "$WORK/h401" && ok "401 carries WWW-Authenticate" || fail "401 carries WWW-Authenticate"
# The rule reference staff open from a reason: every rule, what it tests,
# and per pack in use its kind and source.
getj compliance /v1/rules >"$WORK/rules.json"
check "rules: every rule is listed once" "$(jq '[.rules[].id] | unique | length' "$WORK/rules.json")" \
  "$(jq '.rules | length' "$WORK/rules.json")"
check "rules: each says what it tests" true "$(jq '.rules | length > 20 and all(.summary | length > 10)' "$WORK/rules.json")"
check "rules: a rule the pack switches on names the pack" "$(getj compliance /v1/policy | jq -r .policy)" \
  "$(jq -r '.rules[] | select(.id == "money.net_loss") | .packs[0].policy' "$WORK/rules.json")"
check "me names the caller" "carol compliance" "$(getj carol /v1/me | jq -r '"\(.name) \(.role)"')"

# Agents see reasons but not the money behind limits.
LP=$("$RGMON" events export --db "$WORK/s.db" | jq -r 'select(.type == "limit_set" and .limit == "deposit") | .player_id' | head -n1)
check "compliance sees limit values" true "$(getj compliance "/v1/players/$LP/risk" | jq '.limits | length > 0 and all(.value != null)')"
check "agent sees limits without values" true "$(getj agent "/v1/players/$LP/risk" | jq '.limits | length > 0 and all(.value == null and .used == null)')"
check "agent still sees the reasons" "$(getj compliance "/v1/players/$PLAYER/risk" | jq -c '[.reasons[] | [.rule, .points]]')" \
  "$(getj agent "/v1/players/$PLAYER/risk" | jq -c '[.reasons[] | [.rule, .points]]')"
# Agents read the reasons in words: no amounts ("3 deposits (1,599,136.04
# EUR)") and no age ("for age 22"); staff read the same reasons with them.
MONEY='[0-9] [A-Z]{3}\b|minor units' AGE='age [0-9]'
sqlite3 "$WORK/s.db" "select player_id from players order by player_id limit 120" >"$WORK/risk-players"
while read -r p; do getj compliance "/v1/players/$p/risk"; done <"$WORK/risk-players" | jq -r '.reasons[].detail' >"$WORK/staff-reasons"
while read -r p; do getj agent "/v1/players/$p/risk"; done <"$WORK/risk-players" | jq -r '.reasons[].detail' >"$WORK/agent-reasons"
check "staff reasons show amounts" true "$([ "$(grep -cE "$MONEY" "$WORK/staff-reasons")" -gt 0 ] && echo true)"
check "agent reasons as many as staff's" "$(wc -l <"$WORK/staff-reasons")" "$(wc -l <"$WORK/agent-reasons")"
check "agent reasons show no amount" "" "$(grep -E "$MONEY" "$WORK/agent-reasons" | head -3)"
check "agent reasons show no age" "" "$(grep -E "$AGE" "$WORK/agent-reasons" | head -3)"
check "risk over HTTP equals player show --json" "$($RGMON player show "$PLAYER" --db "$WORK/s.db" --json | jq -S -c .)" \
  "$(getj compliance "/v1/players/$PLAYER/risk" | jq -S -c .)"
check "badge is SVG" "image/svg+xml" "$(curl -s -o /dev/null -w '%{content_type}' -H "Authorization: Bearer $(tok agent)" "$URL/v1/badge/$PLAYER.svg")"
getj agent "/v1/badge/$PLAYER.svg" | grep -q "risk: $(getj agent "/v1/players/$PLAYER/risk" | jq -r '"\(.level) \(.score)"')" &&
  ok "badge shows level and score" || fail "badge shows level and score"
check "unknown player is 404" 404 "$(code agent GET /v1/players/nobody-here/risk)"
check "bad player id is 400" 400 "$(code agent GET '/v1/players/bad%20id/risk')"
# Player ids "." and ".." are dot segments that browsers and curl remove
# from a URL, so no such player could be opened: refused at both edges.
for p in . .. %2e %2E%2e; do
  c=$(curl -s --path-as-is -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $(tok agent)" "$URL/v1/players/$p/risk")
  check "player id $p is 400 naming the rule" '400 true' "$c $(jq '.error | test("not \".\" or \"..\"")' "$WORK/body" 2>/dev/null)"
done
for p in . .. ...; do
  printf '{"event_id":"dot-%s","type":"account","player_id":"%s","ts":"2026-11-22T10:00:00Z"}\n' "$p" "$p"
done | $RGMON replay --db "$WORK/dots.db" - >"$WORK/dots.out" 2>"$WORK/dots.err"
check "replay rejects player ids . and .., not ..." '1 2' "$(jq -r '"\(.accepted) \(.rejected)"' "$WORK/dots.out")"
check "the reject names the rule" 2 "$(grep -c 'not "." or ".."' "$WORK/dots.err")"
check "unknown alert is 404" 404 "$(code compliance GET /v1/alerts/0123456789abcdef0123456789abcdef)"

# ---- the timeline ----
getj compliance "/v1/players/$PLAYER" >"$WORK/tl"
check "timeline has daily sums" true "$(jq '.days | length > 0 and all(has("date") and has("deposited") and has("net_loss") and has("session_seconds"))' "$WORK/tl")"
check "timeline events leave game rounds out" true "$(jq '.events | length > 0 and all(.type != "game_round")' "$WORK/tl")"
check "timeline lists the player's alerts" true "$(jq --arg a "$ALERT" '[.alerts[].alert_id] | index($a) != null' "$WORK/tl")"

# A day sum that saturated is named as a bound, not given as an amount.
for i in 1 2 3; do
  printf 'psat\t{"event_id":"sat-%s","type":"deposit","player_id":"psat","ts":"2026-11-01T10:0%s:00Z","amount":1000000000,"currency":"EUR"}\n' $i $i
done | kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
sat_in() { getj compliance /v1/players/psat | jq -e '.days[-1].deposited == 2147483647' >/dev/null; }
wait_for "psat" 100 sat_in
check "timeline: a saturated day sum is marked at_least" '["deposited"] 2147483647' \
  "$(getj compliance /v1/players/psat | jq -c -r '.days[-1] | "\(.at_least) \(.deposited)"')"
check "timeline: other days carry no at_least" 0 "$(jq '[.days[] | select(has("at_least"))] | length' "$WORK/tl")"

# ---- resolve flow ----
postj compliance "/v1/alerts/$ALERT/acknowledge" '{}' >"$WORK/ack"
check "acknowledge assigns the alert" "acknowledged compliance-1" "$(jq -r '"\(.status) \(.acknowledged_by)"' "$WORK/ack")"
check "acknowledging again by the same actor is fine" 200 "$(code compliance POST "/v1/alerts/$ALERT/acknowledge" '{}')"
check "someone else cannot take it" 409 "$(code carol POST "/v1/alerts/$ALERT/acknowledge" '{}')"
check "resolve needs a note" 400 "$(code compliance POST "/v1/alerts/$ALERT/resolve" '{"outcome":"limits_set"}')"
check "resolve needs a known outcome" 400 "$(code compliance POST "/v1/alerts/$ALERT/resolve" '{"outcome":"shrug","note":"x"}')"
check "a note over 2000 bytes is refused" 400 "$(code compliance POST "/v1/alerts/$ALERT/resolve" "{\"outcome\":\"limits_set\",\"note\":\"$(head -c 2001 /dev/zero | tr '\0' n)\"}")"
check "resolve" 200 "$(code carol POST "/v1/alerts/$ALERT/resolve" '{"outcome":"limits_set","note":"called; deposit limit 200 EUR/week set"}')"
jq . "$WORK/body" >"$WORK/resolved"
check "resolved with outcome, actor and note" "resolved limits_set carol called; deposit limit 200 EUR/week set" \
  "$(jq -r '"\(.status) \(.outcome) \(.actor) \(.note)"' "$WORK/resolved")"
check "both transitions are recorded with actor and role" "acknowledge:compliance-1:compliance resolve:carol:compliance" \
  "$(jq -r '[.actions[] | "\(.action):\(.actor):\(.role)"] | join(" ")' "$WORK/resolved")"
check "transitions carry wall time" true "$(jq '(.actions | all(.at | test("^20[0-9-]+T"))) and (.resolved_at != null)' "$WORK/resolved")"
check "resolving twice is a conflict" 409 "$(code compliance POST "/v1/alerts/$ALERT/resolve" '{"outcome":"limits_set","note":"again"}')"
check "resolved alert left the open queue" false "$(getj compliance '/v1/alerts?status=unresolved&limit=500' | jq --arg a "$ALERT" '[.alerts[].alert_id] | index($a) != null')"
check "resolved alert is in the resolved list" true "$(getj compliance '/v1/alerts?status=resolved' | jq --arg a "$ALERT" '[.alerts[].alert_id] | index($a) != null')"
check "CLI sees the resolution" "resolved carol" "$($RGMON alerts list --db "$WORK/s.db" --json | jq -r --arg a "$ALERT" '.alerts[] | select(.alert_id == $a) | "\(.status) \(.actor)"')"

# A false positive lifts the player's marketing block on rg.player-flags.
FP=$(getj compliance '/v1/alerts?status=open&limit=1' | jq -r '.alerts[0].alert_id')
FPP=$(getj compliance "/v1/alerts/$FP" | jq -r .player_id)
ALERT2=$(getj compliance '/v1/alerts?status=open&limit=2' | jq -r --arg fp "$FP" '[.alerts[].alert_id | select(. != $fp)][0]')
check "resolve as false positive" 200 "$(code compliance POST "/v1/alerts/$FP/resolve" '{"outcome":"false_positive","note":"reviewed: a one-off win pattern"}')"
# The queue's top alert is red: its false positive waits for a second
# person (four eyes), and the block lifts only when one approves.
check "a red false positive waits for review" pending_review "$(jq -r .status "$WORK/body")"
check "a second person approves it" "200 resolved" \
  "$(code admin POST "/v1/alerts/$FP/review" '{"decision":"approve"}') $(jq -r .status "$WORK/body")"

# ---- listing: filters and paging ----
getj compliance '/v1/alerts?limit=500' >"$WORK/all"
TOTAL_ALERTS=$(jq '.alerts | length' "$WORK/all")
check "list agrees with the store" "$(sqlite3 "$WORK/s.db" 'select count(*) from alerts')" "$TOTAL_ALERTS"
cursor=""; : >"$WORK/paged"
for _ in $(seq 200); do
  getj compliance "/v1/alerts?limit=7${cursor:+&cursor=$cursor}" >"$WORK/page"
  jq -r '.alerts[].alert_id' "$WORK/page" >>"$WORK/paged"
  cursor=$(jq -r '.next_cursor // empty' "$WORK/page")
  [ -z "$cursor" ] && break
done
check "paging with cursors returns every alert once, in queue order" "$(jq -r '.alerts[].alert_id' "$WORK/all" | md5sum)" "$(md5sum <"$WORK/paged")"
check "queue order: red first, then by due time" true "$(jq '[.alerts[] | [(if .level == "red" then 0 else 1 end), .due_at]] | . == sort' "$WORK/all")"
check "level filter" true "$(getj compliance '/v1/alerts?level=red&limit=500' | jq '.alerts | length > 0 and all(.level == "red")')"
check "player filter" true "$(getj compliance "/v1/alerts?player=$PLAYER" | jq --arg p "$PLAYER" '.alerts | length > 0 and all(.player_id == $p)')"
SINCE=$(jq -r '[.alerts[].created_at] | sort | .[length / 2 | floor]' "$WORK/all")
check "since filter" true "$(getj compliance "/v1/alerts?since=$SINCE&limit=500" | jq --arg s "$SINCE" '.alerts | length > 0 and all(.created_at >= $s)')"
check "overdue is reported" true "$(jq '.alerts | all(has("overdue"))' "$WORK/all")"
for q in 'limit=0' 'limit=501' 'limit=x' 'status=bogus' 'level=green' 'since=yesterday' 'cursor=garbage' 'player=a%20b'; do
  check "bad query $q is 400" 400 "$(code compliance GET "/v1/alerts?$q")"
done

# ---- hostile and broken requests ----
check "malformed JSON is 400" 400 "$(code compliance POST "/v1/alerts/$FP/acknowledge" '{"note":')"
check "400 body names the problem" true "$(jq '.error | startswith("invalid JSON body")' "$WORK/body")"
check "a JSON array body is 400" 400 "$(code compliance POST "/v1/alerts/$FP/acknowledge" '[1]')"
head -c 3145728 /dev/zero | tr '\0' x >"$WORK/big"
check "a 3 MB body is 413" 413 "$(curl -s -o "$WORK/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $(tok compliance)" --data-binary @"$WORK/big" "$URL/v1/alerts/$FP/resolve")"
check "413 body is a JSON error" true "$(jq 'has("error")' "$WORK/body")"
check "a 3 MB body without length is 413" 413 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' -H "Authorization: Bearer $(tok compliance)" --data-binary @"$WORK/big" "$URL/v1/alerts/$FP/resolve")"
for p in '/ui/../../../../etc/passwd' '/ui/..%2f..%2f..%2fetc%2fpasswd' '/../../etc/passwd' '/ui/%2e%2e/%2e%2e/etc/passwd' \
         '/v1/players/..%2f..%2fetc%2fpasswd/risk' '/ui//etc/passwd' '/ui/app.js/../../../etc/passwd'; do
  c=$(curl -s --path-as-is -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $(tok admin)" "$URL$p")
  if [ "$c" -ge 400 ] && [ "$c" -lt 500 ] && ! grep -q 'root:' "$WORK/body" && jq -e .error "$WORK/body" >/dev/null 2>&1; then
    ok "path traversal $p refused ($c)"
  else
    fail "path traversal $p refused (got $c)"
  fi
done
# An encoded NUL used to cut the path short: p%00 answered for p, and
# /ui/app.js%00.png served app.js.
for p in "/v1/players/$PLAYER%00/risk" "/v1/players/$PLAYER%00x/risk" '/ui/app.js%00.png' '/v1/alerts?status=open%00x'; do
  c=$(curl -s --path-as-is -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $(tok admin)" "$URL$p")
  check "an encoded NUL in $p is 400 with a JSON error" "400 true" "$c $(jq '.error | test("NUL")' "$WORK/body" 2>/dev/null)"
done
# Content-Length and chunked Transfer-Encoding together frame the body two
# ways (request smuggling behind a proxy): refused before the body is read.
python3 - "$PORT" "$(tok compliance)" "$ALERT2" >"$WORK/clte" <<'PY'
import socket, sys
body = b'{"note":"smuggled"}'
chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
req = (b"POST /v1/alerts/%s/acknowledge HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
       b"Content-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
       % (sys.argv[3].encode(), sys.argv[2].encode())) + chunked
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(req)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
head, _, rest = out.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode())
print(rest.decode())
PY
check "Content-Length with chunked encoding is 400" "HTTP/1.1 400 Bad Request" "$(head -n1 "$WORK/clte")"
check "and says why in a JSON error" "a request may not carry both Content-Length and Transfer-Encoding" \
  "$(sed -n 2p "$WORK/clte" | jq -r .error)"
check "the smuggled request changed nothing" open "$(getj compliance "/v1/alerts/$ALERT2" | jq -r .status)"
for p in /nope /v1 /v1/alerts/x/y/z /v1/players /v1/badge/x.png /ui/missing.js; do
  check "unknown route $p is 404" 404 "$(code admin GET "$p")"
done
check "wrong method is 405" 405 "$(code admin DELETE "/v1/alerts/$FP")"
curl -s -D "$WORK/h405" -o /dev/null -X PUT "$URL/v1/alerts"
grep -qi '^Allow: GET' "$WORK/h405" && ok "405 carries Allow" || fail "405 carries Allow"
check "server is healthy after all that" 200 "$(code none GET /healthz)"

# ---- the web UI is served ----
check "UI index is HTML" "text/html; charset=utf-8" "$(curl -s -o /dev/null -w '%{content_type}' "$URL/")"
curl -s -D "$WORK/hui" -o /dev/null "$URL/"
grep -qi "^Content-Security-Policy: default-src 'self'" "$WORK/hui" && ok "UI has a strict CSP" || fail "UI has a strict CSP"

# ---- metrics ----
curl -s "$URL/metrics" >"$WORK/metrics"
grep -q '^rgmon_http_requests_total{route="alerts",status="403"} [1-9]' "$WORK/metrics" && ok "metrics: HTTP by route and status" || fail "metrics: HTTP by route and status"
check "metrics: resolved red+amber alerts" 2 "$(awk '/^rgmon_alerts\{.*status="resolved"/ {s += $2} END {print s}' "$WORK/metrics")"
grep -q '^rgmon_alerts_overdue [0-9]' "$WORK/metrics" && ok "metrics: overdue alerts" || fail "metrics: overdue alerts"
grep -q '^rgmon_consumer_lag{partition="0"} 0$' "$WORK/metrics" && ok "metrics: consumer lag per partition" || fail "metrics: consumer lag per partition"
backlog_zero() { curl -s "$URL/metrics" | grep -q '^rgmon_outbox_backlog 0$'; }
wait_for "outbox drained" 100 backlog_zero && ok "metrics: outbox backlog drains to 0" || fail "metrics: outbox backlog drains to 0"
grep -q '^rgmon_batch_commit_seconds_bucket' "$WORK/metrics" && ok "metrics: commit latency histogram" || fail "metrics: commit latency histogram"

# ---- the support queue on Kafka ----
kcat -C -b "$BROKER" -t rg.alerts -e -q -f '%k\t%h\t%s\n' >"$WORK/topic" 2>/dev/null
python3 - "$WORK/topic" <("$RGMON" alerts list --db "$WORK/s.db" --json) "$ALERT" <<'PY' | while read -r line; do echo "$line"; done
import json, sys
last, keys_ok, hdr_ok = {}, True, True
for line in open(sys.argv[1]):
    key, hdr, val = line.rstrip("\n").split("\t", 2)
    a = json.loads(val)
    keys_ok &= key == a["player_id"]
    hdr_ok &= hdr == "alert_id=" + a["alert_id"]
    last[a["alert_id"]] = a
store = {a["alert_id"]: a for a in json.load(open(sys.argv[2]))["alerts"]}
for a in store.values():
    a.pop("overdue", None)
def ok(name, cond): print(("ok - " if cond else "not ok - ") + name)
ok("rg.alerts: key is the player_id", keys_ok)
ok("rg.alerts: header alert_id", hdr_ok)
ok("rg.alerts: every alert in the store is on the topic (%d)" % len(store), set(store) == set(last))
ok("rg.alerts: the latest message of each alert equals the store", all(last.get(k) == v for k, v in store.items()))
ok("rg.alerts: the resolution reached the queue", last.get(sys.argv[3], {}).get("status") == "resolved")
PY
kcat -C -b "$BROKER" -t rg.player-flags -e -q -f '%k\t%s\n' >"$WORK/flags" 2>/dev/null
check "flags: red players are flagged" true "$(cut -f2 "$WORK/flags" | jq -s 'length > 0 and all(.suppress_marketing == true or .rule == "staff.false_positive")')"
check "flags: a false positive lifts the block" "false false" "$(cut -f2 "$WORK/flags" | jq -r --arg p "$FPP" 'select(.player_id == $p)' | jq -s -r 'last | "\(.suppress_marketing) \(.suppress_bonuses)"')"

# ---- the OpenAPI document: routes, live responses and the topics' messages ----
cut -f3 "$WORK/topic" >"$WORK/topic.values"; cut -f2 "$WORK/flags" >"$WORK/flags.values"
node "$(dirname "$0")/../schema/check-openapi.mjs" --url "$URL" --token "$(tok admin)" --agent "$(tok agent)" \
  --alerts "$WORK/topic.values" --flags "$WORK/flags.values" 2>&1 | sed 's/^ok - /ok - openapi: /; s/^not ok - /not ok - openapi: /'

# ---- serve without tokens, and with a broken tokens file ----
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
P2=$(free_port)
start_serve "$WORK/s.db" "$P2"
wait_for "serve without tokens" 100 curl -sf "http://127.0.0.1:$P2/healthz"
check "without --tokens the API refuses everyone" "no tokens configured: start serve with --tokens FILE" \
  "$(curl -s "http://127.0.0.1:$P2/v1/alerts" | jq -r .error)"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
printf 'sha256:abc compliance x\n' >"$WORK/bad-tokens"; chmod 600 "$WORK/bad-tokens"
"$RGMON" serve --brokers "$BROKER" --db "$WORK/s.db" --http "127.0.0.1:$P2" --tokens "$WORK/bad-tokens" 2>"$WORK/bad.err"
check "a broken tokens file stops serve" 1 $?
grep -q 'bad-tokens:1: the hash must be sha256: and 64 hex digits' "$WORK/bad.err" && ok "the error names the line" || fail "the error names the line ($(cat "$WORK/bad.err"))"
# refused_tokens NAME FILE EXPECTED-LINE: serve exits 1 and says only that
# (besides its info lines); one that starts anyway is stopped after 30 s
refused_tokens() {
  timeout 30 "$RGMON" serve --brokers "$BROKER" --db "$WORK/s.db" --http "127.0.0.1:$P2" --tokens "$2" 2>"$WORK/refused.err"
  check "$1: serve exits 1" 1 $?
  check "$1: one line says why" "rgmon: serve: $3" "$(grep -v '^rgmon: info: ' "$WORK/refused.err")"
}
cp "$TOKENS" "$WORK/open-tokens"; chmod 666 "$WORK/open-tokens"
refused_tokens "a tokens file others can write" "$WORK/open-tokens" \
  "tokens $WORK/open-tokens: mode 0666 lets others add tokens; chmod 600 $WORK/open-tokens"
# an agent's hash appended with role admin: the last line used to win
cp "$TOKENS" "$WORK/dup-tokens"
grep ' agent agent-1$' "$TOKENS" | sed 's/ agent agent-1$/ admin mallory/' >>"$WORK/dup-tokens"
refused_tokens "a tokens file with a hash twice" "$WORK/dup-tokens" \
  "$WORK/dup-tokens:$(wc -l <"$WORK/dup-tokens"): the same hash as line $(grep -n ' agent-1$' "$TOKENS" | cut -d: -f1) (a token has one role and one name)"

# ---- tokens go into the audit trail once, all in one transaction ----
# A fault on the third token's registration (a trigger): the start fails and
# leaves no token half-registered (one transaction per token kept two).
$RGMON replay --db "$WORK/t.db" --quiet /dev/null >/dev/null
sqlite3 "$WORK/t.db" "CREATE TRIGGER fault BEFORE INSERT ON audit_tokens WHEN (SELECT count(*) FROM audit_tokens) >= 2
                      BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
registered() { sqlite3 "$WORK/t.db" "select count(*) from audit_tokens; select count(*) from audit where kind = 'token_registered'" | paste -sd' '; }
timeout 30 "$RGMON" serve --brokers "$BROKER" --db "$WORK/t.db" --http "127.0.0.1:$P2" --tokens "$TOKENS" 2>"$WORK/fault.err"
check "a fault registering tokens stops serve" 1 $?
check "a start that fails registers no token" "0 0" "$(registered)"
sqlite3 "$WORK/t.db" "DROP TRIGGER fault"
for i in 1 2; do
  start_serve "$WORK/t.db" "$P2" --tokens "$TOKENS"
  wait_ready "$P2" && ok "serve starts with its tokens ($i)" || fail "serve starts with its tokens ($i)"
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
  check "each token is registered and audited once ($i)" "5 5" "$(registered)"
done

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 -subj /CN=127.0.0.1 2>/dev/null
P3=$(free_port)
start_serve "$WORK/s.db" "$P3" --tokens "$TOKENS" --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
wait_for "https" 100 curl -sfk "https://127.0.0.1:$P3/healthz"
check "TLS: https works" 200 "$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(tok compliance)" "https://127.0.0.1:$P3/v1/alerts")"
check "TLS: the certificate is the one given" "$(openssl x509 -in "$WORK/cert.pem" -noout -fingerprint -sha256)" \
  "$(openssl s_client -connect "127.0.0.1:$P3" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256)"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
"$RGMON" serve --brokers "$BROKER" --db "$WORK/s.db" --http "127.0.0.1:$P3" --tls-cert "$WORK/cert.pem" 2>"$WORK/tls.err"
check "TLS needs both files" 1 $?
finish
