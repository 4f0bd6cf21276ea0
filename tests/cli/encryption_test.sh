#!/usr/bin/env bash
# Encrypted stores through the CLI. Nothing of the source (file names, contents, host, paths) appears in
# the store's bytes (grep -r -a -F for each); the same tree in two stores shares no file name; the
# password comes from --password-file, STRATA_PASSWORD_FILE or STRATA_PASSWORD; none without a terminal
# is one line and exit 1; a wrong password is "wrong password", exit 1, the store byte-identical;
# `key passwd` makes the old password fail and the new one work; restore and cat equal the source; a
# flipped byte in a pack, a manifest or an index file gives the documented error, never wrong bytes; the
# mount's block cache serves a remount and holds none of the plaintext either.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init encryption
cd "$T"

store_sums() { find "$1" -type f ! -path '*/locks/*' -print0 | sort -z | xargs -0 sha256sum; }

mkdir -p src/Zebra-Quokka-Dir
printf 'Marmalade-Xylophone-Content-%s\n' {1..2000} >src/Zebra-Quokka-Dir/Pelican-Notes.txt
printf 'Quietly-Unique-Small-Payload\n' >src/Yodeling-Narwhal.cfg
_t_prng_bytes 300000 encryption-random >src/random.bin
ln -s Yodeling-Narwhal.cfg src/Velvet-Link-Name
mkdir src/Empty-Wombat-Dir

expect_exit 0 strata init -s store --kdf minimum
expect_stdout_match '^created encrypted store store '
assert_eq 01 "$(od -An -tx1 -j49 -N1 store/strata-store | tr -d ' ')" "the header's encryption byte"
expect_exit 0 strata backup -s store src --label Secret-Label-Gazpacho

note "no plaintext in the store"
needles=(Zebra-Quokka-Dir Pelican-Notes.txt Yodeling-Narwhal.cfg Velvet-Link-Name Empty-Wombat-Dir
  Marmalade-Xylophone-Content Quietly-Unique-Small-Payload Secret-Label-Gazpacho "$T/src")
