#!/usr/bin/env bash
# strata coalesce through the real binary, on a file edited 30 times with a backup after each edit (one
# delta chain of depth 29, as `strata log` shows), beside a file that never changes; a copy of the tree
# is saved at each backup. Bad input and a store held by a backup are one line and write nothing (index/
# listed before and after); --dry-run writes nothing; neither does a coalesce killed as it seals a pack
# or commits its index file. --max-chain 5 leaves no chain deeper than 5 in
# `strata log`; --before SNAPSHOT makes that snapshot's version FULL and no later version depend on an
# earlier one. After each, every snapshot restores exactly (against the saved copies), `check
# --read-data` passes, and a second run rewrites nothing. (Coalesce, forget and prune shrinking the
# store is tested with prune.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init coalesce
cd "$T"

N=30
HOST=$(hostname)
LOCK_ID=0123456789abcdef0123456789abcdef
idx() { ls store/index | grep '\.idx$'; } # committed index files (a killed commit leaves a .tmp. one)
index_files() { idx | sha256sum | cut -c1-16; }
summary() { # summary KEY: a field of the last --json summary line on stdout
  python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' \
    "$T_STDOUT" "$1"
}
all_restore_exactly() {
  local i
  for ((i = 0; i < N; i++)); do restores_to store "${ids[$i]}" "saved/$i"; done
  pass "all $N snapshots restore exactly"
  expect_exit 0 strata check -s store --read-data -q
}

strata init -s store --kdf minimum >/dev/null
mkdir src
head -c 400000 /dev/urandom >src/f
echo "unchanged" >src/same
backup_edits store src $N saved
mapfile -t ids < <(snapshot_ids store)
assert_eq $N "${#ids[@]}" "snapshots made"
expected=$(seq -s ' ' 0 $((N - 1)))
assert_eq "$expected" "$(chain_depths store f)" "one chain: depths in strata log before coalescing"

note "bad input writes nothing"
before_index=$(index_files)
n_index=$(idx | wc -l)
expect_exit 2 strata coalesce -s store
expect_stderr_line '^strata: coalesce: needs --before SNAPSHOT, --max-chain N, or both$'
for bad in 0 -1 abc; do
  expect_exit 2 strata coalesce -s store "--max-chain=$bad"
  expect_stderr_line '^strata: coalesce: --max-chain'
done
expect_exit 1 strata coalesce -s store --before 0123abcd
expect_stderr_line '0123abcd'
printf 'strata-lock 1\nkind shared\ncommand backup\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
  "$HOST" $$ "$(date +%s)" "$(date +%s)" >"store/locks/$LOCK_ID.lock"
expect_exit 1 strata coalesce -s store --max-chain 5
expect_stderr_line "^strata: store store is in use by backup, host $HOST, pid $$, since .*; try again when it has finished$"
rm "store/locks/$LOCK_ID.lock"
expect_exit 0 strata coalesce -s store --max-chain 5 --dry-run --json
assert_eq "4 20" "$(summary made_full) $(summary redepthed)" "dry run: FULL at 6, 12, 18, 24; 20 re-depthed"
assert_eq "$before_index" "$(index_files)" "index/ after bad input and a dry run"
assert_eq "$expected" "$(chain_depths store f)" "depths after bad input and a dry run"

note "killed before its commit"
for at in "rename */packs/*" "rename */index/*"; do
  rc=0
  LD_PRELOAD=$STRATA_KILL_AT_LIB STRATA_KILL_AT="$at" "$STRATA_BIN" coalesce -s store --max-chain 5 \
    >/dev/null 2>&1 || rc=$?
  assert_eq 137 "$rc" "exit status of a coalesce killed at $at"
  assert_eq "$before_index" "$(index_files)" "index/ after a kill at $at"
  assert_eq "$expected" "$(chain_depths store f)" "depths after a kill at $at"
done

note "--max-chain 5"
expect_exit 0 strata coalesce -s store --max-chain 5 --json
assert_eq "4 20 29 5 0" "$(summary made_full) $(summary redepthed) $(summary deepest_before) \
$(summary deepest_after) $(summary damaged)" "made_full redepthed deepest_before deepest_after damaged"
assert_eq $((n_index + 1)) "$(idx | wc -l)" "one index file more"
want=""
for ((i = 0; i < N; i++)); do want+="$((i % 6)) "; done
assert_eq "${want% }" "$(chain_depths store f)" "depths after --max-chain 5"
all_restore_exactly
after_index=$(index_files)
expect_exit 0 strata coalesce -s store --max-chain 5 --json
assert_eq "0 0 0" "$(summary made_full) $(summary redepthed) $(summary bytes_written)" "a second run"
assert_eq "$after_index" "$(index_files)" "index/ after a second run"

note "--before snapshot 20"
expect_exit 0 strata coalesce -s store --before "${ids[20]}"
expect_stdout_match "^examined 11 versions of 10 snapshots; rewrote 1 as FULL and 3 with a new chain depth$"
read -ra d <<<"$(chain_depths store f)"
strata log -s store f --json | sed -n 21p | grep -q '"storage":"full"' || fail "snapshot 20's version is not FULL"
pass "snapshot 20's version is FULL"
for ((i = 20; i < N; i++)); do
  ((d[i] <= i - 20)) || fail "snapshot $i's version has depth ${d[i]}: it reaches below snapshot 20"
done
pass "no version from snapshot 20 on reaches below it (depths ${d[*]:20})"
for ((i = 0; i < 20; i++)); do assert_eq $((i % 6)) "${d[i]}" "snapshot $i's depth is unchanged"; done
all_restore_exactly
expect_exit 0 strata coalesce -s store --before "${ids[20]}"
expect_stdout_match "rewrote 0 as FULL and 0 with a new chain depth$"
