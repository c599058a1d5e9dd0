#!/usr/bin/env bash
# Every test, from a fresh machine: installs what is missing (through
# build.sh), then runs each job script in turn. This is the README's test
# command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
step "rust: fmt, clippy, native tests";   bash scripts/test-rust.sh
step "fuzz: cargo-fuzz, every target";    bash scripts/test-fuzz.sh
step "build: wasm + npm package";         bash scripts/build.sh
step "wasm: bindings in WebAssembly";     bash scripts/test-wasm.sh
step "js: package API, CLI and types";    bash scripts/test-js.sh
step "cli: npm CLI and native CLI agree";  bash scripts/test-cli.sh
step "publish: npm tarball and crates";    bash scripts/test-publish.sh
step "runtimes: Deno, workerd, Chromium";  bash scripts/test-runtimes.sh
step "bench: a quick run of the benchmark"; bash scripts/test-bench.sh
step "deploy: NATS JetStream, Durable Objects"; bash scripts/test-deploy.sh
step "done"
