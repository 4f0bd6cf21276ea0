#!/usr/bin/env bash
# The mount's block cache, for real: the default cache lands in $XDG_CACHE_HOME/strata/<store uuid>; a
# remount reads the frames that random reads needed in part through it (the hit counter on the root xattr
# rises) and every byte still matches the backed-up files; sequential reads are not cached, random reads in
# part of frames stored raw are; a damaged data.mdb, a tiny --cache-size, an unusable --cache-dir,
# --no-cache and two mounts sharing one cache all keep reads exact; bad --cache-size values are usage
# errors.
set -euo pipefail
if [ ! -c /dev/fuse ]; then
  echo "SKIP: /dev/fuse is missing, mount tests need it"
  exit 77
fi
source "$(dirname "$0")/../cli/lib.sh"
t_init cache
cd "$T"

# Compressible but not trivial (base64 text stores as zstd frames). noise/ holds random bytes, stored raw
# (in 32 KiB frames: strata-store(5), FRAMES).
text() { (set +o pipefail && head -c $(($1 * 3 / 4 + 64)) /dev/urandom | base64 -w 76 | head -c "$1"); }
mkdir -p src noise
text $((8 << 20)) > src/big
for i in 1 2 3; do text $((300000 * i)) > "src/f$i"; done
head -c $((2 << 20)) /dev/urandom > noise/raw
strata init -s store --encryption none >/dev/null
strata backup -s store src >/dev/null
strata init -s noise-store --encryption none >/dev/null
strata backup -s noise-store noise >/dev/null
# The store uuid straight from the header bytes (strata-store(5): 16 bytes at offset 16).
uuid=$(od -An -v -t x1 -j 16 -N 16 store/strata-store | tr -d ' \n' |
  sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12})$/\1-\2-\3-\4-\5/')
