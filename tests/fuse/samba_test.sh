#!/usr/bin/env bash
# Samba "Previous Versions" over a strata mount: a private smbd on 127.0.0.1 shares MNT/latest with
# vfs_shadow_copy2 pointed at the snapshot directories (examples/smb.conf's stanza). smbclient's allinfo
# lists one previous version per snapshot holding the file, and `get` of an old version returns that
# version's bytes.
set -euo pipefail
if [ ! -c /dev/fuse ]; then
  echo "SKIP: /dev/fuse is missing, mount tests need it"
  exit 77
fi
if ! command -v smbd >/dev/null || ! command -v smbclient >/dev/null; then
  echo "SKIP: smbd/smbclient are not installed (tools/install-deps.sh installs them)"
  exit 77
fi
source "$(dirname "$0")/../cli/lib.sh"
t_init samba
cd "$T"
chmod 755 "$T"

mkdir -p src/docs
strata init -s store --kdf minimum >/dev/null
tokens=()
for v in 1 2 3; do
  echo "report version $v" > src/docs/report.txt
  echo "unchanged" > src/docs/same.txt
  cp src/docs/report.txt "report-v$v"
  strata backup -s store src >/dev/null
  name=$(strata snapshots -s store --json | grep -o '"name":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
  # Clients see a snapshot as @GMT-YYYY.MM.DD-hh.mm.ss; the mount names it YYYY-MM-DDThh.mm.ssZ.
  tokens+=("$(echo "$name" | sed -E 's/^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2})\.([0-9]{2})\.([0-9]{2})Z$/@GMT-\1.\2.\3-\4.\5.\6/')")
  sleep 1.1  # one snapshot per second: Samba's format has no room for a _2 suffix
done

mkdir mnt
t_defer bash -c '! mountpoint -q "$1" || fusermount3 -u -z "$1"' _ "$T/mnt"
expect_exit 0 strata mount -s store mnt -o allow_other

port=$((20000 + RANDOM % 20000))
mkdir -p smb/{private,lock,state,cache,pid,ncalrpc,log}
cat > smb/smb.conf <<CONF
[global]
  server role = standalone server
  workgroup = WORKGROUP
  netbios name = STRATATEST
  smb ports = $port
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  private dir = $T/smb/private
  lock directory = $T/smb/lock
  state directory = $T/smb/state
  cache directory = $T/smb/cache
  pid directory = $T/smb/pid
  ncalrpc dir = $T/smb/ncalrpc
  log file = $T/smb/log/log.%m
  passdb backend = tdbsam:$T/smb/private/passdb.tdb
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  rpc start on demand helpers = no
  map to guest = Bad User
  guest account = nobody

[backup]
  path = $T/mnt/latest
  read only = yes
  guest ok = yes
  guest only = yes
  vfs objects = shadow_copy2
  shadow:snapdir = $T/mnt
  shadow:basedir = $T/mnt/latest
  shadow:format = %Y-%m-%dT%H.%M.%SZ
  shadow:sort = desc
CONF
smbd -F -s smb/smb.conf --debug-stdout -d 1 > smb/smbd.log 2>&1 &
smbd_pid=$!
t_defer bash -c 'kill -TERM "$1" 2>/dev/null; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL "$1" 2>/dev/null || true' _ "$smbd_pid"
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  kill -0 "$smbd_pid" 2>/dev/null || { cat smb/smbd.log; fail "smbd exited"; }
  sleep 0.1
done
smb() { smbclient //127.0.0.1/backup -p "$port" -N -m SMB3 -c "$1" 2>&1 || true; }

out=$(smb 'allinfo "docs\report.txt"') || true
for tok in "${tokens[@]}"; do
  grep -qx "$tok" <<<"$out" || { echo "$out"; fail "allinfo does not list $tok"; }
done
pass "allinfo lists one previous version per snapshot"

for v in 1 2 3; do
  rm -f got
  smb "get \"${tokens[$((v - 1))]}\\docs\\report.txt\" \"$T/got\"" >/dev/null
  cmp got "report-v$v" || fail "previous version $v has the wrong bytes"
done
pass "get of each previous version returns that version's bytes"

rm -f got
smb 'get "docs\report.txt" "'"$T"'/got"' >/dev/null
cmp got report-v3 || fail "the live file is not the newest version"
out=$(smb 'put "'"$T"'/report-v1" "docs\new.txt"')
grep -qE 'NT_STATUS_(ACCESS_DENIED|MEDIA_WRITE_PROTECTED)' <<<"$out" || fail "put was not refused: $out"
pass "live view is the newest snapshot and refuses writes"
