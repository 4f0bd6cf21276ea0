#!/usr/bin/env bash
# A tree with every file type and edge case, backed up, then mutated ten times with a backup after each
# step. Every snapshot must restore to exactly the saved copy of its version (diff -r plus modes, ns
# mtimes, owners, hardlink groups, symlink targets, xattrs, sparseness), subtrees and single files too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init roundtrip
cd "$T"

make_edge_tree src
strata init -s store --kdf minimum >/dev/null
names=()
for step in $(seq 0 10); do
  [ "$step" = 0 ] || mutate_tree src "$step"
  save_version src "v$step"
  expect_exit 0 strata backup -s store src --label "step $step"
  names+=("$(strata snapshots -s store --json | grep -o '"name":"[^"]*"' | tail -n 1 | cut -d'"' -f4)")
done
[ "$(strata snapshots -s store --json | grep -c '"id"')" = 11 ] || fail "expected 11 snapshots"

# Nothing changed since the last backup: not one content byte is read.
expect_exit 0 strata backup -s store src
strata snapshots -s store --json | tail -n 2 | grep -q '"bytes_read":0,' || fail "unchanged backup read content"
pass "unchanged tree: 0 bytes read"

for step in $(seq 0 10); do
  expect_exit 0 strata restore -s store "${names[$step]}" "r$step"
  compare_trees "v$step" "r$step"
  rm -rf "r$step"
done

# The smallest frames (every read spans many of them) restore exactly too.
strata init -s store4k --kdf minimum --frame-size 4 >/dev/null
assert_eq 0c "$(od -An -tx1 -j32 -N1 store4k/strata-store | tr -d ' ')" "the header's data_frame_log2"
expect_exit 0 strata backup -s store4k src
expect_exit 0 strata restore -s store4k latest r4k
compare_trees v10 r4k
rm -rf r4k

# Subtrees and single files, from an old snapshot.
expect_exit 0 strata restore -s store "${names[3]}" sub --path "$(dirname "$EDGE_RANDOM_REL")"
compare_trees "v3/$(dirname "$EDGE_RANDOM_REL")" sub
strata cat -s store "${names[3]}" "$EDGE_RANDOM_REL" | cmp - "v3/$EDGE_RANDOM_REL" || fail "cat of an old version differs"
pass "cat of an old version"
strata cat -s store latest "$EDGE_RANDOM_REL" | cmp - "v10/$EDGE_RANDOM_REL" || fail "cat of the latest version differs"
pass "cat of the latest version"

# ls agrees with find on the names of the tree (escapes aside: compare counts).
want=$(cd v10 && find . -mindepth 1 -printf . | wc -c)
got=$(strata ls -s store latest -r | wc -l)
[ "$want" = "$got" ] || fail "ls -r lists $got entries, find lists $want"
pass "ls -r lists every entry"
