#!/usr/bin/env bash
# A store on a small file system (a tmpfs with size=, so root only): a backup that does not fit fails with
# one "no space left on device" line and exit 1, leaves no snapshot and no temporary file (its space comes
# back), and the store stays intact: check --read-data passes and the earlier snapshot restores exactly.
# Then the room left is swept a page (4 KiB) at a time, so that the space runs out at each write of a backup in turn
# (a pack, its seal, the index file, the manifest, the lock), with the same expectations each time, until
# the backup fits. A later backup with room succeeds.
set -euo pipefail
if [[ $(id -u) != 0 ]]; then
  echo "SKIP: mounting a tmpfs needs root"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
t_init disk_full
cd "$T"

mkdir fs
mount -t tmpfs -o size=32m strata-test fs || fail "cannot mount a tmpfs"
t_defer umount -l "$T/fs"
avail() { df -B1 --output=avail fs | tail -n 1; }
used() { du -sb fs/store | cut -f1; }
# no_leftovers: no temporary file of a writer is left in the store.
no_leftovers() {
  assert_eq "" "$(find fs/store -name '*.tmp' -o -name '*.tmp.*' | head -n 3)" "temporary files left"
}
snapshot_count() { snapshot_ids fs/store | wc -l; }

mkdir -p src/dir
for i in $(seq 1 40); do _t_prng_bytes $((100000 + i * 1000)) "disk-full-$i" >"src/dir/f$i"; done
strata init -s fs/store --encryption none >/dev/null
expect_exit 0 strata backup -s fs/store src
save_version src v1

note "a backup bigger than the file system"
_t_prng_bytes $((40 << 20)) disk-full-big >src/big
before=$(used)
expect_exit 1 strata backup -s fs/store src
expect_stderr_line '^strata: .*: no space left on device$'
assert_eq 1 "$(snapshot_count)" "snapshots"
no_leftovers
assert_eq "$before" "$(used)" "bytes in the store (the space came back)"
expect_exit 0 strata check -s fs/store --read-data
rm -rf r
expect_exit 0 strata restore -s fs/store latest r
compare_trees v1 r

note "the space runs out at every write in turn"
rm src/big
echo changed >>src/dir/f1
_t_prng_bytes 300000 disk-full-new >src/dir/new
declare -A WHERE=()
fitted=0 restarted=0
for ((room = 0; room <= 1 << 20; room += 4096)); do
  rm -f fs/filler
  fallocate -l $(($(avail) - room)) fs/filler
  rc=0
  "$STRATA_BIN" backup -s fs/store src >out 2>err || rc=$?
  if ((rc == 0)); then
    fitted=1
    break
  fi
  assert_eq 1 "$rc" "exit status with $room bytes of room"
  T_STDERR=$T/err expect_stderr_line '^strata: .*: no space left on device$'
  dir=$(sed -E 's|.*fs/store/([a-z]+)/.*|\1|' err)
  WHERE[$dir]=$((${WHERE[$dir]:-0} + 1))
  assert_eq 1 "$(snapshot_count)" "snapshots"
  no_leftovers
  # The packs were sealed: the next backup only has the index file and the manifest to write, a page or
  # two. Start from no room again to meet those.
  if [[ $dir == index ]] && ((!restarted)); then restarted=1 room=-4096; fi
done
((fitted)) || fail "the backup did not fit in 1 MiB of room"
note "the space ran out writing into: $(for w in "${!WHERE[@]}"; do printf '%s/ %d times; ' "$w" "${WHERE[$w]}"; done)"
for w in tmp index snapshots; do [[ -n ${WHERE[$w]:-} ]] || fail "the space never ran out writing into $w/"; done
assert_eq 2 "$(snapshot_count)" "snapshots once it fitted"
expect_exit 0 strata check -s fs/store --read-data

note "with room again"
rm fs/filler
echo again >>src/dir/f2
expect_exit 0 strata backup -s fs/store src
no_leftovers
mapfile -t ids < <(snapshot_ids fs/store)
assert_eq 3 "${#ids[@]}" "snapshots"
rm -rf r
expect_exit 0 strata restore -s fs/store "${ids[0]}" r
compare_trees v1 r
rm -rf r
expect_exit 0 strata restore -s fs/store latest r
compare_trees src r
expect_exit 0 strata check -s fs/store --read-data
