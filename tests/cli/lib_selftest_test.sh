#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted code is run by child shells
# Self-test of tests/cli/lib.sh: the harness works, make_edge_tree builds what
# it promises, save_version/compare_trees accept an exact copy, and the oracle
# has teeth: every single kind of difference makes compare_trees fail.
# Does not need STRATA_BIN.
set -euo pipefail
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$LIB_DIR/lib.sh"
t_init lib_selftest
umask 022 # the reverts below create files and must reproduce their modes

tab=$'\t'
U=$(id -u) G=$(id -g)

# must_fail DESC REGEX CMD...: CMD, run in a subshell, must fail and print
# something matching the grep ERE REGEX.
must_fail() {
  local desc=$1 re=$2
  shift 2
  local log=$T/must_fail.log
  if ("$@") >"$log" 2>&1; then
    cat "$log" >&2
    fail "$desc: unexpectedly succeeded"
  fi
  if ! grep -Eq -- "$re" "$log"; then
    _t_show "output of failing check" "$log"
    fail "$desc: failed, but the output lacks /$re/"
  fi
  pass "$desc: detected"
}

# listing_has DESC FIXED-STRING: some line of $LISTING contains the string.
listing_has() {
  if grep -qF -- "$2" "$LISTING"; then pass "listing: $1"; else
    fail "listing: $1: no line of $LISTING contains $(_t_q "$2")"
  fi
}

# ---------------------------------------------------------------------------
note "harness"
# ---------------------------------------------------------------------------
expect_exit 0 true
expect_exit 3 bash -c 'echo out; echo "error: boom" >&2; exit 3'
expect_stderr_line '^error: boom$'
expect_stdout_match '^out$'
assert_eq 3 "$T_RC" "T_RC holds the exit status"
expect_exit 0 bash -c 'printf "no newline" >&2'
expect_stderr_line '^no newline$'
must_fail "expect_exit with the wrong code" 'FAIL: expected exit status 0, got 1' expect_exit 0 false
expect_exit 0 bash -c 'echo one >&2; echo two >&2'
must_fail "expect_stderr_line on two lines" 'exactly one line' expect_stderr_line 'one'
expect_exit 0 bash -c 'echo abc >&2'
must_fail "expect_stderr_line on a non-matching line" 'does not match' expect_stderr_line '^x'
expect_exit 0 true
must_fail "expect_stderr_line on empty stderr" 'exactly one line' expect_stderr_line '.*'
must_fail "fail" '^FAIL: boom$' fail boom
must_fail "check" 'FAIL: false is true' check "false is true" false
check_not "check_not on false" false

# Child scripts: summary line, exit status, scratch dir removal, STRATA_KEEP.
child() { # NAME BODY: write and run a child test script, output in $T/NAME.out
  printf 'set -euo pipefail\nsource %q\nt_init %s\n%s\n' "$LIB_DIR/lib.sh" "$1" "$2" >"$T/$1.sh"
  local rc=0
  TMPDIR=$T bash "$T/$1.sh" >"$T/$1.out" 2>&1 || rc=$?
  CHILD_RC=$rc
  CHILD_LAST=$(tail -n 1 "$T/$1.out")
}
child child_ok 'pass a; pass b; echo "$T" >"$T/../child_ok.dir"'
assert_eq "0:2 passed, 0 failed" "$CHILD_RC:$CHILD_LAST" "passing child summary"
check "passing child removed its scratch dir" test ! -e "$(cat "$T/child_ok.dir")"
child child_fail 'pass a; fail "on purpose"; pass never'
assert_eq "1:1 passed, 1 failed" "$CHILD_RC:$CHILD_LAST" "failing child summary"
check "failing child printed FAIL:" grep -q '^FAIL: on purpose$' "$T/child_fail.out"
child child_abort 'pass a; false; pass never'
assert_eq "1:1 passed, 1 failed" "$CHILD_RC:$CHILD_LAST" "aborted child summary"
check "aborted child reported the failing command" grep -q "^ERROR: command failed with status 1: false" "$T/child_abort.out"
STRATA_KEEP=1 child child_keep 'pass a; echo "$T" >"$T/../child_keep.dir"'
check "STRATA_KEEP=1 keeps the scratch dir" test -d "$(cat "$T/child_keep.dir")"
rm -rf -- "$(cat "$T/child_keep.dir")"
child child_defer 't_defer touch "$T/../deferred.flag"; pass a'
check "t_defer commands run at exit" test -e "$T/deferred.flag"

