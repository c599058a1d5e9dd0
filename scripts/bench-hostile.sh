#!/usr/bin/env bash
# The hostile-input cases of issue 16 (bench/src/hostile.rs), each in its own process with a
# time limit, printing one JSON line per case: seconds, peak RSS and what the report says.
#   bash scripts/bench-hostile.sh [LIMIT_SECONDS]     (default 120)
# Timings are printed and recorded (bench/RESULTS.md), never asserted.
set -uo pipefail
cd "$(dirname "$0")/.."
limit=${1:-120}
cargo build -q --profile bench -p mshta-chain-bench --bin hostile || exit 1
bin=target/release/hostile
run() {
  local out
  out=$(timeout "$limit" "$bin" "$@") || out="{\"case\":\"$1\",\"n\":${2:-0},\"result\":\"did not finish within ${limit} s\"}"
  echo "$out"
}
run children 250000
run children 1000000
run stream 5000
run stream 10000
run shapes 1000
run shapes 2000
run shapes 4000
run evict 200000
run evict 250000
run evict 1000000
run samepid 1000
for c in array_first surrogate future cr_only one_line deep_array coverage self_parent bad_number; do run "$c"; done
