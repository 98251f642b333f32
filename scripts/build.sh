#!/usr/bin/env bash
# Configures and builds one flavour of Sightline.
#   usage: scripts/build.sh [release|asan|tsan|fuzz] [targets...]
# Outputs go to build/<flavour>/. JOBS (default 2) sets the parallelism.
# Compiles go through ccache when it is installed (scripts/setup.sh installs it); paths are
# hashed relative to the checkout, so another clone of the same commit reuses the objects.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}; shift || true
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug -DSIGHTLINE_SANITIZE=ON) ;;
  tsan)    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGHTLINE_TSAN=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  fuzz)    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGHTLINE_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, tsan, fuzz)" >&2; exit 2 ;;
esac
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
fi
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
if (($#)); then
  cmake --build "build/$flavour" -j"${JOBS:-2}" --target "$@"
else
  cmake --build "build/$flavour" -j"${JOBS:-2}"
fi
