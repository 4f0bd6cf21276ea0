#!/usr/bin/env bash
# examples/api_demo, the library API driven as a GUI would, on a small encrypted store: its backup shows
# progress and makes the snapshot `strata snapshots` lists; its listing matches the source directory; the
# one file it restores is byte-identical to the source (cmp); errors are one line naming the path.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init api_demo
cd "$T"
[[ -n ${STRATA_API_DEMO:-} ]] || fail "STRATA_API_DEMO is not set"
demo() { "$STRATA_API_DEMO" "$@"; }

mkdir -p src/docs/deep
head -c 3000000 /dev/urandom >src/big.bin
echo "hello" >src/docs/hello.txt
head -c 70000 /dev/urandom >src/docs/deep/blob
ln -s ../big.bin src/docs/link
strata init -s store --kdf minimum >/dev/null
files=$(find src -type f | wc -l)
bytes=$(find src -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')

expect_exit 0 demo backup store "$T/src"
expect_stdout_match '^progress: (scanning|storing), '
expect_stdout_match "^progress: done, $files/$files files, $bytes/$bytes bytes"
expect_stdout_match "^snapshot [0-9a-f]{64} [0-9T.:-]+Z: $files new, 0 changed, 0 unchanged, 0 errors"
id=$(grep -o '^snapshot [0-9a-f]*' "$T_STDOUT" | cut -d' ' -f2)

# The CLI sees the snapshot the demo made, and the demo lists what the CLI sees.
strata snapshots -s store --json | grep -q "\"id\":\"$id\"" || fail "strata snapshots does not list $id"
pass "strata snapshots lists the demo's snapshot"
expect_exit 0 demo snapshots store
assert_eq 1 "$(wc -l <"$T_STDOUT")" "one snapshot"
expect_stdout_match "^$id .* $files files $bytes bytes api_demo$"

# The listing of a directory against the directory itself.
expect_exit 0 demo ls store "${id:0:8}" docs
assert_eq "$(ls -A src/docs | sort)" "$(cut -d' ' -f4 "$T_STDOUT" | sort)" "names in docs"
expect_stdout_match "^- $(printf '%04o' "0$(stat -c %a src/docs/hello.txt)") $(stat -c %s src/docs/hello.txt) hello.txt$"
expect_stdout_match '^d [0-7]{4} 0 deep$'
target=$(readlink src/docs/link)
expect_stdout_match "^l 0777 ${#target} link$"

# One file, restored and compared with the source.
expect_exit 0 demo restore store latest docs/deep/blob out
cmp src/docs/deep/blob out/blob || fail "restored file differs"
pass "restored file is byte-identical"
expect_stdout_match "^restored 1 files \\($(stat -c %s src/docs/deep/blob) bytes\\)"

# Bad input: one line on stderr naming what is wrong, exit 1; usage errors exit 2.
expect_exit 1 demo ls store latest docs/nope
expect_stderr_line 'docs/nope: no such file'
expect_exit 1 demo snapshots "$T/missing-store"
expect_stderr_line "$T/missing-store"
expect_exit 1 env STRATA_PASSWORD=wrong "$STRATA_API_DEMO" snapshots store
expect_stderr_line 'wrong password'
expect_exit 2 demo restore store latest
