#!/usr/bin/env bash
# strata diff: random trees backed up twice with random edits (content, deletions, additions, chmod, chown,
# mtimes, xattrs, symlink targets, type changes, new hardlinks). What diff reports must be what
# tests/cli/diff_oracle.py finds between saved copies of the two source trees, and between the two
# snapshots restored (diff -rq for existence and content, lstat for types and metadata), in text and in
# --json, for the whole snapshot and for a subtree; bad input is one line and exit 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t_init diff_test

here=$(dirname "${BASH_SOURCE[0]}")
S=$T/store
expect_exit 0 strata init -s "$S" --kdf minimum

# strata diff's text output as "KIND PATH" lines, sorted (directories lose their trailing '/').
text_kinds() { sed -e '$d' -e 's|/$||' "$1" | LC_ALL=C sort; }
# Its --json output as the oracle prints it: "KIND PATH [FIELDS]", sorted.
json_kinds() {
  python3 -c '
import json, sys
marks = {"created": "+", "deleted": "-", "modified": "M", "metadata": "m", "type_changed": "T"}
for line in sys.stdin:
    o = json.loads(line)
    if o["type"] != "change":
        continue
    k = marks[o["change"]]
    fields = ",".join(o["metadata"]) if k in "Mm" else ""
    print(" ".join(x for x in (k, o["path"], fields) if x))
' <"$1" | LC_ALL=C sort
}

for seed in 1 2 3; do
  src=$T/src$seed
  python3 "$here/random_tree.py" make "$src" "$seed"
  expect_exit 0 strata backup -s "$S" "$src" --label "a$seed"
  a=$(snapshot_ids "$S" | tail -n 1)
  save_version "$src" "$T/old$seed"
  python3 "$here/random_tree.py" mutate "$src" "$((seed + 100))"
  expect_exit 0 strata backup -s "$S" "$src" --label "b$seed"
  b=$(snapshot_ids "$S" | tail -n 1)

  python3 "$here/diff_oracle.py" "$T/old$seed" "$src" | LC_ALL=C sort >"$T/expected"
  cut -d' ' -f1,2 "$T/expected" >"$T/expected-kinds"
  check "seed $seed: the edits changed something" test -s "$T/expected"

  expect_exit 0 strata diff -s "$S" "$a" "$b"
  cp "$T_STDOUT" "$T/text"
  text_kinds "$T/text" >"$T/got-kinds"
  check "seed $seed: text diff agrees with diff -rq and lstat" diff -u "$T/expected-kinds" "$T/got-kinds"
  summary=$(tail -n 1 "$T/text")
  for kind in '+:created' '-:deleted' 'M:modified' 'm:metadata only' 'T:type changed'; do
    n=$(grep -c "^[${kind%%:*}] " "$T/got-kinds" || true)
    check "seed $seed: summary counts ${kind#*:} ($n)" grep -q " $n ${kind#*:}" <<<"$summary"
  done

  expect_exit 0 strata diff -s "$S" "$a" "$b" --json
  json_kinds "$T_STDOUT" >"$T/got-json"
  check "seed $seed: --json diff (with metadata fields) agrees" diff -u "$T/expected" "$T/got-json"
  # The same holds between the two snapshots as restored.
  expect_exit 0 strata restore -s "$S" "$a" "$T/restored-a$seed"
  expect_exit 0 strata restore -s "$S" "$b" "$T/restored-b$seed"
  python3 "$here/diff_oracle.py" "$T/restored-a$seed" "$T/restored-b$seed" | LC_ALL=C sort >"$T/expected-restored"
  check "seed $seed: --json diff agrees with the restored trees" diff -u "$T/expected-restored" "$T/got-json"

  # A subtree: only the paths under it, the same way.
  sub=$(cd "$src" && find . -mindepth 1 -maxdepth 1 -type d | sed 's|^\./||' | LC_ALL=C sort | head -n 1)
  if [[ -n $sub ]] && [[ -d $T/old$seed/$sub ]]; then
    expect_exit 0 strata diff -s "$S" "$a" "$b" "$sub/"
    text_kinds "$T_STDOUT" >"$T/got-sub"
    { grep -E "^. $sub(/|\$)" "$T/expected-kinds" || true; } >"$T/expected-sub"
    check "seed $seed: diff of $sub/ lists what changed under it" diff -u "$T/expected-sub" "$T/got-sub"
  fi

  # The other way round, every created path is deleted and the other way.
  expect_exit 0 strata diff -s "$S" "$b" "$a"
  text_kinds "$T_STDOUT" | sed -e 's/^+/X/' -e 's/^-/+/' -e 's/^X/-/' | LC_ALL=C sort >"$T/got-reverse"
  check "seed $seed: B->A is A->B reversed" diff -u "$T/got-kinds" "$T/got-reverse"
done

# A snapshot against itself: nothing, and a summary of zeros.
expect_exit 0 strata diff -s "$S" latest latest
assert_eq 1 "$(wc -l <"$T_STDOUT")" "diff of a snapshot with itself is the summary alone"
expect_stdout_match ' 0 created, 0 deleted, 0 modified, 0 metadata only, 0 type changed$'

# Bad input: one line, exit 1 (2 for usage).
expect_exit 1 strata diff -s "$S" latest deadbeef
expect_stderr_line '^strata: .*deadbeef.*'
expect_exit 1 strata diff -s "$S" latest latest no/such/path
expect_stderr_line '^strata: no/such/path: in neither snapshot .*'
expect_exit 2 strata diff -s "$S" latest
expect_stderr_line '^strata: diff: needs SNAPSHOT_A and SNAPSHOT_B$'
expect_exit 1 strata diff -s "$T/no-store" latest latest
expect_stderr_line '^strata: .*no-store.*'
