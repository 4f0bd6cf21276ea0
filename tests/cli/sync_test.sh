#!/usr/bin/env bash
# strata sync, receive and init --from through the real binary. Oracles: copies of the source tree saved at
# each backup (restores from the destination are compared with them, contents with diff -r and metadata
# with meta_listing), `strata check --read-data` on the destination, and the destination's files as du and
# find see them. Pairs: plain -> plain, encrypted -> encrypted with another password (objects re-encoded),
# encrypted -> a store made by init --from (objects copied as stored), plain -> encrypted and encrypted ->
# plain. For each: every snapshot restores exactly, check passes, a re-run sends nothing (its JSON summary)
# and leaves the destination's size unchanged (du -sb); a later backup sends about what it added. Syncs
# killed with SIGKILL at random moments and at the commit steps leave the destination consistent, and the
# re-run restores exactly with a size within 1% of an uninterrupted sync. Stream files: a round trip,
# received twice, truncated at several points, a foreign file, one for other keys and an incremental one
# whose base is missing are refused with one line and the store untouched; the stream of an encrypted
# store shows no file name or content. A store locked by a forget refuses a sync with one line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init sync
cd "$T"
[[ -f ${STRATA_KILL_AT_LIB:-} ]] || fail "STRATA_KILL_AT_LIB must name the kill_at shim (target strata_kill_at)"
seed=${STRATA_KILL_SEED:-$((EPOCHSECONDS % 100000))}
RANDOM=$seed
note "kill delays seeded with $seed (STRATA_KILL_SEED)"

SOURCE=source-password OTHER=other-password THIRD=third-password
export STRATA_PASSWORD=$SOURCE
MARKER="strata-sync-secret-marker-$seed"

du_bytes() { du -sb "$1" | cut -f1; }
# Bytes of packs and index files: what a store holds, framing included.
held() { echo $(($(pack_bytes "$1") + $(find "$1/index" -name '*.idx' -printf '%s\n' | awk '{s += $1} END {print s + 0}'))); }

make_edge_tree --many 200 src
# The edge tree's multi-GiB sparse files cost minutes to re-encode on a busy machine; a 64 MiB one with
# data in the middle keeps the case.
rm -rf src/sparse
mkdir src/sparse
truncate -s 64M src/sparse/holes
printf 'data in the middle' | dd of=src/sparse/holes bs=1 seek=$((32 << 20)) conv=notrunc status=none
echo "$MARKER" >src/secret-file-name.txt
sync
strata init -s p1 --encryption none >/dev/null
strata init -s e1 --kdf minimum >/dev/null
backup_sources() { # the tree into both sources, saved as saved/v<N>
  expect_exit 0 strata backup -s p1 src
  expect_exit 0 strata backup -s e1 src
  save_version src "saved/v$1"
}
backup_sources 0
mutate_tree src 1
sync
backup_sources 1

note "bad input"
expect_exit 2 strata sync -s p1
expect_stderr_line '^strata: sync: needs --to DST or --to-file F \(one of them\)$'
expect_exit 2 strata sync -s p1 --to x --to-file y
expect_stderr_line '^strata: sync: needs --to DST or --to-file F \(one of them\)$'
expect_exit 2 strata sync -s p1 --to x --since latest
expect_stderr_line '^strata: sync: --since needs --to-file$'
expect_exit 1 strata sync -s p1 --to missing
expect_stderr_line 'missing: store does not exist'
strata init -s p2 --encryption none >/dev/null
expect_exit 1 strata sync -s p1 --to p2 no-such-snapshot
expect_stderr_line "no-such-snapshot"
assert_eq "" "$(find p2/snapshots p2/packs p2/index -type f)" "nothing written for an unknown snapshot"
expect_exit 1 strata sync -s p1 --to p1
expect_stderr_line 'same id'

