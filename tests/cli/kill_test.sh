#!/usr/bin/env bash
# Backups killed with SIGKILL at 50 moments spread over their whole run. In each round a modified tree is
# backed up and the backup is killed again and again: up to 13 times after a random delay, the i-th landing
# in the i-th of 13 slices of the run (so every kill meets work the earlier ones did not store), then by
# the kill_at shim at steps of sealing a pack and of committing the index file and the manifest
# (strata-store(5), "COMMIT PROTOCOL"); then it runs to completion. After every kill `check --read-data`
# finds no damage and only complete snapshots are listed; at every 10th kill and at the end every earlier
# snapshot restores exactly; after every round no object is stored twice, and a re-run leaves no temporary
# pack of the killed runs in STORE/tmp (their locks are dead, so it removes them at once). At the end the
# store holds exactly the objects of the same sequence of backups run uninterrupted into another store, and
# after `strata unlock` STORE/tmp holds no temporary pack.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init kill
cd "$T"
[[ -f ${STRATA_KILL_AT_LIB:-} ]] || fail "STRATA_KILL_AT_LIB must name the kill_at shim (target strata_kill_at)"
# Delays are drawn from $RANDOM: STRATA_KILL_SEED replays a run.
seed=${STRATA_KILL_SEED:-$((EPOCHSECONDS % 100000))}
RANDOM=$seed
note "kill delays seeded with $seed (STRATA_KILL_SEED)"

# 1 MiB packs: the small files' objects seal a pack every few milliseconds and every big file seals its own,
# so most kills leave sealed packs no index file lists yet (with the default 64 MiB, nothing here would be
# sealed before the very end of a backup).
make_bulk_tree src
# Trees record st_blocks, which ext4 changes when it writes delayed allocations back (an extent block
# appears): settle them so that the two stores see the same metadata.
sync
for s in store ref; do strata init -s "$s" --encryption none --pack-size 1 >/dev/null; done
VERSIONS=() SNAPSHOTS=() # the saved trees and their snapshots, oldest first
backup_both() {          # backup_both: back up src into both stores, keep a copy of src
  expect_exit 0 strata backup -s store src
  expect_exit 0 strata backup -s ref src
  VERSIONS+=("v${#VERSIONS[@]}")
  save_version src "${VERSIONS[-1]}"
  mapfile -t SNAPSHOTS < <(snapshot_ids store)
}
backup_both
mutate_bulk_tree src 1
sync
backup_both
RESTORED="" RESTORED_AT=-1 # the snapshots restores_exactly last restored, and after which kill
restores_exactly() {        # restores_exactly: every snapshot so far restores exactly
  local i
  RESTORED="${SNAPSHOTS[*]}" RESTORED_AT=$kills
  for i in "${!SNAPSHOTS[@]}"; do
    rm -rf r
    expect_exit 0 strata restore -s store "${SNAPSHOTS[i]}" r
    compare_trees "${VERSIONS[i]}" r
  done
}

listing() { find store/packs store/index store/snapshots store/tmp -type f -printf '%P\n' | sort; }
# killed_backup HOW ARGS: back up src into store, killed "after MS" milliseconds by kill -9, or "at CALL
# GLOB" by the shim (kill_at.cc). Sets OUTCOME to what the killed run left, judged from the files it added
# (or "completed"), and counts it in PHASES; NEW_SNAPSHOT to the snapshot id it committed, if it got that far.
declare -A PHASES=()
killed_backup() {
  local how=$1 rc=0 before new pid
  shift
  before=$(listing)
  if [[ $how == after ]]; then
    "$STRATA_BIN" backup -s store src >backup.out 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
  else
    LD_PRELOAD=$STRATA_KILL_AT_LIB STRATA_KILL_AT="$*" "$STRATA_BIN" backup -s store src >backup.out 2>&1 || rc=$?
  fi
  new=$(comm -13 <(echo "$before") <(listing))
  NEW_SNAPSHOT=$(grep -x '[0-9a-f]*\.snap' <<<"$new" | sed 's/\.snap$//' || true)
  if ((rc == 0)); then
    OUTCOME=completed
    return
  elif ((rc != 137)); then
    _t_show "backup output" backup.out
    fail "killed backup exited $rc, not by SIGKILL (137)"
  elif [[ -n $NEW_SNAPSHOT ]]; then
    OUTCOME="manifest committed"
  elif grep -q '\.idx$' <<<"$new"; then
    OUTCOME="index file committed"
  elif grep -q '\.pack$' <<<"$new"; then
    OUTCOME="packs sealed, not indexed"
  elif grep '\.pack\.tmp$' <<<"$new" | sed 's|^|store/tmp/|' | xargs -r stat -c %s | grep -qv '^0$'; then
    OUTCOME="filling a pack, nothing sealed yet"
  else
    OUTCOME="nothing sealed yet"
  fi
  PHASES[$OUTCOME]=$((${PHASES[$OUTCOME]:-0} + 1))
}

