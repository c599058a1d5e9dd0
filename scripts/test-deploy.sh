#!/usr/bin/env bash
# CI job: the deployments of deploy/ (issue 15), on this machine only:
#   - NATS JetStream: nats-server (Debian's package, installed with apt-get
#     when missing) on 127.0.0.1 at free ports with JetStream on temporary
#     stores; 3 workers (deploy/nats/worker.mjs) against one analyze, then
#     SIGKILL of a worker twice, a server restart and reordered/duplicated
#     deliveries (deploy/test/nats.test.mjs);
#   - Cloudflare Durable Objects in workerd through Miniflare, with a
#     runtime restart (deploy/test/durable-objects.test.mjs).
# Input comes from the project's seeded corpus generator (tests/telemetry).
# CI size: 200,000 events over 500 hosts (the issue's 1,000,000 take about
# 5 times as long, past CI's budget; bash deploy/bench/bench.sh runs them).
# Override with MSHTA_DEPLOY_EVENTS. Assumes the package is built
# (bash scripts/build.sh). Every server and worker is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[test-deploy] %s\n' "$*" >&2; }
events=${MSHTA_DEPLOY_EVENTS:-200000}

[ -f pkg/dist/web/mshta_chain_bg.wasm ] || { echo "test-deploy: pkg/dist is missing: run bash scripts/build.sh first" >&2; exit 1; }

# 1. nats-server from Debian (2.9 has JetStream and the partition mapping).
if ! command -v nats-server >/dev/null; then
  log "installing nats-server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nats-server >/dev/null
fi
log "$(nats-server --version)"

# 2. npm dependencies of deploy/ (nats, miniflare; mshta-chain is ../pkg), as locked.
if ! node -e '
  const fs = require("fs");
  const pkg = require("./deploy/package.json");
  for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    if (version.startsWith("file:")) { if (!fs.existsSync(`./deploy/node_modules/${name}`)) process.exit(1); continue; }
    const file = `./deploy/node_modules/${name}/package.json`;
    if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(1);
  }' 2>/dev/null; then
  log "installing the npm dependencies of deploy (npm ci)"
  (cd deploy && npm ci --no-audit --no-fund --loglevel=error)
fi

# 3. The corpora, from the project's generator.
tmp=$(mktemp -d)
mkdir -p "$tmp/pids"
cleanup() {
  for f in "$tmp"/pids/*; do
    [ -e "$f" ] || continue
    kill "$(basename "$f")" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
cargo build --quiet --release -p mshta-chain-telemetry --bin corpus
target/release/corpus --events "$events" --hosts 500 --seed 15 --schema mixed --mshta-rate 20 --out "$tmp/nats.jsonl"
target/release/corpus --events 30000 --hosts 50 --seed 16 --schema mixed --mshta-rate 20 --out "$tmp/do.jsonl"

# 4. The tests.
export MSHTA_DEPLOY_PIDS="$tmp/pids" MSHTA_DEPLOY_CORPUS="$tmp/nats.jsonl" MSHTA_DEPLOY_DO_CORPUS="$tmp/do.jsonl"
node --test --test-concurrency=1 deploy/test/hosts.test.mjs deploy/test/nats.test.mjs deploy/test/durable-objects.test.mjs