# ---------------------------------------------------------------------------
note "make_edge_tree"
# ---------------------------------------------------------------------------
SRC=$T/src
make_edge_tree "$SRC"
note "make_edge_tree done (xattr=$EDGE_HAVE_XATTR acl=$EDGE_HAVE_ACL devices=$EDGE_HAVE_DEVICES chown=$EDGE_HAVE_CHOWN)"
GiB=$((1024 * 1024 * 1024))
sp=$SRC/$EDGE_SPARSE_REL
assert_eq $((5 * GiB)) "$(stat -c %s "$sp")" "sparse file apparent size"
check "sparse file allocates at most 1 MiB" sparse_ok "$sp" $((1024 * 1024))
check "all-hole file is sparse" sparse_ok "$SRC/sparse/all-hole-1g"
check_not "random file is not sparse" sparse_ok "$SRC/$EDGE_RANDOM_REL"
assert_eq "STRATA-SPARSE-END" "$(tail -c 17 "$sp")" "data at the end of the sparse file"
real_kib=$(du -s --block-size=1K "$SRC" | cut -f1)
check "tree uses < 30 MiB on disk ($real_kib KiB)" test "$real_kib" -lt $((30 * 1024))
for f in empty:0 one:1 b4095:4095 b4096:4096 b4097:4097 random-3m:$((3 * 1024 * 1024 + 12345)); do
  assert_eq "${f#*:}" "$(stat -c %s "$SRC/files/${f%%:*}")" "size of files/${f%%:*}"
done
check "text file is compressible" test "$(gzip -c "$SRC/files/text.txt" | wc -c)" -lt $(($(stat -c %s "$SRC/files/text.txt") / 4))
assert_eq "3 3 3" "$(stat -c %h "$SRC/links/a/h1" "$SRC/links/a/h2" "$SRC/links/b/h3" | xargs)" "hardlink group of 3"
assert_eq "$(stat -c %i "$SRC/links/a/h1")" "$(stat -c %i "$SRC/links/b/h3")" "h1 and b/h3 share the inode"
assert_eq "2 2" "$(stat -c %h "$SRC/links/pair1" "$SRC/links/pair2" | xargs)" "hardlinked pair"
assert_eq "../files/one /etc/hostname does/not/exist ../files rel" \
  "$(cd "$SRC/symlinks" && readlink rel abs dangling todir chain | xargs)" "symlink targets"
check "dangling symlink dangles" test ! -e "$SRC/symlinks/dangling"
check "symlink to a directory" test -d "$SRC/symlinks/todir"
check "fifo" test -p "$SRC/special/fifo"
if ((EDGE_HAVE_DEVICES)); then
  check "char device" test -c "$SRC/special/chardev"
  check "block device" test -b "$SRC/special/blockdev"
  assert_eq "259:70000" "$(stat -c '%Hr:%Lr' "$SRC/special/blockdev")" "block device numbers"
fi
assert_eq "700 755 2775 1777 555" "$(cd "$SRC/modes" && stat -c %a d0700 d0755 d2775 d1777 d0555 | xargs)" "directory modes"
assert_eq "600 644 755 4755 0" "$(cd "$SRC/modes" && stat -c %a f0600 f0644 f0755 f4755 f0000 | xargs)" "file modes"
if ((EDGE_HAVE_XATTR)); then
  assert_eq "user.bin=0x00ff0a0d7f80" "$(getfattr --absolute-names -e hex -n user.bin "$SRC/xattr/with-xattrs" | grep '^user')" "binary xattr"
  assert_eq "user.empty" "$(getfattr --absolute-names -n user.empty "$SRC/xattr/with-xattrs" | grep '^user' | cut -d= -f1)" "empty xattr"
