#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 30), two at a
# time. Fails if any target finds a crash, leak or sanitizer error; the reproducer is left in
# build/fuzz/findings/.
#   usage: scripts/fuzz.sh [SECONDS] [NAME-filter]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
filter=${2:-}
bash scripts/build.sh fuzz >/dev/null
mkdir -p build/fuzz/findings build/fuzz/corpus
targets=()
for f in fuzz/*_fuzzer.cc; do
  name=$(basename "$f" .cc)
  [[ -z "$filter" || "$name" == *"$filter"* ]] && targets+=("$name")
done
run() {
  local name=$1 corpus=build/fuzz/corpus/$1
  mkdir -p "$corpus"
  local seeds=(); [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  if "build/fuzz/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build/fuzz/findings/$name-" -print_final_stats=1 "$corpus" "${seeds[@]}" \
       >"build/fuzz/$name.log" 2>&1; then
    echo "fuzz: $name ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/$name.log" | grep -o '[0-9]*$') runs in ${seconds}s)"
  else
    echo "fuzz: $name FAILED; log: build/fuzz/$name.log"; tail -30 "build/fuzz/$name.log"; return 1
  fi
}
failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for name in "${targets[@]:i:2}"; do run "$name" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
echo "fuzz: ${#targets[@]} targets, $([ $failed = 0 ] && echo 'no findings' || echo 'FINDINGS')"
exit $failed
