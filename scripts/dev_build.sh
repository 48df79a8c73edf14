#!/usr/bin/env bash
# Incremental developer build that waits its turn: several shells (or editors) sharing one build
# folder must not run ninja at the same time, and a 2-core machine gains nothing from it anyway.
#   scripts/dev_build.sh [ninja targets...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${METAHUMAN_BUILD_DIR:-$here/build}
exec flock "$build_dir/.build.lock" cmake --build "$build_dir" -j "${METAHUMAN_JOBS:-2}" ${1:+--target "$@"}
