// The examples of pkg/README.md (the npm page), run against the PACKED
// package as a user meets it: `npm pack`, then `npm install <tarball>` into
// a scratch project (offline: the package has no dependencies), then each
// fenced block tagged `<!-- readme-test: RUNTIME -->` is run there:
//   node-esm, node-cjs  with node;
//   deno                with the `deno` of tests/runtimes (npm, pinned);
//   workerd             in Cloudflare's workerd (tests/runtimes), over HTTP
//                       on 127.0.0.1, its module list built from the
//                       package's `workerd` export as a bundler would;
//   browser             syntax-checked, then in headless Chromium (Debian's,
//                       driven by tests/runtimes' playwright-core) from a
//                       static server on 127.0.0.1;
//   cli                 each line in bash, `npx` resolving the local bin.
// The examples all print one line per chain (severity, score, command
// line) of tests/data/sample.jsonl, copied in as events.jsonl: the output
// of each must equal what the installed package's API computes.
//
//   MSHTA_CHAIN_TARBALL=/path/mshta-chain-X.tgz node --test tests/publish/
// (scripts/test-publish.sh packs and sets it; without it the test packs pkg/.)

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { serve } from "../../scripts/serve.mjs";
import { capnpModule, collectModules, freePort, workerdBinary } from "../runtimes/workerd-kit.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const runtimes = resolve(repo, "tests/runtimes/node_modules");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The README's tagged blocks, in order: { tag, lang, code }. */
function readmeBlocks(markdown) {
  const pattern = /<!-- readme-test: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g;
  return [...markdown.matchAll(pattern)].map(([, tag, lang, code]) => ({ tag, lang, code }));
}

/** Every runtime the README must show, each with one tagged block. */
const RUNTIMES = ["node-esm", "node-cjs", "browser", "deno", "workerd", "cli", "evtx"];

const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-readme-"));
let blocks;
let expected; // the lines every example prints
let api; // the installed package, required from the scratch project

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: scratch, encoding: "utf8", timeout: 120_000, ...options });
  if (result.error) throw result.error;
  return result;
}

before(() => {
  let tarball = process.env.MSHTA_CHAIN_TARBALL;
  if (!tarball) {
    const packed = join(scratch, "packed");
    mkdirSync(packed);
    execFileSync("npm", ["pack", "--pack-destination", packed, "--loglevel=error"], { cwd: resolve(repo, "pkg"), stdio: "ignore" });
    tarball = join(packed, readdirSync(packed)[0]);
  }
  const project = join(scratch, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "readme-examples", private: true }));
  // --offline: the package has no dependencies, nothing needs the registry.
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", resolve(tarball)], {
    cwd: project,
    stdio: ["ignore", "ignore", "inherit"],
  });
  copyFileSync(resolve(repo, "tests/data/sample.jsonl"), join(project, "events.jsonl"));
  // The examples as the npm page shows them: the README inside the tarball.
  blocks = readmeBlocks(readFileSync(join(project, "node_modules/mshta-chain/README.md"), "utf8"));
  api = createRequire(join(project, "package.json"))("mshta-chain");
  const report = api.analyze(readFileSync(join(project, "events.jsonl")));
  expected = report.chains.map((chain) => `${chain.severity} ${chain.score} ${chain.root.command_line}`);
  assert.ok(expected.length > 0, "the sample has chains");
});

after(() => rmSync(scratch, { recursive: true, force: true }));

const project = () => join(scratch, "project");
const block = (tag) => {
  const found = blocks.filter((b) => b.tag === tag);
  assert.equal(found.length, 1, `pkg/README.md has one block tagged readme-test: ${tag}`);
  return found[0];
};

test("the README has a tagged example for every runtime, and nothing else tagged", () => {
  assert.deepEqual(blocks.map((b) => b.tag).sort(), [...RUNTIMES].sort());
});

test("the packed package ships its README, licences and notices", () => {
  const dir = join(project(), "node_modules/mshta-chain");
  for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "THIRD-PARTY-NOTICES.md"]) {
    assert.ok(existsSync(join(dir, file)), file);
  }
  assert.equal(readFileSync(join(dir, "README.md"), "utf8"), readFileSync(resolve(repo, "pkg/README.md"), "utf8"));
  for (const file of ["LICENSE-MIT", "LICENSE-APACHE"]) {
    assert.equal(readFileSync(join(dir, file), "utf8"), readFileSync(resolve(repo, file), "utf8"), `${file} is the repository's`);
  }
  assert.match(readFileSync(join(dir, "THIRD-PARTY-NOTICES.md"), "utf8"), /\| serde_json \| [\d.]+ \| MIT OR Apache-2\.0 \|/);
});

for (const [tag, file] of [["node-esm", "example.mjs"], ["node-cjs", "example.cjs"]]) {
  test(`README ${tag} example, in Node`, () => {
    const { lang, code } = block(tag);
    assert.equal(lang, "js");
    writeFileSync(join(project(), file), code + "\n");
    const result = run(process.execPath, [file], { cwd: project() });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, expected.join("\n") + "\n");
  });
}

