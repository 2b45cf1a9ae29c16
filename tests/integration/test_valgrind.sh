#!/bin/bash
# The offline paths under valgrind (memcheck): replay of a dirty file
# (duplicates and broken lines), the audit export, its verification and a
# decision's re-run. Any invalid access or definite leak fails the check.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { fail "valgrind is installed"; finish; }
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
$RGMON simulate --players 40 --days 3 --seed 2 --dirty 20 --out "$WORK/ev.jsonl" 2>/dev/null
$RGMON keygen --out "$WORK/k" >/dev/null 2>&1

# vg NAME EXPECTED-EXIT command...: memcheck clean and the expected exit
vg() {
  name=$1 want=$2; shift 2
  "${VG[@]}" --log-file="$WORK/vg.$name.log" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  if [ "$rc" = "$want" ] && [ ! -s "$WORK/vg.$name.log" ]; then ok "valgrind clean: $name"
  else fail "valgrind clean: $name (exit $rc, want $want; $(head -c 300 "$WORK/vg.$name.log"))"; fi
}
vg replay 0 "$RGMON" replay --db "$WORK/a.db" --quiet "$WORK/ev.jsonl"
vg export 0 "$RGMON" audit export --db "$WORK/a.db" --from 2026-01-01T00:00:00Z --to 2027-01-01T00:00:00Z \
  --key "$WORK/k/audit-signing.key" --out "$WORK/e.jsonl"
vg verify 0 "$RGMON" audit verify "$WORK/e.jsonl" --pubkey "$WORK/k/audit-signing.pub"
head -n 5 "$WORK/e.jsonl" >"$WORK/cut.jsonl"
vg verify-truncated 1 "$RGMON" audit verify "$WORK/cut.jsonl"
seq=$(sqlite3 "$WORK/a.db" "select seq from audit where kind = 'alert_opened' limit 1")
vg explain 0 "$RGMON" audit explain --db "$WORK/a.db" "$seq"
finish
