// Node benchmark of the built npm package (pkg/dist): the same generated corpus as the native
// benchmark, from a Uint8Array and from a string, as one `analyze` and as 1,000-line
// `Detector.push` batches; in the same run a baseline of plain `JSON.parse` over the same lines;
// the latency of a 1,000-event push; WebAssembly memory after 100,000 events inside the window
// (in a fresh process, since linear memory only grows); the .wasm size raw and gzipped; with
// --typed-wasm, the ceiling: the benchmark's typed serde_json parse (bench/src/typed.rs, the
// fields the detector needs, nothing else) compiled to WebAssembly as the core is
// (bench/wasm-typed, glue from wasm-bindgen --target nodejs in DIR).
//
//   node pkg/bench/node.mjs --corpus FILE [--window-corpus FILE] [--typed-wasm DIR] [--repeat R] [--json OUT]
//   node pkg/bench/node.mjs --memory FILE        (child: one fresh instance; prints JSON)
//
// Corpora come from the native bench: `bench --write-corpus FILE --events N [--hosts H]`.
// Timings are printed, never asserted.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(here, "..");
const wasmFile = path.join(pkgDir, "dist/web/mshta_chain_bg.wasm");
const BATCH = 1000;

// The wasm-bindgen nodejs glue keeps its instance private: capture it as it is created, to read
// the size of its `WebAssembly.Memory`.
let instance = null;
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = class extends OriginalInstance {
  constructor(module, imports) {
    super(module, imports);
    instance = this;
  }
};
const { analyze, Detector } = await import(pathToFileURL(path.join(pkgDir, "node.mjs")).href);
WebAssembly.Instance = OriginalInstance;
if (!instance || !(instance.exports.memory instanceof WebAssembly.Memory)) {
  throw new Error("bench: could not capture the package's WebAssembly instance");
}
const wasmMemoryBytes = () => instance.exports.memory.buffer.byteLength;

