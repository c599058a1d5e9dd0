#!/usr/bin/env bash
# The two CLIs against each other: every case of tests/cli/cases.json runs
# through the npm CLI and the native one, which must print the same bytes
# and exit with the same status. Assumes both are built (bash scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d pkg/dist ] || { echo "test-cli: pkg/dist is missing: run bash scripts/build.sh first" >&2; exit 1; }
[ -x target/release/mshta-chain ] || { echo "test-cli: target/release/mshta-chain is missing: run bash scripts/build.sh first" >&2; exit 1; }

echo "[test-cli] node --test tests/cli/" >&2
node --test tests/cli/
