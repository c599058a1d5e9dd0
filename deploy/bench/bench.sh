#!/usr/bin/env bash
# The deployment benchmark at the issue's full size: 1,000,000 generated
# events over 500 hosts through NATS JetStream with 1, 2 and 3 workers, and
# a failover (SIGKILL) run; prints the figures as JSON (about 10 minutes on
# 2 cores, and about 2 GB of disk for the corpus plus 2 GB for JetStream).
#   bash deploy/bench/bench.sh [EVENTS]
# Needs nats-server and the npm dependencies of deploy/ (scripts/test-deploy.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/../.."
events=${1:-1000000}
tmp=$(mktemp -d)
mkdir -p "$tmp/pids"
cleanup() {
  for f in "$tmp"/pids/*; do [ -e "$f" ] && kill "$(basename "$f")" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cargo build --quiet --release -p mshta-chain-telemetry --bin corpus
target/release/corpus --events "$events" --hosts 500 --seed 15 --schema mixed --mshta-rate 20 --out "$tmp/corpus.jsonl"
MSHTA_BENCH_LOG=${MSHTA_BENCH_LOG:-} MSHTA_DEPLOY_PIDS="$tmp/pids" TMPDIR="$tmp" node --max-old-space-size=8192 deploy/bench/bench.mjs "$tmp/corpus.jsonl"
