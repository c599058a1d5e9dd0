#!/usr/bin/env bash
# CI job: the Rust workspace natively — format, lints, unit, scenario,
# real-data and robustness tests, doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done
# The core and the bindings are also linted for the target users run them on.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p mshta-chain-core -p mshta-chain-wasm -- -D warnings
cargo test --workspace
