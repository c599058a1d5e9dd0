// One version: the Cargo workspace's `version` is the source; every other
// place that states the version must agree with it (scripts/set-version.sh
// updates them all). Run by scripts/test-publish.sh after the build:
//
//   node scripts/check-version.mjs
//
// Checked: the workspace crates in Cargo.lock, pkg/package.json and
// pkg/package-lock.json, the built package's `version()` export (the core
// it was compiled from), the CLI's --version, PRODUCT_VERSION of
// mshta-chain/formats, the dependency line in core/README.md, and a
// CHANGELOG.md section for the version.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (path) => readFileSync(resolve(root, path), "utf8");

const workspace = read("Cargo.toml").match(/^\[workspace\.package\][^[]*?^version = "([^"]+)"/m)?.[1];
if (!workspace) throw new Error("check-version: no version in [workspace.package] of Cargo.toml");

const places = [];
const check = (where, found) => places.push({ where, found: found ?? "(none)" });

for (const crate of read("Cargo.lock").matchAll(/^\[\[package\]\]\nname = "(mshta-chain[^"]*)"\nversion = "([^"]+)"\n(?!source)/gm)) {
  check(`Cargo.lock ${crate[1]}`, crate[2]);
}
const pkg = JSON.parse(read("pkg/package.json"));
check("pkg/package.json", pkg.version);
const lock = JSON.parse(read("pkg/package-lock.json"));
check("pkg/package-lock.json", lock.version);
check('pkg/package-lock.json packages[""]', lock.packages?.[""]?.version);
const api = createRequire(import.meta.url)(resolve(root, "pkg/node.cjs"));
check("version() of the built package (pkg/node.cjs)", api.version());
const esm = await import(pathToFileURL(resolve(root, "pkg/web.js")).href);
await esm.default(readFileSync(resolve(root, "pkg/dist/web/mshta_chain_bg.wasm")));
check("version() of the built package (pkg/web.js)", esm.version());
const cli = execFileSync(process.execPath, [resolve(root, "pkg/bin/mshta-chain.mjs"), "--version"], { encoding: "utf8" });
check("mshta-chain --version", cli.trim().split(/\s+/).pop());
const formats = await import(pathToFileURL(resolve(root, "pkg/src/formats.js")).href);
check("PRODUCT_VERSION of pkg/src/formats.js", formats.PRODUCT_VERSION);
const [major, minor] = workspace.split(".");
const wantDep = major === "0" ? `${major}.${minor}` : major;
const dep = read("core/README.md").match(/^mshta-chain-core = "([^"]+)"/m)?.[1];
check(`core/README.md dependency line (want ${wantDep})`, dep === wantDep ? workspace : dep);
const changelog = read("CHANGELOG.md");
check("CHANGELOG.md section", new RegExp(`^## \\[${workspace.replace(/\./g, "\\.")}\\]`, "m").test(changelog) ? workspace : undefined);

// The workspace crates' dependencies on one another (publishing needs versions).
const cliToml = readFileSync("cli/Cargo.toml", "utf8");
for (const m of cliToml.matchAll(/^(mshta-chain-(?:core|evtx)) = \{ path = "[^"]*", version = "([^"]*)"/gm)) {
  check(`cli/Cargo.toml dependency ${m[1]}`, m[2]);
}
if (!places.some((p) => p.where.startsWith("Cargo.lock"))) throw new Error("check-version: no workspace crate found in Cargo.lock");
const wrong = places.filter((p) => p.found !== workspace);
for (const p of places) console.log(`${p.found === workspace ? "ok  " : "FAIL"} ${p.where}: ${p.found}`);
if (wrong.length > 0) {
  console.error(`check-version: ${wrong.length} place(s) disagree with the workspace version ${workspace}: run bash scripts/set-version.sh ${workspace} (and rebuild)`);
  process.exit(1);
}
console.log(`check-version: every place says ${workspace}`);
