#!/usr/bin/env python3
"""audit_recipe.py -- an implementation of schemas/audit-export.md that
shares no code with rgmon: Python's standard library for JSON and SHA-256,
the openssl command for Ed25519. test_audit.sh runs it both ways against
rgmon:

  audit_recipe.py verify EXPORT [--pubkey PUB.pem]
      checks an export (JSONL or CSV) as a regulator would: every record's
      hash, the chain, checkpoint signatures, the manifest's digest, last
      hash and signature, and retention records' signatures. Prints
      "ok: ..." and exits 0, or names the first problem and exits 1.

  audit_recipe.py forge KEY.pem OUT.jsonl
      writes an export of records with adversarial payloads (control
      characters, quotes, backslashes, non-ASCII, emoji, U+2028, keys in
      every order, the largest and smallest integers), hashed, chained,
      checkpointed and signed by this recipe, for rgmon to verify.

  audit_recipe.py recipe
      prints the recipe's code, which must equal the block in the document.

The recipe between the markers below is the document's code, character for
character (test_audit.sh compares them).
"""
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile

# --- recipe (schemas/audit-export.md) ---
import hashlib

ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def canonical(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if not -(2**63) <= v < 2**63:
            raise ValueError("integer out of range: %d" % v)
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(ESCAPES.get(c) or ("\\u%04X" % ord(c) if c < " " else c) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(canonical(k) + ":" + canonical(v[k]) for k in sorted(v)) + "}"
    raise ValueError("no canonical form for %r" % (v,))  # a float


def record_hash(record):
    hashed = {k: record[k] for k in ("seq", "at", "kind", "player_id", "payload", "prev_hash")}
    if "recorded_at" in record:  # every record written since 2026-12; older ones have none
        hashed["recorded_at"] = record["recorded_at"]
    return hashlib.sha256(canonical(hashed).encode("utf-8")).hexdigest()
# --- end of recipe ---

GENESIS = "0" * 64
RECORD_MEMBERS = {"type", "seq", "at", "kind", "player_id", "payload", "prev_hash", "hash"}
ED25519_DER_PREFIX = bytes.fromhex("302a300506032b6570032100")


class Problem(Exception):
    pass


def no_repeats(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("repeated key %r" % k)
        d[k] = v
    return d


def loads(text):
    return json.loads(text, object_pairs_hook=no_repeats)


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def fingerprint(pub):
    return "sha256:" + hashlib.sha256(pub).digest()[:16].hex()


def ed25519_verify(pub, message, sig_hex):
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("key.der", "msg", "sig")}
        open(paths["key.der"], "wb").write(ED25519_DER_PREFIX + pub)
        open(paths["msg"], "wb").write(message)
        open(paths["sig"], "wb").write(bytes.fromhex(sig_hex))
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["key.der"],
                            "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]], capture_output=True)
        return r.returncode == 0


def ed25519_sign(key_pem, message):
    # Ed25519 signs in one shot: openssl wants the message as a file.
    with tempfile.NamedTemporaryFile() as f:
        f.write(message)
        f.flush()
        r = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key_pem, "-rawin", "-in", f.name],
                           capture_output=True, check=True)
    return r.stdout.hex()


def ed25519_public(key_pem):
    der = subprocess.run(["openssl", "pkey", "-in", key_pem, "-pubout", "-outform", "DER"], capture_output=True,
                         check=True).stdout
    assert der.startswith(ED25519_DER_PREFIX) and len(der) == 44, "not an Ed25519 key"
    return der[-32:]


