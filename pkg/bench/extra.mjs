// Benchmark rows beside the throughput runs (issue 13): the npm CLI's peak RSS on a large JSON
// Lines file, a 1,000-event `analyze` inside a Cloudflare Worker (workerd), and the sizes of what
// the package ships (both .wasm files raw and gzipped, the packed tarball). Writes `{ rows }` for
// pkg/bench/report.mjs (--extra). Timings and sizes are printed, never asserted.
//
//   node pkg/bench/extra.mjs [--cli-corpus FILE] [--workerd-corpus FILE] [--repeat R] [--json OUT]
//
// --cli-corpus: runs `mshta-chain scan --format ndjson FILE` under `/usr/bin/time -v` (peak RSS =
//   "Maximum resident set size"), and again on the first fifth of the file, to show whether the
//   peak grows with the input.
// --workerd-corpus: the first 1,000 lines are POSTed to a Worker (pkg/bench/workerd-worker.mjs)
//   that runs `analyze` on them; the figure is the workerd process's CPU time per request
//   (/proc/PID/task/*/schedstat), since a Worker's own timers do not advance while it computes.
//   Needs the workerd binary from tests/runtimes/node_modules (`cd tests/runtimes && npm ci`);
//   skipped with a note when it is missing.
// Sizes: pkg/dist/**.wasm, and `npm pack` of pkg/ into a temporary directory.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { capnpModule, collectModules, freePort, workerdBinary } from "../../tests/runtimes/workerd-kit.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(here, "..");
const repo = path.resolve(pkgDir, "..");
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const log = (m) => process.stderr.write(`[bench extra] ${m}\n`);