function parseArgs(argv) {
  const a = { corpus: null, windowCorpus: null, typedWasm: null, memory: null, repeat: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${f} needs a value`);
      return argv[++i];
    };
    if (f === "--corpus") a.corpus = v();
    else if (f === "--window-corpus") a.windowCorpus = v();
    else if (f === "--memory") a.memory = v();
    else if (f === "--typed-wasm") a.typedWasm = v();
    else if (f === "--repeat") a.repeat = Math.max(1, Number(v()) | 0);
    else if (f === "--json") a.json = v();
    else throw new Error(`unknown option ${f}`);
  }
  return a;
}

/** Offsets just past each '\n' (and the end, if the last line has none). */
function lineEnds(bytes) {
  const ends = [];
  let at = bytes.indexOf(10);
  while (at !== -1) {
    ends.push(at + 1);
    at = bytes.indexOf(10, at + 1);
  }
  if (bytes.length && bytes[bytes.length - 1] !== 10) ends.push(bytes.length);
  return ends;
}

function byteBatches(bytes, ends) {
  const out = [];
  let start = 0;
  for (let i = BATCH - 1; i < ends.length + BATCH - 1; i += BATCH) {
    const end = ends[Math.min(i, ends.length - 1)];
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

function stringBatches(lines) {
  const out = [];
  for (let i = 0; i < lines.length; i += BATCH) out.push(lines.slice(i, i + BATCH).join("\n") + "\n");
  return out;
}

function bestOf(repeat, f) {
  let best = null;
  for (let r = 0; r < repeat; r++) {
    const res = f();
    if (best === null || res.secs < best.secs) best = res;
  }
  return best;
}

function timed(f) {
  const t = performance.now();
  const value = f();
  return { secs: (performance.now() - t) / 1000, value };
}

function pushAll(batches) {
  const detector = new Detector();
  const latencies = [];
  let events = 0;
  const t = performance.now();
  for (const b of batches) {
    const s = performance.now();
    events += detector.push(b).events;
    latencies.push(performance.now() - s);
  }
  const report = detector.finish();
  const secs = (performance.now() - t) / 1000;
  detector.free();
  return { secs, value: { events, report, latencies } };
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (x) => Math.round(x).toLocaleString("en-US");
const mb = (b) => b / 1e6;

function memoryChild(file) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const batches = byteBatches(bytes, lineEnds(bytes));
  const before = wasmMemoryBytes();
  const detector = new Detector();
  let events = 0;
  for (const b of batches) events += detector.push(b).events;
  const afterPush = wasmMemoryBytes();
  const stats = detector.report().stats;
  const afterReport = wasmMemoryBytes();
  const snapshot = detector.snapshot().length;
  const afterSnapshot = wasmMemoryBytes();
  const final = detector.finish();
  const afterFinish = wasmMemoryBytes();
  process.stdout.write(
    JSON.stringify({
      events,
      bytes: bytes.length,
      memory_at_start: before,
      memory_after_push: afterPush,
      memory_after_report: afterReport,
      memory_after_snapshot: afterSnapshot,
      memory_after_finish: afterFinish,
      state_bytes: stats.state_bytes,
      processes_tracked: stats.processes_tracked,
      activity_tracked: stats.activity_tracked,
      chains: final.stats.chains,
      snapshot_bytes: snapshot,
    }) + "\n",
  );
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.memory) return memoryChild(args.memory);
  if (!args.corpus) throw new Error("usage: node pkg/bench/node.mjs --corpus FILE [--window-corpus FILE] [--repeat R] [--json OUT]");

  const buf = fs.readFileSync(args.corpus);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const text = buf.toString("utf8");
  const ends = lineEnds(bytes);
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (lines.length !== ends.length) throw new Error(`line count differs: ${lines.length} strings, ${ends.length} byte lines`);
  const n = lines.length;
  const input = `mixed, ${fmt(n)} events, ${fmt(mb(bytes.length))} MB`;
  const bBatches = byteBatches(bytes, ends);
  const sBatches = stringBatches(lines);
  const rate = (secs) => ({ secs, events_per_sec: n / secs, mb_per_sec: mb(bytes.length) / secs });
  const rateText = (r) => `${fmt(r.events_per_sec)} events/s, ${fmt(r.mb_per_sec)} MB/s`;
  const results = { corpus: args.corpus, events: n, bytes: bytes.length, repeat: args.repeat };
  const log = (m) => process.stderr.write(`node-bench: ${m}\n`);

  // Warm-up, not timed: V8 compiles wasm with its baseline tier first and optimises hot
  // functions in the background, and the first large input grows linear memory. Each path runs
  // once over the first 20,000 lines (at most a fifth of the corpus) before its timed runs.
  const warm = Math.max(1, Math.min(20000, Math.floor(n / 5)));
  log(`warm-up: ${fmt(warm)} lines through each path`);
  const warmEnd = ends[warm - 1];
  analyze(bytes.subarray(0, warmEnd));
  analyze(lines.slice(0, warm).join("\n") + "\n");
  pushAll(bBatches.slice(0, Math.ceil(warm / BATCH)));
  pushAll(sBatches.slice(0, Math.ceil(warm / BATCH)));
  for (let i = 0; i < warm; i++) JSON.parse(lines[i]);
  results.warmup_lines = warm;

  log(`${input}: JSON.parse baseline`);
  const parse = bestOf(args.repeat, () =>
    timed(() => {
      let objects = 0;
      for (let i = 0; i < n; i++) {
        const o = JSON.parse(lines[i]);
        if (o !== null && typeof o === "object") objects++;
      }
      return objects;
    }),
  );
  results.json_parse = { ...rate(parse.secs), objects: parse.value };

  if (args.typedWasm) {
    // The same 1,000-line byte batches as Detector.push, into the typed parse alone.
    const require = createRequire(import.meta.url);
    const { typedParseLines } = require(path.resolve(args.typedWasm, "typed.js"));
    typedParseLines(bytes.subarray(0, warmEnd));
    log(`${input}: typed serde_json parse in WebAssembly (ceiling)`);
    const tp = bestOf(args.repeat, () =>
      timed(() => {
        let parsed = 0;
        for (const b of bBatches) parsed += typedParseLines(b);
        return parsed;
      }),
    );
    results.typed_wasm = { ...rate(tp.secs), parsed: tp.value };
  }

  log(`${input}: analyze(Uint8Array)`);
  const ab = bestOf(args.repeat, () => timed(() => analyze(bytes)));
  results.analyze_bytes = { ...rate(ab.secs), events: ab.value.stats.events, chains: ab.value.stats.chains };

  log(`${input}: Detector.push(Uint8Array), 1,000-line batches`);
  const pb = bestOf(args.repeat, () => pushAll(bBatches));
  const latB = [...pb.value.latencies].sort((a, b) => a - b);
  results.push_bytes = { ...rate(pb.secs), events: pb.value.report.stats.events, chains: pb.value.report.stats.chains };
  results.latency_bytes_ms = { pushes: latB.length, p50: percentile(latB, 50), p99: percentile(latB, 99), max: latB.at(-1) };

  log(`${input}: analyze(string)`);
  const as = bestOf(args.repeat, () => timed(() => analyze(text)));
  results.analyze_string = { ...rate(as.secs), events: as.value.stats.events, chains: as.value.stats.chains };

  log(`${input}: Detector.push(string), 1,000-line batches`);
  const ps = bestOf(args.repeat, () => pushAll(sBatches));
  const latS = [...ps.value.latencies].sort((a, b) => a - b);
  results.push_string = { ...rate(ps.secs), events: ps.value.report.stats.events, chains: ps.value.report.stats.chains };
  results.latency_string_ms = { pushes: latS.length, p50: percentile(latS, 50), p99: percentile(latS, 99), max: latS.at(-1) };
  results.wasm_memory_after_runs = wasmMemoryBytes();

  if (args.windowCorpus) {
    log(`${args.windowCorpus}: WebAssembly memory in a fresh process`);
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--memory", args.windowCorpus], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20,
    });
    results.window_memory = JSON.parse(out);
  }

  const wasm = fs.readFileSync(wasmFile);
  results.wasm_size = { raw: wasm.length, gzip: zlib.gzipSync(wasm, { level: 9 }).length };

  const vs = (r) => `${(r.events_per_sec / results.json_parse.events_per_sec).toFixed(2)}x JSON.parse`;
  const rows = [];
  rows.push(["node: plain `JSON.parse` per line (baseline)", input, rateText(results.json_parse), `${fmt(parse.value)} objects`]);
  if (results.typed_wasm) {
    const t = results.typed_wasm;
    rows.push(["node: typed serde_json parse in WebAssembly (ceiling, no correlation)", input, rateText(t),
      `${vs(t)}; Detector.push(Uint8Array) is ${(results.push_bytes.events_per_sec / t.events_per_sec).toFixed(2)}x of it`]);
  }
  rows.push(["node: `analyze(Uint8Array)`, one batch", input, rateText(results.analyze_bytes), vs(results.analyze_bytes)]);
  rows.push(["node: `Detector.push(Uint8Array)`, 1,000-line batches", input, rateText(results.push_bytes), vs(results.push_bytes)]);
  rows.push(["node: `analyze(string)`, one batch", input, rateText(results.analyze_string),
    `${vs(results.analyze_string)}; ${(results.analyze_string.events_per_sec / results.analyze_bytes.events_per_sec).toFixed(2)}x bytes path`]);
  rows.push(["node: `Detector.push(string)`, 1,000-line batches", input, rateText(results.push_string),
    `${vs(results.push_string)}; ${(results.push_string.events_per_sec / results.push_bytes.events_per_sec).toFixed(2)}x bytes path`]);
  const lb = results.latency_bytes_ms;
  const ls = results.latency_string_ms;
  rows.push(["node: latency of one 1,000-event `push` (Uint8Array)", `${lb.pushes} pushes`,
    `p50 ${lb.p50.toFixed(2)} ms, p99 ${lb.p99.toFixed(2)} ms`, `max ${lb.max.toFixed(2)} ms; string: p50 ${ls.p50.toFixed(2)} ms, p99 ${ls.p99.toFixed(2)} ms`]);
  rows.push(["node: chains found", input, `${results.push_bytes.chains} (push) / ${results.analyze_bytes.chains} (analyze)`,
    `events seen: ${fmt(results.push_bytes.events)}`]);
  if (results.window_memory) {
    const w = results.window_memory;
    rows.push(["node: WebAssembly memory after pushing the window corpus", `mixed, ${fmt(w.events)} events, ${fmt(mb(w.bytes))} MB (see span)`,
      `${(w.memory_after_push / 2 ** 20).toFixed(1)} MiB`,
      `at start ${(w.memory_at_start / 2 ** 20).toFixed(1)} MiB; then after report() ${(w.memory_after_report / 2 ** 20).toFixed(1)}, ` +
        `snapshot() ${(w.memory_after_snapshot / 2 ** 20).toFixed(1)}, finish() ${(w.memory_after_finish / 2 ** 20).toFixed(1)} MiB; ` +
        `state_bytes ${(w.state_bytes / 1e6).toFixed(1)} MB, ${fmt(w.processes_tracked)} processes, ${fmt(w.activity_tracked)} activity records tracked; snapshot ${(w.snapshot_bytes / 1e6).toFixed(1)} MB`]);
  }
  rows.push(["node: WebAssembly memory after the throughput runs", input, `${(results.wasm_memory_after_runs / 2 ** 20).toFixed(1)} MiB`,
    "linear memory never shrinks: includes the one-batch runs of the whole corpus"]);
  rows.push([".wasm size", path.relative(process.cwd(), wasmFile), `${fmt(results.wasm_size.raw)} bytes raw`, `${fmt(results.wasm_size.gzip)} bytes gzip -9`]);
  results.rows = rows;

  console.log("| measurement | input | result | ratio / note |");
  console.log("|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 2));
}

main();
