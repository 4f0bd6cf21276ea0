#!/usr/bin/env bash
# strata forget through the real binary, on six snapshots of a changing tree (a copy of the tree saved at
# each). Bad input is one line and changes nothing; --dry-run lists what would go and why and changes
# nothing (the store's snapshots/ directory listed before and after); forgetting named snapshots removes
# exactly their manifests and no pack, and every other snapshot still restores exactly (against the saved
# copies); a mount running during a forget drops the forgotten snapshot from its root within 5 s while
# the others keep reading; --keep-last keeps the newest; a policy that keeps nothing needs --force; a live
# backup lock refuses a forget with one line. A backup's time cannot be chosen, so the calendar rules
# (hourly ... yearly) are tested against the library: tests/src/retention_test.cc and forget_test.cc.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init forget
cd "$T"

HOST=$(hostname)
LOCK_ID=0123456789abcdef0123456789abcdef
listing() { ls store/snapshots; }
packs() { find store/packs -name '*.pack' -printf '%P %s\n' | sort; }
name_of() { # name_of ID: the snapshot's name, from `strata snapshots --json`
  strata snapshots -s store --json | grep -F "\"id\":\"$1\"" | sed -E 's/.*"name":"([^"]*)".*/\1/'
}
restores_exactly() { # restores_exactly I: snapshot ids[I] restores to what saved/I holds
  rm -rf restored
  expect_exit 0 strata restore -s store "${ids[$1]}" restored
  compare_trees "saved/$1" restored
}
unchanged() { # unchanged WHAT: the snapshots and packs are as before the last snapshot_state
  assert_eq "$before_listing" "$(listing)" "snapshots/ after $1"
  assert_eq "$before_packs" "$(packs)" "packs after $1"
}
snapshot_state() {
  before_listing=$(listing)
  before_packs=$(packs)
}

strata init -s store --kdf minimum >/dev/null
mkdir src
head -c 300000 /dev/urandom >src/big
for i in 0 1 2 3 4 5; do
  echo "version $i" >src/small
  head -c 5000 /dev/urandom >>src/big
  # One snapshot a second: names (from the time, to the second) stay unique whatever is forgotten.
  ((i == 0)) || sleep 1.1
  strata backup -s store src >/dev/null
  save_version src "saved/$i"
done
mapfile -t ids < <(snapshot_ids store)
assert_eq 6 "${#ids[@]}" "snapshots made"
names=()
for id in "${ids[@]}"; do names+=("$(name_of "$id")"); done

note "bad input"
snapshot_state
expect_exit 2 strata forget -s store
expect_stderr_line '^strata: forget: needs SNAPSHOT\.\.\. or --keep-\* options$'
expect_exit 2 strata forget -s store "${ids[0]}" --keep-last 2
expect_stderr_line '^strata: forget: takes SNAPSHOT\.\.\. or --keep-\* options, not both$'
for bad in -1 abc 1x 4294967296; do
  expect_exit 2 strata forget -s store "--keep-daily=$bad"
  expect_stderr_line "^strata: forget: --keep-daily: '$bad' is not a count \(0 to 4294967295\)$"
done
expect_exit 1 strata forget -s store "${ids[1]}" no-such-snapshot
expect_stderr_line "^strata: no snapshot 'no-such-snapshot' in store store$"
expect_exit 1 strata forget -s no-such-store "${ids[1]}"
expect_stderr_line "no-such-store"
unchanged "bad input"

note "a policy that keeps nothing"
expect_exit 1 strata forget -s store --keep-last 0 --keep-daily 0
expect_stderr_line "^strata: store store: the retention policy keeps none of its 6 snapshots; refusing to forget them all without force \(--force\)$"
unchanged "a policy that keeps nothing"

note "--dry-run"
expect_exit 0 strata forget -s store --keep-last 2 --dry-run
for i in 0 1 2 3; do expect_stdout_match "^forget  ${ids[$i]:0:12}  ${names[$i]}$"; done
for i in 4 5; do expect_stdout_match "^keep    ${ids[$i]:0:12}  ${names[$i]} +last$"; done
expect_stdout_match '^would forget 4 snapshots and keep 2 \(dry run: nothing was removed\)$'
assert_eq 7 "$(wc -l <"$T_STDOUT")" "lines of the dry run"
expect_exit 0 strata forget -s store --keep-last 2 --keep-daily 1 --dry-run --json
python3 - "$T_STDOUT" "${ids[@]}" <<'PY' || fail "JSON of the dry run"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ids = sys.argv[2:]
assert [l["type"] for l in lines] == ["forget"] * 4 + ["keep"] * 2 + ["summary"], lines
assert [l["id"] for l in lines[:6]] == ids, lines
assert lines[4]["reasons"] == ["last"] and lines[5]["reasons"] == ["last", "daily"], lines
assert lines[6] == {"type": "summary", "kept": 2, "forgotten": 4, "dry_run": True}, lines[6]
PY
pass "JSON lines of the dry run"
unchanged "--dry-run"

