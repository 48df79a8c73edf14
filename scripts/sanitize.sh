#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and
# runs the test suite there, at the lowest CPU priority.
#   scripts/sanitize.sh [ctest arguments...]      e.g. scripts/sanitize.sh -L model
# Any sanitizer report fails the test that triggered it. LibTorch itself is not instrumented:
# reports inside it point at our call into it. Exits with ctest's status.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${METAHUMAN_ASAN_BUILD_DIR:-$here/build-asan}
jobs=${METAHUMAN_JOBS:-1}

if [ ! -f "$build_dir/build.ninja" ]; then
  # -O0 with line tables: an optimised ASan build takes twice as long to compile as the release
  # build, while the tests' heavy arithmetic runs inside LibTorch, which is optimised either way.
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1 -DNDEBUG" \
    -DMETAHUMAN_SANITIZE=ON -DMETAHUMAN_BUILD_BENCH=OFF
fi
nice -n 19 cmake --build "$build_dir" -j "$jobs"

# Leaks: LibTorch keeps thread pools and kernel registries until exit, which LeakSanitizer would
# report at every test program's end; scripts/lsan.supp names them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build_dir"
nice -n 19 ctest --output-on-failure --timeout 1800 -j "$jobs" "$@"
