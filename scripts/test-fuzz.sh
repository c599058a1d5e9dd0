#!/usr/bin/env bash
# Bounded fuzzing (issue 16): each target of fuzz/ (input splitting and decoding of every
# schema, Engine::push/finish with structure-aware events and small caps, snapshot restore of
# damaged and re-sealed bytes, config parsing) for FUZZ_SECONDS (default 60) each, on the
# pinned stable toolchain: coverage-less loops over mutated real and generated inputs (see
# fuzz/src/lib.rs for why not cargo-fuzz). A failing input is written to
# tests/fuzz-regressions/<target>/ and the script fails; `cargo test -p mshta-chain-fuzz`
# replays every committed one.
#   bash scripts/test-fuzz.sh            # 60 s per target
#   FUZZ_SECONDS=600 bash scripts/test-fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
cargo build -q --release -p mshta-chain-fuzz
cargo test -q -p mshta-chain-fuzz
# A different seed per run (the date), printed so that a failure can be replayed.
seed=${FUZZ_SEED:-$(date +%Y%m%d)}
echo "[test-fuzz] $seconds s per target, seed $seed" >&2
target/release/fuzz --seconds "$seconds" --seed "$seed"
