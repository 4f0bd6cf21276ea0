#!/usr/bin/env bash
# What the CLI prints around its work: the backup summary's counts against the files this test made and
# changed, --json (every line parses, documented event types, one final summary), the progress line on a
# terminal (script(1)) and off it (a pipe), and the log levels of -q/-v and --log-file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init output
cd "$T"

# summary FILE KEY: a field of the last line of FILE, which must be the JSON summary; every line must be
# a JSON object of a documented type.
summary() {
  "$_T_PY" - "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and all(l["type"] in ("progress", "log", "summary", "snapshot", "entry", "damage") for l in lines), lines
assert lines[-1]["type"] == "summary" and sum(l["type"] == "summary" for l in lines) == 1, lines[-1]
print(lines[-1][sys.argv[2]])
PY
}

strata init -s store --encryption none >/dev/null

note "first backup: every file is new"
mkdir src
for i in $(seq 1 20); do head -c $((i * 1000)) /dev/urandom >"src/f$i"; done
head -c $((4 << 20)) /dev/urandom >src/big
"$_T_PY" -c "import sys; sys.stdout.write((\"the same line of text, again and again\\n\" * 60000)[:2 << 20])" >src/text
expect_exit 0 strata backup -s store src --json
cp "$T_STDOUT" first.json
total=$(find src -type f -printf '%s\n' | awk '{s += $1} END {print s}')
assert_eq 22 "$(summary first.json files_new)" "files new"
assert_eq 0 "$(summary first.json files_changed)" "files changed"
assert_eq 0 "$(summary first.json files_unchanged)" "files unchanged"
assert_eq 0 "$(summary first.json errors)" "errors"
assert_eq "$total" "$(summary first.json bytes_read)" "bytes read"
assert_eq "$(pack_bytes store)" "$(($(summary first.json bytes_stored) - $(find store/index -type f -printf '%s\n' | awk '{s += $1} END {print s}')))" \
  "bytes stored: the packs written (the summary counts the index file too)"
# 2 MiB of one repeated line compresses to almost nothing; random bytes do not compress at all.
(($(summary first.json compression_saved) > (2 << 20) * 9 / 10)) || fail "compression saved $(summary first.json compression_saved) of the text's 2 MiB"
(($(summary first.json compression_saved) < (2 << 20) + 100000)) || fail "compression saved more than the compressible bytes"
assert_eq 0 "$(summary first.json delta_saved)" "delta savings with no previous versions"
pass "first backup's summary"

# Small appends, so that each delta is worth keeping: a file whose delta is not is read a second time
# (and counted twice in bytes_read, strata(1)).
note "second backup: 3 changed by appending to them, 2 new, 2 deleted"
echo "one more line" >>src/big
echo "one more line" >>src/text
head -c 100 /dev/urandom >>src/f18
rm src/f19 src/f20
for i in 21 22; do head -c 3000 /dev/urandom >"src/f$i"; done
read_now=$(stat -c %s src/big src/text src/f18 src/f21 src/f22 | awk '{s += $1} END {print s}')
expect_exit 0 strata backup -s store src --json
cp "$T_STDOUT" second.json
assert_eq 2 "$(summary second.json files_new)" "files new"
assert_eq 3 "$(summary second.json files_changed)" "files changed"
assert_eq $((22 - 2 - 3)) "$(summary second.json files_unchanged)" "files unchanged"
assert_eq "$read_now" "$(summary second.json bytes_read)" "bytes read: the new and changed files"
# big's 4 MiB and text's 2 MiB are copied from their previous versions but for the blocks a line was
# appended to.
changed=$(stat -c %s src/big src/text src/f18 | awk '{s += $1} END {print s}')
(($(summary second.json delta_saved) > (6 << 20) - 65536)) || fail "delta saved $(summary second.json delta_saved) of 6 MiB"
(($(summary second.json delta_saved) <= changed)) || fail "delta saved more than the changed files' size"
pass "second backup's summary"

note "until the walk has counted them, the totals are the parent snapshot's"
expect_exit 0 strata backup -s store src --json
first=$(head -n 1 "$T_STDOUT")
"$_T_PY" - "$first" "$(find src -type f | wc -l)" "$(find src -type f -printf '%s\n' | awk '{s += $1} END {print s}')" <<'PY' ||
import json, sys
p = json.loads(sys.argv[1])
assert p["type"] == "progress" and p["phase"] == "scanning" and p["totals_estimated"] is True, p
assert p["files_total"] == int(sys.argv[2]) and p["bytes_total"] == int(sys.argv[3]), p
PY
  fail "first progress event: $first"
pass "estimated totals from the parent snapshot"

note "the text summary"
expect_exit 0 strata backup -s store src
expect_stdout_match "^files: 22 \(0 new, 0 changed, 22 unchanged, 0 errors\), 1 directories, 0 other$"
expect_stdout_match "^saved 0 B by delta encoding, 0 B by compression$"
expect_exit 0 strata backup -s store src -q
assert_eq 0 "$(stat -c %s "$T_STDOUT")" "bytes printed by backup -q"
pass "summary as text, none with -q"

