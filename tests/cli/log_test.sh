#!/usr/bin/env bash
# strata log: a file's history through create, unchanged backups, appends (stored as deltas until the
# store's --max-chain 2 makes a full copy), chmod, touch, deletion, re-creation and a change of type. The
# expected history is worked out from saved copies of the file (cmp and stat against the previous backup's
# copy) and the documented chain policy, never from strata's output; bad input is one line and exit 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init log_test

S=$T/store
src=$T/src
f=$src/docs/file.bin
mkdir -p "$src/docs"
echo "never changes" >"$src/other.txt"
expect_exit 0 strata init -s "$S" --kdf minimum --max-chain 2

: >"$T/expected"
depth=-1  # chain depth of the file's current version; -1: no version yet
prev=$T/prev
# backup_and_expect: backs up $src and appends to $T/expected the line the new snapshot must have in the
# file's log ("ID CHANGE SIZE STORAGE DEPTH [FIELDS]"), or none, judging by $prev (the file at the previous
# backup) and the file now.
backup_and_expect() {
  expect_exit 0 strata backup -s "$S" "$src"
  local id change="" fields=() storage=null size
  id=$(snapshot_ids "$S" | tail -n 1)
  if [[ -e $prev && ! -e $f ]]; then
    change=deleted
  elif [[ -e $f && ! -e $prev ]]; then
    change=created
  elif [[ -e $f && $(stat -c %F "$f") != "$(stat -c %F "$prev")" ]]; then
    change=type_changed
  elif [[ -e $f ]]; then
    [[ $(stat -c %a "$f") == $(stat -c %a "$prev") ]] || fields+=(mode)
    [[ $(stat -c %.9Y "$f") == $(stat -c %.9Y "$prev") ]] || fields+=(mtime)
    if [[ -f $f ]] && ! cmp -s "$f" "$prev"; then
      change=modified
    elif ((${#fields[@]})); then
      change=metadata
    fi
  fi
  if [[ -f $f ]]; then
    case $change in
    created | type_changed) depth=0 ;;
    modified) depth=$((depth + 1 > 2 ? 0 : depth + 1)) ;;
    esac
    storage=$([[ $depth == 0 ]] && echo full || echo delta)
  fi
  rm -rf "$prev"
  [[ -e $f ]] && cp -a "$f" "$prev"
  [[ -z $change ]] && return 0
  if [[ $change == deleted || -d $f ]]; then storage=null; fi
  size=0
  [[ $change != deleted && -f $f ]] && size=$(stat -c %s "$f")
  [[ $change == deleted ]] && size=$last_size
  last_size=$size
  local line="$id $change $size $storage"
  [[ $storage == delta || $storage == full ]] && line+=" $depth"
  ((${#fields[@]})) && [[ $change == metadata || $change == modified ]] && line+=" $(IFS=,; echo "${fields[*]}")"
  echo "$line" >>"$T/expected"
}
last_size=0

head -c 300000 /dev/urandom >"$f"
touch -d @1700000000.123456789 "$f"
backup_and_expect  # created, full
backup_and_expect  # nothing
head -c 200 /dev/urandom >>"$f"
backup_and_expect  # modified, delta 1
head -c 200 /dev/urandom >>"$f"
backup_and_expect  # modified, delta 2
chmod 600 "$f"
backup_and_expect  # mode only
head -c 200 /dev/urandom >>"$f"
backup_and_expect  # modified: the chain is full, a full copy
touch -d @1700000500.5 "$f"
backup_and_expect  # mtime only
rm "$f"
backup_and_expect  # deleted
backup_and_expect  # nothing
head -c 1000 /dev/urandom >"$f"
backup_and_expect  # created again, full
rm "$f"
mkdir "$f"
backup_and_expect  # now a directory
check "the history has 9 entries" test "$(wc -l <"$T/expected")" -eq 9

expect_exit 0 strata log -s "$S" docs/file.bin --json
python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    out = [o["snapshot"], o["change"], str(o["size"]), o["storage"] or "null"]
    if o["storage"]:
        out.append(str(o["chain_depth"]))
    if o["change"] in ("metadata", "modified") and o["metadata"]:
        out.append(",".join(o["metadata"]))
    print(" ".join(out))
' <"$T_STDOUT" >"$T/got"
check "log --json is the file's history" diff -u "$T/expected" "$T/got"

# The text form: one line per entry under a header, the same snapshots, markers and storage.
expect_exit 0 strata log -s "$S" /docs/file.bin
python3 -c '
import sys
for line in sys.stdin.readlines()[1:]:
    f = line.split()
    print(f[0], f[2], f[3], f[4] + (" " + f[5] if f[4] == "DELTA" else ""))
' <"$T_STDOUT" >"$T/got-text"
python3 -c '
import sys
marks = {"created": "+", "deleted": "-", "modified": "M", "metadata": "m", "type_changed": "T"}
for line in sys.stdin:
    f = line.split()
    stored = {"full": "FULL", "delta": "DELTA " + (f[4] if len(f) > 4 else ""), "null": "-"}[f[3]]
    size = "-" if f[1] == "deleted" else f[2]
    print(f[0][:12], marks[f[1]], size, stored)
' <"$T/expected" >"$T/expected-text"
check "log's text form agrees" diff -u "$T/expected-text" "$T/got-text"

# A file that never changed has one entry; the root's history is its metadata's.
expect_exit 0 strata log -s "$S" other.txt --json
assert_eq 1 "$(wc -l <"$T_STDOUT")" "an unchanged file appears once"
expect_stdout_match '"change":"created".*"storage":"full","chain_depth":0'

# Bad input.
expect_exit 1 strata log -s "$S" no/such/file
expect_stderr_line '^strata: no/such/file: in no snapshot of store .*'
expect_exit 2 strata log -s "$S"
expect_stderr_line '^strata: log: needs PATH$'
