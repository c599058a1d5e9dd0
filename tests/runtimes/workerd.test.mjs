// The built package under Cloudflare's workerd (npm `workerd`, pinned in
// tests/runtimes/package.json), on real Windows telemetry. Run by
// scripts/test-runtimes.sh as `node --test tests/runtimes/workerd.test.mjs`.
//
// The Worker (tests/runtimes/workerd/worker.mjs) imports the package through
// pkg/workerd.js, which imports dist/web/mshta_chain_bg.wasm as a module.
// Its module list is built here by rules, as Wrangler and Miniflare do:
// JavaScript files are ES modules and *.wasm files are "CompiledWasm"
// (a compiled WebAssembly.Module), following the static imports from the
// Worker. workerd listens on 127.0.0.1 at a free port; no network is used.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { analyze, Detector, version } from "../../pkg/node.mjs";
import { capnpModule, collectModules, freePort, workerdBinary } from "./workerd-kit.mjs";
import { ATTACKS, EXPECTED, attackBytes, base, concat, cutInsideLine, fromBase64, toBase64 } from "./common.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");

const workerdBin = workerdBinary();
assert.ok(workerdBin && existsSync(workerdBin), `workerd not found: run (cd tests/runtimes && npm ci)`);

function capnpString(text) {
  return JSON.stringify(text); // capnp string literals use the same escapes for paths
}

function workerdConfig({ modules, tailModule, configDir, port }) {
  const embed = (file) => `embed ${capnpString(relative(configDir, file))}`;
  const moduleLines = modules.map((m) => `    ${capnpModule(m, configDir)},`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "tail", worker = .tailWorker),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
${moduleLines.join("\n")}
  ],
  compatibilityDate = "2025-09-01",
  tails = ["tail"],
);

const tailWorker :Workerd.Worker = (
  modules = [ (name = "tail.mjs", esModule = ${embed(tailModule)}) ],
  compatibilityDate = "2025-09-01",
);
`;
}

/**
 * CPU time (ms) of a process so far, all its threads, from Linux's
 * /proc/PID/task/TID/schedstat (nanoseconds on CPU); null elsewhere.
 */
function processCpuMs(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

let child;
let baseUrl;
let output = "";
const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-workerd-"));

before(async () => {
  const modules = collectModules(resolve(here, "workerd/worker.mjs"), repo);
  const types = Object.fromEntries(modules.map((m) => [m.name, m.type]));
  assert.equal(types["pkg/workerd.js"], "ESModule");
  assert.equal(types["pkg/dist/web/mshta_chain_bg.wasm"], "CompiledWasm");
  const port = await freePort();
  const configPath = join(scratch, "config.capnp");
  writeFileSync(
    configPath,
    workerdConfig({ modules, tailModule: resolve(here, "workerd/tail.mjs"), configDir: scratch, port }),
  );
  child = spawn(workerdBin, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`workerd did not answer within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

async function post(path, body) {
  const res = await fetch(baseUrl + path, { method: "POST", body });
  const value = await res.json();
  return { status: res.status, value };
}

test("the Worker runs the same core as the Node build", async () => {
  const res = await fetch(`${baseUrl}/health`);
  assert.deepEqual(await res.json(), { version: version() });
});

for (const name of Object.keys(ATTACKS)) {
  test(`POST a real export (${ATTACKS[name]}): the report has the mshta chain`, async () => {
    const bytes = attackBytes(name);
    const { status, value: report } = await post("/analyze", bytes);
    assert.equal(status, 200);
    assert.equal(report.chains.length, 1);
    const [chain] = report.chains;
    assert.equal(chain.root.pid, EXPECTED[name].pid);
    assert.equal(base(chain.root.image), "mshta.exe");
    assert.deepEqual(chain.children.map((c) => base(c.image)), EXPECTED[name].children);
    assert.deepEqual([...chain.root.sources].sort(), ["security", "sysmon"]);
    assert.deepEqual(report, analyze(bytes), "the same report as in Node");
  });
}

