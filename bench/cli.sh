#!/usr/bin/env bash
# The native CLI (target/release/mshta-chain) against the npm CLI
# (node pkg/bin/mshta-chain.mjs) on the same inputs: ~300 MB of generated
# JSON Lines (the telemetry crate's corpus generator, mixed schemas) and a
# folder of .evtx (copies of tests/data/realdata/evtx/*.evtx). Wall time and
# peak RSS from /usr/bin/time -v; both reports are compared (they must be
# the same bytes). Figures are printed, never asserted.
#
#   bash bench/cli.sh [--events N] [--copies K]
# Called by scripts/bench.sh (bench/RESULTS.md records a run).
set -euo pipefail
cd "$(dirname "$0")/.."
events=220000
copies=20
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=$2; shift ;;
    --copies) copies=$2; shift ;;
    *) echo "bench/cli: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '[bench-cli] %s\n' "$*" >&2; }
[ -x target/release/mshta-chain ] && [ -d pkg/dist ] || bash scripts/build.sh
[ -x /usr/bin/time ] || { echo "bench/cli: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mshta-chain-bench-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "generating $events events of JSON Lines"
cargo run --quiet --release -p mshta-chain-telemetry --bin corpus -- --events "$events" --schema mixed --out "$tmp/corpus.jsonl"
mkdir "$tmp/evtx"
for i in $(seq -w 1 "$copies"); do
  for f in tests/data/realdata/evtx/*.evtx; do cp "$f" "$tmp/evtx/$i-$(basename "$f")"; done
done

# One run: prints "seconds peak-KiB" and keeps the report.
measure() {
  local out=$1; shift
  /usr/bin/time -v -o "$tmp/time" "$@" > "$out"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
  echo "$wall $rss"
}

row() {
  local name=$1 input=$2 bytes=$3
  read -r nw nr < <(measure "$tmp/native.json" target/release/mshta-chain scan "$input")
  read -r jw jr < <(measure "$tmp/npm.json" node pkg/bin/mshta-chain.mjs scan "$input")
  local same=yes
  # The same report byte for byte (state_bytes too: fixed record sizes).
  cmp -s "$tmp/native.json" "$tmp/npm.json" || same=NO
  awk -v n="$name" -v b="$bytes" -v nw="$nw" -v nr="$nr" -v jw="$jw" -v jr="$jr" -v same="$same" 'BEGIN {
    mb = b / 1048576
    printf "| %s | %.0f MiB | %.2f s (%.1f MiB/s), %.1f MiB | %.2f s (%.1f MiB/s), %.1f MiB | %.2fx | %s |\n",
      n, mb, nw, mb / nw, nr / 1024, jw, mb / jw, jr / 1024, jw / nw, same }'
}

echo "| input | size | native CLI: time, peak RSS | npm CLI: time, peak RSS | speed-up | same report |"
echo "|---|---|---|---|---|---|"
row "JSON Lines (mixed schemas, $events events)" "$tmp/corpus.jsonl" "$(wc -c < "$tmp/corpus.jsonl")"
row "folder of .evtx ($copies copies of the 5 samples)" "$tmp/evtx" "$(du -sb "$tmp/evtx" | cut -f1)"
echo
echo "cores: $(nproc); $(node --version); $(rustc --version)"
