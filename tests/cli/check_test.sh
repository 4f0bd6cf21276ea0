#!/usr/bin/env bash
# strata check on a store of four snapshots: it passes (exit 0) while nothing is damaged, and --read-data
# rebuilds exactly the distinct file contents of the store. After damage made by hand in a copy of the
# store (a flipped byte in a data frame, a truncated pack, a deleted pack, a garbled manifest, a garbled
# index file) it exits 1, names the damaged object and exactly the snapshot paths that need it, and the
# snapshots that do not need it still restore exactly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init check
cd "$T"

py() { python3 "$@"; }

# Four snapshots of three source trees. big.bin is the only big file: its content is the bulk of the pack
# its backup wrote (the biggest pack of the store), and other/copy.bin has the same content, so the damage
# done to that pack must be reported for both paths. small/ is backed up twice: the second snapshot keeps
# a and dir/b from the first and stores dir/c as a delta.
mkdir -p src/small/dir src/big src/other
echo one >src/small/a
echo two >src/small/dir/b
head -c 300000 /dev/urandom >src/small/dir/c
head -c $((8 << 20)) /dev/urandom >src/big/big.bin
head -c 200000 /dev/urandom >src/other/o.bin
cp src/big/big.bin src/other/copy.bin
strata init -s store --encryption none >/dev/null

index_files() { find store/index -name '*.idx' -printf '%f\n' | sort; }
backup() { # backup SRC VERSION_DIR: back up, keep a copy of what was backed up, record the new index file
  local before
  before=$(index_files)
  expect_exit 0 strata backup -s store "src/$1"
  save_version "src/$1" "$2"
  comm -13 <(echo "$before") <(index_files) >"$2.idx"
}
backup small v1
backup big v2
backup other v3
printf 'XYZ' | dd of=src/small/dir/c bs=1 seek=1000 conv=notrunc status=none
backup small v4

expect_exit 0 strata snapshots -s store --json
mapfile -t NAMES < <(py -c 'import json,sys; [print(s["name"]) for s in map(json.loads, sys.stdin) if s["type"] == "snapshot"]' <"$T_STDOUT")
mapfile -t IDS < <(py -c 'import json,sys; [print(s["id"]) for s in map(json.loads, sys.stdin) if s["type"] == "snapshot"]' <"$T_STDOUT")
assert_eq 4 "${#NAMES[@]}" "snapshots made"

# --- An intact store ---------------------------------------------------------------------------------------
expect_exit 0 strata check -s store
expect_stdout_match '^checked 4 snapshots, 4 index files, .*: no damage found$'
expect_exit 0 strata check -s store --read-data
expect_stdout_match 'no damage found$'
expect_exit 0 strata check -s store --read-data --json
# The oracle: the distinct file contents of the four saved versions (one file version per content).
read -r want_versions want_bytes < <(py - v1 v2 v3 v4 <<'EOF'
import hashlib, os, sys
seen = {}
for top in sys.argv[1:]:
    for root, _, files in os.walk(top):
        for f in files:
            data = open(os.path.join(root, f), "rb").read()
            seen[hashlib.sha256(data).digest()] = len(data)
print(len(seen), sum(seen.values()))
EOF
)
summary=$(py - "$T_STDOUT" <<'EOF'
import json, sys
lines = [l for l in map(json.loads, open(sys.argv[1])) if l["type"] != "progress"]
assert len(lines) == 1, lines
s = lines[0]
assert set(s) == {"type", "read_data", "snapshots", "index_files", "trees", "versions", "objects",
                  "bytes_read", "damaged", "unlisted"}, s
assert s["type"] == "summary" and s["read_data"] is True and s["damaged"] == 0 and s["unlisted"] == 0, s
print(s["snapshots"], s["versions"], s["bytes_read"])
EOF
)
assert_eq "4 $want_versions $want_bytes" "$summary" "summary: snapshots, file versions, bytes rebuilt"