# sync_pair SRC DST DST_PASSWORD VERBATIM: a first sync copies both snapshots, a second nothing.
sync_pair() {
  local src=$1 dst=$2 pw=$3 verbatim=$4 size
  note "sync $src -> $dst"
  STRATA_TO_PASSWORD=$pw expect_exit 0 strata --json sync -s "$src" --to "$dst"
  assert_eq 2 "$(summary_field snapshots_synced)" "$src -> $dst: snapshots synced"
  assert_eq "$verbatim" "$(summary_field verbatim)" "$src -> $dst: objects copied as stored"
  restores_exactly "$dst" "$pw" 2
  STRATA_PASSWORD=$pw expect_exit 0 strata check -s "$dst" --read-data
  size=$(du_bytes "$dst")
  STRATA_TO_PASSWORD=$pw expect_exit 0 strata --json sync -s "$src" --to "$dst"
  assert_eq "0 2 0 0" "$(summary_field snapshots_synced) $(summary_field snapshots_present) $(summary_field objects_sent) $(summary_field bytes_sent)" \
    "$src -> $dst again: synced, present, objects and bytes sent"
  assert_eq "$size" "$(du_bytes "$dst")" "$dst's size after the second sync"
}
sync_pair p1 p2 "" true
strata init -s e2 --kdf minimum --password-file <(echo "$OTHER") >/dev/null
sync_pair e1 e2 "$OTHER" false
origins=$(STRATA_PASSWORD=$OTHER strata snapshots -s e2 --json | grep -o '"origin":"[0-9a-f]*"' | cut -d'"' -f4)
assert_eq "$(snapshot_ids e1)" "$origins" "snapshots --json: e2's re-encoded copies name e1's snapshots as origin"
assert_eq 2 "$(strata snapshots -s p1 --json | grep -c '"origin":null')" "snapshots --json: no origin for backups"
STRATA_FROM_PASSWORD=$SOURCE STRATA_PASSWORD=$THIRD expect_exit 0 strata init -s e3 --from e1 --kdf minimum
expect_stdout_match 'sharing the keys of e1'
expect_exit 1 strata snapshots -s e3
expect_stderr_line 'wrong password'
sync_pair e1 e3 "$THIRD" true
assert_eq "$(snapshot_ids e1)" "$(STRATA_PASSWORD=$THIRD snapshot_ids e3)" "init --from: copies keep their ids"
strata init -s e4 --kdf minimum --password-file <(echo "$OTHER") >/dev/null
sync_pair p1 e4 "$OTHER" false
strata init -s p3 --encryption none >/dev/null
sync_pair e1 p3 "" false
expect_exit 2 strata init -s x --from e1 --pack-size 4
expect_stderr_line '^strata: init: --pack-size cannot be combined with --from'

note "an increment sends about what the backup added"
mutate_tree src 2
sync
before_src=$(held e1) before_dst=$(held e2)
expect_exit 0 strata backup -s e1 src
save_version src saved/v2
STRATA_TO_PASSWORD=$OTHER expect_exit 0 strata --json sync -s e1 --to e2
assert_eq 1 "$(summary_field snapshots_synced)" "snapshots synced after one more backup"
src_growth=$(($(held e1) - before_src)) dst_growth=$(($(held e2) - before_dst))
note "the backup added $src_growth bytes to e1; the sync $dst_growth to e2 (reported $(summary_field bytes_sent))"
((dst_growth > 0 && dst_growth <= src_growth + src_growth / 2 + 65536)) ||
  fail "e2 grew by $dst_growth bytes for an increment of $src_growth"
pass "e2 grew by $dst_growth bytes for an increment of $src_growth"
assert_eq "$dst_growth" "$(summary_field bytes_sent)" "bytes sent, as reported, against the growth of e2"
restores_exactly e2 "$OTHER" 3

note "a store locked by a forget"
HOST=$(hostname)
LOCK_ID=0123456789abcdef0123456789abcdef
printf 'strata-lock 1\nkind exclusive\ncommand forget\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
  "$HOST" $$ "$(date +%s)" "$(date +%s)" >"p2/locks/$LOCK_ID.lock"
