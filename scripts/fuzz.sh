#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp; clang, ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time at the lowest CPU priority.
#   scripts/fuzz.sh [seconds per target, default 60] [target...]     (targets: audio, store, ...)
# Inputs that crash, hang, leak or exhaust memory are copied to fuzz/regressions/<target>/, which
# the normal test suite replays (tests/core/fuzz_regression_test.cpp); commit them with the fix.
# The growing corpus stays in build-fuzz/corpus/. Exits 1 when any target found something.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
build_dir=${METAHUMAN_FUZZ_BUILD_DIR:-$here/build-fuzz}
jobs=${METAHUMAN_JOBS:-1}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$here"/fuzz/*_fuzz.cpp; do
    name=$(basename "$f" .cpp)
    targets+=("${name%_fuzz}")
  done
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  # -O1 with line tables only: compiles in about half the time of -O2 -g, and reports still name
  # the file and line.
  CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DMETAHUMAN_BUILD_FUZZ=ON -DMETAHUMAN_BUILD_TESTS=OFF -DMETAHUMAN_BUILD_BENCH=OFF
fi
nice -n 19 cmake --build "$build_dir" -j "$jobs" --target make_seeds "${targets[@]/%/_fuzz}"

# LibTorch's own pools live for the whole process; only leaks that grow per input are findings.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/fuzz/lsan.supp:print_suppressions=0}
# Some targets go through files (audio, store, session log): a memory-backed scratch folder is faster.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
rm -rf "$build_dir/seeds"
nice -n 19 "$build_dir/fuzz/make_seeds" "$build_dir/seeds"

status=0
summary=()
for t in "${targets[@]}"; do
  corpus=$build_dir/corpus/$t
  artifacts=$build_dir/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  extra=()
  [ -d "$build_dir/seeds/$t" ] && extra+=("$build_dir/seeds/$t")
  [ -d "$here/fuzz/regressions/$t" ] && extra+=("$here/fuzz/regressions/$t")
  [ "$t" = audio ] && extra+=("$here/tests/fixtures/audio")
  log=$build_dir/logs/$t.log
  mkdir -p "$(dirname "$log")"
  rc=0
  nice -n 19 "$build_dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${extra[@]}" \
    >"$log" 2>&1 || rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  found=0
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    mkdir -p "$here/fuzz/regressions/$t"
    cp "$f" "$here/fuzz/regressions/$t/"
    found=$((found + 1))
  done
  rm -f "$artifacts"/*
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    status=1
    summary+=("$t: ${execs:-?} executions, FOUND $found input(s) (exit $rc); see $log")
  else
    summary+=("$t: ${execs:-?} executions, nothing found")
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
