#!/usr/bin/env python3
"""evaluate_auroc.py -- the AUROC of `rgmon evaluate --per-player FILE`,
computed apart from rgmon: the share of (positive, negative) pairs of
players in which the positive's max_score is higher, ties counting one
half (Mann-Whitney), by counting scores (0-100) rather than pairs, so it
stays fast for 20,000 players. A label of "" (not labelled) or "0" is a
negative; any other label is a positive.

    python3 tests/evaluate_auroc.py per-player.csv   ->  0.997807
"""
import csv
import sys


def auroc(path):
    pos = [0] * 101
    neg = [0] * 101
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            score = min(max(int(row["max_score"]), 0), 100)
            if row["label"] in ("", "0"):
                neg[score] += 1
            else:
                pos[score] += 1
    npos, nneg = sum(pos), sum(neg)
    if not npos or not nneg:
        return None
    won, below = 0.0, 0
    for s in range(101):
        won += pos[s] * (below + 0.5 * neg[s])
        below += neg[s]
    return won / (npos * nneg)


if __name__ == "__main__":
    a = auroc(sys.argv[1])
    print("null" if a is None else "%.6f" % a)
