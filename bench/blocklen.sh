#!/usr/bin/env bash
# Block-length experiment: how strata's signature block length policy (ChooseBlockLength(), in
# store/rsync_job.cc at first, store/signature_builder.cc since eff5b07) trades delta literal bytes
# against signature bytes and time. See bench/README.md.
#
#   bench/blocklen.sh [--quick] [--keep] [--scratch DIR]
#
# The work tree is never modified: the source is copied to /tmp/strata-bl, where ChooseBlockLength() gets
# an override read from STRATA_BL_POLICY (fixed:N or sqrt), and built there. Results go into the
# block-length section of bench/RESULTS.md (RESULTS-quick.md with --quick) and bench/blocklen.json.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")
copy=/tmp/strata-bl

quick=0
keep=0
scratch_base=/var/tmp
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --scratch) scratch_base="$2"; shift ;;
    *) echo "blocklen.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "blocklen.sh: needs root" >&2; exit 1; }
"$repo_dir/tools/install-deps.sh" --bench

rm -rf "$copy"
mkdir -p "$copy"
tar -C "$repo_dir" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$copy" -xf -
patched=$(python3 "$bench_dir/blocklen.py" patch "$copy" | sed 's|^patched /tmp/strata-bl/||')
echo "patched $patched"
head=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
modified=$(git -C "$repo_dir" status --porcelain --untracked-files=no 2>/dev/null | grep -vc ' bench/' || true)
export BL_GIT_HEAD="git $head ($modified tracked files outside bench/ modified in the work tree)"
export BL_PATCHED="$patched"
cmake -S "$copy" -B "$copy/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$copy/build" -j2 strata >"$copy/build.log" 2>&1 || { echo "blocklen.sh: build failed, see $copy/build.log" >&2; exit 1; }

scratch=$(mktemp -d "$scratch_base/strata-bl.XXXXXX")
cleanup() {
  if [ "$keep" -eq 1 ]; then echo "kept $scratch and $copy"; else rm -rf "$scratch" "$copy"; fi
}
trap cleanup EXIT
args=(run --strata "$copy/build/strata" --scratch "$scratch")
[ "$quick" -eq 1 ] && args+=(--quick)
python3 "$bench_dir/blocklen.py" "${args[@]}"
