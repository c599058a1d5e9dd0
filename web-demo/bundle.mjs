#!/usr/bin/env node
// Assembles the viewer as static files any web server can host: the page
// (web-demo/), the package's browser files it imports (pkg/web.js, pkg/src/,
// pkg/dist/ less the Node build; pkg/evtx.js when the build has it) and the
// bundled sample, in the repository's layout, so every relative path the
// viewer uses resolves the same. Needs a built package (bash scripts/build.sh).
//
//   node web-demo/bundle.mjs OUT_DIR      then serve OUT_DIR; open /web-demo/
//
// Hosts that read a _headers file (Netlify, Cloudflare Pages) also get the
// page's CSP for the worker; elsewhere, send that header for web-demo/worker.js.

import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Writes the static viewer into `out` (emptied first); returns the files' folder. */
export function bundle(out) {
  const dest = resolve(out);
  if (!existsSync(join(repo, "pkg/dist/web"))) throw new Error("pkg/dist/web is missing: run bash scripts/build.sh first");
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const copy = (rel, filter) => cpSync(join(repo, rel), join(dest, rel), { recursive: true, filter });
  copy("web-demo", (src) => !src.endsWith("bundle.mjs"));
  for (const file of ["web.js", "evtx.js", "evtx-api.js"]) if (existsSync(join(repo, "pkg", file))) copy(`pkg/${file}`);
  copy("pkg/src");
  for (const dir of readdirSync(join(repo, "pkg/dist"), { withFileTypes: true })) {
    if (dir.isDirectory() && dir.name !== "node") copy(`pkg/dist/${dir.name}`, (src) => !src.endsWith(".d.ts"));
  }
  copy("tests/data/sample.jsonl");
  cpSync(join(repo, "web-demo/_headers"), join(dest, "_headers"));
  writeFileSync(
    join(dest, "index.html"),
    '<!doctype html>\n<meta charset="utf-8" />\n<meta http-equiv="refresh" content="0; url=web-demo/" />\n<title>mshta-chain log viewer</title>\n<a href="web-demo/">mshta-chain log viewer</a>\n',
  );
  return dest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: node web-demo/bundle.mjs OUT_DIR\n");
    process.exit(2);
  }
  process.stdout.write(`viewer written to ${bundle(out)} (serve it; open /web-demo/)\n`);
}
