#!/usr/bin/env bash
# Damage as the reading commands meet it (check's own reports are check_test.sh's; EIO through the mount is
# tests/fuse/read_test.sh's). The pack holding file X's content flipped, truncated or deleted: `cat` of X
# exits 1 with one line naming X and never writes a byte that is not X's (what it wrote is a prefix of X);
# `restore` exits 1 naming X only, restores every other file exactly and leaves no X; the neighbours cat
# fine. The store header garbled, truncated, emptied or deleted: every command that opens the store says so
# in one line naming the header and exits 1. A manifest garbled: `snapshots` lists the others, skips that
# one with one warning line and exits 1; the other snapshots read and restore as before.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init corruption
cd "$T"

# X is backed up alone first, so that the biggest pack of that backup holds X's content and little else
# (its signature and version record; the tree may be in another thread's pack): its middle is in X's
# content. Then the neighbours.
mkdir src
_t_prng_bytes $((2 << 20)) corruption-x >src/X
strata init -s store --encryption none >/dev/null
expect_exit 0 strata backup -s store src
X_PACK=$(find store/packs -name '*.pack' -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
mkdir src/dir
for i in 1 2 3; do _t_prng_bytes $((300000 * i)) "corruption-$i" >"src/dir/n$i"; done
echo small >src/small
expect_exit 0 strata backup -s store src
save_version src v2
mapfile -t IDS < <(snapshot_ids store)
assert_eq 2 "${#IDS[@]}" "snapshots"
# The oracle for a restore that must skip X: the second version without X (and its root's mtime as it was).
save_version src v2-without-x
rm v2-without-x/X
touch -d "@$(stat -c %.9Y src)" v2-without-x

fresh_copy() { rm -rf work r && cp -a store work; }
damage_x_pack() { # damage_x_pack HOW: flip a byte in the middle of X's pack, truncate it there, or delete it
  local pack=work/${X_PACK#store/} size
  size=$(stat -c %s "$pack")
  case $1 in
  flipped) flip_byte "$pack" $((size / 2)) ;;
  truncated) truncate -s $((size / 2)) "$pack" ;;
  deleted) rm "$pack" ;;
  esac
}

for how in flipped truncated deleted; do
  note "X's pack $how"
  fresh_copy
  damage_x_pack "$how"
  expect_exit 1 strata cat -s work "${IDS[1]}" X
  expect_stderr_line '^strata: X: .*([0-9a-f]{64}|pack)'
  got=$(stat -c %s "$T_STDOUT")
  ((got < $(stat -c %s src/X))) || fail "cat of a damaged X wrote all of it ($got bytes)"
  check "the $got bytes cat wrote are a prefix of X" cmp -s -n "$got" "$T_STDOUT" src/X
  expect_exit 0 strata cat -s work "${IDS[1]}" dir/n2
  check "a neighbour cats fine" cmp -s "$T_STDOUT" src/dir/n2

  expect_exit 1 strata restore -s work "${IDS[1]}" r
  expect_stderr_line '^strata: r/X: '
  compare_trees v2-without-x r
  rm -rf r
  expect_exit 1 strata restore -s work "${IDS[1]}" r --path X
  expect_stderr_line '^strata: r/X: '
  assert_eq "" "$(ls -A r)" "what a restore of X alone left"
done

# The header: every command that opens the store fails with one line naming it, exit 1.
commands=(
  "snapshots" "ls latest" "cat latest X" "restore latest r" "backup src" "check" "check --read-data"
  "unlock" "mount mnt"
)
mkdir mnt
for how in garbled truncated empty deleted; do
  note "the header $how"
  fresh_copy
  header=work/strata-store
  case $how in
  garbled) printf '\x5a' | dd of="$header" bs=1 seek=20 conv=notrunc status=none ;;
  truncated) truncate -s $(($(stat -c %s "$header") / 2)) "$header" ;;
  empty) : >"$header" ;;
  deleted) rm "$header" ;;
  esac
  case $how in
  garbled) why='work/strata-store: header checksum mismatch \(damaged\)' ;;
  truncated | empty) why='work/strata-store: header is truncated' ;;
  deleted) why='work: not a strata store \(no strata-store file\)' ;;
  esac
  for c in "${commands[@]}"; do
    # shellcheck disable=SC2086 # the command's words
    expect_exit 1 strata $c -s work
    expect_stderr_line "^strata: (/.*/)?$why"
  done
  assert_eq "" "$(find mnt -mindepth 1 && find r 2>/dev/null)" "what the commands made"
  check "no snapshot was made" cmp -s <(ls store/snapshots) <(ls work/snapshots)
done

note "a garbled manifest (the first snapshot's)"
fresh_copy
head -c 16 /dev/urandom | dd of="work/snapshots/${IDS[0]}.snap" bs=1 seek=40 conv=notrunc status=none
expect_exit 1 strata snapshots -s work --json
expect_stderr_line "^strata: warning: skipping damaged snapshot: .*${IDS[0]}\.snap"
check "the other snapshot is listed" grep -q "\"id\":\"${IDS[1]}\"" "$T_STDOUT"
assert_eq "${IDS[1]}" "$(grep -o '"id":"[0-9a-f]*"' "$T_STDOUT" | cut -d'"' -f4)" "snapshots listed"
expect_exit 0 strata ls -s work latest -r
expect_exit 0 strata cat -s work "${IDS[1]}" X
check "X of the other snapshot reads back" cmp -s "$T_STDOUT" src/X
expect_exit 0 strata restore -s work "${IDS[1]}" r
compare_trees v2 r
expect_exit 1 strata restore -s work "${IDS[0]}" r2
expect_stderr_line "^strata: no snapshot '${IDS[0]}'"
