#!/usr/bin/env bash
# CI job: the Rust workspace natively — format, lints, unit, scenario,
# real-data and robustness tests, doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done
cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo test --workspace