# The commit steps in the order a backup takes them (the shim kills on entering the call), taken in turn by
# the rounds; after the last one the snapshot exists.
COMMIT_STEPS=(
  "fdatasync */tmp/*.pack.tmp" "rename */packs/*.pack" "fsync */packs/??"
  "write */index/*.tmp.*" "fdatasync */index/*.tmp.*" "rename */index/*.idx" "fsync */index"
  "write */snapshots/*.tmp.*" "fdatasync */snapshots/*.tmp.*" "rename */snapshots/*.snap" "fsync */snapshots"
)
# Each round: up to 13 kills after random delays, then up to 4 commit steps; every step is used once.
MAX_RANDOM=13 MAX_STEPS=4
kills=0 step=0 round=0
while ((kills < 50)); do
  round=$((round + 1))
  mutate_bulk_tree src $((round + 1))
  sync
  # The reference run, uninterrupted; its duration spans this round's delays.
  t0=$EPOCHREALTIME
  expect_exit 0 strata backup -s ref src
  run_ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
  note "round $round: an uninterrupted run takes $run_ms ms"
  steps_left=$((${#COMMIT_STEPS[@]} - step))
  n_random=$((50 - kills - steps_left < MAX_RANDOM ? 50 - kills - steps_left : MAX_RANDOM))
  n_steps=$((steps_left < MAX_STEPS ? steps_left : MAX_STEPS))
  NEW_SNAPSHOT=""
  for ((i = 0; i < n_random + n_steps; i++)); do
    if ((i < n_random)); then
      # Uniform in the i-th of n_random equal slices of 90% of the run (the shim's steps come later).
      slice=$((run_ms * 9 / 10 / n_random))
      delay=$((slice * i + (RANDOM * 32768 + RANDOM) % (slice + 1)))
      what="after $delay ms"
      killed_backup after "$delay"
    else
      what="at ${COMMIT_STEPS[step]}"
      killed_backup at "${COMMIT_STEPS[step]}"
      step=$((step + 1))
    fi
    if [[ $OUTCOME == completed ]]; then
      # Too late to kill: a slow kill on a busy machine, or the step aimed at was done by an earlier run.
      note "round $round: backup $what completed before it was killed"
      break
    fi
    kills=$((kills + 1))
    note "kill $kills $what: $OUTCOME"
    expect_exit 0 strata check -s store --read-data
    mapfile -t now < <(snapshot_ids store)
    if [[ -n $NEW_SNAPSHOT ]]; then
      assert_eq "${SNAPSHOTS[*]} $NEW_SNAPSHOT" "${now[*]}" "the earlier snapshots and the complete new one"
    else
      assert_eq "${SNAPSHOTS[*]}" "${now[*]}" "only the complete snapshots are listed"
      ((kills % 10 != 0)) || restores_exactly
    fi
    [[ -z $NEW_SNAPSHOT ]] || break
  done
  # Re-run to completion, unless a run got past its commit.
  if [[ -z $NEW_SNAPSHOT ]]; then
    expect_exit 0 strata backup -s store src
    assert_eq "" "$(find store/tmp -name '*.pack.tmp' -printf '%f\n')" "temporary packs left after the re-run"
  fi
  VERSIONS+=("v${#VERSIONS[@]}")
  save_version src "${VERSIONS[-1]}"
  mapfile -t SNAPSHOTS < <(snapshot_ids store)
  assert_eq "${#VERSIONS[@]}" "${#SNAPSHOTS[@]}" "one snapshot per backup"
  assert_eq "" "$(pack_objects store | cut -d' ' -f2 | sort | uniq -d | head -n 3)" "objects stored twice"
  ((kills % 10 != 0 || RESTORED_AT == kills)) || restores_exactly
done
note "$kills kills in $round rounds: $(for p in "${!PHASES[@]}"; do printf '%s: %d; ' "$p" "${PHASES[$p]}"; done)"
for p in "nothing sealed yet" "filling a pack, nothing sealed yet" "packs sealed, not indexed" \
  "index file committed" "manifest committed"; do
  ((${PHASES[$p]:-0} > 0)) || fail "no kill left the state '$p'"
done
expect_exit 0 strata check -s store --read-data
[[ $RESTORED == "${SNAPSHOTS[*]}" ]] || restores_exactly

# The store holds exactly the objects of the uninterrupted sequence.
pack_objects store | cut -d' ' -f2 | sort >store.objects
pack_objects ref | cut -d' ' -f2 | sort >ref.objects
check "the same objects as the uninterrupted runs" cmp -s store.objects ref.objects
# Byte for byte the stores then differ only in framing: 80 bytes of pack header and footer per pack (killed
# runs cut their objects into more packs) and 48 bytes of header and checksum per index file (a run killed
# after its index file was committed leaves one more). 1% plus 64 KiB is hundreds of extra packs and files.
size() { echo $(($(pack_bytes "$1") + $(find "$1/index" -name '*.idx' -printf '%s\n' | awk '{s += $1} END {print s + 0}'))); }
got=$(size store) want=$(size ref)
((got <= want + want / 100 + 65536)) || fail "store holds $got bytes of packs and index files, the uninterrupted runs $want"
pass "store size $got bytes, uninterrupted $want bytes"
note "left in tmp/ by the last round's killed runs: $(find store/tmp -type f | wc -l) files, $(du -sh store/tmp | cut -f1)"
expect_exit 0 strata unlock -s store
assert_eq "" "$(find store/tmp -name '*.pack.tmp' -printf '%f\n')" "temporary packs left after strata unlock"
