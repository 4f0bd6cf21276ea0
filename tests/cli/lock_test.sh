#!/usr/bin/env bash
# Store locks through the real binary. Two backups into one store at the same time both succeed, hold
# their locks at the same time, and both snapshots restore exactly. A backup killed with SIGKILL leaves
# its lock and its unsealed pack, named after the lock; the next backup removes that pack at once, reports
# the lock as stale and goes on, and `strata unlock` removes the lock. `strata unlock` removes the
# temporary packs of dead writers and keeps those of live ones. An
# exclusive lock, written by hand in the format of strata-store(5), blocks backup and check with one line
# and exit 1 while its process lives, and `strata unlock` keeps it (unless --all). Backups remove their
# lock, on errors too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init lock
cd "$T"

HOST=$(hostname)
ID=0123456789abcdef0123456789abcdef
n_locks() { find store/locks -name '*.lock' | wc -l; }
plant_lock() { # plant_lock KIND PID REFRESHED [HOST]
  printf 'strata-lock 1\nkind %s\ncommand planted\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
    "$1" "${4:-$HOST}" "$2" "$3" "$3" >"store/locks/$ID.lock"
}
n_snapshots() { strata snapshots -s store --json | grep -c '"id"' || true; }
dead_pid() { # the pid of a process that has ended
  local pid
  sleep 0 &
  pid=$!
  wait "$pid"
  echo "$pid"
}

strata init -s store --kdf minimum >/dev/null
check "init creates locks/" test -d store/locks

note "two backups at once"
mkdir -p a b
for i in 1 2 3; do
  head -c $((32 << 20)) /dev/urandom >"a/f$i"
  head -c $((32 << 20)) /dev/urandom >"b/f$i"
done
for i in $(seq 1 100); do
  echo "a $i" >"a/s$i"
  echo "b $i" >"b/s$i"
done
"$STRATA_BIN" backup -s store a >a.out 2>a.err &
pa=$!
"$STRATA_BIN" backup -s store b >b.out 2>b.err &
pb=$!
most=0
while kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null; do
  n=$(n_locks)
  ((n > most)) && most=$n
  sleep 0.01
