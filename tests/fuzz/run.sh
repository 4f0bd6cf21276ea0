#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, in build-fuzz/) and runs each for SECONDS (default 30)
# on a copy of its seed corpus in tests/fuzz/corpus/, so the repository is never modified. Exits non-zero
# if any target crashed, leaked, hit undefined behaviour or timed out, naming the input that did it.
#
# Usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   TARGET is a corpus name: store_header, pack, ...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-30}
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$root"/tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" .cc)
    targets+=("${name%_fuzz}")
  done
fi

"$root/tools/install-deps.sh"
build=$("$root/tests/fuzz/build.sh" "${targets[@]/%/_fuzz}")
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz.XXXXXX")

# Inputs a little larger than the largest real seed of each kind.
max_len() {
  case $1 in
    store_header) echo 256 ;;
    frame_codec | object_index | manifest | exclude) echo 8192 ;;
    tree | file_version) echo 16384 ;;
    pack) echo 65536 ;;
    *) echo 4096 ;;
  esac
}

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp -r "$root/tests/fuzz/corpus/$t/." "$work/$t/corpus/" 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s" >&2
  if "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 \
    -timeout=10 -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
    "$work/$t/corpus" >"$work/$t/log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/$t/log" | tr '\n' ' ' >&2
    echo >&2
  else
    failed+=("$t")
    tail -n 40 "$work/$t/log" >&2
    for input in "$work/$t/artifacts"/*; do
      [ -e "$input" ] && echo "fuzz: $t failed on input $input (log: $work/$t/log)" >&2
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs and logs kept in $work)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s without a failure" >&2
