// The log viewer (web-demo/) on a large generated file in headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core from
// tests/runtimes/node_modules, as the runtime tests do): wall time to the
// final summary, events/s, events read, chains found, the main thread's
// longest stall, and memory (JS heap of the page and of its worker, the
// WebAssembly memory, and the resident memory of Chromium's processes,
// sampled from /proc). Prints figures; asserts nothing.
//
//   node bench/viewer.mjs [--format evtx|jsonl] [--mb N] [--runs K]
//
// The input is made at run time in a temporary folder and deleted after:
//   evtx  — a 4 KB file header and copies of the intact 64 KB chunks of the
//           real tests/data/realdata/evtx/{sysmon,security,Security_short_selected}.evtx,
//           each copy with its own host names, and sysmon's
//           C:\Windows\SysWOW64\cmd.exe renamed to C:\Windows\System\mshta.exe
//           (same length) so that every copy gives a chain (writeBigEvtx in
//           tests/runtimes/viewer-data.mjs);
//   jsonl  — copies of tests/data/sample.jsonl, as tests/runtimes/viewer.test.mjs makes.
// Needs the package built (bash scripts/build.sh) and tests/runtimes' npm
// dev dependencies (cd tests/runtimes && npm ci). Only 127.0.0.1 is used.

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { serve } from "../scripts/serve.mjs";
import { bundle } from "../web-demo/bundle.mjs";
import { browserProcesses, startProbe, stopProbe, writeBigEvtx, writeCopies } from "../tests/runtimes/viewer-data.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { chromium } = createRequire(join(repo, "tests/runtimes/package.json"))("playwright-core");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];

