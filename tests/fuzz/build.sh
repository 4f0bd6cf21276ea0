#!/usr/bin/env bash
# Builds TARGET... (default: every fuzz target) in the clang fuzz build directory, configuring it first,
# and prints that directory. Shared by run.sh and make_seeds.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATA_FUZZ_BUILD_DIR:-$root/build-fuzz}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DSTRATA_FUZZ=ON -DSTRATA_BUILD_TESTS=OFF -DSTRATA_WERROR=ON >/dev/null
if ! log=$(cmake --build "$build" -j "${STRATA_JOBS:-$(nproc)}" --target "${@:-fuzz}" 2>&1); then
  echo "$log" >&2
  exit 1
fi
echo "$build"