test("state carried between two requests as snapshot bytes (serverless pattern)", async () => {
  const bytes = concat(Object.keys(ATTACKS).map(attackBytes));
  // A cut inside a line (of ASCII text): the unfinished line travels in the
  // snapshot too.
  const cut = cutInsideLine(bytes, 0.5);
  const [head, tail] = [bytes.subarray(0, cut), bytes.subarray(cut)].map((b) => new TextDecoder().decode(b));
  const first = await post("/stream", JSON.stringify({ events: head }));
  assert.equal(first.status, 200, JSON.stringify(first.value));
  assert.ok(first.value.update.events > 0);
  assert.ok(first.value.update.chains.length >= 1, "the first request already sees chains");
  assert.equal(first.value.report, undefined);
  const second = await post(
    "/stream",
    JSON.stringify({ snapshot: first.value.snapshot, events: tail, finish: true }),
  );
  assert.equal(second.status, 200, JSON.stringify(second.value));
  // The same as one Node Detector fed both pieces, and as one analysis.
  const node = new Detector();
  node.push(bytes.subarray(0, cut));
  assert.deepEqual(fromBase64(first.value.snapshot), node.snapshot(), "the Worker's snapshot is Node's, byte for byte");
  const nodeUpdate = node.push(bytes.subarray(cut));
  const expected = node.finish();
  node.free();
  assert.deepEqual(second.value.update, nodeUpdate);
  assert.deepEqual(second.value.report, expected);
  assert.deepEqual(second.value.report, analyze(bytes));
  assert.deepEqual(
    second.value.report.chains.map((c) => c.root.pid).sort(),
    Object.values(EXPECTED).map((e) => e.pid).sort(),
  );
  // Versions continue across requests: a chain seen in request 1 and
  // changed in request 2 comes back with a higher version.
  const firstVersions = new Map(first.value.update.chains.map((c) => [c.id, c.version]));
  for (const chain of second.value.update.chains) {
    if (firstVersions.has(chain.id)) assert.ok(chain.version > firstVersions.get(chain.id), chain.id);
  }
});

test("a snapshot restored from Node continues in the Worker; a corrupted one is a 400", async () => {
  const bytes = attackBytes("hta");
  const cut = cutInsideLine(bytes, 0.3);
  const node = new Detector();
  node.push(bytes.subarray(0, cut));
  const snapshot = node.snapshot();
  node.free();
  const rest = new TextDecoder().decode(bytes.subarray(cut));
  const { status, value } = await post("/stream", JSON.stringify({ snapshot: toBase64(snapshot), events: rest, finish: true }));
  assert.equal(status, 200);
  assert.deepEqual(value.report, analyze(bytes));
  const corrupted = snapshot.slice();
  corrupted[Math.floor(corrupted.length / 2)] ^= 0xff;
  const bad = await post("/stream", JSON.stringify({ snapshot: toBase64(corrupted), events: rest }));
  assert.equal(bad.status, 400);
  assert.match(bad.value.error, /snapshot corrupted/);
  const truncated = await post("/stream", JSON.stringify({ snapshot: toBase64(snapshot.subarray(0, 20)), events: rest }));
  assert.equal(truncated.status, 400);
  assert.match(truncated.value.error, /snapshot truncated/);
});

test("CPU time of one 1,000-event push (printed, not asserted)", async (t) => {
  const lines = new TextDecoder().decode(attackBytes("vbscript")).split("\n").filter((l) => l.trim() !== "");
  const batch = new TextEncoder().encode(lines.slice(0, 1000).join("\n") + "\n");
  await post("/push", batch); // warm-up: JIT tiers, first allocation of wasm memory
  const cpuBefore = processCpuMs(child.pid);
  const { status, value } = await post("/push", batch);
  const cpuAfter = processCpuMs(child.pid);
  assert.equal(status, 200);
  assert.equal(value.events, 1000);
  // The Tail Worker's line for this request (it arrives after the response).
  let tail = null;
  const deadline = Date.now() + 5000;
  while (!tail && Date.now() < deadline) {
    const lines = output.split("\n").filter((l) => l.startsWith("TAIL ") && l.includes("/push"));
    if (lines.length >= 2) tail = JSON.parse(lines[1].slice(5));
    else await new Promise((r) => setTimeout(r, 50));
  }
  const kib = (batch.length / 1024).toFixed(0);
  const notes = [
    `workerd: one push of 1000 events (${kib} KiB):`,
    `  performance.now() around the push, inside the Worker: ${value.ms.toFixed(2)} ms` +
      (value.ms === 0 ? " (timers do not advance during execution here)" : " (wall time of synchronous code; ms resolution)"),
    tail
      ? `  TraceItem.cpuTime / wallTime (Tail Worker): ${tail.cpuTime} ms / ${tail.wallTime} ms` +
        (tail.cpuTime === 0 ? " (local workerd does not measure CPU time: 0)" : "")
      : "  TraceItem.cpuTime: no tail event seen",
    cpuBefore !== null && cpuAfter !== null
      ? `  workerd process CPU time for the whole request (/proc schedstat; body, push, response): ${(cpuAfter - cpuBefore).toFixed(1)} ms`
      : "  workerd process CPU: /proc not available",
  ];
  for (const line of notes) t.diagnostic(line);
});
