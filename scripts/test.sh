#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12: installs dependencies, then
#   0. the layering check (scripts/check_layers.py)
#   1. release build of the server and the web UI: unit + integration tests (CTest)
#   2. browser tests: the demo in headless Chromium (web/e2e, scripts/e2e.sh)
#      security: security-review-1's live attacks against a running server (tests/security)
#      package: the Debian package built, linted, installed, run, scored and purged (tests/package)
#   3. libFuzzer targets, FUZZ_SECONDS each (default 30)
#   4. ASan + UBSan build: unit + integration tests again
#   5. ThreadSanitizer build with clang (which also checks the thread-safety annotations):
#      unit + integration tests again
# Tests that need ../shared/media skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$SECONDS
stage() { echo; echo "=== $* ($((SECONDS - start)) s)"; }

stage "layering: no include from a higher layer"
python3 scripts/check_layers.py

stage "release build"
bash scripts/build.sh release
bash scripts/build_web.sh
(cd web && npx --no-install tsc --noEmit)
bash scripts/onvif_interop_deps.sh  # the npm onvif client of the camsim ONVIF interop test
stage "release tests"
(cd build/release && ctest --output-on-failure --timeout 600 -j2)

stage "browser tests"
bash scripts/e2e.sh

stage "security: the review's live attacks against sightline run"
bash tests/security/run.sh

stage "package: build, lintian, install, check, purge"
bash tests/package/run.sh

stage "fuzzing, ${FUZZ_SECONDS:-30} s per target"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

stage "ASan + UBSan build"
bash scripts/build.sh asan
stage "ASan + UBSan tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure --timeout 900 -j2)

stage "ThreadSanitizer build (clang, -Werror=thread-safety)"
bash scripts/build.sh tsan
stage "ThreadSanitizer tests"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp"
(cd build/tsan && ctest --output-on-failure --timeout 900 -j2)
stage "all tests passed"
