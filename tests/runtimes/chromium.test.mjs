// The built package in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser download). Run by
// scripts/test-runtimes.sh as `node --test tests/runtimes/chromium.test.mjs`.
//
// A static server on 127.0.0.1 (a free port) serves the repository at "/"
// (the real data is tests/data/realdata in it). The test page
// (tests/runtimes/chromium/index.html) imports pkg/web.js and awaits init();
// reports and snapshots are compared with what Node computes here.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serve } from "../../scripts/serve.mjs";
import { analyze, Detector, version } from "../../pkg/node.mjs";
import { ATTACKS, EXPECTED, attackBytes, base, concat, cutInsideLine, fromBase64, toBase64 } from "./common.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const realdata = resolve(repo, "tests/data/realdata");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];
assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install -y chromium`);
assert.ok(existsSync(realdata), `real data not found at ${realdata}`);

let server;
let context;
let userDataDir;
const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-chromium-"));

before(async () => {
  server = await serve({ root: repo });
  userDataDir = mkdtempSync(join(tmpdir(), "mshta-chain-chromium-profile-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  // Only the test server may be reached.
  await context.route(/.*/, (route) => {
    const url = route.request().url();
    return url.startsWith(server.url) || url.startsWith("blob:") || url.startsWith("data:") ? route.continue() : route.abort();
  });
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const dir of [userDataDir, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A new page; collects uncaught errors and console errors. */
async function openPage(path) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.goto(server.url + path);
  return { page, problems };
}

async function testPage() {
  const { page, problems } = await openPage("tests/runtimes/chromium/index.html");
  const v = await page.evaluate(() => window.mshtaTest.ready);
  assert.equal(v, version(), "the browser runs the same core as Node");
  return { page, problems };
}

test("pkg/web.js in Chromium: init(), then analyze real exports fetched from the server, as in Node", async () => {
  const { page, problems } = await testPage();
  for (const name of Object.keys(ATTACKS)) {
    const report = await page.evaluate(async (n) => {
      const t = window.mshtaTest;
      return t.analyze(await t.fetchAttack(n));
    }, name);
    assert.equal(report.chains.length, 1, name);
    const [chain] = report.chains;
    assert.equal(chain.root.pid, EXPECTED[name].pid);
    assert.deepEqual(chain.children.map((c) => base(c.image)), EXPECTED[name].children);
    assert.deepEqual([...chain.root.sources].sort(), ["security", "sysmon"]);
    assert.deepEqual(report, analyze(attackBytes(name)), `${name}: the same report as in Node`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("a snapshot taken in Node continues in Chromium, and one taken in Chromium continues in Node", async () => {
  const { page, problems } = await testPage();
  const all = concat(Object.keys(ATTACKS).map(attackBytes));
  const cut = cutInsideLine(all, 0.5);
  const node = new Detector();
  node.push(all.subarray(0, cut));
  const nodeSnapshot = node.snapshot();
  node.push(all.subarray(cut));
  const expected = node.finish();
  node.free();
  assert.equal(expected.chains.length, 3);

  const fromBrowser = await page.evaluate(
    async ({ snapshot, cut }) => {
      const t = window.mshtaTest;
      const bytes = await t.fetchAllAttacks();
      // Node's snapshot, restored here.
      const restored = t.Detector.restore(t.fromBase64(snapshot));
      const update = restored.push(bytes.subarray(cut));
      const report = restored.finish();
      restored.free();
      // A snapshot taken here, for Node.
      const own = new t.Detector();
      own.push(bytes.subarray(0, cut));
      const ownSnapshot = t.toBase64(own.snapshot());
      own.free();
      let corrupted = "";
      try {
        const bad = t.fromBase64(snapshot);
        bad[bad.length >> 1] ^= 0xff;
        t.Detector.restore(bad);
      } catch (error) {
        corrupted = `${error instanceof Error} ${error.message}`;
      }
      return { report, update, ownSnapshot, corrupted };
    },
    { snapshot: toBase64(nodeSnapshot), cut },
  );
  assert.deepEqual(fromBrowser.report, expected, "Node's snapshot, continued in Chromium");
  assert.ok(fromBrowser.update.chains.every((c) => c.version >= 1));
  assert.deepEqual(fromBase64(fromBrowser.ownSnapshot), nodeSnapshot, "Chromium's snapshot is Node's, byte for byte");
  const continued = Detector.restore(fromBase64(fromBrowser.ownSnapshot));
  continued.push(all.subarray(cut));
  assert.deepEqual(continued.finish(), expected, "Chromium's snapshot, continued in Node");
  continued.free();
  assert.match(fromBrowser.corrupted, /^true snapshot corrupted/);
  assert.deepEqual(problems, []);
  await page.close();
});

// The web demo (web-demo/, the log viewer) has its own tests: tests/runtimes/viewer.test.mjs.
