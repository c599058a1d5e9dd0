#!/usr/bin/env bash
# Builds the npm package: core -> WebAssembly -> pkg/dist/.
# Installs what is missing (wasm32 target, the pinned wasm-bindgen CLI, the
# package's npm dev dependencies with wasm-opt) and skips what is present.
# Prints the .wasm sizes raw and gzipped (the core's, and the optional raw-log
# reader's). Other scripts call this one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[build] %s\n' "$*" >&2; }

wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
[ -n "$wb_version" ] || { echo "build: wasm-bindgen must be pinned as =X.Y.Z in Cargo.toml" >&2; exit 1; }

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI, same version as the crate (the two must match).
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (several minutes; found '${have:-none}')"
  # No --locked: the registry mirror lacks a few of the newest transitive crates.
  cargo install wasm-bindgen-cli --version "=$wb_version"
fi

# 3. npm dev dependencies of the package (wasm-opt from binaryen, tsc).
if [ ! -x pkg/node_modules/.bin/wasm-opt ] || [ ! -x pkg/node_modules/.bin/tsc ]; then
  log "installing npm dev dependencies of pkg/"
  (cd pkg && npm ci --no-audit --no-fund --loglevel=error)
fi

# 4. Compile the bindings crate to WebAssembly.
log "cargo build (wasm32, release)"
# SIMD (simd128): every target runtime has it (Node >= 16.4, Chromium >= 91,
# Firefox >= 89, Safari >= 16.4, workerd); memchr's line and byte scans use it.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=+simd128' \
  cargo build --quiet --release --target wasm32-unknown-unknown -p mshta-chain-wasm
raw="$root/target/wasm32-unknown-unknown/release/mshta_chain_wasm.wasm"

# 5. Generate the JS glue: `web` (ESM; browsers, Deno, workerd) and `nodejs`
#    (CommonJS, loads the .wasm synchronously; Node ESM and CJS).
rm -rf pkg/dist
wasm-bindgen --target web --out-dir pkg/dist/web --out-name mshta_chain "$raw"
wasm-bindgen --target nodejs --out-dir pkg/dist/node --out-name mshta_chain "$raw"
# The package is "type": "module"; the nodejs glue is CommonJS.
printf '{ "type": "commonjs" }\n' > pkg/dist/node/package.json
# Both targets emit the same .wasm: ship one copy, read by both glues.
cmp -s pkg/dist/web/mshta_chain_bg.wasm pkg/dist/node/mshta_chain_bg.wasm \
  || { echo "build: web and nodejs .wasm differ; cannot share one copy" >&2; exit 1; }
rm pkg/dist/node/mshta_chain_bg.wasm pkg/dist/node/mshta_chain_bg.wasm.d.ts
grep -q '`${__dirname}/mshta_chain_bg.wasm`' pkg/dist/node/mshta_chain.js \
  || { echo "build: nodejs glue no longer loads the .wasm as expected" >&2; exit 1; }
sed -i 's|`${__dirname}/mshta_chain_bg.wasm`|`${__dirname}/../web/mshta_chain_bg.wasm`|' pkg/dist/node/mshta_chain.js

# 6. Optimise for size. Feature flags match rustc's wasm32 defaults.
features="--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-multivalue"
w=pkg/dist/web/mshta_chain_bg.wasm
# shellcheck disable=SC2086
pkg/node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers $features --enable-simd "$w" -o "$w.opt"
mv "$w.opt" "$w"

# 7. The CommonJS twin of the hand-written ESM wrapper.
node scripts/make-cjs.mjs pkg/src/api.js pkg/dist/api.cjs

# 8. What the package ships beside the code: the CommonJS twin of the
#    declarations (types for `require`), the licence texts (one source: the
#    repository root) and the third-party notices of the crates in the .wasm.
node scripts/make-dcts.mjs pkg/index.d.ts pkg/dist/index.d.cts
node scripts/make-dcts.mjs pkg/evtx.d.ts pkg/dist/evtx.d.cts
cp LICENSE-MIT LICENSE-APACHE pkg/
node scripts/notices.mjs pkg/THIRD-PARTY-NOTICES.md

