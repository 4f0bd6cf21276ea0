#!/usr/bin/env bash
# Hostile stores, made checksum-valid by tests/tools/craft_store.cc, one scenario each: entry names "..",
# ".", empty, with '/', with NUL; duplicate names; a symlink then a directory of the same name (writing
# through the link); links aimed outside; cyclic and over-deep delta chains; giant declared sizes (a version
# record, a tree entry, a sparse 5.8 TB pack); delta ops outside their base or past the file; a zstd frame
# decompressing past its declared size; an index entry outside its pack.
# For each, every reader (ls, cat, restore, check, check --read-data, the mount) fails for the damaged
# entry with exit 1 (never a crash) and one stderr line (one log line for the mount) naming the damaged
# object, still serves good.txt exactly, and writes nothing outside the restore destination; the mount
# daemon stays alive. A tree that contains itself, and directories nested 100000 deep: ls -r, restore,
# check and a walk of the mount stop at the cycle or at 4096 levels with one line naming the tree, where
# they overflowed the stack before. Links aimed outside are valid: they restore as links, never followed. A directory of
# 5000 files whose versions are all missing: check lists the first 1000 damaged objects and counts the rest.
# Then restores into destinations with symlinks planted in them (DEST/a -> outside, the snapshot has a/file).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init hostile_store
cd "$T"
[[ -n ${STRATA_CRAFT_STORE:-} ]] || fail "STRATA_CRAFT_STORE is not set"

mkdir outside
printf 'the file every reader must still serve\n' >good
have_fuse=1
if [[ ! -c /dev/fuse ]]; then
  note "SKIP the mount checks: /dev/fuse is missing"
  have_fuse=0
fi

# Nothing but the restore destination appeared in the scratch dir, and outside/ is still empty.
expect_nothing_outside() { # expect_nothing_outside LISTING_BEFORE
  assert_eq "$1" "$(ls -A | grep -vx r || true)" "the scratch dir after the restore"
  assert_eq "" "$(ls -A outside)" "what landed in outside/"
}

mount_store() { # mount_store STORE: mounted on mnt, logging to mount.log
  mkdir -p mnt
  : >mount.log
  expect_exit 0 strata mount -s "$1" mnt --log-file "$T/mount.log"
  check "mnt is mounted" mountpoint -q mnt
}

unmount_store() {
  check "the daemon is alive and serves good.txt" cmp -s mnt/latest/good.txt good
  expect_exit 0 strata umount mnt
}

dir_scenarios=(name-dotdot name-dot name-empty name-slash name-nul duplicate-names link-then-dir)
file_scenarios=(cyclic-chain deep-chain giant-size giant-entry copy-past-base ops-overrun frame-overflow
  index-outside-pack sparse-giant-object)

t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
for sc in "${dir_scenarios[@]}" "${file_scenarios[@]}"; do
  note "scenario $sc"
  s=s-$sc
  obj=$("$STRATA_CRAFT_STORE" "$s" "$sc" good "$T/outside")
  [[ $obj =~ ^[0-9a-f]{64}$ ]] || fail "craft_store $sc printed '$obj'"
  is_dir=0
  [[ " ${dir_scenarios[*]} " == *" $sc "* ]] && is_dir=1

  expect_exit 0 strata ls -s "$s" latest
  assert_eq $'evil\ngood.txt' "$(cat "$T_STDOUT")" "the root listing"
  expect_exit 0 strata cat -s "$s" latest good.txt
  check "cat good.txt" cmp -s "$T_STDOUT" good
  if ((is_dir)); then
    expect_exit 1 strata ls -s "$s" latest evil
    expect_stderr_line "^strata: .*$obj"
    expect_exit 1 strata ls -s "$s" -r latest
    expect_stderr_line "^strata: .*$obj"
    expect_exit 1 strata cat -s "$s" latest evil/b
    expect_stderr_line "^strata: .*$obj"
  else
    expect_exit 1 strata cat -s "$s" latest evil
    expect_stderr_line "^strata: evil: .*$obj"
    assert_eq 0 "$(stat -c %s "$T_STDOUT")" "bytes cat wrote of the damaged file"
  fi

  before=$(ls -A)
  expect_exit 1 strata restore -s "$s" latest r
  expect_stderr_line "^strata: r/evil: .*$obj"
  check "good.txt restored" cmp -s r/good.txt good
  if ((is_dir)); then
    assert_eq "" "$(ls -A r/evil)" "what was restored of the damaged directory"
  else
    check_not "no damaged file left in the destination" test -e r/evil
  fi
  expect_nothing_outside "$before"
  rm -rf r

  # Structure alone cannot see a frame that decompresses past its size: only --read-data decodes frames.
  if [[ $sc == frame-overflow ]]; then
    expect_exit 0 strata check -s "$s"
  else
    expect_exit 1 strata check -s "$s"
    expect_stderr_line "^strata: store .* is damaged"
    expect_stdout_match "evil"
  fi
  expect_exit 1 strata check -s "$s" --read-data
  expect_stderr_line "^strata: store .* is damaged"
  expect_stdout_match "evil"

  if ((have_fuse)); then
    mount_store "$s"
    check "the mounted root lists" test -e mnt/latest/evil
    if ((is_dir)); then
      check_not "listing the damaged directory fails" ls mnt/latest/evil
    else
      check_not "reading the damaged file fails" cat mnt/latest/evil
    fi
    check "the mount log names $obj" grep -q "$obj" mount.log
    unmount_store
  fi
