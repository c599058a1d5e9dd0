#!/usr/bin/env bash
# Benchmarks (issues 6 and 13): the native core and the npm package in Node, on a generated,
# realistic corpus, with baselines measured in the same run (typed serde_json parse, JSON.parse);
# a corpus in the mix of real full-host logs, many hosts, the npm CLI's peak RSS on a large file
# (300 MB in the full run), a 1,000-event `analyze` inside workerd (when tests/runtimes has its
# npm dev dependencies), the sizes of both .wasm files and the npm tarball, and the log viewer on a
# large .evtx in headless Chromium (bench/viewer.mjs).
#
#   bash scripts/bench.sh            # full run (about 10 minutes on 2 cores); prints the table
#   bash scripts/bench.sh --write    # ... and writes bench/RESULTS.md
#   bash scripts/bench.sh --quick    # smoke run in seconds (small corpora)
#   bash scripts/bench.sh -- ARGS    # extra arguments for the native bench (e.g. --repeat 3)
#
# Builds the native bench (`--profile bench`: opt-level 3 + LTO; the release profile is sized
# for WebAssembly) and, only when pkg/dist is missing, the npm package (scripts/build.sh).
# Timings are printed and recorded, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[bench] %s\n' "$*" >&2; }

write=0
quick=0
extra=()
command="bash scripts/bench.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --write) write=1 ;;
    --quick) quick=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  native_sizes=(--quick)
  node_events=10000
  window_events=10000
  repeat=1
  cli_events=20000
else
  native_sizes=(--events 1000000 --schema-events 200000 --stream-events 10000000)
  node_events=100000
  window_events=100000
  repeat=2
  # About 300 MB of JSON Lines in the real-host mix (a third of the events drawn are kept).
  cli_events=675000
fi

# 1. Builds.
log "cargo build --profile bench -p mshta-chain-bench"
# Line tables only, so that `perf report` can name inlined code; no effect on the code generated.
CARGO_PROFILE_BENCH_DEBUG=line-tables-only cargo build --quiet --profile bench -p mshta-chain-bench
bin="${CARGO_TARGET_DIR:-$root/target}/release/bench"
if [ ! -f pkg/dist/web/mshta_chain_bg.wasm ] || [ ! -f pkg/dist/node/mshta_chain.js ] || [ ! -f pkg/dist/api.cjs ]; then
  log "pkg/dist is missing: building the npm package"
  bash scripts/build.sh
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mshta-chain-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The ceiling for Node: the typed parse alone in WebAssembly, built as the
# core is (same flags and target dir as scripts/build.sh, so neither rebuilds
# the other's dependencies).
log "cargo build (wasm32, release) -p mshta-chain-bench-wasm"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=+simd128' \
  cargo build --quiet --release --target wasm32-unknown-unknown -p mshta-chain-bench-wasm
wasm-bindgen --target nodejs --out-dir "$tmp/typed" --out-name typed \
  "${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/release/mshta_chain_bench_wasm.wasm"

# 2. Native: throughput, baselines, per schema, the endless stream; writes the Node corpus.
log "native bench (one run at a time)"
"$bin" "${native_sizes[@]}" --repeat "$repeat" --node-corpus "$tmp/node.jsonl" --node-events "$node_events" \
  --json "$tmp/native.json" "${extra[@]}" > "$tmp/native.md"

# 3. The window corpus: 100,000 events on 200 hosts, all within one 10-minute window.
"$bin" --write-corpus "$tmp/window.jsonl" --events "$window_events" --hosts 200 > "$tmp/window.json"

# 4. Node: the built package.
log "node bench"
node pkg/bench/node.mjs --corpus "$tmp/node.jsonl" --window-corpus "$tmp/window.jsonl" --typed-wasm "$tmp/typed" --repeat "$repeat" \
  --json "$tmp/node.json" > "$tmp/node.md"

# 5. The npm CLI's peak RSS (real-host mix), workerd, sizes.
log "CLI peak RSS, workerd, sizes"
"$bin" --write-corpus "$tmp/cli.jsonl" --events "$cli_events" --real-host > "$tmp/cli.json"
node pkg/bench/extra.mjs --cli-corpus "$tmp/cli.jsonl" --workerd-corpus "$tmp/cli.jsonl" --json "$tmp/extra.json" > "$tmp/extra.md"

# 6. The combined table with the machine, and the targets.
report=(node pkg/bench/report.mjs --native "$tmp/native.json" --node "$tmp/node.json" \
  --window-info "$tmp/window.json" --extra "$tmp/extra.json" --command "$command")
[ "$write" = 1 ] && report+=(--write bench/RESULTS.md)
"${report[@]}"

# 6. The native CLI against the npm CLI: ~300 MB of JSON Lines and a folder of
#    .evtx, with peak RSS (bench/cli.sh; its table is appended to RESULTS.md by hand).
log "CLIs: native vs npm"
if [ "$quick" = 1 ]; then bash bench/cli.sh --events 20000 --copies 2; else bash bench/cli.sh; fi

# 7. The log viewer in headless Chromium on a generated .evtx, with the memory of the tab
#    (bench/viewer.mjs; its figures are appended to RESULTS.md by hand). Skipped without
#    Chromium or tests/runtimes' npm dev dependencies.
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ -d tests/runtimes/node_modules/playwright-core ]; then
  log "viewer: a large .evtx in Chromium"
  if [ "$quick" = 1 ]; then node bench/viewer.mjs --mb 20; else node bench/viewer.mjs --mb 1000; fi
else
  log "viewer: skipped (no Chromium or no tests/runtimes/node_modules: cd tests/runtimes && npm ci)"
fi
