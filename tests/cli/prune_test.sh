#!/usr/bin/env bash
# strata prune through the real binary, on an encrypted store with 1 MiB packs holding six snapshots of a
# tree with churn (files added, rewritten under new names, deleted; a copy of the tree saved at each).
# Bad input is one line and changes nothing. With nothing forgotten a prune removes nothing. After a forget
# of four snapshots: --dry-run changes no file of the store (listed with sizes before and after) and foretells
# the run; the prune shrinks the store (packs and index files, as find measures them, agree with what it
# reports; the contents only forgotten snapshots had are gone, the kept ones' are not), `check --read-data`
# passes, every kept snapshot restores exactly (against the saved copies), and a second prune reclaims
# nothing and changes no file. A live backup lock refuses a prune with one line and changes nothing;
# --json and --progress are well formed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init prune
cd "$T"

HOST=$(hostname)
LOCK_ID=0123456789abcdef0123456789abcdef
listing() { find store/packs store/index store/snapshots -type f -printf '%P %s\n' | sort; }
store_bytes() { find store/packs store/index -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }

strata init -s store --kdf minimum --pack-size 1 >/dev/null
mkdir src
for i in $(seq 1 12); do head -c $((200000 + i * 37000)) /dev/urandom >"src/f$i"; done
for v in 0 1 2 3 4 5; do
  if ((v > 0)); then
    # Churn: two files go, two come, one is rewritten under a new name, one gets a tail (a delta).
    rm -f "src/f$((2 * v - 1))" "src/f$((2 * v))"
    head -c 300000 /dev/urandom >"src/new$v-a"
    head -c 150000 /dev/urandom >"src/new$v-b"
    head -c 20000 /dev/urandom >>src/f12
  fi
  strata backup -s store src >/dev/null
  save_version src "saved/$v"
done
mapfile -t ids < <(snapshot_ids store)
assert_eq 6 "${#ids[@]}" "snapshots made"
restore_ids() { # restore_ids I...: snapshot ids[I] restores to what saved/I holds
  local i
  for i in "$@"; do restores_to store "${ids[$i]}" "saved/$i"; done
}

note "bad input"
before=$(listing)
for bad in -1 abc 101 5x; do
  expect_exit 2 strata prune -s store "--max-unused=$bad"
  expect_stderr_line "^strata: prune: --max-unused: '$bad' is not a percentage \(0 to 100\)$"
done
expect_exit 1 strata prune -s no-such-store
expect_stderr_line "no-such-store"
assert_eq "$before" "$(listing)" "store after bad input"

note "nothing forgotten: nothing to remove"
expect_exit 0 strata prune -s store --json
assert_eq 0 "$(summary_field bytes_reclaimed)" "bytes reclaimed with every snapshot kept"
assert_eq "$before" "$(listing)" "store after a prune with every snapshot kept"

expect_exit 0 strata forget -s store "${ids[0]}" "${ids[1]}" "${ids[2]}" "${ids[4]}"
kept=(3 5)
before=$(listing)
bytes_before=$(store_bytes)

note "--dry-run"
expect_exit 0 strata prune -s store --dry-run
expect_stdout_match '^2 snapshots use [0-9]+ objects; would remove [1-9][0-9]* unused objects$'
expect_stdout_match ' would be reclaimed \(dry run: nothing was changed\)$'
assert_eq "$before" "$(listing)" "store after the dry run"
expect_exit 0 strata prune -s store --dry-run --json
dry_removed=$(summary_field objects_removed)
dry_repacked=$(summary_field packs_repacked)
assert_eq "$bytes_before" "$(summary_field bytes_before)" "bytes before, as the dry run reports them"

note "prune"
expect_exit 0 strata prune -s store --json --max-unused 5
python3 - "$T_STDOUT" <<'PY' || fail "JSON of the prune"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["type"] for l in lines[:-1]] == ["progress"] * (len(lines) - 1), lines
phases = [l["phase"] for l in lines[:-1]]
assert phases[0] == "marking" and "repacking" in phases and phases[-1] == "done", phases
s = lines[-1]
assert s["type"] == "summary", s
assert s["dry_run"] is False and s["snapshots"] == 2, s
assert s["bytes_reclaimed"] == s["bytes_before"] - s["bytes_after"] > 0, s
assert s["packs_after"] == s["packs_before"] - s["packs_deleted"] - s["packs_repacked"] + s["packs_written"], s
assert s["index_files_after"] == 1, s
PY
bytes_after=$(store_bytes)
assert_eq "$bytes_before" "$(summary_field bytes_before)" "bytes before, as the prune reports them"
assert_eq "$bytes_after" "$(summary_field bytes_after)" "bytes after, as the prune reports them"
assert_eq "$dry_removed" "$(summary_field objects_removed)" "objects removed, as the dry run foretold"
# The oracle, from the saved trees: the random (incompressible) contents only forgotten snapshots had are
# gone (f12, the base of every later f12's delta, excepted), and the contents of the kept ones are not.
read -r gone kept_bytes < <(python3 - <<'PY'
import os
def contents(v):
    return {(n, os.path.getsize(f"saved/{v}/{n}")) for n in os.listdir(f"saved/{v}")}
kept = contents(3) | contents(5)
gone = set().union(*(contents(v) for v in (0, 1, 2, 4))) - kept
print(sum(size for n, size in gone if n != "f12"), sum(size for n, size in kept if n != "f12"))
PY
)
((bytes_before - bytes_after >= gone)) ||
  fail "the store shrank by $((bytes_before - bytes_after)) bytes, the forgotten contents are $gone"
((bytes_after >= kept_bytes)) || fail "the store holds $bytes_after bytes, the kept contents are $kept_bytes"
pass "the store shrank from $bytes_before to $bytes_after bytes: the $gone bytes of forgotten contents went, the $kept_bytes of the kept ones stayed (dry run: $dry_repacked packs to repack at 10%)"
assert_eq "$(find store/packs -name '*.pack' | wc -l)" "$(summary_field packs_after)" "packs on disk"
assert_eq 1 "$(find store/index -name '*.idx' | wc -l)" "index files on disk"
assert_eq "" "$(find store/tmp -type f)" "files left in tmp/"
assert_eq "" "$(find store/locks -type f)" "locks left"
expect_exit 0 strata check -s store --read-data
restore_ids "${kept[@]}"

note "a second prune"
after=$(listing)
expect_exit 0 strata prune -s store
expect_stdout_match '^2 snapshots use [0-9]+ objects; remove 0 unused objects$'
expect_stdout_match ' 0 B reclaimed$'
assert_eq "$after" "$(listing)" "store after a second prune"

note "a live backup lock"
printf 'strata-lock 1\nkind shared\ncommand backup\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
  "$HOST" $$ "$(date +%s)" "$(date +%s)" >"store/locks/$LOCK_ID.lock"
expect_exit 1 strata prune -s store
expect_stderr_line "^strata: store store is in use by backup, host $HOST, pid $$, since [0-9T:-]+Z; try again when it has finished$"
assert_eq "$after" "$(listing)" "store after the refused prune"
assert_eq "$LOCK_ID.lock" "$(ls store/locks)" "locks after the refused prune"
rm "store/locks/$LOCK_ID.lock"

note "--progress"
expect_exit 0 strata forget -s store "${ids[3]}"
STRATA_PROGRESS_INTERVAL=0.001 expect_exit 0 strata prune -s store --progress --max-unused 0
expect_stderr_match '^strata: prune: [0-9]+(/[0-9]+)? (snapshots|packs), '
expect_exit 0 strata check -s store --read-data
restore_ids 5
