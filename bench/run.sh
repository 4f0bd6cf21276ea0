#!/usr/bin/env bash
# strata benchmark: strata vs borg vs restic vs a native baseline, side by side. See bench/README.md.
#
#   bench/run.sh [--quick] [--keep] [--scratch DIR] [--strata BIN] [--only PHASES]
#
#   --quick        smaller workloads (~5 min instead of ~30)
#   --keep         keep the scratch directory (workloads, repositories, bench.log) for inspection
#   --scratch DIR  where to make the scratch directory (default: the first of $BENCH_SCRATCH, /var/tmp,
#                  /tmp with enough free space: 20 GB, 5 GB for --quick)
#   --strata BIN   use this strata binary instead of building one
#   --only PHASES  re-run some phases (comma-separated: first,restore_usr,nochange,tree,restore_tree,
#                  sqlite,restore_sqlite,cat,chain) and merge them into bench/results.json; needs the
#                  binary the results were measured with (--strata)
#
# Needs root (it drops the page cache between cold runs and restores with ownership). Writes
# bench/RESULTS.md (bench/RESULTS-quick.md with --quick) and bench/results.json.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")
build_dir="$repo_dir/build-bench"

quick=0
keep=0
scratch_base=""
strata=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    --scratch) scratch_base="$2"; shift ;;
    --strata) strata=$(realpath "$2"); shift ;;
    --only) only="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh: needs root (drops the page cache with /proc/sys/vm/drop_caches)" >&2
  exit 1
fi

started=$(date +%s)
"$repo_dir/tools/install-deps.sh" --bench

# Build strata in its own directory. Other engineers edit the tree concurrently, so a build that fails
# may be someone's half-done edit: wait and retry a few times before giving up.
for attempt in 1 2 3 4 5; do
  [ -n "$strata" ] && break
  if cmake -S "$repo_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
     make -C "$build_dir" -j2 strata >"$build_dir/bench-build.log" 2>&1; then
    break
  fi
  if [ "$attempt" -eq 5 ]; then
    echo "run.sh: strata does not build; last output in $build_dir/bench-build.log" >&2
    exit 1
  fi
  echo "run.sh: build failed (attempt $attempt), retrying in 60 s" >&2
  sleep 60
done
[ -n "$strata" ] || strata="$build_dir/strata"
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
cleanup() {
  if [ "$keep" -eq 1 ]; then
    echo "scratch kept in $scratch"
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT
echo "scratch: $scratch"

args=(run --strata "$strata" --scratch "$scratch")
[ "$quick" -eq 1 ] && args+=(--quick)
if [ -n "$only" ]; then
  results="$bench_dir/results.json"
  [ "$quick" -eq 1 ] && results="$bench_dir/results-quick.json"
  args+=(--only "$only" --merge "$results")
fi
python3 "$bench_dir/bench.py" "${args[@]}"

elapsed=$(( $(date +%s) - started ))
echo "bench/run.sh finished in $((elapsed / 60)) min $((elapsed % 60)) s"