fi
if ((EDGE_HAVE_ACL)); then
  check "access ACL" grep -qx 'user:1234:rw-' <(getfacl -cp "$SRC/xattr/with-acl" 2>/dev/null)
  check "default ACL" grep -qx 'default:user:1234:rwx' <(getfacl -cp "$SRC/xattr/acl-dir" 2>/dev/null)
fi
check "non-UTF-8 name" test -f "$SRC/names/"$'\xff\xfe'
check "name with a newline" test -f "$SRC/names/"$'new\nline'
check "name with a leading dash and spaces" test -f "$SRC/names/-leading dash with spaces "
longname=$(cd "$SRC/names" && ls -d long-name-*)
assert_eq 255 "${#longname}" "long name length"
deepfile=$(find "$SRC/deep" -name bottom.txt -printf '%P')
check "deep path is longer than 1000 bytes (${#deepfile})" test "${#deepfile}" -gt 1000
assert_eq 40 "$(tr -cd / <<<"$deepfile" | wc -c)" "deep path depth (directories)"
assert_eq 20000 "$(find "$SRC/many" -type f -printf x | wc -c)" "files in many/"
assert_eq "" "$(ls -A "$SRC/empty-dir")" "empty dir is empty"
assert_eq "1234567890.123456789 -123456789.987654321 0.000000000 4102444800.999999999" \
  "$(cd "$SRC/times" && stat -c %.9Y ns pre-1970 epoch future | xargs)" "ns mtimes"
assert_eq "1000000000.000000001" "$(stat -c %.9Y "$SRC/times/symlink")" "symlink mtime"
if ((EDGE_HAVE_CHOWN)); then
  assert_eq "1234:5678 65534:65534 1234:5678 1234:5678" \
    "$(cd "$SRC/owners" && stat -c %u:%g u1234 nobody link-u1234 dir-u1234 | xargs)" "owners"
fi

# ---------------------------------------------------------------------------
note "meta_listing"
# ---------------------------------------------------------------------------
LISTING=$T/listing.src
meta_listing "$SRC" >"$LISTING"
assert_eq "$(find "$SRC" -printf x | wc -c)" "$(grep -c "${tab}type=" "$LISTING")" "one entry line per file system entry"
check "listing is sorted (LC_ALL=C)" env LC_ALL=C sort -c "$LISTING"
listing_has "root entry" ".${tab}type=d mode=0755"
listing_has "non-UTF-8 name escaped" "names/\\377\\376${tab}type=f"
listing_has "newline escaped" "names/new\\nline${tab}type=f"
listing_has "tab escaped" "names/tab\\there${tab}type=f"
listing_has "backslash escaped" "names/back\\\\slash${tab}type=f"
listing_has "regular file" "files/b4097${tab}type=f mode=0644 uid=$U gid=$G size=4097 mtime=2023-11-14T22:13:20.111111111Z"
listing_has "hardlink label" "links/b/h3${tab}type=f mode=0644 uid=$U gid=$G size=49 mtime=2023-11-14T22:13:20.111111111Z link=links/a/h1"
listing_has "hardlink pair label" " link=links/pair1"
check "no label on single links" bash -c '! grep -q "^files/one.*link=" "$1"' _ "$LISTING"
listing_has "symlink" "symlinks/rel${tab}type=l mode=0777 uid=$U gid=$G size=12 mtime=2023-11-14T22:13:20.111111111Z target=../files/one"
listing_has "weird symlink target escaped" 'target=weird\ntarget\377'
listing_has "fifo" "special/fifo${tab}type=p mode=0644"
if ((EDGE_HAVE_DEVICES)); then
  listing_has "block device" "special/blockdev${tab}type=b mode=0644 uid=$U gid=$G mtime=2023-11-14T22:13:20.111111111Z rdev=259:70000"
  listing_has "char device" " rdev=1:3"