# --- Damage ------------------------------------------------------------------------------------------------
# damage_report OUT: from `check --json` output, one line per damaged object, "KIND OBJECT", then one line
# per dependent, "  SNAPSHOT:PATH" (sorted), after checking the documented fields.
damage_report() {
  py - "$1" <<'EOF'
import json, sys
lines = [l for l in map(json.loads, open(sys.argv[1])) if l["type"] != "progress"]
assert lines and lines[-1]["type"] == "summary", lines
assert lines[-1]["damaged"] == len(lines) - 1 and lines[-1]["unlisted"] == 0, lines
for d in lines[:-1]:
    assert set(d) == {"type", "object", "kind", "message", "dependents", "more_dependents"}, d
    assert d["type"] == "damage" and d["message"] and d["more_dependents"] == 0, d
    print(d["kind"], d["object"])
    for dep in sorted(d["dependents"], key=lambda x: (x["snapshot"], x["path"])):
        assert set(dep) == {"snapshot", "snapshot_id", "path"}, dep
        print("  %s:%s" % (dep["snapshot"], dep["path"]))
EOF
}
# dependents OUT: the sorted, distinct SNAPSHOT:PATH of all damaged objects.
dependents() { damage_report "$1" | sed -n 's/^  //p' | sort -u; }
# objects_in_pack PACK OUT: fails unless every object check names is listed in PACK's trailer.
objects_in_pack() {
  py - "$1" "$2" <<'EOF'
import json, sys
pack = open(sys.argv[1], "rb").read()
for l in open(sys.argv[2]):
    d = json.loads(l)
    if d["type"] == "damage":
        assert bytes.fromhex(d["object"]) in pack[-64 - 96 * int.from_bytes(pack[-56:-48], "little"):], d
EOF
}
fresh_copy() { rm -rf work r && cp -a store work; }
# Snapshots are named by id here: names depend on which manifests are readable (strata-store(5)).
restores_exactly() { # restores_exactly SNAPSHOT_INDEX VERSION_DIR
  rm -rf r
  expect_exit 0 strata restore -s work "${IDS[$1]}" r
  compare_trees "$2" r
}
big_pack() { find store/packs -name '*.pack' -printf '%s %P\n' | sort -n | tail -n 1 | cut -d' ' -f2; }
BIG=$(big_pack)
S2=${NAMES[1]} S3=${NAMES[2]}

note "a flipped byte in the middle of the biggest pack, inside a frame of big.bin's content"
fresh_copy
py - "work/packs/$BIG" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0, 2); mid = f.tell() // 2; f.seek(mid); b = f.read(1); f.seek(mid); f.write(bytes([b[0] ^ 0xff]))
EOF
# Frames are only read with --read-data: the structure is intact.
expect_exit 0 strata check -s work
expect_exit 1 strata check -s work --read-data --json
cp "$T_STDOUT" out.json
assert_eq "data" "$(damage_report out.json | grep -v '^  ' | cut -d' ' -f1)" "one damaged object, a data object"
assert_eq "$(printf '%s\n' "$S2:big.bin" "$S3:copy.bin")" "$(dependents out.json)" "paths needing it"
check "the damaged object is in the damaged pack" objects_in_pack "store/packs/$BIG" out.json
expect_exit 1 strata check -s work --read-data
expect_stdout_match "^damaged data [0-9a-f]{64}: .*frame"
expect_stdout_match "^  needed by $S3: copy.bin$"
expect_stderr_line '^strata: store work is damaged: 1 damaged object '
expect_exit 1 strata restore -s work "${IDS[1]}" r
restores_exactly 0 v1
restores_exactly 3 v4
expect_exit 0 strata cat -s work "${IDS[2]}" o.bin
check "o.bin of the third snapshot reads back" cmp "$T_STDOUT" v3/o.bin