note "--json on the other commands"
expect_exit 0 strata snapshots -s store --json
assert_eq "$(find store/snapshots -name "*.snap" | wc -l)" "$(summary "$T_STDOUT" snapshots)" "snapshots in the summary"
assert_eq "$(find store/snapshots -name "*.snap" | wc -l)" "$(grep -c '"type":"snapshot"' "$T_STDOUT")" "snapshot lines"
expect_exit 0 strata ls -s store latest -r --json
assert_eq "$(find src -mindepth 1 | wc -l)" "$(summary "$T_STDOUT" entries)" "entries listed"
expect_exit 0 strata restore -s store latest r --json
assert_eq 22 "$(summary "$T_STDOUT" files)" "files restored"
compare_trees --no-root src r
expect_exit 0 strata check -s store --read-data --json
assert_eq 0 "$(summary "$T_STDOUT" damaged)" "damage found"
expect_exit 0 strata init -s store2 --encryption none --json
assert_eq "$(od -An -tx1 -j16 -N16 store2/strata-store | tr -d ' \n' | sed -E 's/(.{8})(.{4})(.{4})(.{4})/\1-\2-\3-\4-/')" \
  "$(summary "$T_STDOUT" id)" "init: the id in the store header"
mkdir -p store/tmp && : >store/tmp/dead.pack.tmp
expect_exit 0 strata unlock -s store --json
assert_eq 0 "$(summary "$T_STDOUT" locks_removed)" "unlock: locks removed"
pass "snapshots, ls, restore, check, init and unlock print JSON lines ending in one summary"

note "progress on a terminal: one line rewritten in place"
mkdir slow
for i in $(seq 1 8); do head -c $((16 << 20)) /dev/urandom >"slow/r$i"; done
script -qec "$STRATA_BIN backup -s store slow --progress --threads 1" typescript >/dev/null
grep -q $'\r\e\[Kbackup: [0-9]*/*[0-9]* files, ' typescript || fail "no live progress line: $(tr '\r' '\n' <typescript | head -n 5)"
tr '\r' '\n' <typescript | grep -Eq '^(.\[K)?backup: [0-9]+/8 files, [0-9.]+ MiB/128.0 MiB, [0-9.]+ [KMG]?i?B/s, ETA [0-9]+:[0-9]{2}$' ||
  fail "no progress line with the totals and an ETA: $(tr '\r' '\n' <typescript | head -n 5)"
grep -q "^snapshot [0-9a-f]\{12\} saved as" <(tr '\r' '\n' <typescript | sed 's/^.\[K//') || fail "no summary after the progress line"
pass "live progress line on a terminal"

note "progress off a terminal: plain lines at the interval (STRATA_PROGRESS_INTERVAL for tests)"
for i in $(seq 1 8); do head -c 100 /dev/urandom >>"slow/r$i"; done
STRATA_PROGRESS_INTERVAL=0.05 "$STRATA_BIN" backup -s store slow --progress --threads 1 2>progress.err | cat >/dev/null
grep -Eq '^strata: backup: [0-9]+(/8)? files, ' progress.err || fail "no plain progress line: $(head -n 3 progress.err)"
! grep -q $'\r' progress.err || fail "carriage return off a terminal"
expect_exit 0 strata backup -s store slow --progress
assert_eq 0 "$(stat -c %s "$T_STDERR")" "stderr bytes of a short backup with the default 10 s interval"
pass "plain progress lines off a terminal"

note "log levels and --log-file"
mkfifo src/fifo-skipped-not && rm src/fifo-skipped-not
"$_T_PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' src/sock
expect_exit 0 strata backup -s store src
assert_eq 0 "$(stat -c %s "$T_STDERR")" "stderr bytes by default (a skipped socket is a note)"
expect_exit 0 strata backup -s store src -v --log-file backup.log
expect_stderr_line "^strata: note: .*src/sock: socket skipped$"
grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z strata info .*src/sock: socket skipped$" backup.log ||
  fail "log file line: $(cat backup.log)"
expect_exit 0 strata backup -s store src --log-file backup.log
assert_eq 2 "$(grep -c 'socket skipped' backup.log)" "records appended to the log file (notes kept without -v)"
expect_exit 0 strata backup -s store src -v --json
grep -q '^{"type":"log","level":"info","message":"[^"]*src/sock: socket skipped"}$' "$T_STDOUT" || fail "no JSON log record"
expect_exit 0 strata -v --json -s store backup src
grep -q '^{"type":"log","level":"info","message":"[^"]*src/sock: socket skipped"}$' "$T_STDOUT" ||
  fail "output options before the command name are not taken"
expect_exit 2 strata backup -s store src -q -v
expect_stderr_line "^strata: backup: -q and -v exclude each other$"
expect_exit 1 strata snapshots -s store --log-file nodir/x.log
expect_stderr_line "^strata: log file nodir/x.log: No such file or directory$"
pass "-q, -v, --json and --log-file"