test("README deno example, in Deno", () => {
  const { lang, code } = block("deno");
  assert.equal(lang, "js");
  const deno = join(runtimes, ".bin/deno");
  assert.ok(existsSync(deno), `${deno} is missing: run (cd tests/runtimes && npm ci)`);
  writeFileSync(join(project(), "example.js"), code + "\n");
  // `npm:mshta-chain` resolves to the project's node_modules (package.json
  // present): --cached-only and a fresh DENO_DIR show nothing is downloaded.
  const result = run(deno, ["run", "--cached-only", "--allow-read", "example.js"], {
    cwd: project(),
    env: { ...process.env, DENO_DIR: join(scratch, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, expected.join("\n") + "\n");
});

/**
 * The Worker's modules, as a bundler would resolve them: the bare
 * `mshta-chain` is the package's `workerd` export; its relative imports
 * are named by their path inside the package (workerd resolves a relative
 * specifier against the importing module's name).
 */
function workerModules(workerFile) {
  const pkgDir = join(project(), "node_modules/mshta-chain");
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const entry = pkg.exports["."].workerd;
  assert.ok(typeof entry === "string", "the package has a workerd export");
  const [main, ...rest] = collectModules(resolve(pkgDir, entry), pkgDir);
  return [{ name: "worker.mjs", type: "ESModule", file: workerFile }, { ...main, name: "mshta-chain" }, ...rest];
}

test("README workerd example, as a Worker in workerd", async () => {
  const { lang, code } = block("workerd");
  assert.equal(lang, "js");
  const dir = join(scratch, "workerd");
  mkdirSync(dir);
  const workerFile = join(dir, "worker.mjs");
  writeFileSync(workerFile, code + "\n");
  const port = await freePort();
  const lines = workerModules(workerFile).map((m) => `    ${capnpModule(m, dir)},`);
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
${lines.join("\n")}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const bin = workerdBinary();
  assert.ok(bin, "workerd is missing: run (cd tests/runtimes && npm ci)");
  const child = spawn(bin, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  try {
    const body = readFileSync(join(project(), "events.jsonl"));
    const deadline = Date.now() + 30_000;
    let response;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${output}`);
      try {
        response = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`workerd did not answer within 30 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(response.status, 200, output);
    assert.deepEqual(await response.json(), expected);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
});

test("README browser example: valid module code, and in headless Chromium", async (t) => {
  const { lang, code } = block("browser");
  assert.equal(lang, "html");
  const modules = [...code.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(modules.length, 1, "one module script");
  const importMap = JSON.parse(code.match(/<script type="importmap">([\s\S]*?)<\/script>/)[1]);
  assert.ok(importMap.imports["mshta-chain"], "the import map names the package");
  // Syntax: the module script, parsed as an ES module by Node.
  writeFileSync(join(scratch, "browser-check.mjs"), modules[0]);
  const check = run(process.execPath, ["--check", join(scratch, "browser-check.mjs")]);
  assert.equal(check.status, 0, check.stderr);

  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (apt-get install -y chromium): syntax checked only`);
    return;
  }
  writeFileSync(join(project(), "index.html"), `<!doctype html>\n<meta charset="utf-8">\n${code}\n`);
  const { chromium } = await import(pathToFileURL(join(runtimes, "playwright-core/index.mjs")).href);
  const server = await serve({ root: project() });
  const profile = mkdtempSync(join(tmpdir(), "mshta-chain-readme-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    // Only the test server may be reached.
    await context.route(/.*/, (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
    await page.goto(server.url + "index.html");
    // init() has run once the module script finished and set the handler.
    await page.waitForFunction(() => typeof document.getElementById("file").onchange === "function", null, { timeout: 30_000 });
    await page.setInputFiles("#file", join(project(), "events.jsonl"));
    await page.waitForFunction(() => document.getElementById("out").textContent !== "", null, { timeout: 30_000 });
    assert.equal(await page.textContent("#out"), expected.join("\n"));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test("README cli example: each line runs with the installed bin", () => {
  const { lang, code } = block("cli");
  assert.equal(lang, "sh");
  const commands = code.split("\n").filter((line) => line.trim() !== "");
  assert.equal(commands.length, 3, "the CLI in three lines");
  const env = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false", NO_COLOR: "1" };
  const outputs = commands.map((command) => {
    const result = run("bash", ["-euo", "pipefail", "-c", command], { cwd: project(), env });
    assert.equal(result.status, 0, `${command}\n${result.stderr}`);
    return result.stdout;
  });
  const report = api.analyze(readFileSync(join(project(), "events.jsonl")));
  // 1: the text report names every chain.
  for (const chain of report.chains) assert.ok(outputs[0].includes(chain.id), `text output names ${chain.id}`);
  // 2: alerts.ndjson, one line per chain scoring 50 or more.
  const alerts = readFileSync(join(project(), "alerts.ndjson"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(
    alerts.map((c) => c.id),
    report.chains.filter((c) => c.score >= 50).map((c) => c.id),
  );
  // 3: tuned.json, a config with a baseline list.
  const tuned = JSON.parse(readFileSync(join(project(), "tuned.json"), "utf8"));
  assert.ok(Array.isArray(tuned.baseline), "the baseline config has a baseline list");
});

test("README evtx example: a real .evtx through mshta-chain/evtx, in Node", async () => {
  const { lang, code } = block("evtx");
  assert.equal(lang, "js");
  // The evtx crate's real sample (tests/data/realdata/evtx, MIT), with a corrupt chunk.
  copyFileSync(resolve(repo, "tests/data/realdata/evtx/sysmon.evtx"), join(project(), "Sysmon.evtx"));
  writeFileSync(join(project(), "example-evtx.mjs"), code + "\n");
  const result = run(process.execPath, ["example-evtx.mjs"], { cwd: project() });
  assert.equal(result.status, 0, result.stderr);
  // The same through the installed entry's API.
  const evtx = await import(pathToFileURL(join(project(), "node_modules/mshta-chain/evtx-node.mjs")).href);
  const detector = new api.Detector();
  const { records, errors } = await evtx.readRawLog(detector, readFileSync(join(project(), "Sysmon.evtx")));
  const report = detector.finish();
  detector.free();
  assert.ok(records > 300 && errors.length > 0, `${records} records, ${errors.length} errors: a real log with a bad chunk`);
  assert.equal(result.stdout, `${records} records, ${report.chains.length} chains, ${errors.length} read errors\n`);
});
