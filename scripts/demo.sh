#!/usr/bin/env bash
# The main job: build the package (installing what is missing) and scan the
# bundled sample, printing its mshta chains as text.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >&2
node pkg/bin/mshta-chain.mjs scan --format text "${@:-tests/data/sample.jsonl}"
