#!/usr/bin/env bash
# Encrypted vs plain strata stores in one run: first backup of a mixed dataset (median of 3, a fresh store
# each time), a cold `cat` of one big file through a mount of each, and the unlock cost (`strata
# snapshots` on an empty store at the default Argon2id strength vs a plain one). Writes
# bench/RESULTS-crypto.md (bench/RESULTS-crypto-quick.md with --quick). See bench/README.md.
#
#   bench/crypto.sh [--quick] [--keep] [--scratch DIR] [--strata BIN]
#
#   --quick        a dataset of ~24 MiB and a 16 MiB file instead of ~1 GiB each (checks the script works)
#   --keep         keep the scratch directory
#   --scratch DIR  where to make the scratch directory (default: $BENCH_SCRATCH, /var/tmp or /tmp)
#   --strata BIN   use this strata binary instead of building one in build-bench/
#
# Needs root (drops the page cache before each cold read).
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")
source "$bench_dir/lib.sh"
quick=0
keep=0
scratch_base=${BENCH_SCRATCH:-}
strata=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --scratch) scratch_base="$2"; shift ;;
    --strata) strata=$(realpath "$2"); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "crypto.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
bench_require_root crypto.sh
[ -n "$strata" ] || strata=$(bench_build crypto.sh "$repo_dir")
for d in "$scratch_base" /var/tmp /tmp; do
  [ -n "$d" ] && [ -d "$d" ] && { base=$d; break; }
done
scratch=$(mktemp -d "$base/strata-crypto.XXXXXX")
bench_scratch_trap "$scratch" "$keep"
args=(--strata "$strata" --scratch "$scratch")
[ "$quick" -eq 1 ] && args+=(--quick)
python3 "$bench_dir/crypto.py" "${args[@]}"
