// Writes the CommonJS twin of a hand-written ESM module that uses only
// `export function` / `export class` / `export const` declarations and no
// imports (pkg/src/api.js), so the Node `require` entry shares its code.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const [src, out] = process.argv.slice(2);
const text = readFileSync(src, "utf8");
if (/^\s*import\s/m.test(text)) throw new Error(`${src}: imports are not supported by make-cjs`);
const names = [];
const body = text.replace(/^export (function|class|const|let) (\w+)/gm, (_, kind, name) => {
  names.push(name);
  return `${kind} ${name}`;
});
if (/^export\s/m.test(body)) throw new Error(`${src}: unsupported export form`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `"use strict";\n// Generated from ${src} by scripts/make-cjs.mjs: do not edit.\n${body}\nmodule.exports = { ${names.join(", ")} };\n`,
);
