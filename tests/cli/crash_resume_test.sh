#!/usr/bin/env bash
# A backup killed with SIGKILL leaves no visible snapshot, earlier snapshots stay intact, and the next
# backup reuses the packs that reached disk instead of storing their objects again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
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
"$STRATA_BIN" backup -s store src > /dev/null 2>&1 &
pid=$!
# Kill once this backup has sealed a pack, long before it can reach its manifest.
for _ in $(seq 1 600); do
  [ "$(find store/packs -name '*.pack' | wc -l)" -gt "$packs_before" ] && break
  sleep 0.02
done
[ "$(find store/packs -name '*.pack' | wc -l)" -gt "$packs_before" ] || fail "no pack was sealed before the kill"
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
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
