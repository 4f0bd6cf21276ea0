#!/usr/bin/env bash
# Regenerates the seed-* files of tests/fuzz/corpus/ from real strata output: backs up a tiny tree twice
# (the second time after edits, so the store holds deltas), then copies the header, index files, manifests
# and packs, and lets fuzz_seed_dump extract trees, version chains, extent maps and frames. Other files
# in the corpus (inputs that once failed, kept as regressions) are left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$root/tests/fuzz/corpus
build=$("$root/tests/fuzz/build.sh" strata fuzz_seed_dump)
strata=$build/strata
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

src=$tmp/src
mkdir -p "$src/docs/notes" "$src/bin"
for i in $(seq 1 300); do echo "line $i of a small text file that the second backup edits"; done >"$src/docs/text"
printf 'hello\n' >"$src/docs/notes/hello"
head -c 3000 /dev/urandom >"$src/bin/random"
truncate -s 20000 "$src/sparse"
printf 'tail' >>"$src/sparse"
ln -s docs/notes/hello "$src/link"
mkfifo "$src/fifo"
setfattr -n user.comment -v "fuzz seed" "$src/docs/text" 2>/dev/null || true

store=$tmp/store
# Plain: the seeds are the plaintext forms the parsers read (an encrypted store seals them).
"$strata" init -s "$store" --encryption none >/dev/null
"$strata" backup -s "$store" "$src" --label first >/dev/null
sed -i 's/line 150 of/line 150 (edited) of/; s/line 7 of/LINE 7 OF/' "$src/docs/text"
printf 'more\n' >>"$src/docs/notes/hello"
"$strata" backup -s "$store" "$src" --label second --exclude '*.tmp' >/dev/null

for t in store_header frame_codec pack object_index tree manifest file_version exclude; do
  mkdir -p "$corpus/$t"
  rm -f "$corpus/$t"/seed-*
done
cp "$store/strata-store" "$corpus/store_header/seed-header"
for f in "$store"/index/*.idx; do cp "$f" "$corpus/object_index/seed-$(basename "$f" .idx | head -c 16)"; done
for f in "$store"/snapshots/*.snap; do cp "$f" "$corpus/manifest/seed-$(basename "$f" .snap | head -c 16)"; done
for f in "$store"/packs/*/*.pack; do cp "$f" "$corpus/pack/seed-$(basename "$f" .pack | head -c 16)"; done
"$build/tests/fuzz/fuzz_seed_dump" "$store" "$corpus"

# Exclude patterns: an exclude file, a NUL, then NUL-separated paths (directories end in '/').
seed() { printf "$2" >"$corpus/exclude/seed-$1"; }
seed basic '*.o\nbuild/\n!keep.o\n\0a.o\0src/keep.o\0build/\0src/build/\0src/main.c\0'
seed anchored '/top\ndocs/*.md\n# comment\n\n\\#hash\n\0top\0sub/top\0docs/a.md\0docs/x/a.md\0#hash\0'
seed globs '**/cache/**\na/**/b\n*.[ch]\nfile?.txt\n[!a-c]x\n[[:digit:]]*\n\0cache/x\0p/cache/y/z\0a/b\0a/x/y/b\0m.c\0file1.txt\0dx\0ax\0'
seed escapes 'trailing\\ \nfoo\\*bar\n\\!bang\nsp  \r\n\0trailing \0foo*bar\0!bang\0sp\0'

echo "seeds: $(du -sb "$corpus" | cut -f1) bytes in $corpus" >&2
