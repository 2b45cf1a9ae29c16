#!/bin/bash
# Hostile event times (issue 18, findings 1 and 2): an event dated 9999 is
# rejected and changes no one's risk, pruning or deduplication; an event
# within the tolerance ahead evicts nothing the stream would have kept; a
# session open since year 1 costs a month of days, not 740,000.
. "$(dirname "$0")/lib.sh"

# T = 2026-11-22T11:00:00Z (12:00 in the default pack's Brussels time).
python3 - "$WORK" <<'PY'
import json, sys
from datetime import datetime, timedelta, timezone
work = sys.argv[1]
T = datetime(2026, 11, 22, 11, 0, tzinfo=timezone.utc)
def ts(t): return t.strftime("%Y-%m-%dT%H:%M:%SZ")
def write(name, events):
    with open(f"{work}/{name}", "w") as f:
        f.writelines(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
# One event a day for 36 days up to T, so the stream walks there within
# the tolerance; tick 0 ends up just out of the dedupe window, tick 1 in it.
ticks = [{"event_id": f"tick-{k}", "type": "account", "player_id": "p9",
          "ts": ts(T - timedelta(days=36) + timedelta(hours=12) + timedelta(days=k))} for k in range(36)]
# p1 loses 600,000 EUR in the hour before T: red, score 100.
base, t = [{"event_id": "b-acc", "type": "account", "player_id": "p1", "ts": ts(T - timedelta(hours=1))}], T - timedelta(minutes=40)
for i in range(12):
    base.append({"event_id": f"b-dep-{i}", "type": "deposit", "player_id": "p1", "ts": ts(t), "amount": 5000000, "currency": "EUR"})
    for j in range(5):
        t += timedelta(seconds=30)
        base.append({"event_id": f"b-r-{i}-{j}", "type": "game_round", "player_id": "p1", "ts": ts(t),
                     "stake": 1000000, "payout": 0, "currency": "EUR"})
base.append({"event_id": "b-last", "type": "contact", "player_id": "p1", "ts": ts(T), "channel": "chat", "topic": "other"})
write("history.jsonl", ticks + base)
future = {"event_id": "future-1", "type": "account", "player_id": "p1", "ts": "9999-12-31T23:59:59Z"}
write("future.jsonl", [future])
write("with_future.jsonl", ticks + base + [future])
write("outlier.jsonl", [{"event_id": "soon-1", "type": "account", "player_id": "p4", "ts": ts(T + timedelta(hours=23))}])
# 200 sessions from year 1 to T, and 200 from year 1 to 9999.
s = [{"event_id": "lim", "type": "limit_set", "player_id": "s0", "ts": ts(T - timedelta(hours=2)),
      "limit": "session_time", "period": "day", "value": 1440}]
for i in range(200):
    for who, end in ((f"s{i}", ts(T)), (f"y{i}", "9999-12-31T23:59:59Z")):
        s.append({"event_id": f"{who}-start", "type": "session_start", "player_id": who, "ts": "0001-01-01T00:00:00Z", "session_id": "x"})
        s.append({"event_id": f"{who}-end", "type": "session_end", "player_id": who, "ts": end, "session_id": "x"})
write("sessions.jsonl", s)
PY
N=$(($(wc -l <"$WORK/history.jsonl") - 36))   # p1's events
risk() { $RGMON player show "$1" --db "$2" --json 2>&1; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# 1. A 9999 event onto a red player.
DB=$WORK/a.db
check "history replays" "{\"events\":$((36 + N)),\"accepted\":$((36 + N)),\"duplicates\":0,\"rejected\":0,\"alerts\":1,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --quiet --db "$DB" "$WORK/history.jsonl")"
before=$(risk p1 "$DB")
check "p1 is red before" "red 100 2026-11-22T11:00:00Z" "$(echo "$before" | field 'd["level"], d["score"], d["as_of"]' | tr -d "(),'")"
check "the 9999 event is rejected" '{"events":1,"accepted":0,"duplicates":0,"rejected":1,"alerts":0,"duplicate_conflicts":0}' \
  "$($RGMON replay --quiet --db "$DB" "$WORK/future.jsonl")"
check "p1's risk is unchanged by it (still red 100, same as_of)" "$before" "$(risk p1 "$DB")"
# History lies in the past: the bound is measured from the clock, the
# later of the two.
check "the rejected list names it with its reason" \
  "$(printf '%s\t%s\t%s' "$WORK/future.jsonl:1" future-1 "ts 9999-12-31T23:59:59Z is more than 720 h ahead of the clock")" \
  "$($RGMON rejected list --db "$DB" | tail -n1 | sed 's/ the clock .*/ the clock/')"
check "stats count it as rejected" 1 "$($RGMON stats --db "$DB" | field 'd["rejected"]')"

# The same file twice applies nothing twice; the stream's time, kept in the
# database, still rejects the 9999 event in the second run.
DB2=$WORK/b.db
check "a file with the 9999 event: the rest is accepted" \
  "{\"events\":$((37 + N)),\"accepted\":$((36 + N)),\"duplicates\":0,\"rejected\":1,\"alerts\":1,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --quiet --db "$DB2" "$WORK/with_future.jsonl")"
check "replayed again: nothing accepted twice" \
  "{\"events\":$((37 + N)),\"accepted\":0,\"duplicates\":$((36 + N)),\"rejected\":1,\"alerts\":0,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --quiet --db "$DB2" "$WORK/with_future.jsonl")"
check "and p1 is red as in the first database" "$before" "$(risk p1 "$DB2")"

# History with a long quiet spell, all of it in the past (a scenario file,
# a small operator's year): nothing is rejected, as the bound is measured
# from the later of the stream's time and the clock.
printf '%s\n' '{"event_id":"q-1","type":"account","player_id":"q1","ts":"2025-04-20T10:00:00Z","country":"GB"}' \
  '{"event_id":"q-2","type":"account","player_id":"q2","ts":"2026-11-02T10:00:00Z","country":"GB"}' >"$WORK/quiet.jsonl"
check "a gap of 18 months in past history is no reason to reject" \
  '{"events":2,"accepted":2,"duplicates":0,"rejected":0,"alerts":0,"duplicate_conflicts":0}' \
  "$($RGMON replay --quiet --db "$WORK/quiet.db" "$WORK/quiet.jsonl")"

# A wider tolerance is an option.
$RGMON replay --quiet --db "$DB2" --max-ahead-hours 0 "$WORK/future.jsonl" >/dev/null 2>&1
check "--max-ahead-hours 0 is a usage error" 2 $?

# 2. With a tolerance of 24 h (serve's), an event 23 h ahead is accepted;
# pruning (at a run's first commit) keeps the dedupe window behind the
# stream's time less the tolerance, so it evicts nothing the stream without
# it would have kept: only tick 0, already out of the window
# (T - 35 d - 12 h), comes back as new.
check "an event 23 h ahead is accepted" '{"events":1,"accepted":1,"duplicates":0,"rejected":0,"alerts":0,"duplicate_conflicts":0}' \
  "$($RGMON replay --quiet --db "$DB" --max-ahead-hours 24 "$WORK/outlier.jsonl")"
check "history again after it: only the event already out of the window is new" \
  "{\"events\":$((36 + N)),\"accepted\":1,\"duplicates\":$((35 + N)),\"rejected\":0,\"alerts\":0,\"duplicate_conflicts\":0}" \
  "$($RGMON replay --quiet --db "$DB" --max-ahead-hours 24 "$WORK/history.jsonl")"
check "p1's risk is still unchanged" "$before" "$(risk p1 "$DB")"

# 3. Sessions from year 1: the replay completes (each one that ends is a
# session of 2,025 years: an alert), the ends dated 9999 are
# rejected, and a session's play time lands on the days it ended on
# (today: 00:00 to 12:00 Brussels time = 720 minutes).
check "200 sessions from year 1 to T and 200 to 9999" \
  '{"events":801,"accepted":601,"duplicates":0,"rejected":200,"alerts":200,"duplicate_conflicts":0}' \
  "$($RGMON replay --quiet --db "$DB" "$WORK/sessions.jsonl")"
check "today's play of a session open since year 1 is 720 minutes" "session_time day 720" \
  "$(risk s0 "$DB" | field '" ".join(str(x) for x in (d["limits"][0]["limit"], d["limits"][0]["period"], d["limits"][0]["used"]))')"

# 4. serve: the 9999 event first, onto an empty database (the clock bounds
# it there), then the history, then the 9999 event again: both go to the
# dead letter topic with their reason, and p1 ends red as in replay.
start_broker 1
PORT=$(free_port)
{ keyed "$WORK/future.jsonl"; keyed "$WORK/history.jsonl"; keyed "$WORK/future.jsonl"; } |
  kcat -P -b "$BROKER" -t rg.events -K '	' 2>/dev/null
check "kcat produced" 0 $?
start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
all_in() { [ "$(( $(metric "$PORT" accepted) + $(metric "$PORT" duplicate) + $(metric "$PORT" rejected) ))" -eq $((38 + N)) ]; }
wait_for "all events" 300 all_in && ok "serve consumed everything" || fail "serve consumed everything"
check "serve rejected both 9999 events" 2 "$(metric "$PORT" rejected)"
check "and the first was rejected" "future-1" "$($RGMON rejected list --db "$WORK/s.db" --json | jq -r .event_id | head -n1)"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check "p1 is red under serve as in replay" "$before" "$(risk p1 "$WORK/s.db")"
kcat -C -b "$BROKER" -t rg.events.dlq -e -q -f '%k\t%h\n' >"$WORK/dlq" 2>/dev/null
check "two dead letters, each with its reason" 2 \
  "$(grep -c '^p1	rgmon.reason=ts 9999-12-31T23:59:59Z is more than 24 h ahead of ' "$WORK/dlq")"

finish
