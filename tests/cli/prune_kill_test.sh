#!/usr/bin/env bash
# Prunes killed with SIGKILL at 24 or more moments spread over their whole run: through the kill_at shim at
# the steps of strata-store(5) "Pruning" (sealing a new pack, writing and renaming the new index file,
# syncing the index directory after the old index files went, before any old pack is deleted), then after
# random delays (the i-th of a round landing in the i-th slice of an uninterrupted prune's duration). Each
# round backs up a changed tree into two stores, forgets all but the three newest snapshots in both, prunes
# the reference store uninterrupted and the other one again and again under kill -9. After every kill
# `check --read-data` finds no damage, the same snapshots are listed, and every kept snapshot restores
# exactly (against saved copies of the tree); then a prune runs to completion, leaves no temporary pack
# behind, and the store indexes exactly the objects the reference store indexes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init prune_kill
cd "$T"
[[ -f ${STRATA_KILL_AT_LIB:-} ]] || fail "STRATA_KILL_AT_LIB must name the kill_at shim (target strata_kill_at)"
seed=${STRATA_KILL_SEED:-$((EPOCHSECONDS % 100000))}
RANDOM=$seed
note "kill delays seeded with $seed (STRATA_KILL_SEED)"

# 1 MiB packs: a prune deletes some and repacks others into several new ones.
for s in store ref; do strata init -s "$s" --encryption none --pack-size 1 >/dev/null; done
mkdir src
for i in $(seq 1 24); do head -c $((200000 + RANDOM * 24)) /dev/urandom >"src/f$i"; done
VERSIONS=() next_file=25
backup_both() { # churn the tree, back it up into both stores, keep a copy, keep the three newest snapshots
  local i
  for i in 1 2 3 4; do
    rm -f "src/f$((next_file - 24))"
    head -c $((200000 + RANDOM * 24)) /dev/urandom >"src/f$next_file"
    next_file=$((next_file + 1))
  done
  # Trees record st_blocks, which ext4 changes when it writes delayed allocations back: settle them, so
  # that both stores see the same metadata.
  sync
  expect_exit 0 strata backup -s store src
  expect_exit 0 strata backup -s ref src
  VERSIONS+=("v${#VERSIONS[@]}")
  save_version src "${VERSIONS[-1]}"
  expect_exit 0 strata forget -s store --keep-last 3
  expect_exit 0 strata forget -s ref --keep-last 3
}
for _ in 1 2 3; do backup_both; done

kept_restore_exactly() { # every kept snapshot restores to its saved tree
  local ids i
  mapfile -t ids < <(snapshot_ids store)
  assert_eq 3 "${#ids[@]}" "kept snapshots"
  for i in 0 1 2; do
    rm -rf r
    expect_exit 0 strata restore -s store "${ids[i]}" r
    compare_trees "${VERSIONS[${#VERSIONS[@]} - 3 + i]}" r
  done
}
indexed() { # indexed STORE: the object ids its index files list (plain store), sorted and unique
  python3 - "$1" <<'PY'
import glob, sys
ids = set()
for path in glob.glob(sys.argv[1] + "/index/*.idx"):
    data = open(path, "rb").read()
    count = int.from_bytes(data[12:16], "little")
    ids.update(data[16 + 96 * i:16 + 96 * i + 32].hex() for i in range(count))
print("\n".join(sorted(ids)))
PY
}
listing() { find store/packs store/index -type f -printf '%P\n' | sort; }

# killed_prune HOW ARGS: prune store, killed "after MS" milliseconds by kill -9, or "at CALL GLOB [N]" by
# the shim. Sets OUTCOME to what the killed run had done, judged by the files it changed, or "completed".
declare -A PHASES=()
killed_prune() {
  local how=$1 rc=0 before after pid
  shift
  before=$(listing)
  if [[ $how == after ]]; then
    "$STRATA_BIN" prune -s store >prune.out 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
  else
    LD_PRELOAD=$STRATA_KILL_AT_LIB STRATA_KILL_AT="$*" "$STRATA_BIN" prune -s store >prune.out 2>&1 || rc=$?
  fi
  after=$(listing)
  if ((rc == 0)); then
    OUTCOME=completed
    return
  elif ((rc != 137)); then
    _t_show "prune output" prune.out
    fail "killed prune exited $rc, not by SIGKILL (137)"
  elif comm -23 <(echo "$before") <(echo "$after") | grep '\.pack$' >/dev/null; then
    OUTCOME="old packs being deleted"
  elif comm -23 <(echo "$before") <(echo "$after") | grep '\.idx$' >/dev/null; then
    OUTCOME="old index files removed"
  elif comm -13 <(echo "$before") <(echo "$after") | grep '\.idx$' >/dev/null; then
    OUTCOME="new index file written"
  elif comm -13 <(echo "$before") <(echo "$after") | grep '\.pack$' >/dev/null; then
    OUTCOME="new packs sealed"
  else
    OUTCOME="nothing committed yet"
  fi
  PHASES[$OUTCOME]=$((${PHASES[$OUTCOME]:-0} + 1))
}

# The steps in the order a prune takes them (the shim kills on entering the call): every round tries them
# all, each run going one step further, then kills after random delays.
STEPS=("fdatasync */tmp/*.pack.tmp" "rename */packs/*.pack" "write */index/*.tmp.*" "rename */index/*.idx"
  "fsync */index" "fsync */index 2")
kills=0 round=0
while ((kills < 24)); do
  round=$((round + 1))
  backup_both
  mapfile -t SNAPSHOTS < <(snapshot_ids store)
  t0=$EPOCHREALTIME
  expect_exit 0 strata prune -s ref
  run_ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
  note "round $round: an uninterrupted prune takes $run_ms ms"
  n_random=3
  for ((i = 0; i < ${#STEPS[@]} + n_random; i++)); do
    if ((i < ${#STEPS[@]})); then
      what="at ${STEPS[i]}"
      killed_prune at "${STEPS[i]}"
    else
      slice=$((run_ms / n_random))
      delay=$((slice * (i - ${#STEPS[@]}) + (RANDOM * 32768 + RANDOM) % (slice + 1)))
      what="after $delay ms"
      killed_prune after "$delay"
    fi
    if [[ $OUTCOME == completed ]]; then
      note "round $round: prune $what completed before it was killed"
      break
    fi
    kills=$((kills + 1))
    note "kill $kills $what: $OUTCOME"
    expect_exit 0 strata check -s store --read-data
    assert_eq "${SNAPSHOTS[*]}" "$(snapshot_ids store | tr '\n' ' ' | sed 's/ $//')" "snapshots after the kill"
    kept_restore_exactly
  done
  expect_exit 0 strata prune -s store
  assert_eq "" "$(find store/tmp -name '*.pack.tmp' -printf '%f\n')" "temporary packs left after the prune"
  indexed store >store.ids
  indexed ref >ref.ids
  check "round $round: the store indexes the objects the reference store indexes" cmp -s store.ids ref.ids
  expect_exit 0 strata check -s store --read-data
  kept_restore_exactly
done
note "$kills kills in $round rounds: $(for p in "${!PHASES[@]}"; do printf '%s: %d; ' "$p" "${PHASES[$p]}"; done)"
for p in "nothing committed yet" "new packs sealed" "new index file written" "old index files removed"; do
  ((${PHASES[$p]:-0} > 0)) || fail "no kill left the state '$p'"
done
