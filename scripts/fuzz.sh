#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp; clang, ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time at the lowest CPU priority.
#   scripts/fuzz.sh [seconds per target, default 60] [target...]     (targets: audio, store, ...)
# METAHUMAN_FUZZ_RUNS=N stops a target after N inputs when that comes before the time limit;
# METAHUMAN_FUZZ_JOBS=N fuzzes N targets at a time.
# Inputs that crash, hang, leak or exhaust memory are copied to fuzz/regressions/<target>/, which
# the normal test suite replays (tests/core/fuzz_regression_test.cpp); commit them with the fix.
# The growing corpus stays in build-fuzz/corpus/. Exits 1 when any target found something.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
runs=${METAHUMAN_FUZZ_RUNS:--1}
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
  # -O1 with line tables only: less to compile than -O2 -g, and reports still name the file and line.
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

# One target: fuzz, keep what it found, write its summary line to logs/<target>.summary.
fuzz_target() {
  local t=$1
  local corpus=$build_dir/corpus/$t artifacts=$build_dir/artifacts/$t log=$build_dir/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  local extra=()
  [ -d "$build_dir/seeds/$t" ] && extra+=("$build_dir/seeds/$t")
  [ -d "$here/fuzz/regressions/$t" ] && extra+=("$here/fuzz/regressions/$t")
  [ "$t" = audio ] && extra+=("$here/tests/fixtures/audio")
  local rc=0 start=$SECONDS
  # Leaks are looked for in a second pass over the corpus: during fuzzing, every input that ends
  # with more live allocations than it began with (libsndfile's Ogg reader leaks on some headers;
  # lsan.supp) would cost a scan of the whole heap, LibTorch's half gigabyte included, and cut the
  # audio target to about 200 inputs a second.
  nice -n 19 "$build_dir/fuzz/${t}_fuzz" -max_total_time="$seconds" -runs="$runs" -detect_leaks=0 -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "${extra[@]}" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    nice -n 19 "$build_dir/fuzz/${t}_fuzz" -runs=0 -detect_leaks=1 -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -artifact_prefix="$artifacts/" "$corpus" "${extra[@]}" >"$log.leaks" 2>&1 || rc=$?
  fi
  local execs rate found=0 line
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -1)
  for f in "$artifacts"/*; do
    [ -f "$f" ] || continue
    mkdir -p "$here/fuzz/regressions/$t"
    cp "$f" "$here/fuzz/regressions/$t/"
    found=$((found + 1))
  done
  rm -f "$artifacts"/*
  local kept
  kept=$(find "$corpus" -type f | wc -l)
  line="$t: ${execs:-?} executions in $((SECONDS - start)) s (${rate:-?}/s), $kept corpus inputs replayed with leak checks"
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    echo "$line, FOUND $found input(s) (exit $rc); see $log" >"$build_dir/logs/$t.summary"
    return 1
  fi
  echo "$line, nothing found" >"$build_dir/logs/$t.summary"
}

# METAHUMAN_FUZZ_JOBS targets at a time (default 1).
parallel=${METAHUMAN_FUZZ_JOBS:-1}
for t in "${targets[@]}"; do
  rm -f "$build_dir/logs/$t.summary"
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_target "$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  if [ -f "$build_dir/logs/$t.summary" ]; then cat "$build_dir/logs/$t.summary"; else echo "$t: no result"; status=1; fi
  grep -q FOUND "$build_dir/logs/$t.summary" 2>/dev/null && status=1
done
exit $status
