// Writes the CommonJS twin of a hand-written ESM declaration file
// (pkg/index.d.ts -> pkg/dist/index.d.cts), for TypeScript users who
// `require` the package: the `require` entry (node.cjs) exports the same
// names but has no `default` export, so `export default` lines are dropped.
// Only self-contained declarations are supported (no imports or re-exports).
//
//   node scripts/make-dcts.mjs IN.d.ts OUT.d.cts
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  process.stderr.write("usage: node scripts/make-dcts.mjs IN.d.ts OUT.d.cts\n");
  process.exit(2);
}
const text = readFileSync(src, "utf8");
if (/^\s*(import|export\s+(\*|\{[^}]*\}\s+from))\b/m.test(text)) {
  throw new Error(`${src}: imports and re-exports are not supported by make-dcts`);
}
const defaults = text.match(/^export default [^;\n]*;\s*$/gm) ?? [];
if (defaults.length !== 1) throw new Error(`${src}: expected one \`export default NAME;\` line, found ${defaults.length}`);
const body = text.replace(/^export default [^;\n]*;\s*$\n?/m, "");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `// Generated from ${src} by scripts/make-dcts.mjs: do not edit.\n${body}`);
