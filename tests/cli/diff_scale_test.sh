#!/usr/bin/env bash
# strata diff at scale: two snapshots of 50,000 files in 500 directories, 100 files appended to and one
# chmod between them. The diff must list exactly those paths (the edit list the generator wrote) and take
# under a second, because it skips every directory whose tree object did not change.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init diff_scale_test

src=$T/src
python3 - "$src" <<'PY'
import os, random, sys
src = sys.argv[1]
r = random.Random(1)
for d in range(500):
    p = f"{src}/d{d:03d}/sub{d % 7}"
    os.makedirs(p)
    for i in range(100):
        with open(f"{p}/f{i:03d}", "wb") as f:
            f.write(r.randbytes(r.randrange(0, 200)))
PY
check "50000 files" test "$(find "$src" -type f | wc -l)" -eq 50000
S=$T/store
expect_exit 0 strata init -s "$S" --kdf minimum
expect_exit 0 strata backup -s "$S" "$src"
python3 - "$src" "$T/edited" <<'PY'
import os, random, sys
src, edited = sys.argv[1], sys.argv[2]
r = random.Random(2)
paths = set()
while len(paths) < 100:
    d = r.randrange(500)
    paths.add(f"d{d:03d}/sub{d % 7}/f{r.randrange(100):03d}")
chmodded = "d010/sub3/f005"
with open(edited, "w") as out:
    for p in sorted(paths):
        with open(f"{src}/{p}", "ab") as f:
            f.write(b"appended")
        out.write(f"M {p}\n")
    os.chmod(f"{src}/{chmodded}", 0o600)
    if chmodded not in paths:
        out.write(f"m {chmodded}\n")
PY
expect_exit 0 strata backup -s "$S" "$src"
{ read -r a; read -r b; } < <(snapshot_ids "$S")

start=$EPOCHREALTIME
expect_exit 0 strata diff -s "$S" "$a" "$b"
took=$(python3 -c "print(f'{$EPOCHREALTIME - $start:.3f}')")
note "diff of two 50,000-file snapshots: $took s"
check "the diff takes under a second ($took s)" python3 -c "import sys; sys.exit(not $took < 1.0)"
sed '$d' "$T_STDOUT" | LC_ALL=C sort >"$T/got"
LC_ALL=C sort "$T/edited" >"$T/expected"
check "the diff lists exactly the edited files" diff -u "$T/expected" "$T/got"
