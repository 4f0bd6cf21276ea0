#!/usr/bin/env bash
# A backup killed with SIGKILL leaves no visible snapshot, earlier snapshots stay intact, and the next
# backup reuses the packs that reached disk instead of storing their objects again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ -f ${STRATA_KILL_AT_LIB:-} ]] || fail "STRATA_KILL_AT_LIB must name the kill_at shim (target strata_kill_at)"
t_init crash_resume
cd "$T"

mkdir -p src/a src/b
echo first > src/a/small
strata init -s store --encryption none >/dev/null
expect_exit 0 strata backup -s store src
save_version src v1
for i in $(seq 1 6); do head -c $((40 << 20)) /dev/urandom > "src/b/f$i"; done

# Reference: the same backup uninterrupted, in a second store.
strata init -s ref --encryption none >/dev/null
strata backup -s ref src >/dev/null
ref_size=$(pack_bytes ref)

packs_before=$(find store/packs -name '*.pack' | wc -l)
# Killed as it seals its second pack (the kill_at shim, kill_at.cc): one pack has reached disk, and the
# manifest is far off. A kill timed from outside raced the backup, and could come after its manifest.
rc=0
LD_PRELOAD=$STRATA_KILL_AT_LIB STRATA_KILL_AT="rename */packs/*.pack 2" "$STRATA_BIN" backup -s store src \
  >/dev/null 2>&1 || rc=$?
assert_eq 137 "$rc" "exit status of the backup killed at its second pack"
assert_eq $((packs_before + 1)) "$(find store/packs -name '*.pack' | wc -l)" "packs the killed backup sealed"
[ "$(snapshot_ids store | wc -l)" = 1 ] || fail "killed backup left a visible snapshot"
pass "killed backup left no snapshot"
expect_exit 0 strata restore -s store latest r1
compare_trees v1 r1

expect_exit 0 strata backup -s store src
size=$(pack_bytes store)
# The first snapshot's few bytes aside, the store holds what one uninterrupted run stores, within 1%.
[ "$size" -le $((ref_size + ref_size / 100 + 65536)) ] || fail "resumed store is $size bytes, reference $ref_size"
pass "resumed backup reused the sealed packs ($size vs $ref_size bytes)"
assert_eq "" "$(pack_objects store | cut -d' ' -f2 | sort | uniq -d | head -n 3)" "objects stored twice"
expect_exit 0 strata restore -s store latest r2
compare_trees src r2
