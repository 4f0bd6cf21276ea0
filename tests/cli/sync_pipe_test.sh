#!/usr/bin/env bash
# strata sync --to-file - and strata receive --from-file -: sync streams through a pipe, as in
# `strata sync --to-file - | ssh HOST strata receive --from-file -`. Oracles: copies of the source tree saved
# at each backup (what the receiving store restores is compared with them), `strata check --read-data`,
# the receiving store's files and their md5s before and after a refused stream (store_state: nothing
# written, nothing left in tmp/), the stream `--to-file F` writes for the same snapshots (cmp), and exit
# statuses as the shell sees them (PIPESTATUS: a sync whose reader went away exits 1, not 141 by
# SIGPIPE). Cases: plain and encrypted (init --from) round trips, an incremental stream (--since), streams
# cut short by `head -c`, a writer killed mid-stream and a receiver killed while spooling (the kill_at
# shim), terminals refused, and nothing but the stream on standard output (the summary, --json included,
# goes to standard error).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init sync_pipe
cd "$T"
[[ -f ${STRATA_KILL_AT_LIB:-} ]] || fail "STRATA_KILL_AT_LIB must name the kill_at shim (target strata_kill_at)"

SOURCE=source-password OTHER=other-password
export STRATA_PASSWORD=$SOURCE

make_edge_tree --many 100 src
# A 16 MiB sparse file with data in the middle keeps the case without the edge tree's multi-GiB ones.
rm -rf src/sparse
mkdir src/sparse
truncate -s 16M src/sparse/holes
printf 'data in the middle' | dd of=src/sparse/holes bs=1 seek=$((8 << 20)) conv=notrunc status=none
sync
strata init -s p1 --encryption none >/dev/null
strata init -s e1 --kdf minimum >/dev/null
for v in 0 1; do
  ((v == 0)) || mutate_tree src 1
  sync
  expect_exit 0 strata backup -s p1 src
  expect_exit 0 strata backup -s e1 src
  save_version src "saved/v$v"
done
mapfile -t e1_ids < <(snapshot_ids e1)
strata init -s p2 --encryption none >/dev/null
new_e1_copy() { STRATA_FROM_PASSWORD=$SOURCE STRATA_PASSWORD=$OTHER strata init -s "$1" --from e1 --kdf minimum >/dev/null; }
new_e1_copy e2

# piped SRC DST WANT_SYNC WANT_RECEIVE [SYNC_ARGS...]: `strata sync -s SRC --to-file - SYNC_ARGS |
# $PIPE_FILTER | strata --json receive -s DST --from-file -`, the source opened with $STRATA_PASSWORD and
# DST with $DST_PW; each side must exit as wanted (WANT_SYNC: an ERE). The receiver's output is captured
# as by expect_exit, the sender's stderr in sync.err.
DST_PW=""
PIPE_FILTER="cat"
piped() {
  local src=$1 dst=$2 want_sync=$3 want_receive=$4 rc
  shift 4
  "$STRATA_BIN" sync -s "$src" --to-file - "$@" 2>sync.err | $PIPE_FILTER |
    STRATA_PASSWORD=$DST_PW "$STRATA_BIN" --json receive -s "$dst" --from-file - >"$T_STDOUT" 2>"$T_STDERR" &&
    rc=("${PIPESTATUS[@]}") || rc=("${PIPESTATUS[@]}")
  if [[ ! ${rc[0]} =~ ^($want_sync)$ || ${rc[2]} != "$want_receive" ]]; then
    _t_show "sync stderr" sync.err
    _t_show "receive stdout" "$T_STDOUT"
    _t_show "receive stderr" "$T_STDERR"
    fail "sync | $PIPE_FILTER | receive into $dst exited ${rc[0]} | ${rc[1]} | ${rc[2]}, wanted $want_sync | * | $want_receive"
  fi
  pass "sync -s $src $* | $PIPE_FILTER | receive -s $dst: exit ${rc[0]} | ${rc[1]} | ${rc[2]}"
}

note "plain round trip"
piped p1 p2 0 0
assert_eq "2 true" "$(summary_field snapshots_synced) $(summary_field verbatim)" "snapshots received into p2, as stored"
restores_exactly p2 "" 2
STRATA_PASSWORD="" expect_exit 0 strata check -s p2 --read-data
piped p1 p2 0 0
assert_eq "0 0" "$(summary_field snapshots_synced) $(summary_field objects_sent)" "the same snapshots piped again"

note "encrypted round trip, then an incremental stream"
DST_PW=$OTHER
piped e1 e2 0 0 "${e1_ids[0]}"
assert_eq 1 "$(summary_field snapshots_synced)" "the first snapshot received into e2"
piped e1 e2 0 0 --since "${e1_ids[0]}"
assert_eq 1 "$(summary_field snapshots_synced)" "the incremental stream: the later snapshot"
restores_exactly e2 "$OTHER" 2
STRATA_PASSWORD=$OTHER expect_exit 0 strata check -s e2 --read-data
assert_eq "${e1_ids[*]}" "$(STRATA_PASSWORD=$OTHER snapshot_ids e2 | xargs)" "e2's snapshots keep e1's ids"