const opts = { format: "evtx", mb: 1000, runs: 1 };
for (let i = 2; i < process.argv.length; i++) {
  const [key, value] = [process.argv[i], process.argv[i + 1]];
  if (key === "--format" && ["evtx", "jsonl"].includes(value)) opts.format = value;
  else if (key === "--mb" && Number(value) > 0) opts.mb = Number(value);
  else if (key === "--runs" && Number(value) > 0) opts.runs = Number(value);
  else {
    console.error(`bench/viewer: unknown option ${key} (--format evtx|jsonl, --mb N, --runs K)`);
    process.exit(2);
  }
  i++;
}
const MiB = (n) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MiB`;
const log = (s) => process.stderr.write(`[bench-viewer] ${s}\n`);

const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-bench-viewer-"));
try {
  const input = join(scratch, `big.${opts.format}`);
  const started = Date.now();
  if (opts.format === "evtx") {
    const made = writeBigEvtx(input, join(repo, "tests/data/realdata/evtx"), opts.mb * 1e6);
    log(`generated ${(made.bytes / 1e6).toFixed(0)} MB of .evtx (${made.chunks} chunks, ${made.copies} copies of the real chunks) in ${Date.now() - started} ms`);
  } else {
    const made = writeCopies(input, readFileSync(join(repo, "tests/data/sample.jsonl"), "utf8"), opts.mb * 1e6);
    log(`generated ${(made.bytes / 1e6).toFixed(0)} MB of JSON Lines (${made.copies} copies of the sample) in ${Date.now() - started} ms`);
  }
  const server = await serve({ root: bundle(join(scratch, "site")) });
  try {
    for (let run = 1; run <= opts.runs; run++) console.log(`viewer ${opts.format} run ${run}: ${await measure(server, input)}`);
  } finally {
    await server.close();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}


/**
 * A CDP session to the page's worker, over the page's session
 * (Target.sendMessageToTarget: Playwright's CDPSession is for pages).
 * Returns `{ send(method, params) }`.
 */
async function attachWorker(cdp) {
  const { targetInfos } = await cdp.send("Target.getTargets");
  const target = targetInfos.find((t) => t.type === "worker" && t.url.endsWith("/web-demo/worker.js"));
  if (!target) throw new Error("the viewer's worker is not running");
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
  let next = 1;
  const waiting = new Map();
  cdp.on("Target.receivedMessageFromTarget", (m) => {
    if (m.sessionId !== sessionId) return;
    const reply = JSON.parse(m.message);
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.error) w.reject(new Error(reply.error.message));
    else w.resolve(reply.result);
  });
  return {
    send(method, params = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      });
    },
  };
}

/** The sizes of the worker's WebAssembly memories (the core's and, once loaded, the EVTX reader's). */
async function wasmMemories(worker) {
  try {
    const proto = await worker.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
    const { objects } = await worker.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
    const sizes = await worker.send("Runtime.callFunctionOn", {
      objectId: objects.objectId,
      functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
      returnByValue: true,
    });
    return sizes.result.value;
  } catch {
    return [];
  }
}

async function measure(server, input) {
  const profile = mkdtempSync(join(tmpdir(), "mshta-chain-bench-viewer-profile-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
  try {
    await context.route(/.*/, (route) => {
      const url = route.request().url();
      return url.startsWith(server.url) || url.startsWith("blob:") || url.startsWith("data:") ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("crash", () => problems.push("the tab crashed"));
    await page.goto(server.url + "web-demo/");
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    const cdp = await context.newCDPSession(page);
    const workerCdp = await attachWorker(cdp);
    // The probe of tests/runtimes/viewer.test.mjs: long tasks, and gaps between turns of a zero-delay timer.
    await startProbe(page);
    const rss = () => {
      const procs = browserProcesses(profile);
      const renderer = procs.filter((p) => p.cmd.includes("--type=renderer")).reduce((n, p) => Math.max(n, p.rss), 0);
      return { renderer, total: procs.reduce((n, p) => n + p.rss, 0) };
    };
    const before = rss();
    const peak = { ...before, pageHeap: 0, workerHeap: 0 };
    const heapBefore = { page: (await cdp.send("Runtime.getHeapUsage")).usedSize, worker: (await workerCdp.send("Runtime.getHeapUsage")).usedSize };
    let sampling = true;
    const rssLoop = (async () => {
      while (sampling) {
        const now = rss();
        peak.renderer = Math.max(peak.renderer, now.renderer);
        peak.total = Math.max(peak.total, now.total);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const heapLoop = (async () => {
      while (sampling) {
        // Runtime.getHeapUsage reads counters (no GC, no heap walk).
        const [p, w] = await Promise.all([cdp.send("Runtime.getHeapUsage").catch(() => null), workerCdp.send("Runtime.getHeapUsage").catch(() => null)]);
        if (p) peak.pageHeap = Math.max(peak.pageHeap, p.usedSize);
        if (w) peak.workerHeap = Math.max(peak.workerHeap, w.usedSize);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const load0 = loadavg()[0].toFixed(2); // the machine is shared: say how busy it was
    const started = Date.now();
    await page.setInputFiles("#files", input);
    await page.waitForFunction(() => ["done", "error", "cancelled"].includes(document.body.dataset.state) || !document.getElementById("app-error").hidden, null, { timeout: 60 * 60_000, polling: 500 });
    const wall = (Date.now() - started) / 1000;
    sampling = false;
    await Promise.all([rssLoop, heapLoop]);
    const probe = await stopProbe(page);
    const state = await page.getAttribute("body", "data-state");
    const appError = await page.textContent("#app-error");
    const status = await page.textContent("#status");
    const elapsed = Number(await page.$eval("#status", (s) => s.dataset.elapsedMs)) / 1000;
    const events = Number(await page.$eval("#status", (s) => s.dataset.events));
    const chains = (await page.textContent("#list-count")).replace(/,/g, "").match(/of (\d+) chains/)?.[1] ?? "0";
    const notes = (await page.textContent("#file-notes")).trim();
    const wasm = await wasmMemories(workerCdp);
    const bytes = statSync(input).size;
    if (state !== "done" || appError) return `FAILED (${state}): ${appError || status} ${problems.join("; ")}`;
    return (
      `${(bytes / 1e6).toFixed(0)} MB, ${events.toLocaleString("en")} events, ${Number(chains).toLocaleString("en")} chains: ` +
      `${elapsed.toFixed(1)} s in the worker, ${wall.toFixed(1)} s wall to the summary, ${Math.round(events / elapsed).toLocaleString("en")} events/s, ${(bytes / 1e6 / elapsed).toFixed(1)} MB/s; ` +
      `main thread: ${probe.long} tasks over 50 ms${probe.long ? `, longest ${probe.longMax.toFixed(0)} ms` : ""}, longest gap between timer turns ${probe.max.toFixed(0)} ms (${probe.turns} turns); ` +
      `JS heap: page ${MiB(heapBefore.page)} before, ${MiB(peak.pageHeap)} at the peak; worker ${MiB(heapBefore.worker)} before, ${MiB(peak.workerHeap)} at the peak; ` +
      `WebAssembly memories in the worker at the end (the core's, and the EVTX reader's once loaded; largest first): ${wasm.sort((a, b) => b - a).map(MiB).join(" + ") || "unknown"}; ` +
      `resident: renderer ${MiB(before.renderer)} before, ${MiB(peak.renderer)} at the peak; all Chromium processes ${MiB(before.total)} before, ${MiB(peak.total)} at the peak` +
      `; load average ${load0} before, ${loadavg()[0].toFixed(2)} after` +
      (notes ? `; notes: ${notes.slice(0, 300)}` : "") +
      (problems.length ? `; page errors: ${problems.join("; ")}` : "")
    );
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
