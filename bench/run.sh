#!/usr/bin/env bash
# strata benchmark: strata vs borg vs restic vs a native baseline, side by side. See bench/README.md.
#
#   bench/run.sh [--quick] [--keep] [--scratch DIR] [--strata BIN] [--only PHASES] [--no-mount]
#                [--workloads DIR [--prepare [--rebuild-strata WORKLOADS]]]
#
#   --quick        smaller workloads (~10 min instead of ~60)
#   --keep         keep the scratch directory (workloads, repositories, bench.log) for inspection
#   --scratch DIR  where to make the scratch directory (default: the first of $BENCH_SCRATCH, /var/tmp,
#                  /tmp with enough free space: 20 GB, 5 GB for --quick)
#   --strata BIN   use this strata binary instead of building one
#   --only PHASES  re-run some phases (comma-separated: first,restore_usr,nochange,tree,restore_tree,
#                  sqlite,restore_sqlite,cat,chain) and merge them into bench/results.json; needs the
#                  binary the results were measured with (--strata). The mount benchmark's phases
#                  (mount = all of mount_time,mount_seq,mount_rand,mount_tree) take any binary: they
#                  measure their own baselines.
#   --no-mount     a full run of the backup phases only (the mount benchmark is an hour on its own)
#   --workloads DIR  the mount benchmark keeps its workloads (trees and repositories, most of its hour)
#                  in DIR and reuses those already there, so they can be built while the machine is busy
#                  and measured when it is quiet; --prepare only builds them
#   --rebuild-strata WORKLOADS  with --prepare: build these kept workloads (files,big,chain) again for
#                  strata alone, after a change to what strata writes
#
# Needs root (it drops the page cache between cold runs and restores with ownership). Writes
# bench/RESULTS.md (bench/RESULTS-quick.md with --quick) and bench/results.json.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")
source "$bench_dir/lib.sh"

quick=0
keep=0
scratch_base=""
strata=""
only=""
no_mount=0
workloads=""
prepare=0
rebuild=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --scratch) scratch_base="$2"; shift ;;
    --strata) strata=$(realpath "$2"); shift ;;
    --only) only="$2"; shift ;;
    --no-mount) no_mount=1 ;;
    --workloads) workloads=$(realpath -m "$2"); shift ;;
    --prepare) prepare=1 ;;
    --rebuild-strata) rebuild="$2"; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

bench_require_root run.sh

started=$(date +%s)
"$repo_dir/tools/install-deps.sh" --bench

[ -n "$strata" ] || strata=$(bench_build run.sh "$repo_dir")
echo "using $strata: $("$strata" --version)"

need_gb=20
[ "$quick" -eq 1 ] && need_gb=5
pick_scratch() {
  local d
  for d in "$@"; do
    [ -n "$d" ] && [ -d "$d" ] || continue
    local free_kb
    free_kb=$(df -Pk "$d" | awk 'NR == 2 { print $4 }')
    if [ "$free_kb" -ge $((need_gb * 1024 * 1024)) ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}
if [ -n "$scratch_base" ]; then
  base=$(pick_scratch "$scratch_base") || { echo "run.sh: $scratch_base has less than $need_gb GB free" >&2; exit 1; }
else
  base=$(pick_scratch "${BENCH_SCRATCH:-}" /var/tmp /tmp) || {
    echo "run.sh: no scratch directory with $need_gb GB free (set BENCH_SCRATCH)" >&2
    exit 1
  }
fi
scratch=$(mktemp -d "$base/strata-bench.XXXXXX")
# mount_bench.py unmounts what it mounted; the trap catches a mount left by a run that was killed.
bench_scratch_trap "$scratch" "$keep"
echo "scratch: $scratch"

# --only splits into bench.py's phases and mount_bench.py's; without it both run everything.
bench_phases=""
mount_phases=""
IFS=, read -ra wanted <<<"$only"
for p in "${wanted[@]}"; do
  case "$p" in
    mount) mount_phases="${mount_phases:+$mount_phases,}time,seq,rand,tree" ;;
    mount_*) mount_phases="${mount_phases:+$mount_phases,}${p#mount_}" ;;
    *) bench_phases="${bench_phases:+$bench_phases,}$p" ;;
  esac
done
results="$bench_dir/results.json"
[ "$quick" -eq 1 ] && results="$bench_dir/results-quick.json"
quick_arg=()
[ "$quick" -eq 1 ] && quick_arg=(--quick)
if [ -z "$only" ] || [ -n "$bench_phases" ]; then
  args=(run --strata "$strata" --scratch "$scratch" "${quick_arg[@]}")
  [ -n "$bench_phases" ] && args+=(--only "$bench_phases" --merge "$results")
  python3 "$bench_dir/bench.py" "${args[@]}"
fi
if { [ -z "$only" ] && [ "$no_mount" -eq 0 ]; } || [ -n "$mount_phases" ]; then
  args=(run --strata "$strata" --scratch "$scratch" "${quick_arg[@]}" --merge "$results")
  [ -n "$mount_phases" ] && args+=(--only "$mount_phases")
  [ -n "$workloads" ] && args+=(--workloads "$workloads")
  [ "$prepare" -eq 1 ] && args+=(--prepare)
  [ -n "$rebuild" ] && args+=(--rebuild-strata "$rebuild")
  python3 "$bench_dir/mount_bench.py" "${args[@]}"
fi

elapsed=$(( $(date +%s) - started ))
echo "bench/run.sh finished in $((elapsed / 60)) min $((elapsed % 60)) s"
