// The optional raw-log entry `mshta-chain/evtx` of the BUILT package in
// Deno, Cloudflare workerd and headless Chromium: the real sysmon.evtx read
// as a stream into the package's Detector must give what Node gives.
//
//   node --test tests/runtimes/evtx.test.mjs
//
// Needs the package built (bash scripts/build.sh), tests/runtimes' npm dev
// dependencies (cd tests/runtimes && npm ci) and /usr/bin/chromium. Only
// 127.0.0.1 is used.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serve } from "../../scripts/serve.mjs";
import { Detector } from "../../pkg/node.mjs";
import { capnpModule, collectModules, freePort, workerdBinary } from "./workerd-kit.mjs";
import { readRawLog, version } from "../../pkg/evtx-node.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const SYSMON = resolve(repo, "tests/data/realdata/evtx/sysmon.evtx");
const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-evtx-runtimes-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** What Node computes: the reference for every runtime. */
async function inNode() {
  const detector = new Detector();
  const result = await readRawLog(detector, readFileSync(SYSMON));
  const report = detector.finish();
  detector.free();
  return { ...result, report };
}

function same(got, want, where) {
  assert.equal(got.format, "evtx", where);
  assert.equal(got.records, 358, where);
  assert.deepEqual(got.errors, want.errors, where);
  assert.deepEqual(got.report, want.report, where);
}

test("Deno: pkg/evtx-deno.js reads a file stream into the Detector as Node does", async () => {
  const deno = resolve(here, "node_modules/.bin/deno");
  const r = spawnSync(deno, ["run", "--allow-read", resolve(here, "evtx/deno.mjs"), SYSMON], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", DENO_DIR: join(scratch, "deno-dir") },
  });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assert.equal(got.version, version());
  same(got, await inNode(), "deno");
});

test("workerd: pkg/evtx-workerd.js reads a request stream into the Detector as Node does", async () => {
  const bin = workerdBinary();
  assert.ok(bin, "workerd not found: run (cd tests/runtimes && npm ci)");
  const modules = collectModules(resolve(here, "evtx/worker.mjs"), repo);
  assert.ok(modules.some((m) => m.name === "pkg/dist/evtx/web/mshta_chain_evtx_bg.wasm" && m.type === "CompiledWasm"));
  const port = await freePort();
  const lines = modules.map((m) => `    ${capnpModule(m, scratch)},`);
  const config = join(scratch, "config.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
${lines.join("\n")}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const child = spawn(bin, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      if (child.exitCode !== null) throw new Error(`workerd exited:\n${output}`);
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (tries > 300) throw new Error(`workerd did not answer:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await fetch(`${base}/read`, { method: "POST", body: readFileSync(SYSMON) });
    assert.equal(res.status, 200, output);
    same(await res.json(), await inNode(), "workerd");
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
});

test("Chromium: pkg/evtx.js reads a fetched stream into the Detector as Node does", async () => {
  const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found`);
  const server = await serve({ root: repo });
  const profile = mkdtempSync(join(scratch, "profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    await context.route(/.*/, (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    const page = await context.newPage();
    await page.goto(new URL("tests/runtimes/chromium/index.html", server.url).href);
    const got = await page.evaluate(async (base) => {
      const core = await import(`${base}/pkg/web.js`);
      const evtx = await import(`${base}/pkg/evtx.js`);
      await core.default();
      await evtx.default();
      const detector = new core.Detector();
      const response = await fetch(`${base}/tests/data/realdata/evtx/sysmon.evtx`);
      const result = await evtx.readRawLog(detector, response.body);
      const report = detector.finish();
      detector.free();
      return JSON.stringify({ ...result, report });
    }, server.url.replace(/\/$/, ""));
    same(JSON.parse(got), await inNode(), "chromium");
  } finally {
    await context.close();
    await server.close();
  }
});
