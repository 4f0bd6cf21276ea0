#!/usr/bin/env bash
# strata export-tar: GNU tar extracts the archive to exactly what strata restore makes of the same snapshot
# or path (compare_trees: diff -r plus mode, owner, ns mtime, xattrs and ACLs, hardlink groups, symlink
# targets, device numbers), written to a file and piped through -o -; a subtree and a single file; bad
# input is one line and exit 1, and leaves no archive behind.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init export_tar_test

src=$T/src
make_edge_tree --many 300 "$src"
# The edge tree's 5 GiB sparse files would reach tar as 5 GiB of zeros (sparse files become plain content);
# a small one stands in for them.
rm -rf "$src/sparse"
mkdir "$src/sparse"
truncate -s 3M "$src/sparse/small.img"
printf 'data in the middle' | dd of="$src/sparse/small.img" bs=1 seek=1500000 conv=notrunc status=none
touch -d @1600000000.5 "$src/sparse/small.img" "$src/sparse"
# Names longer than the ustar fields: a 150-byte name and a 120-byte symlink target.
long=$(printf 'n%.0s' {1..150})
echo long >"$src/$long"
ln -s "$(printf 't%.0s' {1..120})" "$src/long-target"

S=$T/store
expect_exit 0 strata init -s "$S" --kdf minimum
expect_exit 0 strata backup -s "$S" "$src"
expect_exit 0 strata restore -s "$S" latest "$T/restored"

untar() {  # untar ARCHIVE DIR: what a user of GNU tar runs, as root
  mkdir -p "$2"
  tar --xattrs --xattrs-include='*' --acls --warning=no-timestamp -xpf "$1" -C "$2"
}

expect_exit 0 strata export-tar -s "$S" latest -o "$T/all.tar"
check "tar lists the archive" tar -tf "$T/all.tar" >/dev/null
untar "$T/all.tar" "$T/from-file"
compare_trees "$T/restored" "$T/from-file"

strata export-tar -s "$S" latest -o - | untar - "$T/from-pipe"
compare_trees "$T/restored" "$T/from-pipe"
strata export-tar -s "$S" latest | cmp -s - "$T/all.tar" ||
  fail "export-tar to standard output differs from -o FILE"
pass "standard output (no -o) holds the same archive"

# A subtree: its contents, with the subtree's metadata on the directory it is extracted into.
expect_exit 0 strata restore -s "$S" latest "$T/restored-links" --path links
strata export-tar -s "$S" latest links/ | untar - "$T/tar-links"
compare_trees "$T/restored-links" "$T/tar-links"

# One file: under its own name.
expect_exit 0 strata restore -s "$S" latest "$T/restored-one" --path xattr/with-xattrs
strata export-tar -s "$S" latest xattr/with-xattrs | untar - "$T/tar-one"
compare_trees --no-root "$T/restored-one" "$T/tar-one"

# Bad input: one line, exit 1, no archive left.
expect_exit 1 strata export-tar -s "$S" deadbeef -o "$T/bad.tar"
expect_stderr_line '^strata: .*deadbeef.*'
check_not "no archive for an unknown snapshot" test -e "$T/bad.tar"
expect_exit 1 strata export-tar -s "$S" latest no/such/path -o "$T/bad.tar"
expect_stderr_line '^strata: no: no such file in snapshot [0-9a-f]+$'
check_not "no archive for a missing path" test -e "$T/bad.tar"
expect_exit 1 strata export-tar -s "$S" latest -o "$T/no-dir/x.tar"
expect_stderr_line '^strata: archive .*/no-dir/x.tar: No such file or directory$'
expect_exit 2 strata export-tar -s "$S"
expect_stderr_line '^strata: export-tar: needs SNAPSHOT$'
# A terminal is no place for an archive (script(1) gives the command one).
script -qec "$STRATA_BIN export-tar -s '$S' latest" /dev/null >"$T/tty-out" 2>&1 && fail "export-tar wrote to a terminal"
check "writing to a terminal is refused" grep -q 'refusing to write an archive to a terminal' "$T/tty-out"
