#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12: installs dependencies, then
#   1. release build: unit + integration tests (CTest)
#   2. libFuzzer targets, FUZZ_SECONDS each (default 30)
#   3. ASan + UBSan build: unit + integration tests again
# Tests that need ../shared/media skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$SECONDS
stage() { echo; echo "=== $* ($((SECONDS - start)) s)"; }

stage "release build"
bash scripts/build.sh release
stage "release tests"
(cd build/release && ctest --output-on-failure --timeout 600 -j2)

stage "fuzzing, ${FUZZ_SECONDS:-30} s per target"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

stage "ASan + UBSan build"
bash scripts/build.sh asan
stage "ASan + UBSan tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure --timeout 900 -j2)
stage "all tests passed"