expect_exit 0 strata backup -s p1 src
before=$(store_state p2)
expect_exit 1 strata sync -s p1 --to p2
expect_stderr_line "^strata: store p2 is locked exclusively by forget, host $HOST, pid $$, since [0-9T:-]+Z; try again when it has finished$"
assert_eq "$before" "$(store_state p2)" "p2 after the refused sync"
rm "p2/locks/$LOCK_ID.lock"

note "stream files"
STRATA_FROM_PASSWORD=$SOURCE STRATA_PASSWORD=$THIRD strata init -s e5 --from e1 --kdf minimum >/dev/null
mapfile -t e1_ids < <(snapshot_ids e1)
expect_exit 0 strata --json sync -s e1 --to-file full.stream "${e1_ids[0]}" "${e1_ids[1]}"
assert_eq "$(stat -c %s full.stream)" "$(summary_field bytes_sent)" "bytes sent: the stream's size"
for secret in "$MARKER" secret-file-name text.txt random-3m; do
  check_not "the stream does not show '$secret'" grep -a -q -F -- "$secret" full.stream
done
expect_exit 0 strata sync -s e1 --to-file inc.stream --since "${e1_ids[1]}"
(($(stat -c %s inc.stream) < $(stat -c %s full.stream))) || fail "the incremental stream is not smaller"
empty=$(store_state e5)
for cut in 5 12 100 $(($(stat -c %s full.stream) / 2)) $(($(stat -c %s full.stream) - 1)); do
  head -c "$cut" full.stream >cut.stream
  STRATA_PASSWORD=$THIRD expect_exit 1 strata receive -s e5 --from-file cut.stream
  expect_stderr_line '^strata: stream cut\.stream: truncated: it ends (inside|before) .*; nothing was received$'
done
STRATA_PASSWORD=$THIRD expect_exit 1 strata receive -s e5 --from-file saved/v0/files/text.txt
expect_stderr_line '^strata: saved/v0/files/text\.txt: not a strata sync stream \(no stream magic\)$'
STRATA_PASSWORD=$OTHER expect_exit 1 strata receive -s e2 --from-file full.stream
expect_stderr_line "^strata: stream full\.stream was written by store [0-9a-f-]+, whose keys store e2 does not share"
STRATA_PASSWORD=$THIRD expect_exit 1 strata receive -s e5 --from-file inc.stream
expect_stderr_line "^strata: stream inc\.stream only adds to snapshot [0-9a-f]{64}, which store e5 does not have"
assert_eq "$empty" "$(store_state e5)" "e5 after the refused streams"
STRATA_PASSWORD=$THIRD expect_exit 0 strata --json receive -s e5 --from-file full.stream
assert_eq 2 "$(summary_field snapshots_synced)" "snapshots received"
size=$(du_bytes e5)
STRATA_PASSWORD=$THIRD expect_exit 0 strata --json receive -s e5 --from-file full.stream
assert_eq "0 0" "$(summary_field snapshots_synced) $(summary_field objects_sent)" "the same stream received again"
assert_eq "$size" "$(du_bytes e5)" "e5's size after receiving the stream twice"
STRATA_PASSWORD=$THIRD expect_exit 0 strata --json receive -s e5 --from-file inc.stream
assert_eq 1 "$(summary_field snapshots_synced)" "snapshots received from the incremental stream"
restores_exactly e5 "$THIRD" 3
STRATA_PASSWORD=$THIRD expect_exit 0 strata check -s e5 --read-data

