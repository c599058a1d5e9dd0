#!/usr/bin/env bash
# CI job: a quick run of the benchmark (scripts/bench.sh --quick: small corpora, seconds of
# timing), so that the benchmark keeps running as the code changes. Figures are printed, never
# asserted: this fails only if the benchmark itself breaks. Assumes the package is built
# (bash scripts/build.sh; bench.sh builds it when pkg/dist is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bench.sh --quick
