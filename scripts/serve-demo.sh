#!/usr/bin/env bash
# Serves the repository on 127.0.0.1:8080 (or $PORT) and prints the URL of
# the web demo (web-demo/), a log viewer running the package's browser entry
# (pkg/web.js). Needs a built package (bash scripts/build.sh) and Node.
# Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f pkg/dist/web/mshta_chain_bg.wasm ] || { echo "serve-demo: pkg/dist is missing: run bash scripts/build.sh first" >&2; exit 1; }
port=${PORT:-8080}
echo "web demo: http://127.0.0.1:${port}/web-demo/"
exec node scripts/serve.mjs --port "$port"
