#!/usr/bin/env bash
# The kill -9 test of the recorder, longer than CI's 30 rounds: `sightline run` recording
# camsim cameras is killed at random moments ROUNDS times (default 300), restarted each time;
# the full check must pass and every gap in the timeline must sit at a kill, losing at most
# one flush interval plus one GOP before it (tests/record_kill9_test.cc).
#   usage: bench/kill9.sh [ROUNDS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-300}
build=${2:-build/release}
SIGHTLINE_KILL9_ROUNDS=$rounds "$build/tests/sightline_integration_tests" --gtest_filter='Kill9*'
