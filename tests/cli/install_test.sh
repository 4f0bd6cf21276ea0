#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the binary, the man pages, the headers, libstrata.a, the
# pkg-config file, the CMake package and the bash completion land in their usual places; the installed
# binary runs; examples/api_demo.cc builds against the installed package, once through pkg-config and once
# through find_package(strata), and the program it makes lists the snapshot the installed binary made.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init install
cd "$T"
[[ -n ${STRATA_BUILD_DIR:-} ]] || fail "STRATA_BUILD_DIR is not set"

prefix=$T/prefix
expect_exit 0 cmake --install "$STRATA_BUILD_DIR" --prefix "$prefix"
# The library directory is lib/ or lib/<multiarch>/, as GNUInstallDirs chose for the prefix.
lib=$(cd "$prefix" && find . -name libstrata.a -printf '%h\n' | head -n 1)
lib=${lib#./}
[[ -n $lib ]] || fail "libstrata.a not installed"
for f in bin/strata share/man/man1/strata.1 share/man/man5/strata-store.5 include/strata/repository.h \
  include/strata/status.h include/strata/log.h include/strata/progress.h include/strata/browse.h \
  include/strata/jobs.h include/strata/forget.h include/strata/prune.h include/strata/sync.h "$lib/libstrata.a" \
  "$lib/pkgconfig/strata.pc" \
  "$lib/cmake/strata/strataConfig.cmake" "$lib/cmake/strata/strataConfigVersion.cmake" \
  share/bash-completion/completions/strata; do
  [[ -f $prefix/$f ]] || fail "not installed: $f"
done
pass "every file installed"
# The headers are the public ones only: nothing of store/ or src/ comes along.
assert_eq "admin.h browse.h coalesce.h forget.h history.h jobs.h log.h progress.h prune.h repository.h status.h sync.h" "$(cd "$prefix/include/strata" && echo *)" \
  "installed headers"

expect_exit 0 "$prefix/bin/strata" --version
expect_stdout_match '^strata [0-9]+\.[0-9]+\.[0-9]+$'
expect_exit 0 env MANPATH="$prefix/share/man" man -w strata
expect_stdout_match "^$prefix/share/man/man1/strata.1"
mkdir -p src/d
echo one >src/d/one
expect_exit 0 "$prefix/bin/strata" init -s store --encryption none
expect_exit 0 "$prefix/bin/strata" backup -s store src
id=$("$prefix/bin/strata" snapshots -s store --json | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4)
[[ ${#id} == 64 ]] || fail "no snapshot id from the installed binary"

# pkg-config, from the installed prefix alone.
export PKG_CONFIG_PATH=$prefix/$lib/pkgconfig
expect_exit 0 pkg-config --modversion strata
assert_eq "$(realpath "$prefix/include")" "$(realpath "$(pkg-config --variable=includedir strata)")" \
  "pkg-config's includedir"
flags=$(pkg-config --cflags --libs strata)
# shellcheck disable=SC2086
expect_exit 0 c++ -std=c++20 -o demo-pc "$STRATA_SRC/examples/api_demo.cc" $flags
expect_exit 0 ./demo-pc snapshots store
expect_stdout_match "^$id "
expect_exit 0 ./demo-pc ls store latest d
expect_stdout_match '^- [0-7]{4} 4 one$'

# find_package(strata) from a project of its own.
mkdir user
cat >user/CMakeLists.txt <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(strata_user LANGUAGES CXX)
find_package(strata 0.1 REQUIRED)
add_executable(demo $STRATA_SRC/examples/api_demo.cc)
target_link_libraries(demo PRIVATE strata::strata)
CMAKE
expect_exit 0 cmake -S user -B user/build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
expect_exit 0 cmake --build user/build
expect_exit 0 user/build/demo snapshots store
expect_stdout_match "^$id "
