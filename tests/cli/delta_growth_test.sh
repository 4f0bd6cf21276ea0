#!/usr/bin/env bash
# Deltas: a 1-byte edit in a 100 MiB file grows the store by under 1 MiB, identical content is stored
# once, and every version still reads back exactly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init delta_growth
cd "$T"

mkdir src
head -c $((100 << 20)) /dev/urandom > src/big
strata init -s store --kdf minimum >/dev/null
expect_exit 0 strata backup -s store src
cp src/big v1
before=$(du -sb store | cut -f1)
printf 'x' | dd of=src/big bs=1 seek=$((37 << 20)) conv=notrunc status=none
expect_exit 0 strata backup -s store src
after=$(du -sb store | cut -f1)
growth=$((after - before))
[ "$growth" -lt $((1 << 20)) ] || fail "1-byte edit grew the store by $growth bytes"
pass "1-byte edit grew the store by $growth bytes"

# A copy of existing content, under another name, adds no data.
cp src/big src/copy
before=$after
expect_exit 0 strata backup -s store src
after=$(du -sb store | cut -f1)
[ $((after - before)) -lt 65536 ] || fail "identical content stored again ($((after - before)) bytes)"
pass "identical content stored once"

strata cat -s store latest big | cmp - src/big || fail "latest version differs"
strata cat -s store latest copy | cmp - src/big || fail "copy differs"
first=$(strata snapshots -s store --json | grep -o '"name":"[^"]*"' | head -n 1 | cut -d'"' -f4)
strata cat -s store "$first" big | cmp - v1 || fail "first version differs"
pass "all versions read back exactly"
