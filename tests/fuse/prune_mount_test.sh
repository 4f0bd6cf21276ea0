#!/usr/bin/env bash
# A mount that runs through a prune keeps serving the kept snapshot: the prune repacks the packs (most hold
# files of the kept snapshot between files of a forgotten one), so most objects the mount reads afterwards
# have moved to a new pack and their old pack is gone. Files read before and during the prune, and
# files first opened after it (nothing of them in any cache), all read back equal to the saved copies (cmp),
# and so does the whole snapshot (diff -r).
set -euo pipefail
if [ ! -c /dev/fuse ]; then
  echo "SKIP: /dev/fuse is missing, mount tests need it"
  exit 77
fi
source "$(dirname "$0")/../cli/lib.sh"
t_init prune_mount
cd "$T"

strata init -s store --kdf minimum --pack-size 1 >/dev/null
# In walk order every directory holds a file that goes (g) before one that stays: x files (read before and
# during the prune) in a*/, y files (first read after it) in b*/. With 1 MiB packs every pack holds some g,
# and the packs of the y files are not the x files' (but for one, maybe): the mount has never opened them,
# so it finds them gone.
mkdir src
for d in $(seq -w 1 8); do
  mkdir "src/a$d" "src/b$d"
  for f in a$d/g a$d/x b$d/g b$d/y; do head -c $((120000 + RANDOM * 4)) /dev/urandom >"src/$f"; done
done
strata backup -s store src >/dev/null
rm src/*/g
strata backup -s store src >/dev/null
save_version src saved
mapfile -t ids < <(snapshot_ids store)
expect_exit 0 strata forget -s store "${ids[0]}"
name=$(strata snapshots -s store --json | grep -o '"name":"[^"]*"' | cut -d'"' -f4)

mkdir mnt
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
expect_exit 0 strata mount -s store mnt --log-file "$T/mount.log"
for f in mnt/"$name"/a*/x; do
  cmp -s "$f" "saved/${f#mnt/"$name"/}" || fail "$f differs before the prune"
done
pass "the x files read as saved before the prune"

# Reads the x files through the mount until told to stop; counts rounds, records mismatches.
(
  n=0
  while [[ ! -e stop-reading ]]; do
    for f in mnt/"$name"/a*/x; do
      cmp -s "$f" "saved/${f#mnt/"$name"/}" || echo "$f differs" >>read-errors
    done
    n=$((n + 1))
    echo "$n" >read-rounds
  done
) &
reader=$!
t_defer bash -c 'kill "$1" 2>/dev/null || true' _ "$reader"
sleep 0.3
packs_before=$(find store/packs -name '*.pack' -printf '%f\n' | sort)
expect_exit 0 strata prune -s store --max-unused 0 --json
packs_after=$(find store/packs -name '*.pack' -printf '%f\n' | sort)
left=$(comm -12 <(echo "$packs_before") <(echo "$packs_after") | grep -c . || true)
total=$(grep -c . <<<"$packs_before")
# A pack without a g file (the directories' trees, say) has nothing to repack.
((left * 2 < total)) || fail "$left of the $total packs of before the prune are left"
grep -q '"type":"summary".*"packs_repacked":[1-9]' "$T_STDOUT" || fail "the prune repacked nothing"
pass "$((total - left)) of the $total packs of before the prune are gone"
sleep 0.3
touch stop-reading
wait "$reader"
assert_eq "" "$(cat read-errors 2>/dev/null)" "reads through the mount during the prune"
(($(cat read-rounds) > 1)) || fail "the reader made $(cat read-rounds) rounds"
pass "$(cat read-rounds) rounds of reads through the mount"

for f in mnt/"$name"/b*/y; do
  cmp -s "$f" "saved/${f#mnt/"$name"/}" || fail "$f differs after the prune"
done
pass "the y files, first opened after the prune, read as saved"
check "the kept snapshot reads as saved through the mount" diff -r saved "mnt/$name"
expect_exit 0 strata umount mnt
