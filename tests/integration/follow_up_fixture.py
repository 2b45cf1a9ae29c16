#!/usr/bin/env python3
"""Events for the follow-up test (test_follow_up.sh), in three parts. The
default pack counts days in Central European time (UTC+2 in September).

part 1: players fu-a and fu-b, each a red loss-chasing session ending
        with a round at the anchor, 2026-09-10T12:00Z (UTC pack);
part 2: fu-a after the resolution (day 1, a limit on day 2, day 7, day 8),
        and fu-c, a calm player, moving the stream's time to 2026-09-19;
part 3: fu-c alone, moving the stream's time past 2026-10-11 (the end of
        the 30-day window, 2026-10-10T22:00Z). fu-b has no events after the resolution.
Usage: follow_up_fixture.py PART > events.jsonl
"""
import json
import sys
from datetime import datetime, timedelta, timezone

U = timezone.utc
ANCHOR = datetime(2026, 9, 10, 12, 0, tzinfo=U)
N = {}


def emit(pid, t, type_, **f):
    N[pid] = N.get(pid, 0) + 1
    e = {"event_id": f"{pid}-p{sys.argv[1]}-{N[pid]}", "type": type_, "player_id": pid,
         "ts": t.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    e.update(f)
    print(json.dumps(e))


def sek(pid, t, type_, **f):
    emit(pid, t, type_, currency="SEK", **f)


def part1():
    for pid in ("fu-a", "fu-b"):
        emit(pid, datetime(2026, 8, 20, 9, 0, tzinfo=U), "account", country="SE", birth_year=1990)
        sek(pid, datetime(2026, 8, 25, 10, 0, tzinfo=U), "deposit", amount=300000, status="approved")
        t = ANCHOR - timedelta(hours=2)
        emit(pid, t - timedelta(minutes=5), "session_start", session_id=pid + "-s1")
        for i in range(20):
            sek(pid, t + timedelta(minutes=i), "game_round", stake=20000, payout=0)
        for i in range(5):
            sek(pid, t + timedelta(minutes=25 + 5 * i), "deposit", amount=100000 * 2 ** i, status="approved")
            for k in range(3):
                sek(pid, t + timedelta(minutes=26 + 5 * i, seconds=k * 10), "game_round",
                    stake=50000 * 2 ** i, payout=0)
        emit(pid, ANCHOR - timedelta(minutes=1), "session_end", session_id=pid + "-s1")
        sek(pid, ANCHOR, "game_round", stake=10000, payout=0)


def calm(t, until):
    while t <= until:
        sek("fu-c", t, "game_round", stake=100, payout=100)
        t += timedelta(hours=12)


def part2():
    sek("fu-a", datetime(2026, 9, 11, 12, 0, tzinfo=U), "deposit", amount=70000, status="approved")
    sek("fu-a", datetime(2026, 9, 11, 12, 5, tzinfo=U), "game_round", stake=7000, payout=0)
    emit("fu-a", datetime(2026, 9, 12, 9, 0, tzinfo=U), "limit_set", limit="deposit", period="day", value=50000)
    # the last second of day 7 and the first of day 8 in the pack's time zone (CEST, UTC+2)
    sek("fu-a", datetime(2026, 9, 17, 21, 59, 59, tzinfo=U), "game_round", stake=14000, payout=0)
    sek("fu-a", datetime(2026, 9, 17, 22, 0, tzinfo=U), "deposit", amount=30000, status="approved")
    calm(datetime(2026, 9, 10, 18, 0, tzinfo=U), datetime(2026, 9, 19, 0, 0, tzinfo=U))


def part3():
    calm(datetime(2026, 9, 19, 6, 0, tzinfo=U), datetime(2026, 10, 12, 0, 0, tzinfo=U))


{"1": part1, "2": part2, "3": part3}[sys.argv[1]]()