# The host name too, when it is long enough not to turn up in megabytes of ciphertext by chance.
host=$(hostname)
((${#host} < 6)) || needles+=("$host")
for needle in "${needles[@]}"; do
  check_not "'$needle' is not in the store" grep -r -a -F -q -- "$needle" store
done
random_chunk=$(dd if=src/random.bin bs=1 skip=1000 count=32 status=none | od -An -tx1 | tr -d ' \n')
check_not "no 32 bytes of random.bin are in the store" grep -r -a -F -q -- "$(printf '%b' "$(sed 's/../\\x&/g' <<<"$random_chunk")")" store
check "the needles are found where they are (the grep works)" grep -r -a -F -q -- Marmalade-Xylophone-Content src

note "the same tree in another store shares no file name or object"
expect_exit 0 strata init -s other --kdf minimum
expect_exit 0 strata backup -s other src
common=$(comm -12 <(find store -type f ! -name strata-store -printf '%f\n' | sort) \
  <(find other -type f ! -name strata-store -printf '%f\n' | sort))
assert_eq "" "$common" "file names common to both stores"

note "round trip"
id=$(snapshot_ids store)
expect_exit 0 strata restore -s store latest restored
compare_trees src restored
expect_exit 0 strata cat -s store "$id" Zebra-Quokka-Dir/Pelican-Notes.txt
check "cat equals the source" cmp -s "$T_STDOUT" src/Zebra-Quokka-Dir/Pelican-Notes.txt
expect_exit 0 strata ls -s store latest
expect_stdout_match '^Yodeling-Narwhal\.cfg$'
expect_exit 0 strata check -s store --read-data

note "the mount's block cache holds no plaintext, and serves a remount"
if [[ -c /dev/fuse ]]; then
  mkdir mnt
  t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
  # cache_counter NAME: one counter of the cache xattr on the mount root, once the cache is attached.
  cache_counter() {
    local i
    for i in $(seq 100); do
      getfattr -n user.strata.cache --only-values mnt 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p" | grep . &&
        return 0
      sleep 0.1
    done
    fail "the mount attached no cache within 10 s"
  }
  for round in 1 2; do
    expect_exit 0 strata mount -s store mnt --cache-dir "$T/cache" --log-file "$T/mount.log"
    cache_counter hits >/dev/null
    # A read of part of the file: the block cache keeps only frames read in part.
    check "mount $round reads 4 KiB of the file exactly" parts_match mnt/latest/Zebra-Quokka-Dir/Pelican-Notes.txt \
      src/Zebra-Quokka-Dir/Pelican-Notes.txt
    check "mount $round reads the file exactly" cmp mnt/latest/Zebra-Quokka-Dir/Pelican-Notes.txt \
      src/Zebra-Quokka-Dir/Pelican-Notes.txt
    hits=$(cache_counter hits)
    expect_exit 0 strata umount mnt
    # The daemon logs its cache's counters once its writes are done.
    for i in $(seq 100); do
      (($(grep -c 'cache .*: hits=' mount.log) == round)) && break
      sleep 0.1
    done
  done
  check "the second mount read frames the first one stored ($hits hits)" test "$hits" -gt 0
  for needle in Marmalade-Xylophone-Content Zebra-Quokka-Dir Pelican-Notes.txt; do
    check_not "'$needle' is not in the block cache" grep -r -a -F -q -- "$needle" cache
  done
else
  note "SKIP the mount checks: /dev/fuse is missing"
fi

note "password sources"
echo strata-test-password >pw
expect_exit 0 env -u STRATA_PASSWORD "$STRATA_BIN" snapshots -s store --password-file pw
expect_exit 0 env -u STRATA_PASSWORD STRATA_PASSWORD_FILE=pw "$STRATA_BIN" snapshots -s store
expect_exit 0 env -u STRATA_PASSWORD setsid -w "$STRATA_BIN" snapshots -s store --password-file pw
expect_exit 1 env -u STRATA_PASSWORD setsid -w "$STRATA_BIN" snapshots -s store
expect_stderr_line '^strata: no password: use --password-file FILE, or set STRATA_PASSWORD_FILE'
expect_exit 1 env -u STRATA_PASSWORD setsid -w "$STRATA_BIN" init -s nopw --kdf minimum
check_not "init without a password made no store" test -e nopw/strata-store
expect_exit 0 strata init -s plain --encryption none
expect_stdout_match '^created plain store plain '
expect_exit 0 env -u STRATA_PASSWORD setsid -w "$STRATA_BIN" backup -s plain src
expect_exit 0 env -u STRATA_PASSWORD setsid -w "$STRATA_BIN" snapshots -s plain

note "wrong password: one line, exit 1, nothing touched"
before=$(store_sums store)
for c in "snapshots" "ls latest" "cat latest Yodeling-Narwhal.cfg" "restore latest wrong-r" "backup src" \
  "check" "unlock"; do
  # shellcheck disable=SC2086 # the command's words
  expect_exit 1 env STRATA_PASSWORD=not-the-password "$STRATA_BIN" $c -s store
  expect_stderr_line '^strata: store/strata-store: wrong password$'
done
check_not "restore with a wrong password made nothing" test -e wrong-r
assert_eq "$before" "$(store_sums store)" "the store after wrong passwords"

note "key passwd"
expect_exit 0 env STRATA_NEW_PASSWORD=second-password "$STRATA_BIN" key passwd -s store --kdf minimum
expect_exit 1 strata snapshots -s store
expect_stderr_line 'wrong password$'
expect_exit 0 env STRATA_PASSWORD=second-password "$STRATA_BIN" cat -s store latest Yodeling-Narwhal.cfg
check "the new password reads the old data" cmp -s "$T_STDOUT" src/Yodeling-Narwhal.cfg
echo third-password >pw3
expect_exit 0 env STRATA_PASSWORD=second-password "$STRATA_BIN" key passwd -s store --new-password-file pw3 \
  --kdf minimum
expect_exit 0 strata snapshots -s store --password-file pw3
expect_exit 1 env STRATA_PASSWORD=wrong STRATA_NEW_PASSWORD=x "$STRATA_BIN" key passwd -s store --kdf minimum
expect_stderr_line 'wrong password$'
expect_exit 0 strata snapshots -s store --password-file pw3
expect_exit 1 strata key passwd -s plain
expect_stderr_line '^strata: plain: the store is not encrypted$'
expect_exit 2 strata key rotate -s store
export STRATA_PASSWORD=third-password

note "damage: a pack, a manifest, an index file"
fresh_copy() { rm -rf work && cp -a store work; }
flip_middle() { # flip_middle FILE: one byte in the middle of FILE
  flip_byte "$1" $(($(stat -c %s "$1") / 2))
}
big_pack=$(find store/packs -name '*.pack' -printf '%s %P\n' | sort -n | tail -n 1 | cut -d' ' -f2)
fresh_copy
flip_middle "work/packs/$big_pack"
expect_exit 1 strata check -s work --read-data
expect_stdout_match 'fails authentication'
for f in Zebra-Quokka-Dir/Pelican-Notes.txt random.bin; do
  rc=0
  strata cat -s work latest "$f" >cat.out 2>cat.err || rc=$?
  got=$(stat -c %s cat.out)
  check "cat of $f wrote a prefix of it ($got bytes)" cmp -s -n "$got" cat.out "src/$f"
  if ((rc != 0)); then
    check "one error line for $f" test "$(wc -l <cat.err)" -eq 1
  fi
done
expect_exit 1 strata restore -s work latest r-pack
check_not "the restore reported the damage" test ! -s "$T_STDERR"

fresh_copy
flip_middle "work/snapshots/$id.snap"
expect_exit 1 strata snapshots -s work
expect_stderr_line "^strata: warning: skipping damaged snapshot: .*$id\.snap: fails authentication"

fresh_copy
index=$(find work/index -name '*.idx' | head -n 1)
flip_middle "$index"
expect_exit 1 strata check -s work
expect_stdout_match "index file .*$(basename "$index").*fails authentication"
expect_exit 1 strata cat -s work latest Yodeling-Narwhal.cfg
assert_eq 0 "$(stat -c %s "$T_STDOUT")" "bytes cat wrote without the index"

note "usage"
expect_exit 2 strata init -s u1 --encryption none --kdf minimum
expect_exit 2 strata init -s u2 --kdf bogus
expect_exit 2 strata init -s u3 --encryption aes
check_not "no store was made by a usage error" test -e u1 -o -e u2 -o -e u3
