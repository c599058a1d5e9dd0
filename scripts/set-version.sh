#!/usr/bin/env bash
# Sets the project's version everywhere it is stated:
#   bash scripts/set-version.sh X.Y.Z
# The Cargo workspace version (Cargo.toml) is the source; this updates it
# and the places that repeat it: Cargo.lock (the workspace crates),
# pkg/package.json and pkg/package-lock.json, PRODUCT_VERSION in
# pkg/src/formats.js and the dependency line in core/README.md. The
# `version()` export and the CLI's --version follow at the next build.
# CHANGELOG.md is written by hand: move the Unreleased entries under a
# "## [X.Y.Z] - DATE" heading. scripts/check-version.mjs (run in CI by
# scripts/test-publish.sh) checks that every place agrees.
set -euo pipefail
cd "$(dirname "$0")/.."

new=${1:-}
if ! [[ $new =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "usage: bash scripts/set-version.sh X.Y.Z (semver, e.g. 0.2.0 or 1.0.0-rc.1)" >&2
  exit 2
fi
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
old=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\([^"]*\)"/\1/p' Cargo.toml)
[ -n "$old" ] || { echo "set-version: no version in [workspace.package] of Cargo.toml" >&2; exit 1; }

# Cargo: the workspace version, then the lock file's entries for the
# workspace crates (offline: no dependency changes).
sed -i '/^\[workspace\.package\]/,/^\[/s/^version = "[^"]*"/version = "'"$new"'"/' Cargo.toml
# The workspace crates' dependencies on one another (needed to publish).
sed -i -E 's/^(mshta-chain-(core|evtx) = \{ path = "[^"]*", version = ")[^"]*"/\1'"$new"'"/' cli/Cargo.toml
cargo update --workspace --offline --quiet

# npm: the "version" lines only, so the files keep their layout.
sed -i '0,/^  "version": "[^"]*"/s//  "version": "'"$new"'"/' pkg/package.json
node -e '
  const fs = require("fs");
  const [file, version] = process.argv.slice(1);
  const lock = JSON.parse(fs.readFileSync(file, "utf8"));
  lock.version = version;
  lock.packages[""].version = version;
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
' pkg/package-lock.json "$new"

# The formats' default product version and the crate README's dependency line.
sed -i 's/^export const PRODUCT_VERSION = "[^"]*";/export const PRODUCT_VERSION = "'"$new"'";/' pkg/src/formats.js
dep=$([ "$major" = 0 ] && echo "$major.$minor" || echo "$major")
sed -i 's/^mshta-chain-core = "[^"]*"/mshta-chain-core = "'"$dep"'"/' core/README.md

echo "set-version: $old -> $new (rebuild: bash scripts/build.sh; then add a CHANGELOG.md section for $new)" >&2