note "forgetting named snapshots"
expect_exit 0 strata forget -s store "${names[1]}" "${ids[3]:0:8}"
expect_stdout_match "^forget  ${ids[1]:0:12}  ${names[1]}$"
expect_stdout_match "^forget  ${ids[3]:0:12}  ${names[3]}$"
assert_eq 3 "$(wc -l <"$T_STDOUT")" "lines of the forget (no kept ones without a policy)"
expect_stdout_match '^forgot 2 snapshots, kept 4$'
assert_eq "$(printf '%s.snap\n' "${ids[0]}" "${ids[2]}" "${ids[4]}" "${ids[5]}" | sort)" "$(listing)" \
  "manifests left"
assert_eq "$before_packs" "$(packs)" "packs after forget"
for i in 0 2 4 5; do restores_exactly "$i"; done
expect_exit 1 strata restore -s store "${ids[1]}" gone
expect_stderr_line "no snapshot '${ids[1]}'"
expect_exit 0 strata check -s store --read-data

note "a live backup lock"
printf 'strata-lock 1\nkind shared\ncommand backup\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
  "$HOST" $$ "$(date +%s)" "$(date +%s)" >"store/locks/$LOCK_ID.lock"
snapshot_state
expect_exit 1 strata forget -s store "${ids[0]}"
expect_stderr_line "^strata: store store is in use by backup, host $HOST, pid $$, since [0-9T:-]+Z; try again when it has finished$"
assert_eq "$LOCK_ID.lock" "$(ls store/locks)" "locks after the refused forget"
expect_exit 0 strata forget -s store --keep-last 1 --dry-run
expect_stdout_match '^would forget 3 snapshots and keep 1 '
unchanged "forget refused by a lock"
rm "store/locks/$LOCK_ID.lock"

if [[ -c /dev/fuse ]]; then
  note "a mount running during a forget"
  mkdir mnt
  t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
  expect_exit 0 strata mount -s store mnt
  gone=${names[0]}
  kept=${names[2]}
  check "the mount shows $gone" test -d "mnt/$gone"
  # Reads the kept snapshots through the mount until told to stop; counts rounds, records mismatches.
  (
    n=0
    while [[ ! -e stop-reading ]]; do
      cmp -s "mnt/$kept/big" saved/2/big || echo "mnt/$kept/big differs" >>read-errors
      cmp -s mnt/latest/big saved/5/big || echo "mnt/latest/big differs" >>read-errors
      n=$((n + 1))
      echo "$n" >read-rounds
    done
  ) &
  reader=$!
  t_defer bash -c 'kill "$1" 2>/dev/null || true' _ "$reader"
  sleep 0.5
  expect_exit 0 strata forget -s store "${ids[0]}"
  start=""
  _t_now start
  dropped=""
  for _ in $(seq 1 100); do
    # Listed no more, and looked up no more (the kernel keeps a root entry it was shown for up to 1 s).
    in_root=$(ls mnt)
    if ! grep -qxF "$gone" <<<"$in_root" && ! test -e "mnt/$gone"; then
      _t_elapsed dropped "$start"
      break
    fi
    sleep 0.05
  done
  [[ -n $dropped ]] || fail "the mount still shows $gone 5 s after it was forgotten"
  pass "the mount dropped $gone from its root after ${dropped}s"
  sleep 0.5
  touch stop-reading
  wait "$reader"
  assert_eq "" "$(cat read-errors 2>/dev/null)" "reads through the mount during the forget"
  (($(cat read-rounds) > 1)) || fail "the reader made $(cat read-rounds) rounds"
  pass "$(cat read-rounds) rounds of reads through the mount"
  check "the kept snapshot reads as saved through the mount" diff -r saved/2 "mnt/$kept"
  expect_exit 0 strata umount mnt
else
  note "no /dev/fuse: the mount part is skipped"
  expect_exit 0 strata forget -s store "${ids[0]}"
fi

note "--keep-last"
expect_exit 0 strata forget -s store --keep-last 2
expect_stdout_match "^forget  ${ids[2]:0:12}  ${names[2]}$"
expect_stdout_match '^forgot 1 snapshots, kept 2$'
assert_eq "$(printf '%s.snap\n' "${ids[4]}" "${ids[5]}" | sort)" "$(listing)" "manifests left"
for i in 4 5; do restores_exactly "$i"; done
expect_exit 0 strata check -s store --read-data

note "--force"
expect_exit 0 strata forget -s store --keep-last 0 --force --json
expect_stdout_match '^\{"type":"summary","kept":0,"forgotten":2,"dry_run":false\}$'
assert_eq "" "$(listing)" "manifests left"
assert_eq "$before_packs" "$(packs)" "packs after forgetting everything"
expect_exit 0 strata forget -s store --keep-last 0
expect_stdout_match '^forgot 0 snapshots, kept 0$'