for how in truncated deleted; do
  note "the biggest pack $how"
  fresh_copy
  if [ "$how" = truncated ]; then
    truncate -s $(($(stat -c %s "work/packs/$BIG") / 2)) "work/packs/$BIG"
  else
    rm "work/packs/$BIG"
  fi
  # The structure check alone finds it: objects out of their pack's bounds, or in no pack at all.
  expect_exit 1 strata check -s work --json
  cp "$T_STDOUT" out.json
  check "every damaged object was in the $how pack" objects_in_pack "store/packs/$BIG" out.json
  # big.bin's trees may have been in that pack too (then the snapshot root is what is lost); copy.bin's
  # tree was written by another backup, so copy.bin itself must be named, and nothing outside these.
  deps=$(dependents out.json)
  check "copy.bin is named" grep -qx "$S3:copy.bin" <<<"$deps"
  extra=$(grep -vx -e "$S2:." -e "$S2:big.bin" -e "$S3:copy.bin" <<<"$deps" || true)
  assert_eq "" "$extra" "no other path is named"
  [ "$how" = truncated ] || check "the message says the pack is missing" grep -q 'pack [0-9a-f]* is missing' out.json
  restores_exactly 0 v1
  restores_exactly 3 v4
  expect_exit 0 strata cat -s work "${IDS[2]}" o.bin
  check "o.bin of the third snapshot reads back" cmp "$T_STDOUT" v3/o.bin
done

note "a garbled manifest (the third snapshot's)"
fresh_copy
manifest=work/snapshots/${IDS[2]}.snap
head -c 16 /dev/urandom | dd of="$manifest" bs=1 seek=40 conv=notrunc status=none
expect_exit 1 strata check -s work --read-data --json
cp "$T_STDOUT" out.json
assert_eq "manifest ${IDS[2]}" "$(damage_report out.json)" "the one damage is that manifest"
expect_exit 1 strata check -s work
expect_stdout_match "^damaged manifest ${IDS[2]}: .*${IDS[2]}\.snap"
restores_exactly 0 v1
restores_exactly 1 v2
restores_exactly 3 v4

# The first backup's index file: garbled in its header, the whole file is skipped and every object it lists
# reads as missing; garbled in the middle, only the entries hit are wrong (readers check the checksum only
# in check), and the paths named must be among the former.
FIRST_INDEX=$(cat v1.idx)
SHARED_WITH_FIRST=$(printf '%s\n' "${NAMES[0]}:." "${NAMES[3]}:a" "${NAMES[3]}:dir/b" "${NAMES[3]}:dir/c")
for where in header middle; do
  note "a garbled index file (the one the first backup wrote), in its $where"
  fresh_copy
  idx=work/index/$FIRST_INDEX
  offset=4
  [ "$where" = header ] || offset=$(($(stat -c %s "$idx") / 2))
  head -c 8 /dev/urandom | dd of="$idx" bs=1 seek="$offset" conv=notrunc status=none
  expect_exit 1 strata check -s work --json
  cp "$T_STDOUT" out.json
  check "the index file is named" grep -qx "index file ${FIRST_INDEX%.idx}" <(damage_report out.json)
  if [ "$where" = header ]; then
    # The first snapshot's root tree is gone, and the fourth snapshot shares a and dir/b with the first
    # and stores dir/c as a delta on its old version.
    assert_eq "$SHARED_WITH_FIRST" "$(dependents out.json)" "paths needing the first backup's objects"
  else
    # Any path of the first snapshot may be hit now that its root tree may still be readable.
    extra=$(comm -23 <(dependents out.json) <({
      echo "$SHARED_WITH_FIRST"
      (cd v1 && find . -mindepth 1 -printf "${NAMES[0]}:%P\n")
    } | sort))
    assert_eq "" "$extra" "paths named that do not use the first backup's objects"
  fi
  restores_exactly 1 v2
  restores_exactly 2 v3
done
