#!/usr/bin/env bash
# Bad input gets one clear line on stderr and a documented exit code: missing store, not a store,
# truncated/garbled/newer header, corrupt frame, unknown snapshot, unreadable source, usage errors.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init bad_input
cd "$T"
S=$STRATA_BIN

mkdir -p src/sub
echo alpha > src/a
head -c 300000 /dev/urandom > src/sub/b
echo gamma > src/sub/c
"$S" init -s store --encryption none >/dev/null
"$S" backup -s store src >/dev/null

# Missing store, not a store.
expect_exit 1 "$S" ls -s "$T/nope" latest
expect_stderr_line "nope.*(does not exist|No such file)"
mkdir notastore
expect_exit 1 "$S" snapshots -s notastore
expect_stderr_line "notastore.*not a strata store"

# Header damage: truncated, garbled, newer version.
cp -a store st_trunc
truncate -s 20 st_trunc/strata-store
expect_exit 1 "$S" snapshots -s st_trunc
expect_stderr_line "strata-store.*(truncated|header)"
cp -a store st_garbled
printf 'garbage!' | dd of=st_garbled/strata-store bs=1 seek=0 conv=notrunc status=none
expect_exit 1 "$S" snapshots -s st_garbled
expect_stderr_line "strata-store.*bad magic"
cp -a store st_newer
printf '\x07' | dd of=st_newer/strata-store bs=1 seek=8 conv=notrunc status=none
expect_exit 1 "$S" snapshots -s st_newer
expect_stderr_line "strata-store.*version 7 is newer"
cp -a store st_flip
flip_byte st_flip/strata-store 30
expect_exit 1 "$S" snapshots -s st_flip
expect_stderr_line "strata-store.*(checksum|range)"

# Unknown snapshot and path.
expect_exit 1 "$S" ls -s store no-such-snapshot
expect_stderr_line "no snapshot 'no-such-snapshot'"
expect_exit 1 "$S" cat -s store latest missing/file
expect_stderr_line "missing.*no such file"

# Usage errors: exit 2.
expect_exit 2 "$S"
expect_exit 2 "$S" frobnicate
expect_stderr_line "unknown command 'frobnicate'"
expect_exit 2 "$S" ls -s store latest --no-such-option
expect_stderr_line "no-such-option"
expect_exit 2 "$S" backup -s store
expect_stderr_line "no PATH"
mkdir -p x/dup y/dup
expect_exit 2 "$S" backup -s store x/dup y/dup
expect_stderr_line "same name 'dup'"
expect_exit 1 "$S" init -s store --encryption none
expect_stderr_line "already exists"
for size in 0 4097; do
  expect_exit 2 "$S" init -s "packs-$size" --encryption none --pack-size "$size"
  expect_stderr_line "pack-size must be 1..4096"
  [ ! -e "packs-$size" ] || fail "init --pack-size $size made a store"
done
for size in 2 48 2048; do
  expect_exit 2 "$S" init -s "frames-$size" --encryption none --frame-size "$size"
  expect_stderr_line "frame-size must be a power of two, 4..1024"
  [ ! -e "frames-$size" ] || fail "init --frame-size $size made a store"
done

# A corrupt frame: the damaged file fails with an error naming it; its neighbours still restore exactly.
cp -a store st_corrupt
pack=$(ls -S $(find st_corrupt/packs -name "*.pack") | head -n 1)
# The random 300 kB file is stored raw, so the middle of the largest pack is inside its frames.
size=$(stat -c %s "$pack")
printf '\x00\x01\x02\x03' | dd of="$pack" bs=1 seek=$((size / 3)) conv=notrunc status=none
expect_exit 1 "$S" cat -s st_corrupt latest sub/b
expect_stderr_line "sub/b.*(checksum|corrupt|Corruption|mismatch)"
"$S" cat -s st_corrupt latest a | cmp - src/a || fail "neighbour a unreadable after corruption"
expect_exit 1 "$S" restore -s st_corrupt latest restored
grep -q "sub/b" "$T_STDERR" || fail "restore error does not name sub/b"
[ ! -e restored/sub/b ] || fail "damaged file restored with wrong bytes"
cmp restored/a src/a && cmp restored/sub/c src/sub/c || fail "undamaged files not restored"
pass "corrupt frame isolated to its file"
mkdir full && touch full/x
expect_exit 1 "$S" restore -s store latest full
expect_stderr_line "full is not empty"

# An unreadable source file: a warning naming it, the snapshot is still made, exit 3.
if command -v setpriv >/dev/null; then
  chmod a+rx "$T"
  mkdir -p priv/src && echo ok > priv/src/readable && echo secret > priv/src/locked
  chmod 000 priv/src/locked
  chown -R nobody priv
  runas() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
  mkdir priv/store && chown nobody priv/store
  runas "$S" init -s priv/store --encryption none >/dev/null
  expect_exit 3 runas "$S" backup -s priv/store priv/src
  grep -q "locked" "$T_STDERR" || fail "warning does not name the unreadable file"
  runas "$S" ls -s priv/store latest > listing
  grep -qx readable listing || fail "readable file missing from snapshot"
  ! grep -qx locked listing || fail "unreadable file listed in snapshot"
  runas "$S" snapshots -s priv/store --json | grep -q '"errors":1' || fail "snapshot does not record the error"
  pass "unreadable source file"
fi

