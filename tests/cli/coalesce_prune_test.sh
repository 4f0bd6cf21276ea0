#!/usr/bin/env bash
# Coalesce makes forgetting old snapshots free their data. A file edited 20 times with a backup after each
# edit is one delta chain. Forgetting the first 10 snapshots and pruning frees almost none of the file's
# data, since the 11th version's chain passes through all of them; `coalesce --before` the oldest kept
# snapshot gives that version a FULL copy, and the next prune then reclaims at least the file's first
# FULL copy (its size is known: random bytes do not compress). Every kept snapshot restores exactly
# (against copies saved at each backup), `check --read-data` passes, and `strata log` shows the chain
# starting at the oldest kept snapshot. Then a prune after `coalesce --max-chain 1` keeps the FULL record it
# marked even where the pack holding the old record is the fuller one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init coalesce_prune
cd "$T"

N=20
KEEP_FROM=10
SIZE=400000
store_bytes() { du -sb store | cut -f1; }

strata init -s store --kdf minimum >/dev/null
mkdir src
head -c $SIZE /dev/urandom >src/f
backup_edits store src $N saved
mapfile -t ids < <(snapshot_ids store)
assert_eq $N "${#ids[@]}" "snapshots made"
assert_eq "$(seq -s ' ' 0 $((N - 1)))" "$(chain_depths store f)" "one chain of depth $((N - 1))"

strata forget -s store "${ids[@]:0:KEEP_FROM}" >/dev/null
before=$(store_bytes)
strata prune -s store >/dev/null
after=$(store_bytes)
note "forget + prune without coalesce: $before -> $after bytes"
check "a prune alone frees less than a tenth of the file: the kept chain needs the rest" \
  test $((before - after)) -lt $((SIZE / 10))
assert_eq "$(seq -s ' ' $KEEP_FROM $((N - 1)))" "$(chain_depths store f)" "the kept versions still chain to the forgotten ones"

strata coalesce -s store --before "${ids[$KEEP_FROM]}" >/dev/null
assert_eq "$(seq -s ' ' 0 $((N - 1 - KEEP_FROM)))" "$(chain_depths store f)" "the chain starts at the oldest kept snapshot"
before=$(store_bytes)
strata prune -s store >/dev/null
after=$(store_bytes)
note "prune after coalesce: $before -> $after bytes"
check "the prune after coalesce frees at least the file's first FULL copy" test $((before - after)) -ge $SIZE

for ((i = KEEP_FROM; i < N; i++)); do restores_to store "${ids[$i]}" "saved/$i"; done
pass "the $((N - KEEP_FROM)) kept snapshots restore exactly"
expect_exit 0 strata check -s store --read-data -q
again=$(store_bytes)
strata prune -s store >/dev/null
assert_eq "$again" "$(store_bytes)" "a second prune changes nothing"

note "a pack that holds a superseded record and is fuller than the coalesce's pack"
# Six versions; --max-chain 1 writes FULL copies of versions 2 and 4 into one new pack. Keeping only
# snapshot 2 leaves that pack half unused (version 4's copy), while the pack of backup 2, which holds
# version 2's old DELTA record, is nearly all used: the prune must still keep the FULL record it marked,
# never the old one, whose bases it deletes.
strata init -s store2 --kdf minimum >/dev/null
head -c $SIZE /dev/urandom >src/f
backup_edits store2 src 6 saved2
mapfile -t ids2 < <(snapshot_ids store2)
strata coalesce -s store2 --max-chain 1 >/dev/null
assert_eq "0 1 0 1 0 1" "$(chain_depths store2 f)" "--max-chain 1: FULL copies at versions 2 and 4"
strata forget -s store2 "${ids2[0]}" "${ids2[1]}" "${ids2[3]}" "${ids2[4]}" "${ids2[5]}" >/dev/null
strata prune -s store2 >/dev/null
restores_to store2 "${ids2[2]}" saved2/2
expect_exit 0 strata check -s store2 --read-data -q