def read_export(path):
    """(line number, dict) per record and the manifest, from JSONL or CSV."""
    raw = open(path, "rb").read().decode("utf-8")
    if raw.startswith("type,seq,"):
        # Split at "\n" only: str.splitlines() also splits at U+2028 and
        # other characters a payload holds as themselves.
        rows = list(csv.reader(raw.split("\n")[:-1] if raw.endswith("\n") else raw.split("\n")))
        # rgmon-audit-export/2 has a recorded_at column after at; /1 has none.
        columns = ["type", "seq", "at", "recorded_at", "kind", "player_id", "payload", "prev_hash", "hash"]
        if rows[0] != columns and rows[0] != columns[:3] + columns[4:]:
            raise Problem("line 1: not the CSV header")
        header = rows[0]
        for n, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                raise Problem("line %d: not %d columns" % (n, len(header)))
            col = dict(zip(header, row))
            if row[0] == "manifest":
                if any(v for k, v in col.items() if k not in ("type", "payload")):
                    raise Problem("line %d: the manifest row has a stray value" % n)
                yield n, loads(col["payload"])
            elif row[0] == "record":
                r = {"type": "record", "seq": int(col["seq"]), "at": col["at"], "kind": col["kind"],
                     "player_id": col["player_id"] or None, "payload": loads(col["payload"]),
                     "prev_hash": col["prev_hash"], "hash": col["hash"]}
                if col.get("recorded_at"):
                    r["recorded_at"] = col["recorded_at"]
                yield n, r
            else:
                raise Problem("line %d: neither record nor manifest" % n)
    else:
        for n, line in enumerate(raw.split("\n"), start=1):
            if line:
                yield n, loads(line)


def verify(path, pub_pem=None):
    records, manifest = [], None
    for n, obj in read_export(path):
        if manifest is not None:
            raise Problem("line %d: after the manifest" % n)
        if obj.get("type") == "manifest":
            manifest = (n, obj)
            continue
        if obj.get("type") != "record" or set(obj) - {"recorded_at"} != RECORD_MEMBERS:
            raise Problem("line %d: not a record of exactly the format's members" % n)
        records.append((n, obj))
    if manifest is None:
        raise Problem("no manifest")
    mline, m = manifest
    pub = ed25519_public_from_pem(pub_pem) if pub_pem else bytes.fromhex(m["public_key"])

    unsigned = {k: v for k, v in m.items() if k != "signature"}
    if not ed25519_verify(pub, canonical(unsigned).encode("utf-8"), m["signature"]):
        raise Problem("line %d: the manifest's signature does not verify" % mline)

    prev, digest, checkpoints = m["first_prev_hash"], hashlib.sha256(), 0
    seqs = m.get("seqs") or list(range(m["first_seq"], m["first_seq"] + m["count"]))
    if [r["seq"] for _, r in records] != seqs:
        raise Problem("the records are not those the manifest lists")
    last_seq = None
    for n, r in records:
        if record_hash(r) != r["hash"]:
            raise Problem("line %d (seq %d): does not match its hash" % (n, r["seq"]))
        if (last_seq is None or r["seq"] == last_seq + 1) and r["prev_hash"] != prev:
            raise Problem("line %d (seq %d): does not chain to the record before" % (n, r["seq"]))
        if r["kind"] == "checkpoint":
            p = r["payload"]
            msg = "rgmon-audit-checkpoint/1 %d %s" % (p["signs_seq"], p["signs_hash"])
            if p["signs_hash"] != r["prev_hash"] or not ed25519_verify(pub, msg.encode(), p["signature"]):
                raise Problem("line %d (seq %d): a bad checkpoint" % (n, r["seq"]))
            checkpoints += 1
        if r["kind"] == "retention":
            p = r["payload"]
            msg = "rgmon-audit-retention/1 %d %d %s" % (p["removed_first_seq"], p["removed_last_seq"], p["cut_hash"])
            if not ed25519_verify(pub, msg.encode(), p["signature"]):
                raise Problem("line %d (seq %d): a bad retention record" % (n, r["seq"]))
        digest.update((r["hash"] + "\n").encode())
        prev, last_seq = r["hash"], r["seq"]
    if digest.hexdigest() != m["records_digest"] or (records and prev != m["last_hash"]):
        raise Problem("line %d: the records do not match the manifest's digest" % mline)
    return "ok: %d records, chain intact, %d checkpoint(s) and the manifest signed by %s" % (
        len(records), checkpoints, fingerprint(pub))


def ed25519_public_from_pem(pem):
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pem, "-outform", "DER"], capture_output=True,
                         check=True).stdout
    return der[-32:]


# Strings no byte of which may be lost or re-spelled between rgmon and a
# regulator's tool.
ADVERSARIAL = [
    "escape \x1b[31mred\x1b[0m bell \x07 unit separator \x1f vertical tab \x0b",
    "short escapes: \b \f \n \r \t",
    'quote " backslash \\ slash / both \\" and \\\\u001B spelled out',
    "DEL \x7f, Latin-1 \u00e9\u00fc\u00df, CJK \u4e2d\u6587, RTL \u05e9\u05dc\u05d5\u05dd",
    "emoji \U0001F600 \U0001F3B0, beyond the BMP \U00010348",
    "line separator \u2028 paragraph separator \u2029 BOM \ufeff noncharacter \uffff",
    "",
]