fi
listing_has "setuid mode" "modes/f4755${tab}type=f mode=4755"
listing_has "sticky dir mode" "modes/d1777${tab}type=d mode=1777"
listing_has "mode 0000" "modes/f0000${tab}type=f mode=0000"
listing_has "pre-1970 mtime" "times/pre-1970${tab}type=f mode=0644 uid=$U gid=$G size=9 mtime=1966-02-02T02:26:50.012345679Z"
listing_has "future mtime" "mtime=2100-01-01T00:00:00.999999999Z"
listing_has "symlink mtime" "times/symlink${tab}type=l mode=0777 uid=$U gid=$G size=2 mtime=2001-09-09T01:46:40.000000001Z target=ns"
listing_has "directory mtime" "times/dir${tab}type=d mode=0755 uid=$U gid=$G mtime=2005-03-18T01:58:31.111111111Z"
if ((EDGE_HAVE_XATTR)); then
  listing_has "binary xattr" "xattr/with-xattrs${tab}xattr user.bin=0x00ff0a0d7f80"
  listing_has "empty xattr" "xattr/with-xattrs${tab}xattr user.empty="
  listing_has "directory xattr" "xattr/dir-with-xattr${tab}xattr user.dir=0x01"
fi
if ((EDGE_HAVE_ACL)); then
  listing_has "access ACL" "xattr/with-acl${tab}xattr system.posix_acl_access=0x"
  listing_has "default ACL" "xattr/acl-dir${tab}xattr system.posix_acl_default=0x"
fi
if ((EDGE_HAVE_CHOWN)); then
  listing_has "uid/gid" "owners/u1234${tab}type=f mode=0644 uid=1234 gid=5678"
  listing_has "symlink owner" "owners/link-u1234${tab}type=l mode=0777 uid=1234 gid=5678"
fi
must_fail "meta_listing of a missing dir" 'not a directory' meta_listing "$T/nonexistent"

# ---------------------------------------------------------------------------
note "save_version + compare_trees (full tree)"
# ---------------------------------------------------------------------------
W=$T/copy
save_version "$SRC" "$W"
note "save_version done"
check "save_version keeps the sparse file sparse" sparse_ok "$W/$EDGE_SPARSE_REL" $((1024 * 1024))
compare_trees "$SRC" "$W"
note "compare_trees done"
must_fail "save_version onto an existing path" 'already exists' save_version "$SRC" "$W"

# ---------------------------------------------------------------------------
note "the oracle has teeth (compact edge tree)"
# ---------------------------------------------------------------------------
# The cases below run on an edge tree that is identical except that many/
# holds 64 files instead of 20000, which makes each compare_trees ~5x faster
# (the full tree was compared above and is compared again at the end).
# One working copy: each case introduces exactly one difference (restoring
# incidental changes such as the parent directory's mtime), asserts that
# compare_trees fails and names that difference, then reverts it.  The copy
# must compare equal again at the end, which proves every revert was exact.
REF=$T/small
make_edge_tree --many 64 "$REF"
C=$T/small-copy
save_version "$REF" "$C"
compare_trees "$REF" "$C"
meta_listing "$REF" >"$T/listing.small"
meta_listing "$REF" >"$T/listing.small.again"
check "meta_listing is stable" cmp -s "$T/listing.small" "$T/listing.small.again"
meta_listing --no-root "$REF" >"$T/listing.small.noroot"
assert_eq "$(grep -v "^\.$tab" "$T/listing.small")" "$(cat "$T/listing.small.noroot")" "--no-root drops only the root entry"
assert_eq "$(grep -v "^many/" "$T/listing.small" | cut -f1)" "$(grep -v "^many/" "$LISTING" | cut -f1)" "compact tree has the same entries outside many/"

differs() { # DESC REGEX
  must_fail "compare_trees: $1" "$2" compare_trees "$REF" "$C"
}
c_overwrite() { # FILE OFFSET STRING: in place, keeping the mtime
  printf '%s' "$3" | dd of="$C/$1" bs=1 seek="$2" conv=notrunc status=none
  touch -r "$REF/$1" "$C/$1"
}
c_fix_mtime() { touch -h -r "$REF/$1" "$C/$1"; }

c_overwrite files/text.txt 10 Z
differs "one content byte" '^> line 00000Z: the quick'
c_overwrite files/text.txt 10 1

c_overwrite many/f00056 9 7
differs "one byte in one file of many/" '^> file 00057$'
c_overwrite many/f00056 9 6

c_overwrite "$EDGE_SPARSE_REL" $((2 * GiB + 12345)) s
differs "one byte in the 5 GiB sparse file" 'sparse-5g\.img differ \(hole-aware compare\): first difference at byte 2147495993'
c_overwrite "$EDGE_SPARSE_REL" $((2 * GiB + 12345)) S