note "streams that end early are refused, the store untouched"
new_e1_copy e3
before=$(store_state e3)
size=$(strata sync -s e1 --to-file - 2>/dev/null | wc -c)
for cut in 5 100 $((size / 2)) $((size - 1)); do
  # The sender finishes before head closes the pipe, or finds it closed (exit 1): never killed by SIGPIPE.
  PIPE_FILTER="head -c $cut" piped e1 e3 '0|1' 1
  expect_stderr_line '^strata: stream standard input: truncated: it ends (inside|before) .*; nothing was received$'
done
# A writer that dies mid-stream (SIGKILL at its 40th write into the pipe): no end record comes.
env STRATA_KILL_AT="write pipe:* 40" LD_PRELOAD="$STRATA_KILL_AT_LIB" "$STRATA_BIN" sync -s e1 --to-file - 2>/dev/null |
  STRATA_PASSWORD=$OTHER "$STRATA_BIN" receive -s e3 --from-file - >"$T_STDOUT" 2>"$T_STDERR" &&
  rc=("${PIPESTATUS[@]}") || rc=("${PIPESTATUS[@]}")
assert_eq "137 1" "${rc[*]}" "exit statuses of a sync killed mid-stream and of its receiver"
expect_stderr_line '^strata: stream standard input: truncated: it ends (inside|before) .*; nothing was received$'
# A receiver killed while it spools the stream leaves nothing in tmp/: the spool has no name.
strata sync -s e1 --to-file - 2>/dev/null |
  env STRATA_PASSWORD="$OTHER" STRATA_KILL_AT="write $T/e3/tmp/* 2" LD_PRELOAD="$STRATA_KILL_AT_LIB" \
    "$STRATA_BIN" receive -s e3 --from-file - >/dev/null 2>&1 && rc=("${PIPESTATUS[@]}") || rc=("${PIPESTATUS[@]}")
[[ ${rc[0]} =~ ^[01]$ && ${rc[1]} == 137 ]] || fail "sync | killed receive exited ${rc[*]}, not 0|1 and 137"
pass "a receiver killed while spooling: exit 137, its sender ${rc[0]}"
assert_eq "$before" "$(store_state e3)" "e3 after the streams cut short and the killed processes"

note "a reader that goes away"
strata sync -s e1 --to-file - 2>sync.err | head -c 100 >/dev/null && rc=("${PIPESTATUS[@]}") || rc=("${PIPESTATUS[@]}")
assert_eq 1 "${rc[0]}" "exit status of a sync whose reader closed the pipe (141: killed by SIGPIPE)"
cp sync.err "$T_STDERR"
expect_stderr_line '^strata: write standard output: broken pipe \(the reading end was closed\)$'

note "terminals"
if command -v script >/dev/null; then
  # script(1) gives the command a terminal as its standard input and output.
  tty_rc=0
  script -qec "$STRATA_BIN sync -s p1 --to-file -" /dev/null >tty.out 2>&1 || tty_rc=$?
  assert_eq 2 "$tty_rc" "exit status of sync --to-file - onto a terminal"
  check "sync --to-file - onto a terminal: one line" grep -q '^strata: sync: refusing to write a stream to a terminal (use --to-file F or a pipe)' tty.out
  check "nothing but that line" test "$(tr -d '\r' <tty.out | wc -l)" = 1
  tty_rc=0
  STRATA_PASSWORD="" script -qec "$STRATA_BIN receive -s p2 --from-file -" /dev/null >tty.out 2>&1 || tty_rc=$?
  assert_eq 2 "$tty_rc" "exit status of receive --from-file - from a terminal"
  check "receive --from-file - from a terminal: one line" grep -q '^strata: receive: refusing to read a stream from a terminal (use --from-file F or a pipe)' tty.out
else
  note "SKIPPED the terminal cases: script(1) is missing"
fi

note "standard output holds the stream alone"
expect_exit 0 strata sync -s p1 --to-file full.stream
strata --json sync -s p1 --to-file - >out.stream 2>out.err || fail "sync --to-file - into a file failed"
check "the summary went to standard error" grep -q '"type":"summary"' out.err
grep '"type":"summary"' out.err >"$T_STDOUT"
assert_eq "$(stat -c %s out.stream)" "$(summary_field bytes_sent)" "bytes sent: the size of standard output"
# A plain store's stream is a function of its snapshots (an encrypted one's seals take random nonces).
check "the stream on standard output is the one --to-file F writes" cmp -s out.stream full.stream
check "the stream through a pipe is the one --to-file F writes" cmp -s full.stream <(strata sync -s p1 --to-file - 2>/dev/null)
strata sync -s p1 --to-file - 2>out.err >/dev/null
check "the human summary went to standard error" grep -q '^synced 2 snapshots into standard output' out.err
