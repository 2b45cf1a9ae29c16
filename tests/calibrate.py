#!/usr/bin/env python3
"""Calibration table (issue 14): what a replayed stream did, per jurisdiction.

    tests/calibrate.py DB DAYS [ARCHETYPES.csv]

Reads the store rgmon replay or serve wrote (SQLite, read-only) and prints,
per jurisdiction: players, the share that ended green / amber / red /
excluded and the share that reached red at any time, and alerts per 1,000
players per day, harm and obligation apart, with the suggested actions of
the obligations. A player's jurisdiction is the one their alerts name, else
their account country; the final level is the last level change the audit
trail recorded (green when none).

With the CSV `rgmon simulate --archetypes` writes, a second table gives the
same per simulated archetype, with the share of players that got a harm
alert and the rules that opened them: calm archetypes (recreational, limit
setters) must get none.
"""
import csv
import json
import sqlite3
import sys
from collections import Counter, defaultdict


def main():
    db, days = sys.argv[1], float(sys.argv[2])
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    country = {}
    for pid, c in con.execute("select player_id, country from players"):
        country[pid] = c or "--"
    final, reached_red = {}, set()
    for pid, payload in con.execute("select player_id, payload from audit where kind = 'level_change' order by seq"):
        to = json.loads(payload)["to"]
        final[pid] = to
        if to == "red":
            reached_red.add(pid)
    alerts = defaultdict(Counter)
    actions = defaultdict(Counter)
    harm_rules = defaultdict(Counter)
    for kind, jur, action, pid, rules in con.execute(
            "select kind, jurisdiction, action, player_id, rules from alerts"):
        j = country.get(pid, jur or "--")
        alerts[j][kind] += 1
        if kind == "harm" and rules:
            first = json.loads(rules)[0]
            harm_rules[pid][first if isinstance(first, str) else first.get("id", "?")] += 1
        if kind == "obligation":
            actions[j][action] += 1
    names = ["limits", "pause", "self_exclusion", "financial_check", "contact", "deposit_block"]
    by_j = defaultdict(list)
    for pid, c in country.items():
        by_j[c].append(pid)
    head = ("jurisdiction", "players", "green", "amber", "red", "excluded", "ever red",
            "harm/1k/day", "obligation/1k/day", "obligations")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    total = Counter()
    for j in sorted(by_j):
        ps = by_j[j]
        n = len(ps)
        lv = Counter(final.get(p, "green") for p in ps)
        red_ever = sum(p in reached_red for p in ps)
        harm, obl = alerts[j]["harm"], alerts[j]["obligation"]
        total.update({"n": n, "harm": harm, "obl": obl, "red_ever": red_ever, **lv})
        obls = ", ".join(f"{names[a]} {c}" for a, c in sorted(actions[j].items()))
        print(" | ".join([j, str(n)] + [f"{100 * lv[l] / n:.1f}%" for l in ("green", "amber", "red", "excluded")] +
                         [f"{100 * red_ever / n:.1f}%", f"{1000 * harm / n / days:.2f}", f"{1000 * obl / n / days:.2f}",
                          obls or "-"]))
    n = total["n"] or 1
    print(" | ".join(["all", str(total["n"])] +
                     [f"{100 * total[l] / n:.1f}%" for l in ("green", "amber", "red", "excluded")] +
                     [f"{100 * total['red_ever'] / n:.1f}%", f"{1000 * total['harm'] / n / days:.2f}",
                      f"{1000 * total['obl'] / n / days:.2f}", "-"]))
    if len(sys.argv) > 3:
        by_archetype(sys.argv[3], country, final, harm_rules, days)


def by_archetype(path, country, final, harm_rules, days):
    arch = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            arch[row["archetype"]].append(row["player_id"])
    head = ("archetype", "players", "green", "amber", "red", "excluded", "with a harm alert",
            "harm/1k/day", "rules opening them (top 3)")
    print()
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for a, ps in sorted(arch.items(), key=lambda kv: -len(kv[1])):
        n = len(ps)
        lv = Counter(final.get(p, "green") for p in ps)
        alerted = [p for p in ps if harm_rules.get(p)]
        opened = sum(sum(harm_rules[p].values()) for p in alerted)
        top = Counter()
        for p in alerted:
            top.update(harm_rules[p])
        print(" | ".join([a, str(n)] + [f"{100 * lv[l] / n:.1f}%" for l in ("green", "amber", "red", "excluded")] +
                         [f"{100 * len(alerted) / n:.1f}%", f"{1000 * opened / n / days:.2f}",
                          ", ".join(f"{r} {c}" for r, c in top.most_common(3)) or "-"]))


if __name__ == "__main__":
    main()