truncate -s $((5 * GiB + 1)) "$C/$EDGE_SPARSE_REL"
c_fix_mtime "$EDGE_SPARSE_REL"
differs "sparse file one byte longer" "^\+sparse/sparse-5g\.img${tab}type=f .*size=5368709121 "
truncate -s $((5 * GiB)) "$C/$EDGE_SPARSE_REL"
c_fix_mtime "$EDGE_SPARSE_REL"

chmod 0640 "$C/modes/f0644"
differs "mode" "^\+modes/f0644${tab}type=f mode=0640"
chmod 0644 "$C/modes/f0644"

chmod 0755 "$C/modes/f4755"
differs "setuid bit" "^\+modes/f4755${tab}type=f mode=0755"
chmod 4755 "$C/modes/f4755"

touch -d @1700000000.111111112 "$C/files/b4096"
differs "mtime off by 1 ns" "^\+files/b4096${tab}.* mtime=2023-11-14T22:13:20\.111111112Z"
c_fix_mtime files/b4096

touch -d @1700000001.222222222 "$C/modes/d0700"
differs "directory mtime" "^\+modes/d0700${tab}type=d .*mtime=2023-11-14T22:13:21\.222222222Z"
c_fix_mtime modes/d0700

touch -h -d @1700000000.111111112 "$C/symlinks/dangling"
differs "symlink mtime" "^\+symlinks/dangling${tab}.* mtime=2023-11-14T22:13:20\.111111112Z"
c_fix_mtime symlinks/dangling

if ((EDGE_HAVE_XATTR)); then
  setfattr -n user.bin -v 0x00ff0a0d7f81 "$C/xattr/with-xattrs"
  differs "xattr value" "^\+xattr/with-xattrs${tab}xattr user\.bin=0x00ff0a0d7f81"
  setfattr -n user.bin -v 0x00ff0a0d7f80 "$C/xattr/with-xattrs"
  setfattr -x user.empty "$C/xattr/with-xattrs"
  differs "missing empty xattr" "^-xattr/with-xattrs${tab}xattr user\.empty="
  setfattr -n user.empty "$C/xattr/with-xattrs"
fi
if ((EDGE_HAVE_ACL)); then
  setfacl -m u:1234:r-x "$C/xattr/with-acl"
  differs "ACL entry" "^\+xattr/with-acl${tab}xattr system\.posix_acl_access="
  setfacl -m u:1234:rw- "$C/xattr/with-acl"
fi

ln -sfn ../files/onf "$C/symlinks/rel"
c_fix_mtime symlinks/rel
c_fix_mtime symlinks
differs "symlink target" "^\+symlinks/rel${tab}.* target=\.\./files/onf$"
ln -sfn ../files/one "$C/symlinks/rel"
c_fix_mtime symlinks/rel
c_fix_mtime symlinks

cp -a "$C/links/a/h2" "$C/links/a/h2.tmp"
mv -f "$C/links/a/h2.tmp" "$C/links/a/h2"
c_fix_mtime links/a
differs "hardlink broken into two files" "^-links/a/h2${tab}.* link=links/a/h1$"
ln -f "$C/links/a/h1" "$C/links/a/h2"
c_fix_mtime links/a

rm "$C/links/pair2"
ln "$C/links/a/h1" "$C/links/pair2"
c_fix_mtime links
differs "hardlink to the wrong group" "^\+links/pair2${tab}.* link=links/a/h1$"
rm "$C/links/pair2"
ln "$C/links/pair1" "$C/links/pair2"
c_fix_mtime links

rm "$C/special/fifo"
c_fix_mtime special
differs "missing fifo" "^-special/fifo${tab}type=p"
mkfifo -m 0644 "$C/special/fifo"
c_fix_mtime special/fifo
c_fix_mtime special

rm "$C/special/fifo"
printf '' >"$C/special/fifo"
c_fix_mtime special/fifo
c_fix_mtime special
differs "fifo replaced by an empty file" "^\+special/fifo${tab}type=f mode=0644"
rm "$C/special/fifo"
mkfifo -m 0644 "$C/special/fifo"
c_fix_mtime special/fifo
c_fix_mtime special

