#!/usr/bin/env python3
"""readme_usage.py RGMON README.md -- the README's command table against the
tool: every `rgmon ...` usage in the table's first column must be the usage
`rgmon COMMAND --help` prints (whitespace aside). Prints one line per
difference and exits 1 when there is any (test_cli.sh runs it)."""
import re
import subprocess
import sys


def usages(readme):
    for line in open(readme, encoding="utf-8"):
        if not line.startswith("| `rgmon "):
            continue
        first = re.split(r"(?<!\\)\|", line)[1]  # the first column; \| is a literal bar
        for u in re.findall(r"`(rgmon [^`]*)`", first):
            yield " ".join(u.replace("\\|", "|").split())


def tool_usage(rgmon, usage):
    words = usage.split()[1:3]
    for n in (2, 1):
        name = words[:n]
        if any(not w.isalpha() for w in name):
            continue
        r = subprocess.run([rgmon] + name + ["--help"], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.startswith("usage: rgmon " + " ".join(name)):
            return " ".join(r.stdout.split("\n\n")[0][len("usage: "):].split())
    return None


def main(rgmon, readme):
    bad = 0
    for u in usages(readme):
        t = tool_usage(rgmon, u)
        if t != u:
            bad += 1
            print("README: %s\n  tool: %s" % (u, t))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