note "syncs killed with SIGKILL"
rm -rf src saved
make_bulk_tree src
sync
# k1 -> k2 (plain: objects copied as stored, so k2's objects can be listed and compared with kref's) and
# ke1 -> ke2 (encrypted, other keys: re-encoded); kref and keref are the same syncs uninterrupted.
for s in k1 k2 kref; do strata init -s "$s" --encryption none --pack-size 1 >/dev/null; done
for s in ke1 ke2 keref; do strata init -s "$s" --kdf minimum --pack-size 1 >/dev/null; done
expect_exit 0 strata backup -s k1 src
expect_exit 0 strata backup -s ke1 src
save_version src saved/v0
mutate_bulk_tree src 1
sync
expect_exit 0 strata backup -s k1 src
expect_exit 0 strata backup -s ke1 src
save_version src saved/v1
kills=0
# killed_sync SRC DST after MS | at CALL GLOB [N]: a sync of SRC into DST, killed.
killed_sync() {
  local src=$1 dst=$2 rc=0 pid listed
  shift 2
  if [[ $1 == after ]]; then
    STRATA_TO_PASSWORD=$STRATA_PASSWORD "$STRATA_BIN" sync -s "$src" --to "$dst" >sync.out 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $(($2 / 1000)) $(($2 % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
  else
    shift
    STRATA_TO_PASSWORD=$STRATA_PASSWORD LD_PRELOAD=$STRATA_KILL_AT_LIB STRATA_KILL_AT="$*" \
      "$STRATA_BIN" sync -s "$src" --to "$dst" >sync.out 2>&1 || rc=$?
  fi
  if ((rc == 0)); then
    note "the sync into $dst completed before it was killed"
    return
  fi
  ((rc == 137)) || { _t_show "sync output" sync.out; fail "killed sync exited $rc, not by SIGKILL (137)"; }
  kills=$((kills + 1))
  expect_exit 0 strata check -s "$dst" --read-data
  listed=$(snapshot_ids "$dst" | wc -l)
  # The copies keep their source's times: the first `listed` snapshots, in order, restore exactly.
  pass "kill $kills: $dst consistent with $listed complete snapshots"
  ((kills % 4 != 0)) || restores_exactly "$dst" "$STRATA_PASSWORD" "$listed"
}
# kill_series SRC DST REF N: N kills spread over the run (each killed run resumes the last, so each kill
# comes early in what is left), alternately after a random delay and by the shim at a random pack seal;
# half way, kills at the commit of the first index file and of the first manifest. Then a run to
# completion, compared with REF, the same sync uninterrupted.
kill_series() {
  local src=$1 dst=$2 ref=$3 n=$4 t0 run_ms i got want
  t0=$EPOCHREALTIME
  STRATA_TO_PASSWORD=$STRATA_PASSWORD expect_exit 0 strata sync -s "$src" --to "$ref"
  run_ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
  note "an uninterrupted sync of $src takes $run_ms ms"
  for ((i = 0; i < n; i++)); do
    if ((i == n / 2)); then
      killed_sync "$src" "$dst" at write '*/index/*.tmp.*'
      killed_sync "$src" "$dst" at rename '*/snapshots/*.snap'
    fi
    if ((i % 2 == 0)); then
      killed_sync "$src" "$dst" after $((20 + (RANDOM * 32768 + RANDOM) % (run_ms / 10 + 1)))
    else
      killed_sync "$src" "$dst" at rename '*/packs/*.pack' $((1 + RANDOM % 8))
    fi
  done
  STRATA_TO_PASSWORD=$STRATA_PASSWORD expect_exit 0 strata sync -s "$src" --to "$dst"
  restores_exactly "$dst" "$STRATA_PASSWORD" 2
  expect_exit 0 strata check -s "$dst" --read-data
  got=$(held "$dst") want=$(held "$ref")
  ((got <= want + want / 100)) || fail "$dst holds $got bytes after the kills, the uninterrupted sync $want"
  pass "$dst holds $got bytes after the kills, the uninterrupted sync $want"
}
kill_series k1 k2 kref 10
assert_eq "" "$(pack_objects k2 | cut -d' ' -f2 | sort | uniq -d | head -n 3)" "objects stored twice in k2"
pack_objects k2 | cut -d' ' -f2 | sort >k2.objects
pack_objects kref | cut -d' ' -f2 | sort >kref.objects
check "k2 holds the objects of the uninterrupted sync" cmp -s k2.objects kref.objects
kill_series ke1 ke2 keref 6
note "$kills kills"