done

for sc in cyclic-tree deep-tree; do
  note "scenario $sc"
  s=s-$sc
  "$STRATA_CRAFT_STORE" "$s" "$sc" good "$T/outside" >/dev/null
  why='( contains itself|: directories nested more than 4096 deep)$'
  expect_exit 0 strata ls -s "$s" latest evil
  expect_exit 1 strata ls -s "$s" -r latest
  expect_stderr_line "^strata: tree [0-9a-f]{64}$why"
  before=$(ls -A)
  expect_exit 1 strata restore -s "$s" latest r
  expect_stderr_line "^strata: r/evil(/d)+: tree [0-9a-f]{64}$why"
  check "good.txt restored" cmp -s r/good.txt good
  expect_nothing_outside "$before"
  rm -rf r
  expect_exit 1 strata check -s "$s"
  expect_stdout_match "^damaged tree [0-9a-f]{64}: .*directories nested too deep$"
  if ((have_fuse)); then
    mount_store "$s"
    check_not "a walk of the mount ends in an error" find mnt/latest/evil -name nothing
    check "the mount log says how deep" grep -q "is nested more than 4096 deep" mount.log
    unmount_store
  fi
done

note "scenario links-out"
obj=$("$STRATA_CRAFT_STORE" s-links links-out good "$T/outside")
assert_eq "-" "$obj" "what craft_store names for valid links"
before=$(ls -A)
expect_exit 0 strata restore -s s-links latest r
assert_eq "$T/outside" "$(readlink r/evil/abs)" "the absolute link, restored"
assert_eq "../../../../../../..$T/outside" "$(readlink r/evil/rel)" "the relative link, restored"
check "good.txt restored" cmp -s r/good.txt good
expect_nothing_outside "$before"
rm -rf r
expect_exit 0 strata check -s s-links --read-data
if ((have_fuse)); then
  mount_store s-links
  assert_eq "$T/outside" "$(readlink mnt/latest/evil/abs)" "the absolute link in the mount"
  unmount_store
fi

note "scenario wide-missing"
"$STRATA_CRAFT_STORE" s-wide wide-missing good "$T/outside" >/dev/null
expect_exit 1 strata check -s s-wide
expect_stderr_line "^strata: store s-wide is damaged: 5000 damaged objects "
assert_eq 1000 "$(grep -c '^damaged version [0-9a-f]\{64\}: ' "$T_STDOUT")" "damaged objects listed"
expect_stdout_match "^\.\.\. and 4000 damaged objects more, not listed$"
expect_exit 1 strata check -s s-wide --json
python3 - "$T_STDOUT" <<'EOF' || fail "check --json of 5000 missing versions"
import json, sys
lines = [l for l in map(json.loads, open(sys.argv[1])) if l["type"] != "progress"]
assert len(lines) == 1001 and all(l["type"] == "damage" for l in lines[:-1]), len(lines)
assert lines[-1]["damaged"] == 5000 and lines[-1]["unlisted"] == 4000, lines[-1]
EOF
pass "check --json lists 1000 damaged objects and counts 5000"

note "symlinks planted in the destination"
mkdir -p src/a src/d
printf 'secret\n' >src/a/file
printf 'top\n' >src/top
printf 'deep\n' >src/d/file
strata init -s plain >/dev/null
expect_exit 0 strata backup -s plain src
mkdir dest
ln -s "$T/outside" dest/a           # where the snapshot has a directory
ln -s "$T/outside/top" dest/top     # where it has a file
mkdir dest/d
ln -s "$T/outside/file" dest/d/file # inside a directory that is kept and restored into
expect_exit 1 strata restore -s plain latest dest
expect_stderr_line "^strata: destination dest is not empty"
expect_exit 0 strata restore -s plain latest dest --overwrite
for p in a top d/file; do check_not "dest/$p is no longer a link" test -L "dest/$p"; done
check "a/file restored into a real directory" cmp -s dest/a/file src/a/file
check "top restored" cmp -s dest/top src/top
check "d/file restored" cmp -s dest/d/file src/d/file
assert_eq "" "$(ls -A outside)" "what landed in outside/"

mkdir one
ln -s "$T/outside/file" one/file
expect_exit 0 strata restore -s plain latest one --path a/file --overwrite
check_not "one/file is no longer a link" test -L one/file
check "--path a/file restored in place of the link" cmp -s one/file src/a/file
assert_eq "" "$(ls -A outside)" "what landed in outside/"
