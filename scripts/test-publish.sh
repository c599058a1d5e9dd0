#!/usr/bin/env bash
# CI job: the package and the crates as a user meets them on their
# registries. Builds nothing itself: assumes `bash scripts/build.sh` ran.
#   npm:   the packed tarball (npm pack) holds the README, the licences and
#          the third-party notices (and they are current); publint and
#          @arethetypeswrong/cli find nothing; the size budgets hold
#          (scripts/size-budget.json); the README's examples run from the
#          tarball in Node ESM/CJS, Deno, workerd, Chromium and bash
#          (tests/publish/readme.test.mjs);
#   both:  one version everywhere (scripts/check-version.mjs);
#   crates: rust-version is the pinned toolchain (rust-toolchain.toml), and
#          for each publishable workspace crate `cargo package --list` ships
#          its README and licences, `cargo publish --dry-run` (which builds
#          the packaged crate with that toolchain: the MSRV build) and
#          `cargo doc --no-deps` with RUSTDOCFLAGS="-D warnings" are clean.
# Installs what is missing: the npm dev dependencies pinned in
# pkg/package-lock.json and tests/runtimes/package-lock.json (npm ci), and
# Chromium with apt-get when /usr/bin/chromium is missing (needs root). Talks
# to no registry but npm's and crates.io's; nothing leaves 127.0.0.1 in the
# runtime tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '[test-publish] %s\n' "$*" >&2; }
fail() { printf 'test-publish: %s\n' "$*" >&2; exit 1; }

for f in pkg/dist/web/mshta_chain_bg.wasm pkg/dist/index.d.cts pkg/LICENSE-MIT pkg/LICENSE-APACHE pkg/THIRD-PARTY-NOTICES.md; do
  [ -f "$f" ] || fail "$f is missing: run bash scripts/build.sh first"
done

# 1. npm dev dependencies, exactly as locked (npm ci when one is missing or
#    has another version).
locked() { # DIR: are the devDependencies of DIR/package.json installed at their pinned versions?
  node -e '
    const fs = require("fs");
    const dir = process.argv[1];
    const want = require(`./${dir}/package.json`).devDependencies;
    for (const [name, version] of Object.entries(want)) {
      const file = `./${dir}/node_modules/${name}/package.json`;
      if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(1);
    }' "$1" 2>/dev/null
}
for dir in pkg tests/runtimes; do
  if ! locked "$dir"; then
    log "installing the npm dev dependencies of $dir (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# Chromium from Debian for the browser example (as scripts/test-runtimes.sh;
# Playwright's own browser downloads are never used).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 2. What the build put beside the code is current: the licences are the
#    repository's, the notices are what cargo metadata says today.
cmp -s LICENSE-MIT pkg/LICENSE-MIT && cmp -s LICENSE-APACHE pkg/LICENSE-APACHE \
  || fail "pkg/LICENSE-* differ from the repository's: run bash scripts/build.sh"
node scripts/notices.mjs "$tmp/notices.md" 2>/dev/null
cmp -s "$tmp/notices.md" pkg/THIRD-PARTY-NOTICES.md \
  || fail "pkg/THIRD-PARTY-NOTICES.md is stale (the dependencies changed): run bash scripts/build.sh"
node scripts/make-dcts.mjs pkg/index.d.ts "$tmp/index.d.cts"
cmp -s "$tmp/index.d.cts" pkg/dist/index.d.cts || fail "pkg/dist/index.d.cts is stale: run bash scripts/build.sh"

