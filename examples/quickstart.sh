#!/usr/bin/env bash
# strata in one minute: set-up, build, back up a directory twice, browse the snapshots, mount them and
# diff two snapshot directories, unmount, restore. Everything happens under a scratch directory that is
# removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target strata
strata=$root/build/strata

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-quickstart.XXXXXX")
trap 'rm -rf "$work"' EXIT
export STRATA_STORE=$work/store
# The store is encrypted (the default); a real set-up keeps the password in a file (--password-file, or
# STRATA_PASSWORD_FILE) or types it at the prompt.
export STRATA_PASSWORD=quickstart-password

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# Something to back up: this source tree, plus a file we will edit.
mkdir -p "$work/data"
cp -a "$root/store" "$root/src" "$work/data/"
seq 1 200000 > "$work/data/numbers.txt"

step "$strata" init
step "$strata" backup "$work/data" --label first
# Edit one byte in the middle of a file and add a file; the second backup stores only a small delta.
sed -i 's/^100000$/one hundred thousand/' "$work/data/numbers.txt"
echo "new file" > "$work/data/NEW"
step "$strata" backup "$work/data" --label second
step "$strata" snapshots

first=$("$strata" snapshots --json | grep -o '"name":"[^"]*"' | head -n 1 | cut -d'"' -f4)
step "$strata" ls "$first" -l
step "$strata" ls latest src -l
printf '\n$ strata cat latest numbers.txt | sed -n 99999,100001p\n'
"$strata" cat latest numbers.txt | sed -n 99999,100001p

# Every snapshot as a read-only directory.
mkdir "$work/mnt"
trap '! mountpoint -q "$work/mnt" || fusermount3 -u -z "$work/mnt"; rm -rf "$work"' EXIT
step "$strata" mount "$work/mnt"
step ls -l "$work/mnt"
second=$("$strata" snapshots --json | grep -o '"name":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
printf '\n$ diff -r mnt/%s mnt/%s\n' "$first" "$second"
(cd "$work/mnt" && diff -r "$first" "$second") || true
step cp -a "$work/mnt/$first/numbers.txt" "$work/numbers-first.txt"
printf '\n$ diff -r data mnt/latest (identical: no output)\n'
diff -r "$work/data" "$work/mnt/latest"
step "$strata" umount "$work/mnt"

step "$strata" restore "$first" "$work/restore-first"
printf '\n$ diff -r restore-first data\n'
diff -r "$work/restore-first" "$work/data" || true
echo "quickstart: done"
