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
  libgtest-dev libgmock-dev libbenchmark-dev libpng-dev liblo-dev libasound2-dev libgloo-dev
  libcpp-httplib-dev)
corpus_packages=(fluidsynth fluid-soundfont-gm openttd-openmsx midicsv sox)
test_packages=(chromium)  # the report's browser test

install_missing() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not a Debian system: say what is needed instead of failing somewhere in CMake.
    if [ -z "${METAHUMAN_SKIP_PACKAGES:-}" ]; then
      echo "error: this script installs Debian 12 packages and this system has no dpkg." >&2
      echo "Install the equivalents of these Debian packages: $*" >&2
      echo "(LibTorch 1.13+ with its CMake files, libsndfile, libsoxr, FFTW3, libpng, liblo, ALSA, cpp-httplib, CLI11," >&2
      echo "toml++, nlohmann-json, spdlog, fmt, GoogleTest, Google Benchmark), then re-run with" >&2
      echo "METAHUMAN_SKIP_PACKAGES=1 to build without installing." >&2
      exit 1
    fi
    return 0
  fi
  if [ -f /etc/os-release ] && ! grep -q '^VERSION_ID="12"' /etc/os-release; then
    echo "warning: made for Debian 12; on $(. /etc/os-release; echo "${PRETTY_NAME:-this system}") the package names may differ" >&2
  fi
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

# build [TARGET...]: the whole tree by default; the demo asks for the program alone.
build() {
  install_missing "${build_packages[@]}"
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${METAHUMAN_CMAKE_ARGS:-}
  fi
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  local t0=$SECONDS
  cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
  echo "build: $((SECONDS - t0)) s"
}

case "${1:-}" in
  demo)
    shift
    started=$(date +%s)
    build metahuman
    install_missing "${corpus_packages[@]}"
    t0=$SECONDS
    "$here/scripts/make_default_corpus.sh" "$data_dir/default_corpus"
    echo "default corpus: $((SECONDS - t0)) s"
    "$build_dir/metahuman" demo --corpus "$data_dir/default_corpus" --out "$data_dir/demo" "$@"
    # The first song written, counted from this script's start (packages and build included).
    first=$(ls "$data_dir/demo/session/songs/"0000_*.wav 2>/dev/null | head -n 1)
    if [ -n "$first" ]; then
      echo "first song: $(( $(stat -c %Y "$first") - started )) s after setup started; all done after $(( $(date +%s) - started )) s"
    fi
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
