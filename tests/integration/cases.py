#!/usr/bin/env python3
"""Players shaped after public enforcement cases, and calm players.

Writes the events of every case as one JSONL stream (stdout) and what each
case expects (the file named by the first argument, JSON). The figures are
the published ones (policies/SOURCES.md, section 7); where a notice gives
only spend or stakes, the losses modelled are stated beside the case.
Deterministic: the same script gives the same stream.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

EVENTS = []
CASES = []


def ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Player:
    def __init__(self, pid, country, birth_year, currency, opened):
        self.pid, self.cur, self.n = pid, currency, 0
        self.emit(opened, "account", country=country, birth_year=birth_year)

    def emit(self, t, type_, **fields):
        self.n += 1
        ev = {"event_id": f"{self.pid}-{self.n}", "type": type_, "player_id": self.pid, "ts": ts(t)}
        ev.update(fields)
        EVENTS.append(ev)

    def deposit(self, t, major, status="approved", **extra):
        self.emit(t, "deposit", amount=int(round(major * 100)), currency=self.cur, status=status, **extra)

    def withdraw(self, t, major, status="completed"):
        self.emit(t, "withdrawal", amount=int(round(major * 100)), currency=self.cur, status=status)

    def spins(self, start, n, every_s, stake_major, payout_ratio=0.9):
        """n slot rounds of stake_major each, every_s seconds apart."""
        stake = int(round(stake_major * 100))
        for i in range(n):
            self.emit(start + timedelta(seconds=every_s * i), "game_round", stake=stake,
                      payout=int(stake * payout_ratio), currency=self.cur, game_category="slots")

    def contact(self, t, topic):
        self.emit(t, "contact", channel="chat", topic=topic)

    def session(self, start, minutes, deposits, staked, payout_ratio, rounds=None, category=None):
        """A session: deposits (major units) spread over its first part,
        `staked` major units in equal rounds, each paying back
        payout_ratio of its stake (< 1 loses, > 1 wins), of game_category
        `category` when given."""
        sid = f"{self.pid}-s{self.n}"
        self.emit(start, "session_start", session_id=sid)
        rounds = rounds or max(1, min(400, int(minutes * 2)))
        step = timedelta(minutes=minutes) / (rounds + 1)
        for i, d in enumerate(deposits):
            self.deposit(start + timedelta(seconds=20) + step * (i * rounds // max(1, len(deposits))), d)
        stake = int(round(staked * 100 / rounds))
        for i in range(rounds):
            t = start + step * (i + 1) + timedelta(seconds=30)
            extra = {"game_category": category} if category else {}
            self.emit(t, "game_round", stake=stake, payout=int(stake * payout_ratio), currency=self.cur,
                      session_id=sid, **extra)
        self.emit(start + timedelta(minutes=minutes, seconds=40), "session_end", session_id=sid)


def case(name, source, player, expect):
    CASES.append({"case": name, "source": source, "player": player.pid, "expect": expect})


T0 = datetime(2026, 11, 2, tzinfo=timezone.utc)


def at(day, hour, minute=0):
    return T0 + timedelta(days=day, hours=hour, minutes=minute)


# ---- enforcement cases ------------------------------------------------------
p = Player("wh-new-23k", "GB", 1990, "GBP", at(2, 19, 50))
# "spend £23,000 in 20 minutes" on a new account; modelled as deposits of
# £23,000 staked at once, losing £20,000 (no loss figure was published).
p.session(at(2, 20), 20, [2300] * 10, 23000, 0.13)
case("William Hill 2023: new account spends GBP 23,000 in 20 min", "UKGC 28 Mar 2023", p,
     {"harm": "red", "flag": True, "due_max_h": 24, "rule_prefix": "money."})

p = Player("wh-54k-4w", "GB", 1984, "GBP", at(0, 18))
for d in range(28):  # GBP 54,252 lost in four weeks
    p.session(at(d, 19), 90, [1938], 9000, 1 - 1937.57 / 9000)
case("William Hill 2023: GBP 54,252 lost in 4 weeks", "UKGC 28 Mar 2023", p,
     {"harm": "red", "flag": True, "due_max_h": 24})

p = Player("wh-raise-24h", "GB", 1988, "GBP", at(0, 18))
# A raised limit must wait 24 h (RTS 12); William Hill let customers bet
# past their old limit at once. GBP 500 a day, raised to GBP 5,000 on day 5
# at 19:00, then GBP 3,000 deposited at 19:30: the old limit still holds,
# and the operator let the deposit through.
p.emit(at(0, 18, 5), "limit_set", limit="deposit", period="day", value=50000)
p.session(at(1, 19), 45, [200], 150, 0.95)
p.emit(at(5, 19), "limit_set", limit="deposit", period="day", value=500000)
p.session(at(5, 19, 30), 40, [3000], 2500, 0.9)
case("William Hill 2023: a deposit over the limit 30 min after a raise (RTS 12: 24 h wait)", "UKGC 28 Mar 2023; RTS 12", p,
     {"harm": "red", "flag": True, "due_max_h": 24, "rule_prefix": "limits.breach"})

p = Player("kindred-43k-7d", "GB", 1979, "GBP", at(0, 18))
for d in range(7):  # GBP 43,000 deposited, GBP 36,000 lost in 7 days
    p.session(at(d, 20), 120, [43000 / 7], 20000, 1 - (36000 / 7) / 20000)
case("32Red 2023: GBP 43,000 deposited, GBP 36,000 lost in 7 days", "UKGC 23 Mar 2023", p,
     {"harm": "red", "flag": True, "due_max_h": 24})

p = Player("betfred-winner", "GB", 1970, "GBP", at(0, 9))
for d in range(0, 60, 2):  # GBP 517,499 staked in two months by a winning customer
    p.session(at(d, 12), 180, [1000], 517499 / 30, 1.01)
    p.withdraw(at(d, 16), 1000)
case("Betfred 2023: a winner stakes GBP 517,499 in 2 months", "UKGC 18 Jul 2023 (retail; modelled online)", p,
     {"harm": "amber_or_more"})

p = Player("agc-6k-48h", "GB", 2001, "GBP", at(0, 18))
p.session(at(5, 18), 240, [1000, 1000, 1000], 9000, 1 - 3000 / 9000)
p.session(at(6, 18), 240, [1000, 1000, 1000], 9000, 1 - 3000 / 9000)
case("AG Communications 2025: GBP 6,000 lost in 48 h", "UKGC 4 Mar 2025", p,
     {"harm": "amber_or_more", "alert_before": ts(at(6, 18))})

p = Player("petfre-70k-10h", "GB", 1986, "GBP", at(0, 12))
p.session(at(1, 10), 600, [7000] * 10, 90000, 1 - 70000 / 90000)  # the day after opening
case("Petfre 2022: GBP 70,000 lost in 10 h the day after opening", "UKGC 28 Sep 2022", p,
     {"harm": "red", "flag": True, "due_max_h": 24})

p = Player("spreadex-1-7m", "GB", 1975, "GBP", at(0, 8))
for d in range(30):  # GBP 1.7 million deposited, GBP 500,000 lost in a month
    p.session(at(d, 14), 120, [1700000 / 30], 60000, 1 - (500000 / 30) / 60000)
case("Spreadex 2022: GBP 1.7 m deposited, GBP 500,000 lost in a month", "UKGC 25 Aug 2022", p,
     {"harm": "red", "flag": True, "due_max_h": 24})

p = Player("betcity-21yo", "NL", 2005, "EUR", at(0, 17))
for d in range(14):  # a 21-year-old lost EUR 45,000 in two weeks
    p.session(at(d, 19), 120, [45000 / 14], 10000, 1 - (45000 / 14) / 10000)
case("Betcity (KSA): a 21-year-old loses EUR 45,000 in 2 weeks", "KSA 2025", p,
     {"harm": "red", "flag": True, "due_max_h": 1, "obligation": "financial_check"})

p = Player("thescore-100k", "CA", 1988, "CAD", at(0, 22))
for d in range(30):  # about CAD 100,000 lost in the first month, bonus requests
    p.session(at(d, 23), 120, [3400], 12000, 1 - 3333 / 12000)
    if d % 7 == 3:
        p.contact(at(d, 23, 50), "bonus_request")
case("theScore (AGCO): CAD 100,000 lost in the first month, bonus requests", "AGCO Oct 2025", p,
     {"harm": "red", "flag": True, "due_max_h": 24})

# ---- obligations --------------------------------------------------------------
p = Player("ob-gb-160", "GB", 1990, "GBP", at(0, 18))
p.session(at(1, 19), 45, [80], 60, 0.95)
p.session(at(12, 19), 45, [80], 60, 0.95)
case("GB: GBP 160 net deposits in 30 days owe a financial vulnerability check", "LCCP SR 3.4.4", p,
     {"harm": "none", "obligation": "financial_check"})

p = Player("ob-se-15k", "SE", 1990, "SEK", at(0, 18))
p.session(at(1, 19), 45, [500], 400, 0.95)
p.emit(at(2, 10), "limit_set", limit="deposit", period="month", value=1500000)
case("SE: a SEK 15,000 monthly deposit limit owes contact", "Spelinspektionen", p,
     {"harm": "none", "obligation": "contact"})

p = Player("se-raise-period", "SE", 1985, "SEK", at(0, 18))
# Sweden: a raise waits 72 h and the end of the running month. SEK 1,000 a
# month, raised to SEK 20,000 on day 3, SEK 5,000 deposited on day 8:
# past 72 h, inside the month, so SEK 1,000 still holds.
p.emit(at(0, 18, 5), "limit_set", limit="deposit", period="month", value=100000)
p.emit(at(3, 10), "limit_set", limit="deposit", period="month", value=2000000)
p.session(at(8, 19), 40, [5000], 4000, 0.9)
case("SE: a deposit over the old limit after 72 h, before the running month ends", "spelförordningen 11 kap. 3 §", p,
     {"harm": "red", "flag": True, "due_max_h": 24, "rule_prefix": "limits.breach"})

p = Player("ob-nl-22", "NL", 2004, "EUR", at(0, 18))
p.session(at(1, 19), 45, [200], 150, 0.95)
p.session(at(9, 19), 45, [150], 120, 0.95)
case("NL: EUR 350 net deposits in a month at 22 owe a check within 1 h", "KSA Beleidsregel 2024", p,
     {"harm": "none", "obligation": "financial_check", "obligation_due_max_h": 1})

# ---- the operator's breaches and other rules a regulator dates (issue 14, item 5) ----
BREACH = {"harm": "none", "obligation": "compliance_review", "obligation_due_max_h": 24}

p = Player("ob-gb-slot-22", "GB", 2004, "GBP", at(0, 18))
p.deposit(at(1, 19), 50)
p.spins(at(1, 19, 5), 20, 6, 4)  # GBP 4 a spin at 22
case("GB: a 22-year-old stakes GBP 4 a slot spin (cap GBP 2 from 21 May 2025)", "SI 2025/215", p,
     dict(BREACH, obligation_rule="compliance.slot_stake"))

p = Player("ok-gb-slot-25", "GB", 1996, "GBP", at(0, 18))
p.deposit(at(1, 19), 50)
p.spins(at(1, 19, 5), 20, 6, 4)  # GBP 4 a spin at 30: under the GBP 5 cap
case("GB: a 30-year-old stakes GBP 4 a slot spin", "SI 2025/215 (compliant)", p,
     {"harm": "none", "obligation": "none", "final": "green"})

p = Player("ok-gb-slot-22-early", "GB", 2003, "GBP", datetime(2025, 4, 20, 18, tzinfo=timezone.utc))
p.deposit(datetime(2025, 5, 1, 19, tzinfo=timezone.utc), 50)
p.spins(datetime(2025, 5, 1, 19, 5, tzinfo=timezone.utc), 20, 6, 4)  # before the GBP 2 cap began
case("GB: a 22-year-old stakes GBP 4 a slot spin on 1 May 2025, before the cap", "SI 2025/215 (not yet)", p,
     {"harm": "none", "obligation": "none"})

p = Player("ob-gb-fast-spins", "GB", 1985, "GBP", at(0, 18))
p.deposit(at(2, 19), 20)
p.spins(at(2, 19, 5), 30, 1, 0.2)  # a spin a second
case("GB: slot spins a second apart (2.5 s minimum)", "RTS 14", p,
     dict(BREACH, obligation_rule="compliance.slot_cycle"))

p = Player("ob-gb-reversal", "GB", 1980, "GBP", at(0, 18))
p.session(at(3, 19), 45, [100], 60, 1.5)
p.withdraw(at(3, 20), 80, "requested")
p.withdraw(at(3, 20, 10), 80, "cancelled")
case("GB: a withdrawal the player could cancel", "RTS 14B", p,
     dict(BREACH, obligation_rule="compliance.reversed_withdrawal"))

p = Player("ob-se-credit", "SE", 1988, "SEK", at(0, 18))
p.deposit(at(4, 19), 500, instrument_type="credit_card")
case("SE: a deposit by credit card (banned from 1 May 2026)", "Spellagen, Prop. 2025/26:11", p,
     dict(BREACH, obligation_rule="compliance.credit_deposit"))

p = Player("ok-se-debit", "SE", 1988, "SEK", at(0, 18))
p.deposit(at(4, 19), 500, instrument_type="debit_card")
case("SE: a deposit by debit card", "Spellagen (compliant)", p, {"harm": "none", "obligation": "none", "final": "green"})

p = Player("ob-es-intensive", "ES", 1990, "EUR", at(0, 18))
for d in (1, 8, 15):  # EUR 650 lost over three weeks, then a credit card
    p.session(at(d, 20), 60, [250], 400, 1 - 650 / 3 / 400)
p.deposit(at(16, 20), 100, instrument_type="credit_card")
case("ES: EUR 650 lost in 3 weeks makes an intensive player; then a credit card", "RD 176/2023", p,
     {"obligation": "contact", "obligation_rule": "regulatory.intensive_player", "also_rule": "compliance.credit_deposit",
      "obligation_due_max_h": 72})

p = Player("ok-es-credit", "ES", 1990, "EUR", at(0, 18))
p.deposit(at(5, 20), 100, instrument_type="credit_card")
p.session(at(5, 20, 5), 40, [], 30, 0.9)
case("ES: a credit card from a player who is not intensive", "RD 176/2023 arts. 21, 30.2 (compliant)", p,
     {"harm": "none", "obligation": "none", "final": "green"})

p = Player("ob-nl-limit-22", "NL", 2004, "EUR", at(0, 18))
p.deposit(at(1, 19), 20)
p.emit(at(2, 10), "limit_set", limit="deposit", period="month", value=20000)
case("NL: a 22-year-old sets a EUR 200 monthly deposit limit (over EUR 150)", "Stcrt. 2024, 19648", p,
     {"harm": "none", "obligation": "contact", "obligation_rule": "limits.high_limit", "obligation_due_max_h": 24})

p = Player("ok-nl-limit-30", "NL", 1996, "EUR", at(0, 18))
p.deposit(at(1, 19), 20)
p.emit(at(2, 10), "limit_set", limit="deposit", period="month", value=30000)
case("NL: a 30-year-old sets a EUR 300 monthly deposit limit (under EUR 350)", "Stcrt. 2024, 19648 (compliant)", p,
     {"harm": "none", "obligation": "none", "final": "green"})

p = Player("ob-de-slot-2eur", "DE", 1985, "EUR", at(0, 18))
p.deposit(at(1, 19), 50)
p.spins(at(1, 19, 5), 10, 6, 2)  # EUR 2 a virtual slot game
case("DE: EUR 2 a virtual slot game (EUR 1 maximum)", "GlüStV § 22a", p,
     dict(BREACH, obligation_rule="compliance.slot_stake"))

p = Player("ok-de-slot", "DE", 1985, "EUR", at(0, 18))
p.deposit(at(1, 19), 50)
p.spins(at(1, 19, 5), 60, 5, 1)  # EUR 1 every 5 s
case("DE: EUR 1 a virtual slot game every 5 s", "GlüStV § 22a (compliant)", p,
     {"harm": "none", "obligation": "none", "final": "green"})

p = Player("calm-gb-slots", "GB", 2002, "GBP", at(0, 18))
for d in range(0, 28, 4):  # a 24-year-old: GBP 10 on slots twice a week, 0.25 a spin
    p.session(at(d, 20), 40, [10], 30, 0.93, rounds=120, category="slots")
case("Control: young recreational slots player", "calm", p, {"harm": "none", "obligation": "none", "final": "green"})

# ---- calm players: green, or at most amber --------------------------------------
p = Player("calm-recreational", "GB", 1982, "GBP", at(0, 18))
for d in range(0, 28, 4):  # GBP 10 twice a week, evenings, small stakes
    p.session(at(d, 20), 40, [10], 30, 0.93)
case("Control: recreational player", "calm", p, {"harm": "none", "final": "green"})

p = Player("calm-high-roller", "GB", 1968, "GBP", at(0, 9))
for d in range(0, 28, 7):  # GBP 2,000 a week, withdraws, loses a little
    p.session(at(d, 20), 120, [2000], 6000, 0.97)
    p.withdraw(at(d, 23), 1500)
case("Control: steady affordable high roller who withdraws", "calm", p, {"harm": "amber_or_less"})

p = Player("calm-winner", "SE", 1991, "SEK", at(0, 18))
for d in range(0, 28, 3):  # SEK 300 a time, wins a little, withdraws
    p.session(at(d, 19), 60, [300], 600, 1.05)
    if d % 9 == 0:
        p.withdraw(at(d, 21), 200)
case("Control: modest winner", "calm", p, {"harm": "none", "final": "green"})

p = Player("calm-toronto", "CA", 1985, "CAD", at(0, 23))
for d in range(21):  # 19:00-21:30 in Toronto = 00:00-02:30 UTC next day
    p.session(at(d + 1, 0), 150, [40] if d % 3 == 0 else [], 60, 0.96)
case("Control: evening play in Toronto", "calm", p, {"harm": "none", "final": "green"})


def main():
    EVENTS.sort(key=lambda e: (e["ts"], e["player_id"], int(e["event_id"].rsplit("-", 1)[1])))
    with open(sys.argv[1], "w") as f:
        json.dump(CASES, f, indent=1)
    for e in EVENTS:
        sys.stdout.write(json.dumps(e, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
