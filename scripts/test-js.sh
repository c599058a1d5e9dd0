#!/usr/bin/env bash
# Checks the npm package's JS side: the hand-written TypeScript declarations
# (tests/js/types.ts against pkg/index.d.ts and pkg/text.d.ts), then the Node
# tests of the API, the CLI and the text output (tests/js/*.test.mjs).
# Assumes the package is built (bash scripts/build.sh); the real data is in
# the repository (tests/data/realdata).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d pkg/dist ] || { echo "test-js: pkg/dist is missing: run bash scripts/build.sh first" >&2; exit 1; }
[ -x pkg/node_modules/.bin/tsc ] || { echo "test-js: pkg/node_modules/.bin/tsc is missing: run (cd pkg && npm ci)" >&2; exit 1; }

echo "[test-js] tsc -p tests/js/tsconfig.json" >&2
pkg/node_modules/.bin/tsc -p tests/js/tsconfig.json

echo "[test-js] node --test tests/js/" >&2
node --test tests/js/