# 3. The tarball, as `npm publish` would upload it.
(cd pkg && npm pack --pack-destination "$tmp" --loglevel=error >/dev/null)
tarball=$(ls "$tmp"/*.tgz)
tar tzf "$tarball" > "$tmp/files"
log "tarball $(basename "$tarball"): $(wc -c < "$tarball") bytes, $(wc -l < "$tmp/files") files"
tar tzvf "$tarball" | awk '{ printf "  %9s  %s\n", $3, $6 }' | sort -k2 >&2
for f in README.md LICENSE-MIT LICENSE-APACHE THIRD-PARTY-NOTICES.md package.json index.d.ts dist/index.d.cts; do
  grep -qx "package/$f" "$tmp/files" || fail "the tarball lacks $f"
done

# 4. Package lint and types for every resolution mode. attw: ./wasm and
#    ./evtx/wasm are assets (no types); the ESM-only subpaths (./web, ./text, ./formats)
#    resolving to ESM under `require` is by design (Node >= 20.19 can
#    require them; older CommonJS uses import()).
log "publint"
pkg/node_modules/.bin/publint run --strict "$tarball"
log "attw (@arethetypeswrong/cli)"
pkg/node_modules/.bin/attw "$tarball" --format table-flipped --no-color \
  --exclude-entrypoints ./wasm ./evtx/wasm --ignore-rules cjs-resolves-to-esm

# 5. Size budgets.
log "size budgets (scripts/size-budget.json)"
node scripts/check-size.mjs "$tarball"

# 6. One version.
log "one version"
node scripts/check-version.mjs

# 7. The README's examples, from the tarball.
log "pkg/README.md examples from the tarball"
MSHTA_CHAIN_TARBALL="$tarball" node --test tests/publish/

# 8. The crates. rust-version must be the pinned toolchain, which builds.
toolchain=$(sed -n 's/^channel = "\([0-9.]*\)"/\1/p' rust-toolchain.toml)
msrv=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^rust-version = "\([^"]*\)"/\1/p' Cargo.toml)
rustc_version=$(rustc --version | awk '{print $2}')
[ -n "$toolchain" ] && [ "${toolchain%.*}" = "$msrv" ] \
  || fail "rust-version $msrv (Cargo.toml) is not the pinned toolchain $toolchain (rust-toolchain.toml)"
[ "$rustc_version" = "$toolchain" ] || fail "rustc is $rustc_version, rust-toolchain.toml pins $toolchain"
log "rust-version $msrv = pinned toolchain $toolchain (rustc $rustc_version)"

# Publishable: workspace members without `publish = false`.
mapfile -t crates < <(cargo metadata --format-version 1 --no-deps --locked | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const p of m.packages) if (m.workspace_members.includes(p.id) && p.publish === null) console.log(p.name);')
[ ${#crates[@]} -gt 0 ] || fail "no publishable crate in the workspace"
warnings() { # FILE: cargo's warnings, without the dry run's own
  grep -E '^(warning|error)' "$1" | grep -v '^warning: aborting upload due to dry run' || true
}
for crate in "${crates[@]}"; do
  log "crate $crate: cargo package --list"
  cargo package --list --allow-dirty --locked -p "$crate" > "$tmp/list" 2> "$tmp/err" || { cat "$tmp/err" >&2; fail "cargo package --list -p $crate"; }
  [ -z "$(warnings "$tmp/err")" ] || { cat "$tmp/err" >&2; fail "cargo package --list -p $crate has warnings"; }
  for f in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$f" "$tmp/list" || fail "the $crate package lacks $f"
  done
  grep -qxE 'src/(lib|main)\.rs' "$tmp/list" || fail "the $crate package lacks src/lib.rs or src/main.rs"
  sed 's/^/  /' "$tmp/list" >&2
  log "crate $crate: cargo doc --no-deps (RUSTDOCFLAGS=-D warnings)"
  RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --locked -p "$crate"
done
# One dry run of the whole workspace: the crates depend on one another and
# none is on crates.io yet, which `--workspace` handles (it verifies each
# against the others' packages, in dependency order).
# Cargo extracts the packaged crates it verifies against into a directory of
# the cargo home named after a hash of this checkout's path, and reuses an
# earlier extraction of the same name and version without comparing it: a
# machine that ran this job before, from the same path, would verify the CLI
# against last time's core (seen in CI: "no `DecodedItems` in the root").
# Forget those extractions of our own crates first.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for crate in "${crates[@]}"; do
  rm -rf "$cargo_home"/registry/src/-*/"$crate"-[0-9]*
done
log "cargo publish --dry-run --workspace (${crates[*]})"
cargo publish --dry-run --workspace --allow-dirty --locked > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; fail "cargo publish --dry-run --workspace"; }
[ -z "$(warnings "$tmp/err")" ] || { cat "$tmp/err" >&2; fail "cargo publish --dry-run --workspace has warnings"; }

log "publishing checks passed (${root})"
