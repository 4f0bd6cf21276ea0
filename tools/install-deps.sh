#!/usr/bin/env bash
# The one place strata's build, test and benchmark dependencies are named (Debian 12 package names).
# Idempotent: installs only what is missing, runs apt-get update at most once per call.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  librsync-dev rdiff liblmdb-dev lmdb-utils libzstd-dev zstd libsodium-dev libssl-dev
  libfuse3-dev fuse3
  libxxhash-dev
  libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev
  attr acl sqlite3 tar diffutils findutils coreutils util-linux psmisc python3
  samba samba-vfs-modules smbclient
  clang-format clang-tidy
  clang-14 libclang-rt-14-dev
)
if [ "${1:-}" = "--bench" ]; then
  # python3-llfuse: borg mount (borgbackup only recommends it).
  packages+=(borgbackup python3-llfuse restic hyperfine)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}) and not root; install them or rerun as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
