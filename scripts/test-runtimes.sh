#!/usr/bin/env bash
# CI job: the BUILT package (pkg/) in other runtimes, on real telemetry:
#   - Deno (npm `deno`, which ships the binary): pkg/deno.js;
#   - Cloudflare workerd (npm `workerd`): pkg/workerd.js in a Worker, over HTTP
#     on 127.0.0.1, state carried between requests as snapshots;
#   - headless Chromium (Debian's `chromium`, driven by npm `playwright-core`):
#     pkg/web.js on a test page, and the log viewer (web-demo/), with
#     screenshots to $MSHTA_VIEWER_SCREENSHOTS (default /tmp/mshta-chain-viewer/).
# Installs what is missing and skips what is present: the npm dev
# dependencies pinned in tests/runtimes/package-lock.json (npm ci), and
# Chromium with apt-get when /usr/bin/chromium is missing (needs root; the
# browser is never downloaded by Playwright). Assumes the package is built
# (bash scripts/build.sh); the real data is in the repository
# (tests/data/realdata). Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[test-runtimes] %s\n' "$*" >&2; }

[ -f pkg/dist/web/mshta_chain_bg.wasm ] || { echo "test-runtimes: pkg/dist is missing: run bash scripts/build.sh first" >&2; exit 1; }

# 1. npm dev dependencies (deno, workerd, playwright-core), exactly as locked.
if ! node -e '
  const fs = require("fs");
  const want = require("./tests/runtimes/package.json").devDependencies;
  for (const [name, version] of Object.entries(want)) {
    const file = `./tests/runtimes/node_modules/${name}/package.json`;
    if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(1);
  }' 2>/dev/null; then
  log "installing the npm dev dependencies of tests/runtimes (npm ci)"
  (cd tests/runtimes && npm ci --no-audit --no-fund --loglevel=error)
fi

# 2. Chromium from Debian (Playwright's own browser downloads are never used).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=()

# 3. Deno: reports and a snapshot made by Node, to compare with.
log "deno: $(tests/runtimes/node_modules/.bin/deno --version | head -1)"
node tests/runtimes/fixtures.mjs "$tmp/fixtures" >&2
if ! DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 DENO_DIR="$tmp/deno-dir" \
  tests/runtimes/node_modules/.bin/deno run --allow-read tests/runtimes/deno.test.mjs "$tmp/fixtures"; then
  failed+=(deno)
fi

# 4. workerd.
log "workerd: $(tests/runtimes/node_modules/.bin/workerd --version)"
node --test tests/runtimes/workerd.test.mjs || failed+=(workerd)

# 5. Chromium: the browser entry and the web demo.
node --test tests/runtimes/chromium.test.mjs || failed+=(chromium)
node --test tests/runtimes/viewer.test.mjs || failed+=(viewer)
node --test tests/runtimes/evtx.test.mjs || failed+=(evtx)

if [ ${#failed[@]} -gt 0 ]; then
  echo "test-runtimes: failed in: ${failed[*]}" >&2
  exit 1
fi
log "all runtimes passed (${root})"