function parseArgs(argv) {
  const a = { cliCorpus: null, workerdCorpus: null, repeat: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${f} needs a value`);
      return argv[++i];
    };
    if (f === "--cli-corpus") a.cliCorpus = v();
    else if (f === "--workerd-corpus") a.workerdCorpus = v();
    else if (f === "--repeat") a.repeat = Math.max(1, Number(v()) | 0);
    else if (f === "--json") a.json = v();
    else throw new Error(`unknown option ${f}`);
  }
  return a;
}

/** Peak RSS (KB) and wall time (s) of `node CLI scan --format ndjson file`, from GNU time -v. */
function cliRun(file) {
  const cli = path.join(pkgDir, "bin/mshta-chain.mjs");
  const t = Date.now();
  const run = spawnSync("/usr/bin/time", ["-v", process.execPath, cli, "scan", "--format", "ndjson", file], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`CLI failed (${run.status}): ${run.stderr}`);
  const out = run.stderr;
  return { secs: (Date.now() - t) / 1000, maxRssKb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(out)?.[1]) };
}

function cliRows(file, repeat) {
  const size = fs.statSync(file).size;
  // The first fifth of the file, cut at a line end.
  const fifth = path.join(os.tmpdir(), `mshta-chain-bench-fifth-${process.pid}.jsonl`);
  const fd = fs.openSync(file, "r");
  const head = Buffer.alloc(Math.floor(size / 5));
  fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  fs.writeFileSync(fifth, head.subarray(0, head.lastIndexOf(10) + 1));
  const best = (f) => {
    let b = null;
    for (let r = 0; r < repeat; r++) {
      const x = f();
      if (b === null || x.maxRssKb < b.maxRssKb) b = x;
    }
    return b;
  };
  try {
    log(`CLI peak RSS: ${file} (${(size / 1e6).toFixed(0)} MB) and its first fifth`);
    const whole = best(() => cliRun(file));
    const part = best(() => cliRun(fifth));
    const partSize = fs.statSync(fifth).size;
    return [
      [
        "npm CLI: peak RSS, `scan --format ndjson` (GNU time: max resident set)",
        `real-host mix, ${(size / 1e6).toFixed(0)} MB of JSON Lines`,
        `${(whole.maxRssKb / 1024).toFixed(1)} MB`,
        `${(part.maxRssKb / 1024).toFixed(1)} MB on the first ${(partSize / 1e6).toFixed(0)} MB; wall ${whole.secs.toFixed(1)} s ` +
          `(${fmt(size / 1e6 / whole.secs)} MB/s)`,
      ],
    ];
  } finally {
    fs.rmSync(fifth, { force: true });
  }
}

function processCpuMs(pid) {
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  }
  return ns / 1e6;
}

async function workerdRows(file) {
  const bin = workerdBinary();
  if (!bin || process.platform !== "linux") {
    log("workerd: not installed (cd tests/runtimes && npm ci); skipped");
    return [["workerd: 1,000-event `analyze` in a Worker", "-", "n/a", "workerd not installed (tests/runtimes: npm ci)"]];
  }
  const bytes = fs.readFileSync(file);
  let end = 0;
  for (let i = 0; i < 1000 && end !== -1; i++) end = bytes.indexOf(10, end) + 1 || -1;
  const body = bytes.subarray(0, end === -1 ? bytes.length : end);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "mshta-chain-bench-workerd-"));
  const port = await freePort();
  const modules = (entry) => collectModules(entry, repo).map((m) => capnpModule(m, scratch));
  fs.writeFileSync(
    path.join(scratch, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
${modules(path.join(here, "workerd-worker.mjs")).map((m) => `    ${m},`).join("\n")}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const child = spawn(bin, ["serve", path.join(scratch, "config.capnp")], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}): ${output}`);
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`workerd did not answer within 30 s: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu = [];
    const wall = [];
    let events = 0;
    for (let i = 0; i < 25; i++) {
      const c0 = processCpuMs(child.pid);
      const t0 = performance.now();
      const res = await fetch(`${url}/analyze`, { method: "POST", body });
      const value = await res.json();
      wall.push(performance.now() - t0);
      cpu.push(processCpuMs(child.pid) - c0);
      if (!res.ok) throw new Error(`workerd: ${JSON.stringify(value)}`);
      events = value.events;
    }
    // The first requests compile and warm the module; take the steady state.
    const steady = (xs) => xs.slice(5).sort((a, b) => a - b);
    const c = steady(cpu);
    const w = steady(wall);
    const med = (xs) => xs[Math.floor(xs.length / 2)];
    return [
      [
        "workerd: 1,000-event `analyze` in a Worker (workerd process CPU per request)",
        `real-host mix, ${fmt(events)} events, ${(body.length / 1e3).toFixed(0)} KB`,
        `median ${med(c).toFixed(1)} ms, min ${c[0].toFixed(1)} ms`,
        `includes receiving the body and answering; HTTP round trip median ${med(w).toFixed(1)} ms; ` +
          `first request ${cpu[0].toFixed(1)} ms CPU; 20 requests after 5 warm-up`,
      ],
    ];
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function sizeRows() {
  const rows = [];
  const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
  for (const rel of ["dist/web/mshta_chain_bg.wasm", "dist/evtx/web/mshta_chain_evtx_bg.wasm"]) {
    const file = path.join(pkgDir, rel);
    if (!fs.existsSync(file)) continue;
    const b = fs.readFileSync(file);
    rows.push([`size: ${rel}`, "pkg/dist (scripts/build.sh)", `${fmt(b.length)} bytes raw`, `${fmt(gz(b))} bytes gzip -9`]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mshta-chain-bench-pack-"));
  try {
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: pkgDir, encoding: "utf8" });
    const tgz = path.join(dir, out.trim().split("\n").at(-1));
    rows.push(["size: npm tarball", path.basename(tgz), `${fmt(fs.statSync(tgz).size)} bytes`, "as downloaded (npm pack)"]);
  } catch (error) {
    log(`npm pack failed: ${error.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const rows = [];
  if (args.cliCorpus) rows.push(...cliRows(args.cliCorpus, args.repeat));
  if (args.workerdCorpus) rows.push(...(await workerdRows(args.workerdCorpus)));
  rows.push(...sizeRows());
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ rows }, null, 2));
}

await main();
