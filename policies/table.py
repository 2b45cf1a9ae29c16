#!/usr/bin/env python3
"""Writes the "Every rule of every pack" section of policies/README.md from
the packs: per pack, every rule with its number, window, level, kind and
source. Run from the repository root:

    python3 policies/table.py           # rewrite the section
    python3 policies/table.py --check   # exit 1 when the README is out of date

Which rules shrink with the money at stake (a `.stake` function) is read
from src/rules/*.c, so the table follows the code."""
import glob
import json
import os
import re
import sys

README = "policies/README.md"
HEADING = "## Every rule of every pack"
PACK_ORDER = ["default", "uk", "se", "nl", "de", "es", "on"]  # then any other, by name

INTRO = """Generated from the packs by `python3 policies/table.py` (run it after
changing a pack; `tests/integration/test_packs.sh` checks this section is
up to date). Amounts show the pack's first currency. "pts" are points at
full strength; "amber at most" rules count up to just below red together;
"x min(1, stake / material)" marks patterns scaled by the money at stake.
The source says where the number comes from: a regulation and article, or
"rgmon house rule" -- a number rgmon chose, sometimes for an indicator a
regulator names without a number. Only rules whose number a regulator sets
are regulatory, whatever their id: the `regulatory.*` rules that carry
rgmon's own amounts say so. The money tiers are house rules: no regulator
sets amounts like them; the enforcement cases in SOURCES.md show where
operators were fined for not acting.
"""

WINDOW_NAMES = {"1h": "1 h", "24h": "24 h", "7d": "7 days", "30d": "30 days"}
NEW_ACCOUNT_NAMES = {
    "deposits_24h": "first 24 h (deposits)", "net_loss_24h": "first 24 h (net loss)",
    "deposits_7d": "first 7 days (deposits)", "net_loss_7d": "first 7 days (net loss)",
}
# Windows the parameters do not name: what the rule's code counts over.
FIXED_WINDOWS = {
    "intensity.day_one": "first 24 h",
    "intensity.first_30_days": "first 30 days",
    "intensity.daily_play_time": "local day",
}
TIERS = ("amber", "red", "strong")


def scaled_rules():
    """Rule ids whose points shrink with the money at stake (.stake set)."""
    out = set()
    for path in sorted(glob.glob("src/rules/*.c")):
        rid = None
        for line in open(path, encoding="utf-8"):
            m = re.search(r'\.id = "([^"]+)"', line)
            if m:
                rid = m.group(1)
            elif rid and re.search(r"\.stake = \w", line):
                out.add(rid)
    return out


