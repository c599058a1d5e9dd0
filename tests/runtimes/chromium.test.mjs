// The built package in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser download), and the web demo. Run by
// scripts/test-runtimes.sh as `node --test tests/runtimes/chromium.test.mjs`.
//
// A static server on 127.0.0.1 (a free port) serves the repository at "/"
// (the real data is tests/data/realdata in it). The test page
// (tests/runtimes/chromium/index.html) imports pkg/web.js and awaits init();
// reports and snapshots are compared with what Node computes here.
// Screenshot of the demo: $MSHTA_CHAIN_SCREENSHOT or /tmp/mshta-chain-demo.png.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const SCREENSHOT = process.env.MSHTA_CHAIN_SCREENSHOT ?? "/tmp/mshta-chain-demo.png";
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

/** Opens the demo and waits until the detector is ready. */
async function openDemo() {
  const { page, problems } = await openPage("web-demo/");
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  return { page, problems };
}

async function waitDone(page) {
  await page.waitForFunction(() => document.body.dataset.state === "done" || !document.getElementById("app-error").hidden, null, {
    timeout: 60_000,
  });
  const error = await page.textContent("#app-error");
  assert.equal(error, "", `the demo reported: ${error}`);
}

test("web demo: the bundled sample renders three chain cards; search, filter, export; screenshot", async (t) => {
  const { page, problems } = await openDemo();
  assert.match(await page.textContent("#version"), new RegExp(`core ${version().replace(/\./g, "\\.")}`));
  await page.click("#sample");
  await waitDone(page);
  const sample = analyze(readFileSync(resolve(repo, "tests/data/sample.jsonl")));
  assert.equal(sample.chains.length, 3);

  const cards = await page.$$eval(".chain-card", (nodes) =>
    nodes.map((n) => ({ id: n.dataset.chainId, score: Number(n.dataset.score), text: n.textContent })),
  );
  assert.equal(cards.length, 3, "three chains render");
  assert.deepEqual(cards.map((c) => c.id).sort(), sample.chains.map((c) => c.id).sort());
  const scores = cards.map((c) => c.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "sorted by score");
  for (const chain of sample.chains) {
    const card = cards.find((c) => c.id === chain.id);
    assert.ok(card.text.includes(`pid ${chain.root.pid}`));
    assert.ok(card.text.includes(chain.root.command_line.trim().slice(0, 40)), "the command line is shown");
    for (const child of chain.children) assert.ok(card.text.includes(base(child.image)) || card.text.includes(child.image.split("\\").pop()));
    for (const reason of chain.reasons) assert.ok(card.text.includes(reason.id), reason.id);
  }
  // Summary bar.
  const counts = await page.textContent("#counts");
  assert.ok(counts.replace(/,/g, "").includes(`${sample.stats.events}events`), counts);
  const schemas = await page.textContent("#schemas");
  for (const name of Object.keys(sample.stats.by_schema)) assert.ok(schemas.includes(name), name);
  // Telemetry coverage verdicts and the inventory.
  const coverage = await page.textContent("#coverage");
  for (const v of sample.coverage.overall.verdicts) assert.ok(coverage.includes(`${v.need.replace(/_/g, " ")} ${v.status}`), v.need);
  const inventoryRows = await page.$$eval("#inventory tbody tr", (rows) => rows.length);
  assert.equal(inventoryRows, sample.inventory.length);
  // Severity colour: the badge's background is the severity's colour.
  const badge = await page.$eval(".chain-card .badge", (b) => [b.textContent, getComputedStyle(b).backgroundColor]);
  assert.match(badge[0], /^(CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL) \d+$/);
  assert.notEqual(badge[1], "rgba(0, 0, 0, 0)");

  // Search: only the vbscript chain mentions powershell's Get-Service.
  await page.fill("#search", "get-service");
  assert.equal(await page.$$eval(".chain-card", (n) => n.length), 1);
  // Paths match as written (backslashes and all), in any case.
  await page.fill("#search", "c:\\users\\wardog\\appdata\\roaming\\microsoft\\windows\\start menu");
  assert.equal(await page.$$eval(".chain-card", (n) => n.length), 1);
  await page.fill("#search", "no such text anywhere");
  assert.equal(await page.$$eval(".chain-card", (n) => n.length), 0);
  assert.match(await page.textContent("#no-chains"), /No chain matches/);
  await page.fill("#search", "");
  // Minimum score: above the lowest score hides it (scores from the data).
  const lowest = Math.min(...scores);
  if (lowest < 100) {
    await page.$eval("#min-score", (input, v) => {
      input.value = String(v);
      input.dispatchEvent(new Event("input"));
    }, lowest + 1);
    assert.equal(await page.$$eval(".chain-card", (n) => n.length), scores.filter((s) => s > lowest).length);
  }
  await page.$eval("#min-score", (input) => {
    input.value = "0";
    input.dispatchEvent(new Event("input"));
  });
  assert.equal(await page.$$eval(".chain-card", (n) => n.length), 3);

  // Export JSON: the report, as the package produced it.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  assert.equal(download.suggestedFilename(), "mshta-chain-report.json");
  const exported = join(scratch, "export.json");
  await download.saveAs(exported);
  assert.deepEqual(JSON.parse(readFileSync(exported, "utf8")), sample);

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(existsSync(SCREENSHOT));
  t.diagnostic(`screenshot: ${SCREENSHOT}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("web demo: picked files stream through the Detector; text from logs is shown as text", async () => {
  const { page, problems } = await openDemo();
  // The three real exports, picked at once: one stream of events.
  const files = Object.values(ATTACKS).map((rel) => resolve(realdata, rel));
  await page.setInputFiles("#files", files);
  await waitDone(page);
  const pids = await page.$$eval(".chain-card .card-head .pid", (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(pids.sort(), Object.values(EXPECTED).map((e) => `pid ${e.pid}`).sort());
  assert.match(await page.textContent("#status"), /^Done: 3 files/);
  assert.equal(await page.$eval("#progress", (p) => p.value === p.max && !p.hidden), true, "progress at 100%");

  // A JSON array file (pretty-printed) is gathered whole, then pushed.
  const vbscript = new TextDecoder().decode(attackBytes("vbscript")).split("\n").filter((l) => l.trim() !== "");
  const arrayFile = join(scratch, "vbscript.json");
  writeFileSync(arrayFile, JSON.stringify(vbscript.map((l) => JSON.parse(l)), null, 2));
  await page.setInputFiles("#files", arrayFile);
  await waitDone(page);
  const arrayCards = await page.$$eval(".chain-card", (nodes) => nodes.map((n) => n.dataset.chainId));
  assert.deepEqual(arrayCards, analyze(attackBytes("vbscript")).chains.map((c) => c.id));
  assert.ok((await page.textContent("#status")).startsWith(`Done: vbscript.json · ${vbscript.length.toLocaleString("en")} events · 1 chain ·`));

  // A command line carrying HTML is displayed, not interpreted.
  const payload = `mshta.exe "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>" javascript:alert(1)`;
  const event = {
    EventID: 1,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    Hostname: "<b>HOST</b>",
    UtcTime: "2024-05-01 10:00:00.000",
    ProcessGuid: "{11111111-0000-0000-0000-000000000001}",
    ProcessId: "4242",
    Image: "C:\\Windows\\System32\\mshta.exe",
    CommandLine: payload,
    User: "CORP\\<i>eve</i>",
    ParentImage: "C:\\Windows\\explorer.exe",
    ParentProcessId: "100",
  };
  const pasted = join(scratch, "xss.jsonl");
  writeFileSync(pasted, JSON.stringify(event) + "\n");
  await page.click("#paste-box summary");
  await page.fill("#paste", readFileSync(pasted, "utf8"));
  await page.click("#analyse-paste");
  await waitDone(page);
  const result = await page.evaluate(() => ({
    xss: window.__xss,
    injected: document.querySelectorAll("#chains img, #chains script, #chains b, #chains i").length,
    text: document.getElementById("chains").textContent,
  }));
  assert.equal(result.xss, undefined, "no script ran");
  assert.equal(result.injected, 0, "no element came from the log");
  assert.ok(result.text.includes("<img src=x onerror=window.__xss=1>"), "the markup is shown as text");
  assert.ok(result.text.includes("<b>HOST</b>"));
  assert.deepEqual(problems, []);
  await page.close();
});
