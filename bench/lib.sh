# Shared by bench/run.sh and bench/crypto.sh (sourced): the root check, building strata in build-bench/,
# and a scratch directory whose leftover mounts are undone and which is removed (or kept) on exit.
# Each function takes the calling script's name, for its messages.

bench_require_root() { # bench_require_root NAME
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1: needs root (drops the page cache with /proc/sys/vm/drop_caches)" >&2
    exit 1
  fi
}

# bench_build NAME REPO_DIR: builds strata in REPO_DIR/build-bench and prints the binary's path. Other
# engineers edit the tree concurrently, so a build that fails may be someone's half-done edit: it waits
# and retries a few times before giving up.
bench_build() {
  local build_dir="$2/build-bench" attempt
  for attempt in 1 2 3 4 5; do
    if cmake -S "$2" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
       make -C "$build_dir" -j2 strata >"$build_dir/bench-build.log" 2>&1; then
      echo "$build_dir/strata"
      return 0
    fi
    if [ "$attempt" -eq 5 ]; then
      echo "$1: strata does not build; last output in $build_dir/bench-build.log" >&2
      exit 1
    fi
    echo "$1: build failed (attempt $attempt), retrying in 60 s" >&2
    sleep 60
  done
}

# bench_scratch_trap SCRATCH KEEP: on exit, lazily unmounts anything still mounted under SCRATCH (a run
# that was killed may leave one), then removes SCRATCH unless KEEP is 1.
bench_scratch_trap() {
  BENCH_SCRATCH_DIR=$1
  BENCH_KEEP=$2
  trap _bench_cleanup EXIT
}
_bench_cleanup() {
  local mp
  while read -r _ mp _; do
    case "$mp" in "$BENCH_SCRATCH_DIR"/*) fusermount3 -u -z "$mp" || true ;; esac
  done </proc/mounts
  if [ "$BENCH_KEEP" -eq 1 ]; then
    echo "scratch kept in $BENCH_SCRATCH_DIR"
  else
    rm -rf "$BENCH_SCRATCH_DIR"
  fi
}