[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || fail "bad uuid '$uuid'"

mkdir mnt mnt2
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt2"

# counter NAME MNT: one counter of the cache xattr on the mount root.
counter() {
  getfattr -n user.strata.cache --only-values "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
# The random reads come first: after cmp the kernel's page cache would answer them.
files_match() {
  local f
  parts_match "$1/latest/big" src/big || return 1
  for f in big f1 f2 f3; do cmp "$1/latest/$f" "src/$f" || return 1; done
}
# logged_counter NAME LOG: one counter of the last cache line LOG has (logged at unmount, writes done).
logged_counter() {
  grep -E 'cache .*: hits=' "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}
# cache_ready MNT LOG: waits until the mount has attached its cache (the root xattr appears) or said it
# runs without one. The cache is opened beside the first requests, which go to the store until then.
cache_ready() {
  local i
  for i in $(seq 100); do
    getfattr -n user.strata.cache "$1" >/dev/null 2>&1 && return 0
    # Only what this mount logged: the lines since its "mounted" line.
    tac "$2" 2>/dev/null | sed '/ mounted /q' | grep -q "running without a cache" && return 0
    sleep 0.1
  done
  fail "$1: the cache was neither attached nor given up within 10 s"
}
# mount_read ARGS...: mount on mnt with ARGS, check every file, leave it mounted.
mount_read() {
  expect_exit 0 strata mount -s store mnt --log-file "$T/mount.log" "$@"
  case " $* " in *" --no-cache "*) ;; *) cache_ready mnt "$T/mount.log" ;; esac
  check "files read through the mount match ($*)" files_match mnt
}

export XDG_CACHE_HOME=$T/xdg
mount_read
[ "$(counter misses mnt)" -gt 0 ] || fail "a first read did not miss"
expect_exit 0 strata umount mnt
default_dir=$XDG_CACHE_HOME/strata/$uuid
check "default cache dir is \$XDG_CACHE_HOME/strata/<uuid>" test -s "$default_dir/data.mdb"
assert_eq "strata" "$(ls "$XDG_CACHE_HOME")" "only strata/ under XDG_CACHE_HOME"

# A fresh mount has empty in-memory caches and no page cache: reads come from the block cache.
mount_read
hits=$(counter hits mnt)
[ "$hits" -ge 64 ] || fail "remount read only $hits cached frames (64 random reads in 64 frames of 128 KiB)"
pass "remount: $hits hits"
getfattr -d mnt | grep -q '^user.strata.cache=' || fail "the root does not list user.strata.cache"
[ -z "$(getfattr -d mnt/latest)" ] || fail "the cache xattr leaks below the root"
expect_exit 0 strata umount mnt
grep -Eq "cache $default_dir: hits=[0-9]+ misses=" mount.log || fail "no counters logged at unmount"
pass "counters logged at unmount"

# Damage the cache file in several places: the mount works and reads stay exact.
size=$(stat -c %s "$default_dir/data.mdb")
for off in $((size / 2)) $((size / 3)) 8192 4096; do
  head -c 9000 /dev/urandom | dd of="$default_dir/data.mdb" bs=1 seek="$off" conv=notrunc status=none
done
mount_read
expect_exit 0 strata umount mnt
grep -Eq "cache $default_dir.*(is damaged; rebuilding|failed its checksum)" mount.log ||
  fail "damage not logged: $(tail -n 5 mount.log)"
pass "damaged cache file: reads exact, damage logged"
mount_read
[ "$(counter hits mnt)" -gt 0 ] || fail "the rebuilt cache serves no hits"
expect_exit 0 strata umount mnt

# An explicit directory, small: the 8 MiB file does not fit, reads stay exact, the file stays bounded.
mount_read --cache-dir small-cache --cache-size 2M
expect_exit 0 strata umount mnt
mount_read --cache-dir small-cache --cache-size 2M
expect_exit 0 strata umount mnt
[ "$(stat -c %s small-cache/data.mdb)" -le $((2 << 20)) ] || fail "data.mdb outgrew --cache-size 2M"
pass "--cache-size 2M keeps data.mdb at $(stat -c %s small-cache/data.mdb) bytes"
grep -Eq "cache $T/small-cache: .*evicted=[1-9]" mount.log || fail "no eviction logged for the small cache"
pass "small cache evicts"

# A cache directory that cannot exist: the mount runs without a cache and says so.
echo not-a-dir > blocker
mount_read --cache-dir blocker/cache
grep -q "blocker/cache.*running without a cache" mount.log || fail "unusable cache dir not logged"
no_cache_xattr() { ! getfattr -n user.strata.cache "$1" 2>/dev/null; }
check "no cache xattr without a cache" no_cache_xattr mnt
expect_exit 0 strata umount mnt
pass "unusable cache dir: mount works without a cache"

mount_read --cache-dir nocache-dir --no-cache
expect_exit 0 strata umount mnt
check_not "--no-cache creates no cache" test -e nocache-dir

# Two mounts of one store share one cache (two processes, one LMDB environment).
expect_exit 0 strata mount -s store mnt --cache-dir shared --log-file "$T/mount.log"
expect_exit 0 strata mount -s store mnt2 --cache-dir shared --log-file "$T/mount2.log"
cache_ready mnt "$T/mount.log"
cache_ready mnt2 "$T/mount2.log"
files_match mnt & p1=$!
files_match mnt2 & p2=$!
wait $p1 || fail "first of two concurrent mounts read wrong bytes"
wait $p2 || fail "second of two concurrent mounts read wrong bytes"
pass "two mounts sharing a cache read exact bytes"
expect_exit 0 strata umount mnt
expect_exit 0 strata umount mnt2

# A sequential reader's frames are not cached (the packs serve them as fast, and the page cache keeps them):
# cmp of one file and cat of the others, on a fresh cache, store nothing. cmp reads 4 KiB at a time
# (st_blksize), and the kernel's first requests for it take frames in part.
expect_exit 0 strata mount -s store mnt --cache-dir seq-cache --log-file "$T/seq.log"
cache_ready mnt "$T/seq.log"
check "a sequential read in 4 KiB reads matches" cmp mnt/latest/big src/big
for f in f1 f2 f3; do cat "mnt/latest/$f" >/dev/null; done
expect_exit 0 strata umount mnt
for i in $(seq 100); do grep -q 'cache .*: hits=' seq.log && break; sleep 0.1; done
assert_eq 0 "$(logged_counter stored seq.log)" "frames stored by sequential reads"
# Random reads of 4 KiB in 64 frames store exactly those 64 frames.
expect_exit 0 strata mount -s store mnt --cache-dir seq-cache --log-file "$T/seq.log"
cache_ready mnt "$T/seq.log"
check "random reads through the mount match" parts_match mnt/latest/big src/big
expect_exit 0 strata umount mnt
for i in $(seq 100); do (($(grep -c 'cache .*: hits=' seq.log) == 2)) && break; sleep 0.1; done
assert_eq 64 "$(logged_counter stored seq.log)" "frames stored by 64 random reads in 64 frames"

# Frames stored raw: read whole, they are not cached (the pack serves them as cheaply); read in part, they
# are (from the pack, a part costs the whole frame's read and check), and a remount reads those parts from
# the cache, exact.
expect_exit 0 strata mount -s noise-store mnt --cache-dir raw-cache --log-file "$T/raw.log"
cache_ready mnt "$T/raw.log"
check "random bytes read through the mount match" cmp mnt/latest/raw noise/raw
expect_exit 0 strata umount mnt
for i in $(seq 100); do grep -q 'cache .*: hits=' raw.log && break; sleep 0.1; done
assert_eq 0 "$(logged_counter stored raw.log)" "raw frames stored by a sequential read"
for round in 1 2; do
  expect_exit 0 strata mount -s noise-store mnt --cache-dir raw-cache --log-file "$T/raw.log"
  cache_ready mnt "$T/raw.log"
  check "random reads of random bytes through the mount match (round $round)" parts_match mnt/latest/raw noise/raw
  [ "$round" = 1 ] || raw_hits=$(counter hits mnt)
  expect_exit 0 strata umount mnt
  for i in $(seq 100); do (($(grep -c 'cache .*: hits=' raw.log) == round + 1)) && break; sleep 0.1; done
  [ "$round" = 2 ] || assert_eq 16 "$(logged_counter stored raw.log)" "raw frames stored by 16 random reads in 16 frames"
done
[ "$raw_hits" -ge 16 ] || fail "a remount read only $raw_hits of 16 raw frames read in part from the cache"
pass "raw frames read in part are cached ($raw_hits hits)"

for bad in abc 12X 512K 0 -5 99999999999999999999G; do
  expect_exit 2 strata mount -s store mnt --cache-size "$bad"
  expect_stderr_line '^strata: .*(cache-size|size)'
done
