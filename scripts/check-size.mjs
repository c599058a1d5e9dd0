// Size budgets of the npm package, from the packed tarball (what users
// download): the tarball's own size, and each .wasm inside it raw and
// gzipped (gzip -9, what a server or CDN would send). The budgets live in
// scripts/size-budget.json; every .wasm in the tarball must have one.
//
//   node scripts/check-size.mjs path/to/mshta-chain-X.Y.Z.tgz
//
// Prints each measurement against its budget; exits 1 if one is over or a
// .wasm has no budget. Lower the budgets as the module shrinks.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gunzipSync, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const tarball = process.argv[2];
if (!tarball) {
  process.stderr.write("usage: node scripts/check-size.mjs TARBALL.tgz\n");
  process.exit(2);
}
const budget = JSON.parse(readFileSync(resolve(here, "size-budget.json"), "utf8"));

/** The regular files of a (ustar) tar archive: name -> bytes. */
function untar(tar) {
  const files = new Map();
  const text = (from, length) => tar.subarray(from, from + length).toString("utf8").replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = text(at + 345, 155) ? `${text(at + 345, 155)}/${text(at, 100)}` : text(at, 100);
    const size = parseInt(text(at + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 0x30);
    if (type === "0") files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const packed = readFileSync(tarball);
const files = untar(gunzipSync(packed));
const rows = [];
const measure = (what, bytes, limit) => rows.push({ what, bytes, limit, ok: limit !== undefined && bytes <= limit });

measure("tarball (gzipped, as downloaded)", packed.length, budget.tarball?.bytes);
for (const [name, bytes] of files) {
  if (!name.endsWith(".wasm")) continue;
  const path = name.replace(/^package\//, "");
  const limits = budget.wasm?.[path] ?? {};
  measure(`${path} raw`, bytes.length, limits.raw);
  measure(`${path} gzip -9`, gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length, limits.gzip);
}
for (const path of Object.keys(budget.wasm ?? {})) {
  if (!files.has(`package/${path}`)) rows.push({ what: `${path} (budgeted, not in the tarball)`, bytes: 0, limit: 0, ok: false });
}

const kb = (n) => (n === undefined ? "no budget" : `${(n / 1000).toFixed(1)} kB`);
for (const r of rows) {
  const share = r.limit ? ` (${Math.round((100 * r.bytes) / r.limit)}%)` : "";
  console.log(`${r.ok ? "ok  " : "FAIL"} ${r.what}: ${r.bytes} bytes = ${kb(r.bytes)}, budget ${kb(r.limit)}${share}`);
}
const failed = rows.filter((r) => !r.ok);
if (failed.length > 0) {
  console.error(`check-size: ${failed.length} over budget or without one (scripts/size-budget.json)`);
  process.exit(1);
}
console.log(`check-size: ${rows.length} measurements within budget`);
