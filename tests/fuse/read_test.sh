#!/usr/bin/env bash
# Reads through the mount: 10,000 random preads in a file at delta-chain depth 50 match the saved version
# byte for byte; 8 threads reading different files at once all match; a git repository backed up is
# intact in the mount (git fsck, git log); a damaged frame gives EIO for its file only, with one log line
# naming it, while its neighbours read fine.
set -euo pipefail
if [ ! -c /dev/fuse ]; then
  echo "SKIP: /dev/fuse is missing, mount tests need it"
  exit 77
fi
source "$(dirname "$0")/../cli/lib.sh"
t_init read
cd "$T"
py=/usr/bin/python3

# 50 versions of a 4 MiB file, each with a few scattered edits, all kept as deltas.
mkdir -p src saved
head -c $((4 << 20)) /dev/urandom > src/chain
for i in $(seq 1 8); do head -c $((100000 * i)) /dev/urandom > "src/f$i"; done
strata init -s store --kdf minimum >/dev/null
strata backup -s store src --max-chain 60 >/dev/null
for v in $(seq 1 50); do
  $py - "$v" <<'PY'
import random, sys
v = int(sys.argv[1])
rng = random.Random(v)
with open("src/chain", "r+b") as f:
    for _ in range(3):
        f.seek(rng.randrange(4 << 20))
        f.write(rng.randbytes(rng.randrange(1, 5000)))
PY
  [ "$v" = 25 ] && cp src/chain saved/chain-25
  strata backup -s store src --max-chain 60 >/dev/null
done
cp src/chain saved/chain-50
names=($(strata snapshots -s store --json | grep -o '"name":"[^"]*"' | cut -d'"' -f4))
[ "${#names[@]}" = 51 ] || fail "expected 51 snapshots, got ${#names[@]}"

# A git repository with history.
mkdir -p src/repo
git -C src/repo init -q
for i in 1 2 3; do
  echo "change $i" >> src/repo/file
  git -C src/repo add file
  git -C src/repo -c user.name=t -c user.email=t@t commit -q -m "commit $i"
done
git -C src/repo log --format='%H %s' > saved/gitlog
strata backup -s store src >/dev/null

mkdir mnt
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
expect_exit 0 strata mount -s store mnt --log-file "$T/mount.log"

$py - mnt/"${names[50]}"/chain saved/chain-50 mnt/"${names[25]}"/chain saved/chain-25 <<'PY' || fail "random preads differ"
import os, random, sys
rng = random.Random(7)
for mounted, saved in zip(sys.argv[1::2], sys.argv[2::2]):
    want = open(saved, "rb").read()
    fd = os.open(mounted, os.O_RDONLY)
    for _ in range(5000):
        off = rng.randrange(len(want) + 10)
        n = rng.choice([1, 17, 4096, 65536, 131072, 300000])
        got = os.pread(fd, n, off)
        if got != want[off:off + n]:
            sys.exit(f"{mounted}: pread({n}, {off}) differs")
    os.close(fd)
PY
pass "10,000 random preads at chain depths 25 and 50 match"

$py - mnt/latest src <<'PY' || fail "concurrent reads differ"
import sys, threading
mnt, src = sys.argv[1], sys.argv[2]
errors = []
def check(i):
    for _ in range(3):
        if open(f"{mnt}/f{i}", "rb").read() != open(f"{src}/f{i}", "rb").read():
            errors.append(i)
threads = [threading.Thread(target=check, args=(i,)) for i in range(1, 9)]
for t in threads: t.start()
for t in threads: t.join()
sys.exit(f"files {errors} differ" if errors else 0)
PY
pass "8 threads reading different files all match"

git -C mnt/latest/repo fsck --no-dangling 2>fsck.err || { cat fsck.err; fail "git fsck failed in the mount"; }
git -C mnt/latest/repo log --format='%H %s' > gitlog
cmp gitlog saved/gitlog || fail "git log differs in the mount"
pass "git fsck and git log in the mount"
expect_exit 0 strata umount mnt

# Damage one frame of one file in a copy of the store: EIO for that file, its neighbours unharmed.
mkdir -p small && head -c 200000 /dev/urandom > small/victim && echo fine > small/neighbour
strata init -s store2 --kdf minimum >/dev/null
strata backup -s store2 small --threads 1 >/dev/null
pack=$(ls -S $(find store2/packs -name '*.pack') | head -n 1)
printf '\xde\xad\xbe\xef' | dd of="$pack" bs=1 seek=50000 conv=notrunc status=none
mkdir mnt2
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt2"
expect_exit 0 strata mount -s store2 mnt2 --log-file "$T/mount2.log"
if cat mnt2/latest/victim > /dev/null 2>err; then fail "damaged file read without error"; fi
grep -q "Input/output error" err || fail "damaged file did not give EIO: $(cat err)"
cmp mnt2/latest/neighbour small/neighbour || fail "neighbour of a damaged file unreadable"
grep -q "latest/victim" "$T/mount2.log" || fail "log does not name the damaged file: $(cat "$T/mount2.log")"
pass "damaged frame: EIO for its file, neighbours fine, log names it"
expect_exit 0 strata umount mnt2
