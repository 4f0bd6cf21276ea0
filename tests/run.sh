#!/usr/bin/env bash
# Set-up, build and every test: unit tests (also under ASan+UBSan when STRATA_SANITIZE_TESTS=1, as CI
# does) and the integration tests that drive the real binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools/install-deps.sh

jobs=$(nproc)
build=${STRATA_BUILD_DIR:-$root/build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"

if [ "${STRATA_SANITIZE_TESTS:-0}" = 1 ]; then
  asan=${build}-asan
  cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DSTRATA_WERROR=ON -DSTRATA_SANITIZE=ON >/dev/null
  cmake --build "$asan" -j "$jobs" --target store_tests src_tests api_tests
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$asan" --output-on-failure -j "$jobs" -L unit
fi
