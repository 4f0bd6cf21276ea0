#!/usr/bin/env bash
# Sync and receive keep delta chains readable where the two stores' records of a version differ.
# 1. A coalesced source: a version has two records, an old DELTA and a new FULL one. Syncing the snapshots
#    from the coalesce point on (verbatim, and through a stream) must send the FULL record its readers
#    use, not the old DELTA, whose base is not sent.
# 2. A destination that backed up the same content itself, one delta deeper: the received DELTAs on it
#    must be re-sealed one deeper too, or readers refuse the chain. Covered for sync --to, and for receive
#    into a plain store and into an encrypted one made with init --from.
# Oracles: copies of the source tree saved at each backup (restores compared with compare_trees), `check
# --read-data`, and the depths `strata log` reports against the chain each file's history implies.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init sync_depth
cd "$T"
export STRATA_PASSWORD=depth-password

# restores_as STORE SAVED FIRST ID...: the i-th of the IDs (from 0) restores to SAVED/(FIRST + i).
restores_as() {
  local store=$1 saved=$2 i=$3 id
  shift 3
  for id in "$@"; do
    restores_to "$store" "$id" "$saved/$i"
    i=$((i + 1))
  done
}

note "1. syncing the snapshots of a coalesced store from the coalesce point on"
strata init -s coal --encryption none >/dev/null
mkdir src
head -c 200000 /dev/urandom >src/f
backup_edits coal src 8 saved
mapfile -t ids < <(snapshot_ids coal)
expect_exit 0 strata coalesce -s coal --before "${ids[4]}"
assert_eq "0 1 2 3 0 1 2 3" "$(chain_depths coal f)" "depths after coalesce --before the 5th snapshot"
later=("${ids[@]:4}")
strata init -s coal-dst --encryption none >/dev/null
expect_exit 0 strata sync -s coal --to coal-dst "${later[@]}"
restores_as coal-dst saved 4 "${later[@]}"
expect_exit 0 strata check -s coal-dst --read-data
assert_eq "0 1 2 3" "$(chain_depths coal-dst f)" "sync sent the FULL record"
expect_exit 0 strata sync -s coal --to-file coal.stream "${later[@]}"
strata init -s coal-recv --encryption none >/dev/null
expect_exit 0 strata receive -s coal-recv --from-file coal.stream
restores_as coal-recv saved 4 "${later[@]}"
expect_exit 0 strata check -s coal-recv --read-data

note "2. a destination that holds the first version one delta deep"
# own STORE DIR SAVED: a history of its own for STORE, backed up from DIR, whose last backup stores the
# source's first version of f (SAVED/0/f) as a delta on an edit of it.
own() {
  local store=$1 dir=$2 saved=$3
  mkdir "$dir"
  cp "$saved/0/f" "$dir/f"
  printf 'own edit' | dd of="$dir/f" bs=1 seek=100 conv=notrunc status=none
  expect_exit 0 strata backup -s "$store" "$dir"
  cp "$saved/0/f" "$dir/f"
  expect_exit 0 strata backup -s "$store" "$dir"
  assert_eq "0 1" "$(chain_depths "$store" f)" "$store holds the first version at depth 1"
}
# received STORE SAVED ID...: the source's snapshots (IDS) restore from STORE as SAVED, its check passes,
# and the depths of f run: the source's three versions from 1 (on the store's own record of the first),
# then the store's own two.
received() {
  local store=$1 saved=$2
  shift 2
  restores_as "$store" "$saved" 0 "$@"
  expect_exit 0 strata check -s "$store" --read-data
  assert_eq "1 2 3 0 1" "$(chain_depths "$store" f)" "$store: received deltas sit one above their bases"
}
strata init -s plain-src --encryption none >/dev/null
mkdir src2
head -c 150000 /dev/urandom >src2/f
backup_edits plain-src src2 3 saved2
mapfile -t ids2 < <(snapshot_ids plain-src)
assert_eq "0 1 2" "$(chain_depths plain-src f)" "the source's chain"
expect_exit 0 strata sync -s plain-src --to-file plain.stream

strata init -s synced --encryption none >/dev/null
own synced own-synced saved2
expect_exit 0 strata sync -s plain-src --to synced
received synced saved2 "${ids2[@]}"

strata init -s plain-recv --encryption none >/dev/null
own plain-recv own-plain saved2
expect_exit 0 strata receive -s plain-recv --from-file plain.stream
received plain-recv saved2 "${ids2[@]}"
expect_exit 0 strata --json receive -s plain-recv --from-file plain.stream
assert_eq 0 "$(summary_field objects_sent)" "the same stream received again sends nothing"
received plain-recv saved2 "${ids2[@]}"

# An encrypted pair sharing keys: the receiver opens each version record with them.
strata init -s enc-src --kdf minimum >/dev/null
mkdir src3
head -c 150000 /dev/urandom >src3/f
backup_edits enc-src src3 3 saved3
mapfile -t ids3 < <(snapshot_ids enc-src)
expect_exit 0 strata sync -s enc-src --to-file enc.stream
STRATA_FROM_PASSWORD=$STRATA_PASSWORD expect_exit 0 strata init -s enc-recv --from enc-src --kdf minimum
own enc-recv own-enc saved3
expect_exit 0 strata receive -s enc-recv --from-file enc.stream
received enc-recv saved3 "${ids3[@]}"