if ((EDGE_HAVE_DEVICES)); then
  rm "$C/special/chardev"
  mknod -m 0644 "$C/special/chardev" c 1 5
  c_fix_mtime special/chardev
  c_fix_mtime special
  differs "device numbers" "^\+special/chardev${tab}.* rdev=1:5$"
  rm "$C/special/chardev"
  mknod -m 0644 "$C/special/chardev" c 1 3
  c_fix_mtime special/chardev
  c_fix_mtime special
fi

if ((EDGE_HAVE_CHOWN)); then
  chown 4321 "$C/owners/u1234"
  differs "uid" "^\+owners/u1234${tab}type=f mode=0644 uid=4321 gid=5678"
  chown 1234 "$C/owners/u1234"
  chown -h :4321 "$C/owners/link-u1234"
  differs "symlink gid" "^\+owners/link-u1234${tab}type=l mode=0777 uid=1234 gid=4321"
  chown -h :5678 "$C/owners/link-u1234"
fi

mv "$C/names/"$'\xff\xfe' "$C/names/"$'\xff\xfd'
c_fix_mtime names
differs "one byte of a non-UTF-8 name" "^\+names/\\\\377\\\\375${tab}type=f"
mv "$C/names/"$'\xff\xfd' "$C/names/"$'\xff\xfe'
c_fix_mtime names

: >"$C/empty-dir/new"
c_fix_mtime empty-dir
differs "an extra empty file" "^\+empty-dir/new${tab}type=f"
rm "$C/empty-dir/new"
c_fix_mtime empty-dir

rmdir "$C/empty-dir"
c_fix_mtime .
differs "a missing empty directory" "^-empty-dir${tab}type=d"
mkdir -m 0755 "$C/empty-dir"
c_fix_mtime empty-dir
c_fix_mtime .

compare_trees "$REF" "$C"

# ---------------------------------------------------------------------------
note "mutate_tree"
# ---------------------------------------------------------------------------
# Each step must change the listing (mutate_tree gives every entry it touches
# a step-specific mtime, so even content-only steps change it; the full-tree
# compare below checks the contents).
cp "$T/listing.small" "$T/listing.prev"
for step in 1 2 3 4 5 6 7 8 9 10; do
  mutate_tree "$C" "$step"
  meta_listing "$C" >"$T/listing.cur"
  if cmp -s "$T/listing.prev" "$T/listing.cur"; then
    fail "mutate_tree step $step did not change the listing"
  fi
  pass "mutate_tree step $step changes the listing ($(diff "$T/listing.prev" "$T/listing.cur" | grep -c '^[<>]' || true) lines differ)"
  mv "$T/listing.cur" "$T/listing.prev"
done
assert_eq $((3 * 1024 * 1024 + 12345 + 777)) "$(stat -c %s "$C/$EDGE_RANDOM_REL")" "step 2 inserted 777 bytes"
assert_eq 100 "$(stat -c %s "$C/files/b4097")" "step 3 truncated b4097"
check "step 6 renamed many/" test -d "$C/many-renamed" -a ! -e "$C/many"
check "step 9 added a hardlink" test "$(stat -c %i "$C/links/a/h4")" = "$(stat -c %i "$C/links/b/h3")"
check "step 10 deleted deep/" test ! -e "$C/deep"
check "step 10 replaced a file by a symlink" test -L "$C/files/replace-me"
check "step 10 replaced a directory by a file" test -f "$C/empty-dir"
check "mutated sparse file is still sparse" sparse_ok "$C/$EDGE_SPARSE_REL" $((1024 * 1024))
must_fail "mutate_tree with a bad step" 'step must be 1\.\.10' mutate_tree "$C" 11

# The same steps on both full-size trees give identical trees: mutate_tree is
# deterministic and works on the 20000-file tree (step 6 renames many/).
note "mutate_tree on the full trees"
for step in 1 2 3 4 5 6 7 8 9 10; do
  mutate_tree "$SRC" "$step"
  mutate_tree "$W" "$step"
done
note "compare"
compare_trees "$SRC" "$W"
