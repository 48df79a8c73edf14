#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root):
#   scripts/setup.sh demo   install what is missing, build, make the default corpus, run the demo
#   scripts/setup.sh test   install what is missing, build, run the test suite
# Re-runs are incremental: packages already present are not reinstalled, the build is incremental
# and the default corpus is cached.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${METAHUMAN_BUILD_DIR:-$here/build}
data_dir=${METAHUMAN_DATA_DIR:-$here/data}
jobs=${METAHUMAN_JOBS:-$(nproc)}

build_packages=(g++ cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-pthread libsndfile1-dev libsoxr-dev libfftw3-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpng-dev liblo-dev libasound2-dev libgloo-dev)
corpus_packages=(fluidsynth fluid-soundfont-gm openttd-openmsx midicsv sox)
test_packages=(chromium)  # the report's browser test

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
      echo "error: missing Debian packages (${missing[*]}) and not root: run as root or install them" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  install_missing "${build_packages[@]}"
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${METAHUMAN_CMAKE_ARGS:-}
  fi
  cmake --build "$build_dir" -j "$jobs"
}

case "${1:-}" in
  demo)
    shift
    build
    install_missing "${corpus_packages[@]}"
    "$here/scripts/make_default_corpus.sh" "$data_dir/default_corpus"
    "$build_dir/metahuman" demo --corpus "$data_dir/default_corpus" --out "$data_dir/demo" "$@"
    ;;
  test)
    shift
    build
    install_missing "${test_packages[@]}"
    cd "$build_dir"
    ctest --output-on-failure --timeout 900 -j "$jobs" "$@"
    ;;
  *)
    echo "usage: scripts/setup.sh demo|test [extra arguments]" >&2
    exit 2
    ;;
esac