def money(amounts, cur):
    v = amounts[cur]
    s = "{:,}".format(v // 100) if v % 100 == 0 else "{:,.2f}".format(v / 100)
    return "%s %s" % (s, cur)


def is_money(v):
    return isinstance(v, dict) and v and all(re.fullmatch(r"[A-Z]{3}", k) for k in v)


def is_tiers(v):
    return isinstance(v, dict) and v and all(k in TIERS for k in v)


def bands(bs, cur):
    out = []
    for b in bs:
        ages = "%d-%s" % (b["min_age"], b.get("max_age", ""))
        since = " from %s" % b["effective_from"] if "effective_from" in b else ""
        out.append("%s: %s%s" % (ages, money(b["threshold"], cur), since))
    return "; ".join(out)


def value(name, v, cur):
    if isinstance(v, bool):
        return "%s %s" % (name, "yes" if v else "no")
    if is_money(v):
        return "%s %s" % (name, money(v, cur))
    if isinstance(v, list) and v and isinstance(v[0], dict) and "threshold" in v[0]:
        return bands(v, cur)  # age bands, whatever the parameter's name
    if isinstance(v, (dict, list)):
        return "%s %s" % (name, json.dumps(v, ensure_ascii=False, separators=(", ", ": ")))
    return "%s %s" % (name, v)


def window_of(name, v):
    """The window a parameter names, or None when it is not a window."""
    if name == "month" and v is True:
        return "the pack's month"
    if name == "window_days":
        return "%d days" % v
    if name == "window_hours":
        return "%d h" % v
    if name == "window_minutes":
        return "%d min" % v
    return None


def tier_rows(params, cur):
    numbers, windows = [], []
    for w, tiers in params.items():
        label = WINDOW_NAMES.get(w) or NEW_ACCOUNT_NAMES.get(w) or w
        numbers.append("%s: %s" % (label, " / ".join(money(tiers[t], cur) for t in TIERS if t in tiers)))
        windows.append(label.split(" (")[0])
    return "<br>".join(numbers), ", ".join(windows)


def net_loss_windows(periods):
    """money.net_loss counts today, the pack's week and the pack's month."""
    week = "calendar week" if periods.get("week") == "calendar" else "7 days"
    month = "calendar month" if periods.get("month") == "calendar" else "30 days"
    return "day / %s / %s" % (week, month)


def describe(rid, rule, cur, scaled, periods=None):
    params = rule.get("params", {})
    tiered = params and all(is_tiers(v) for v in params.values())
    persistence = any(k in params for k in ("strong_days", "strong_count"))
    if tiered:
        number, window = tier_rows(params, cur)
    else:
        numbers, windows = [], []
        for k, v in params.items():
            w = window_of(k, v)
            if w:
                windows.append(w)
            elif rid == "money.net_loss":
                numbers.append("%s %s" % (k, money(v, cur)))
            else:
                numbers.append(value(k, v, cur))
        if rid == "money.net_loss":
            windows.insert(0, net_loss_windows(periods or {}))
        elif rid in FIXED_WINDOWS:
            windows.insert(0, FIXED_WINDOWS[rid])
        if persistence:
            windows.append("7 days for persistence")
        number = ", ".join(numbers) or "—"
        window = "; ".join(windows) or "—"
    if "effective_from" in rule:
        number = ("" if number == "—" else number + "; ") + "from " + rule["effective_from"]

    kind = rule.get("kind", "harm")
    weight = rule.get("weight", 0)
    if rule.get("enabled") is False:
        level = "off"
    elif kind == "obligation":
        level = "a task: %s" % rule.get("action", "the level's action")
    elif rule.get("strong"):
        level = "strong (red at once)"
    elif tiered:
        level = "amber / red / strong by tier"
    else:
        level = "%d pts" % weight
        if rid in scaled:
            level += " x min(1, stake / material)"
        if rule.get("max_level") == "amber":
            level += ", amber at most"
        if persistence:
            level += "; strong by persistence"
    if "due_hours" in rule:
        level += ", due %d h" % rule["due_hours"]
    source = rule.get("source") or "**none**"
    return "| `%s` | %s | %s | %s | %s | %s |" % (rid, number, window, level, kind, source.replace("|", "\\|"))


# Four eyes when a pack says nothing (src/policy.c, POLICY_REVIEW_DEFAULT_SOURCE).
REVIEW_DEFAULT = {"source": "rgmon house rule (default): a red alert closed without an intervention is "
                            "checked by a second person",
                  "outcomes": {"false_positive": ["red"], "contacted_no_action": ["red"]}}


def review_text(review):
    """The pack's "review" setting in words, with its source."""
    r = review or REVIEW_DEFAULT
    parts = ["`%s` at %s" % (o, " and ".join(levels)) for o, levels in r["outcomes"].items() if levels]
    return "Four eyes (a second person approves): %s (source: %s)." % (
        ", ".join(parts) if parts else "none", r["source"])


def pack_section(path, scaled):
    p = json.load(open(path, encoding="utf-8"))
    cur = p["currencies"][0]
    juris = p.get("jurisdiction", "")
    out = ["### `%s` (%s, %s)" % (os.path.basename(path), juris, p["name"]), ""]
    head = []
    if p.get("material"):
        head.append("Material amount (patterns count in full from): %s." % money(p["material"], cur))
    due = p.get("due_hours", {})
    sc = p.get("scoring", {})
    head.append("Cut-offs: amber %s, red %s; due hours: amber %s, red %s." % (
        sc.get("amber"), sc.get("red"), due.get("amber"), due.get("red")))
    head.append(review_text(p.get("review")))
    out += [" ".join(head), ""]
    out += ["| rule | number | window | level | kind | source |", "|---|---|---|---|---|---|"]
    for rid, rule in p["rules"].items():
        out.append(describe(rid, rule, cur, scaled, p.get("periods")))
    return "\n".join(out) + "\n"


def packs():
    files = glob.glob("policies/*.json")
    def key(f):
        name = os.path.basename(f)[:-5]
        return (PACK_ORDER.index(name) if name in PACK_ORDER else len(PACK_ORDER), name)
    return sorted(files, key=key)


def section():
    scaled = scaled_rules()
    return HEADING + "\n\n" + INTRO + "\n" + "\n".join(pack_section(f, scaled) for f in packs())


def main():
    text = open(README, encoding="utf-8").read()
    start = text.index(HEADING)
    nxt = text.find("\n## ", start + len(HEADING))
    rest = text[nxt + 1:] if nxt >= 0 else ""
    new = text[:start] + section() + ("\n" + rest if rest else "")
    if "--check" in sys.argv[1:]:
        if new != text:
            print("policies/README.md: the rule table is out of date; run python3 policies/table.py",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        open(README, "w", encoding="utf-8").write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
