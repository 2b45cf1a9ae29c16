#!/usr/bin/env python3
"""audit_rewrite.py -- the rewrite of issue 18 (finding 4), for
test_audit_rewrite.sh: whoever holds the database and the signing key drops
the append-only trigger, edits one record, recomputes the hash of every
record after it and re-signs every later checkpoint with the key, so the
stored chain is whole again and a new export of it verifies. Only
checkpoints published before the rewrite can tell.

  audit_rewrite.py DB KEY.pem SEQ

Hashes and signatures follow schemas/audit-export.md (audit_recipe.py).
"""
import datetime
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from audit_recipe import canonical, ed25519_sign, record_hash  # noqa: E402


def rfc3339(ms):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    frac = ".%03dZ" % (ms % 1000) if ms % 1000 else "Z"
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac


def rewrite(db_path, key_pem, seq):
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER audit_append_only")
    rows = db.execute("SELECT seq, at_ms, kind, player_id, payload, prev_hash, recorded_at_ms FROM audit "
                      "WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
    prev = rows[0][5]
    for s, at_ms, kind, player_id, text, _, recorded_at_ms in rows:
        payload = json.loads(text)
        if s == seq:
            payload["note"] = "rewritten"
        if kind == "checkpoint":
            payload["signs_seq"] = s - 1
            payload["signs_hash"] = prev
            msg = ("rgmon-audit-checkpoint/1 %d %s" % (s - 1, prev)).encode()
            payload["signature"] = ed25519_sign(key_pem, msg)
        record = {"seq": s, "at": rfc3339(at_ms), "kind": kind, "player_id": player_id, "payload": payload,
                  "prev_hash": prev}
        if recorded_at_ms is not None:
            record["recorded_at"] = rfc3339(recorded_at_ms)
        h = record_hash(record)
        db.execute("UPDATE audit SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (canonical(payload), prev, h, s))
        prev = h
    db.commit()
    db.close()
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    print(rewrite(sys.argv[1], sys.argv[2], int(sys.argv[3])))