# 9. The optional raw-log reader (`mshta-chain/evtx`: .evtx and Windows Event
#    XML), a SEPARATE .wasm in pkg/dist/evtx/ so the core module does not grow.
#    Only this build carries the getrandom cfg (getrandom 0.3 comes in through
#    evtx -> ahash and needs a backend on wasm32; the `custom` one keeps the
#    module free of JS imports, see bindings-evtx/src/lib.rs). Its own target
#    dir, so the different RUSTFLAGS never invalidate the core's build cache.
log "cargo build raw-log reader (wasm32, release)"
RUSTFLAGS='--cfg getrandom_backend="custom"' CARGO_TARGET_DIR="$root/target/wasm-evtx" \
  cargo build --quiet --release --target wasm32-unknown-unknown -p mshta-chain-evtx-wasm
raw_evtx="$root/target/wasm-evtx/wasm32-unknown-unknown/release/mshta_chain_evtx_wasm.wasm"
wasm-bindgen --target web --out-dir pkg/dist/evtx/web --out-name mshta_chain_evtx "$raw_evtx"
wasm-bindgen --target nodejs --out-dir pkg/dist/evtx/node --out-name mshta_chain_evtx "$raw_evtx"
printf '{ "type": "commonjs" }\n' > pkg/dist/evtx/node/package.json
cmp -s pkg/dist/evtx/web/mshta_chain_evtx_bg.wasm pkg/dist/evtx/node/mshta_chain_evtx_bg.wasm \
  || { echo "build: evtx web and nodejs .wasm differ; cannot share one copy" >&2; exit 1; }
rm pkg/dist/evtx/node/mshta_chain_evtx_bg.wasm pkg/dist/evtx/node/mshta_chain_evtx_bg.wasm.d.ts
grep -q '`${__dirname}/mshta_chain_evtx_bg.wasm`' pkg/dist/evtx/node/mshta_chain_evtx.js \
  || { echo "build: evtx nodejs glue no longer loads the .wasm as expected" >&2; exit 1; }
sed -i 's|`${__dirname}/mshta_chain_evtx_bg.wasm`|`${__dirname}/../web/mshta_chain_evtx_bg.wasm`|' pkg/dist/evtx/node/mshta_chain_evtx.js
w=pkg/dist/evtx/web/mshta_chain_evtx_bg.wasm
# shellcheck disable=SC2086
pkg/node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers $features "$w" -o "$w.opt"
mv "$w.opt" "$w"
node scripts/make-cjs.mjs pkg/evtx-api.js pkg/dist/evtx-api.cjs

# 10. Sizes: the core module, and the optional raw-log reader's.
for w in pkg/dist/web/mshta_chain_bg.wasm pkg/dist/evtx/web/mshta_chain_evtx_bg.wasm; do
  printf 'wasm size: %s bytes raw, %s bytes gzipped (%s)\n' "$(wc -c < "$w")" "$(gzip -9 -c "$w" | wc -c)" "$w"
done

# 11. The native CLI (crate cli/, `cargo install --path cli` for users):
#     target/release/mshta-chain, the same commands and output as the npm
#     CLI (tests/cli/ checks the two against each other). Host target, so it
#     shares no artefacts with the wasm32 builds above.
#     The release profile is sized for WebAssembly (opt-level "z", the core
#     at "s"); a native binary wants speed, so this build raises both to 3
#     (measured on 284 MiB of JSON Lines: 3.2 s at z/s, 1.9 s at 3). Only the
#     host target is affected; the .wasm builds above keep their profile.
log "cargo build native CLI (release, opt-level 3): target/release/mshta-chain"
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_PACKAGE_MSHTA_CHAIN_CORE_OPT_LEVEL=3 \
  cargo build --quiet --release -p mshta-chain-cli
printf 'native CLI: %s (%s bytes)\n' target/release/mshta-chain "$(wc -c < target/release/mshta-chain)"