def forge(key_pem, out_path):
    pub = ed25519_public(key_pem)
    pub_hex, fp = pub.hex(), fingerprint(pub)
    payloads = [
        ("staff_action", "p-adv", {"note": s, "actor": "r\u00e9gulateur \U0001F600", "n": i})
        for i, s in enumerate(ADVERSARIAL)
    ] + [
        ("level_change", "p-num", {"max": 2**63 - 1, "min": -(2**63), "negative": -42, "zero": 0,
                                   "amount": 10**15, "list": [1, -1, 0, [], {}, None, True, False]}),
        ("level_change", None, {"z": 1, "a": 2, "ab": 3, "a\x01": 4, "\u00e9": 5, "\uffff": 6, "\U0001F600": 7,
                                "A": 8, "": 9, "\x1b": {"nested \x1b": ["\u2028"]}}),
    ]
    records, prev = [], GENESIS
    for seq, (kind, player, payload) in enumerate(payloads, start=1):
        r = {"type": "record", "seq": seq, "at": "2026-11-%02dT12:00:00Z" % seq, "kind": kind, "player_id": player,
             "payload": payload, "prev_hash": prev}
        if seq > 4:  # the first written before records had recorded_at, as in a database that was migrated
            r["recorded_at"] = "2026-12-%02dT12:00:00.%03dZ" % (1 + seq // 10, seq)
        r["hash"] = record_hash(r)
        records.append(r)
        prev = r["hash"]
    head = records[-1]
    msg = "rgmon-audit-checkpoint/1 %d %s" % (head["seq"], head["hash"])
    cp = {"type": "record", "seq": head["seq"] + 1, "at": "2026-12-02T00:00:00Z", "kind": "checkpoint",
          "recorded_at": "2026-12-02T00:00:00Z", "player_id": None, "prev_hash": prev,
          "payload": {"signs_seq": head["seq"], "signs_hash": head["hash"], "public_key": pub_hex,
                      "key_fingerprint": fp, "signature": ed25519_sign(key_pem, msg.encode())}}
    cp["hash"] = record_hash(cp)
    records.append(cp)
    digest = hashlib.sha256("".join(r["hash"] + "\n" for r in records).encode()).hexdigest()
    m = {"type": "manifest", "format": "rgmon-audit-export/2", "from": "2026-11-01T00:00:00Z",
         "to": "2026-12-01T00:00:00Z", "player": None, "count": len(records), "first_seq": 1,
         "last_seq": records[-1]["seq"], "first_prev_hash": GENESIS, "last_hash": records[-1]["hash"],
         "records_digest": digest, "policies": ["p\u00f6licy \x1b@sha256:0"],
         "summary": {"alerts_by_level": {"amber": 0, "red": 0}, "interactions_by_outcome": {},
                     "alerts_acted_on": 0, "median_seconds_to_first_action": None, "overdue_alerts": 0},
         "exported_at": "2026-12-01T00:00:00Z", "public_key": pub_hex, "key_fingerprint": fp}
    m["signature"] = ed25519_sign(key_pem, canonical(m).encode("utf-8"))
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            # Lines as a different encoder would write them (spaces,
            # ASCII escapes, another member order): the hash is over the
            # canonical form of the parsed values, not over the line.
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
        f.write(json.dumps(m, ensure_ascii=False, separators=(",", ":")) + "\n")


def main(argv):
    if len(argv) >= 2 and argv[1] == "recipe":
        src = open(__file__, encoding="utf-8").read()
        start = src.index("# --- recipe (schemas/audit-export.md) ---\n") + len("# --- recipe (schemas/audit-export.md) ---\n")
        sys.stdout.write(src[start:src.index("# --- end of recipe ---")])
        return 0
    if len(argv) >= 3 and argv[1] == "verify":
        pub = argv[argv.index("--pubkey") + 1] if "--pubkey" in argv else None
        try:
            print(verify(argv[2], pub))
            return 0
        except (Problem, ValueError, KeyError, TypeError, UnicodeError, OSError) as e:
            print("%s: %s" % (argv[2], e))
            return 1
    if len(argv) == 4 and argv[1] == "forge":
        forge(argv[2], argv[3])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
