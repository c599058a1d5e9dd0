#!/usr/bin/env bash
# CI job: the bindings inside a real WebAssembly instance under Node
# (wasm-bindgen-test). Needs the target and CLI that build.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p mshta-chain-wasm --tests