done
ra=0 rb=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
assert_eq "0 0" "$ra $rb" "exit status of both backups"
assert_eq 2 "$most" "both backups held their shared lock at the same time"
assert_eq 0 "$(n_locks)" "locks left after both finished"
assert_eq 2 "$(n_snapshots)" "snapshots"
for src in a b; do
  name=$(strata snapshots -s store --json | python3 -c '
import json, os, sys
lines = [json.loads(l) for l in sys.stdin]
print([s["name"] for s in lines if s["type"] == "snapshot" and os.path.basename(s["paths"][0]) == sys.argv[1]][0])' "$src")
  expect_exit 0 strata restore -s store "$name" "r$src"
  compare_trees "$src" "r$src"
done
expect_exit 0 strata check -s store --read-data
expect_stdout_match 'no damage found$'

note "a backup killed with SIGKILL"
mkdir k
head -c $((400 << 20)) /dev/urandom >k/big
"$STRATA_BIN" backup -s store --threads 1 k >/dev/null 2>&1 &
pk=$!
for _ in $(seq 1 1000); do
  [[ -n $(find store/tmp -name '*.pack.tmp' -size +0) ]] && break
  sleep 0.01
done
kill -9 "$pk"
{ wait "$pk"; } 2>/dev/null || true
assert_eq 1 "$(n_locks)" "locks left by the killed backup"
check "the lock names the killed process" grep -qx "pid $pk" store/locks/*.lock
killed_lock=$(basename store/locks/*.lock .lock)
killed_packs=$(find store/tmp -name "$killed_lock-*.pack.tmp" | wc -l)
((killed_packs > 0)) || fail "the killed backup left no temporary pack named after its lock $killed_lock"
pass "the killed backup left $killed_packs temporary packs named after its lock"
expect_exit 0 strata backup -s store a -v
assert_eq "" "$(find store/tmp -name '*.pack.tmp')" "temporary packs after the next backup"
expect_stderr_match "^strata: note: ignoring stale lock locks/[0-9a-f]{32}\.lock \(backup, host $HOST, pid $pk, since .*\): process $pk is not running; run \`strata unlock -s store\` to remove it$"
assert_eq 1 "$(n_locks)" "locks after the next backup (the stale one is only reported)"
expect_exit 0 strata unlock -s store
expect_stdout_match "^removed stale lock locks/[0-9a-f]{32}\.lock \(backup, host $HOST, pid $pk, .*\): process $pk is not running$"
assert_eq 0 "$(n_locks)" "locks after unlock"

note "unlock removes the temporary packs of dead writers only"
PACK=fedcba9876543210fedcba9876543210
plant_lock shared "$(dead_pid)" "$(date +%s)"
echo unsealed >"store/tmp/$ID-$PACK.pack.tmp"
LIVE=abcdefabcdefabcdefabcdefabcdefab
printf 'strata-lock 1\nkind shared\ncommand planted\nhost %s\npid %s\nstarted %s\nrefreshed %s\n' \
  "$HOST" $$ "$(date +%s)" "$(date +%s)" >"store/locks/$LIVE.lock"
echo unsealed >"store/tmp/$LIVE-$PACK.pack.tmp"
expect_exit 0 strata unlock -s store
expect_stdout_match "^removed temporary pack tmp/$ID-$PACK\.pack\.tmp of a dead writer$"
check_not "the dead writer's pack is gone" test -e "store/tmp/$ID-$PACK.pack.tmp"
check "the live writer's pack is kept" test -e "store/tmp/$LIVE-$PACK.pack.tmp"
rm "store/locks/$LIVE.lock" "store/tmp/$LIVE-$PACK.pack.tmp"

note "an exclusive lock held by a live process"
snapshots=$(n_snapshots)
plant_lock exclusive $$ "$(date +%s)"
expect_exit 1 strata backup -s store a
expect_stderr_line "^strata: store store is locked exclusively by planted, host $HOST, pid $$, since [0-9T:-]+Z; try again when it has finished$"
assert_eq 1 "$(n_locks)" "locks after the refused backup (its own is gone)"
assert_eq "$snapshots" "$(n_snapshots)" "snapshots after the refused backup"
expect_exit 1 strata check -s store
expect_stderr_line "^strata: store store is locked exclusively by planted"
expect_exit 0 strata unlock -s store
expect_stdout_match "^kept live lock locks/$ID\.lock \(planted, host $HOST, pid $$, since "
assert_eq 1 "$(n_locks)" "locks after unlock"

note "an exclusive lock of another host: judged by its age only"
plant_lock exclusive 1 "$(date +%s)" elsewhere.example
expect_exit 1 strata backup -s store a
expect_stderr_line "locked exclusively by planted, host elsewhere\.example, pid 1,"
plant_lock exclusive 1 $(($(date +%s) - 7200)) elsewhere.example
expect_exit 0 strata backup -s store a -v
expect_stderr_match "ignoring stale lock locks/$ID\.lock .*: not refreshed for 120 minutes; run"

note "an exclusive lock whose process is gone"
dead=$(dead_pid)
plant_lock exclusive "$dead" "$(date +%s)"
expect_exit 0 strata backup -s store a -v
expect_stderr_match "ignoring stale lock locks/$ID\.lock \(planted, host $HOST, pid $dead, .*\): process $dead is not running"

note "unlock --all, and unreadable locks"
plant_lock exclusive $$ "$(date +%s)"
expect_exit 0 strata unlock -s store --all
expect_stdout_match "^removed live lock locks/$ID\.lock \(planted, host $HOST, pid $$, "
assert_eq 0 "$(n_locks)" "locks after unlock --all"
echo garbage >"store/locks/$ID.lock"
expect_exit 0 strata backup -s store a -v
expect_stderr_match "ignoring stale lock locks/$ID\.lock \(unreadable lock file $ID\.lock\): .*not a strata lock file"
expect_exit 0 strata unlock -s store
expect_stdout_match "^removed stale lock locks/$ID\.lock"
assert_eq 0 "$(n_locks)" "locks after unlock"

note "a failing backup removes its lock"
expect_exit 1 strata backup -s store does-not-exist
assert_eq 0 "$(n_locks)" "locks after a failed backup"

note "a store made before locks existed"
rmdir store/locks
expect_exit 0 strata unlock -s store
expect_stdout_match '^no locks$'
expect_exit 0 strata backup -s store a
assert_eq 0 "$(n_locks)" "locks after a backup into it"
