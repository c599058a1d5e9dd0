// Tests of the optional raw-log entry `mshta-chain/evtx` (pkg/evtx*.js) in
// Node: the real EVTX samples and the XML shapes of tests/data end to end
// through the package's Detector. Needs a built package (bash scripts/build.sh).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { analyze, Detector } from "../../pkg/node.mjs";
import initEvtx, * as evtx from "../../pkg/evtx-node.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const data = (p) => readFileSync(resolve(repo, "tests/data", p));
const require = createRequire(import.meta.url);
const evtxCjs = require(resolve(repo, "pkg/evtx-node.cjs"));

/** What must match between two readings of the same events. */
function essentials(report) {
  const coverage = JSON.parse(JSON.stringify(report.coverage).replace(/_(flat|evtx)"/g, '_*"'));
  const { accepted, ignored, rejected, processes, mshta_processes } = report.stats;
  return { accepted, ignored, rejected, processes, mshta_processes, chains: report.chains, coverage, inventory: report.inventory };
}

async function readInto(source, options) {
  const detector = new Detector();
  try {
    const result = await evtx.readRawLog(detector, source, options);
    return { ...result, report: detector.finish() };
  } finally {
    detector.free();
  }
}

function lines(bytes) {
  return new TextDecoder().decode(bytes).split("\n").filter((l) => l !== "");
}

test("sysmon.evtx through the Detector gives the report of its JSON Lines export", async () => {
  const { format, records, errors, report } = await readInto(data("realdata/evtx/sysmon.evtx"));
  assert.equal(format, "evtx");
  assert.equal(records, 358);
  assert.equal(report.stats.events, 358);
  assert.equal(report.stats.by_schema.sysmon_evtx, 358);
  // The file's 8 garbage chunks after its last good one: one error.
  assert.deepEqual(errors.filter((e) => e.kind === "chunk").map((e) => [e.chunk, e.chunks]), [[9, 8]]);
  assert.deepEqual(essentials(report), essentials(analyze(data("realdata/benign/sysmon_desktop_2017.jsonl"))));
});

test("read from a file stream in 64 KB pieces: the same records as at once", async () => {
  const path = resolve(repo, "tests/data/realdata/evtx/security.evtx");
  const streamed = await readInto(createReadStream(path, { highWaterMark: 65536 }));
  const whole = await readInto(readFileSync(path));
  assert.equal(streamed.records, 2261);
  assert.deepEqual(essentials(streamed.report), essentials(whole.report));
  // Cut anywhere, with a reader driven by hand: the same bytes out.
  const bytes = readFileSync(path);
  const all = (cut) => {
    const reader = evtx.createEvtxReader();
    const out = [];
    for (let at = 0; at < bytes.length; at += cut) out.push(reader.push(bytes.subarray(at, at + cut)).records);
    out.push(reader.finish().records);
    reader.free();
    return Buffer.concat(out);
  };
  assert.ok(all(4093).equals(all(1 << 20)));
});

test("damaged chunks and records are reported with where they are; good chunks are read", async () => {
  const { records, errors, report } = await readInto(data("realdata/evtx/sample_with_a_bad_chunk_magic.evtx"));
  assert.equal(records, 301);
  assert.equal(report.stats.rejected, 0);
  const chunks = errors.filter((e) => e.kind === "chunk");
  assert.deepEqual(chunks.map((e) => e.chunk), [6, 10]);
  assert.deepEqual(chunks.map((e) => e.offset), [4096 + 6 * 65536, 4096 + 10 * 65536]);
  assert.match(chunks[0].text, /^chunk 6, offset 0x61000: not a chunk/);
  const bad = errors.filter((e) => e.kind === "record");
  assert.equal(bad.length, 1);
  assert.equal(bad[0].chunk, 7);
  assert.equal(typeof bad[0].records_before, "number");
});

test("the XML shapes give the EVTX's report", async () => {
  const evtxLines = (await (async () => {
    const reader = evtx.createEvtxReader();
    const b = reader.push(data("realdata/evtx/sysmon.evtx"));
    const f = reader.finish();
    reader.free();
    return lines(Buffer.concat([b.records, f.records]));
  })());
  for (const [file, n] of [
    ["xml/sysmon.evtx_dump.xml", 358],
    ["xml/sysmon.one_per_line.xml", 120],
    ["xml/sysmon.event_viewer.xml", 120],
    ["xml/sysmon.powershell_utf16.xml", 120],
  ]) {
    const { format, records, errors, report } = await readInto(data(file));
    assert.equal(format, "xml", file);
    assert.deepEqual(errors, [], file);
    assert.equal(records, n, file);
    assert.deepEqual(essentials(report), essentials(analyze(evtxLines.slice(0, n).join("\n"))), file);
  }
});

test("records are JSON a JavaScript number cannot corrupt", () => {
  const reader = new evtx.EvtxReader({ format: "evtx" });
  const { records } = reader.push(data("realdata/evtx/security.evtx"));
  reader.free();
  let numbers = 0;
  for (const line of lines(records)) {
    JSON.parse(line, (key, value) => {
      if (typeof value === "number" && Number.isInteger(value)) {
        numbers++;
        assert.ok(Number.isSafeInteger(value), `${key}: ${value}`);
      }
      return value;
    });
  }
  assert.ok(numbers > 2261);
});

test("bad input: errors with positions, nothing thrown", async () => {
  const truncated = data("realdata/evtx/sysmon.evtx").subarray(0, 4096 + 65536 + 30000);
  const t = await readInto(truncated);
  assert.ok(t.records > 0);
  assert.ok(t.errors.some((e) => e.kind === "truncated" && e.chunk === 1), JSON.stringify(t.errors));
  const bomb =
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<Event><System/><EventData><Data Name="x">&b;</Data></EventData></Event>';
  const b = await readInto(bomb);
  assert.equal(b.records, 0);
  assert.ok(b.errors.some((e) => e.kind === "xml" && e.line === 2 && /undefined entity `&b;`/.test(e.message)), JSON.stringify(b.errors));
  const deep = await readInto(`<Event>${"<a>".repeat(100000)}${"</a>".repeat(100000)}</Event>`);
  assert.match(deep.errors[0].message, /nested deeper than 64/);
  const json = await readInto('{"EventID":1}\n');
  assert.equal(json.format, "json");
  assert.equal(json.errors[0].kind, "file_header");
});

test("sniff, entries, types and lifecycle", async () => {
  assert.equal(evtx.sniff(data("realdata/evtx/sysmon.evtx").subarray(0, 64)), "evtx");
  assert.equal(evtx.sniff(new TextEncoder().encode("  <Events>")), "xml");
  assert.equal(evtx.sniff(new TextEncoder().encode('{"a":1}')), "json");
  assert.equal(evtxCjs.sniff(new Uint8Array([0xff, 0xfe, 0x3c, 0])), "xml");
  assert.equal((await initEvtx()).version(), evtx.version());
  assert.throws(() => new evtx.EvtxReader({ format: "csv" }), /unknown raw log format `csv`/);
  const reader = evtx.createEvtxReader();
  reader.free();
  assert.throws(() => reader.push(new Uint8Array(1)), /freed/);
  // The declarations type-check against a use of every export.
  const tsc = resolve(repo, "pkg/node_modules/.bin/tsc");
  const dir = mkdtempSync(join(tmpdir(), "evtx-types-"));
  const file = join(dir, "use.ts");
  writeFileSync(
    file,
    `import init, { createEvtxReader, readRawLog, sniff, type ReadError, type RawBatch } from ${JSON.stringify(resolve(repo, "pkg/evtx.js"))};
const api = await init();
const r = createEvtxReader({ format: "evtx" });
const b: RawBatch = r.push(new Uint8Array(8));
const e: ReadError | undefined = b.errors[0];
const chunk: number | null | undefined = e?.chunk;
const res = await readRawLog({ push: (x: Uint8Array) => x.length }, [new Uint8Array(1)]);
const n: number = res.records + b.count + (chunk ?? 0);
const f: "evtx" | "xml" | "json" | "unknown" = sniff(new Uint8Array(8));
// @ts-expect-error: not a format
createEvtxReader({ format: "csv" });
export { api, n, f };
`,
  );
  const run = spawnSync(tsc, ["--noEmit", "--strict", "--target", "ES2022", "--module", "ESNext", "--moduleResolution", "bundler", "--lib", "ES2022,DOM", "--typeRoots", dir, file], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

// The CLI (pkg/bin/mshta-chain.mjs) on folders of raw logs.
const cli = resolve(repo, "pkg/bin/mshta-chain.mjs");
function run(args, input) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", input, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("cli: a folder of .evtx, XML and JSON is read recursively, in a stable order, errors naming the file", async () => {
  const { copyFileSync, mkdirSync, symlinkSync } = await import("node:fs");
  const dir = mkdtempSync(join(tmpdir(), "mshta-chain-logs-"));
  mkdirSync(join(dir, "b/deeper"), { recursive: true });
  mkdirSync(join(dir, "a"));
  copyFileSync(resolve(repo, "tests/data/realdata/evtx/sysmon.evtx"), join(dir, "b/deeper/Sysmon.evtx"));
  copyFileSync(resolve(repo, "tests/data/realdata/evtx/sample_with_a_bad_chunk_magic.evtx"), join(dir, "a/bad.evtx"));
  copyFileSync(resolve(repo, "tests/data/xml/security.pretty_rendered.xml"), join(dir, "b/forwarded.xml"));
  copyFileSync(resolve(repo, "tests/data/realdata/otrf/cmd_mshta_javascript_getobject_sct.jsonl"), join(dir, "a/attack.jsonl"));
  // No known extension: read by content (EVTX); a text file is left out; a loop is walked once.
  copyFileSync(resolve(repo, "tests/data/realdata/evtx/Security_short_selected.evtx"), join(dir, "b/exported-log"));
  writeFileSync(join(dir, "notes.txt"), "not a log\n");
  symlinkSync(dir, join(dir, "b/loop"));

  const r = run(["scan", dir]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  // a/attack.jsonl, a/bad.evtx, b/deeper/Sysmon.evtx, b/exported-log, b/forwarded.xml
  assert.equal(report.stats.events, 1151 + 301 + 358 + 7 + 160);
  assert.ok(report.chains.some((c) => c.root.pid === 10076), "the attack in the JSON Lines file is found");
  const bad = report.errors.filter((e) => e.file !== undefined);
  assert.ok(bad.length > 0);
  assert.ok(bad.every((e) => e.reason.startsWith(e.file + ": ")), JSON.stringify(bad));
  assert.deepEqual([...new Set(bad.map((e) => e.file))], [join(dir, "a/bad.evtx"), join(dir, "b/deeper/Sysmon.evtx")]);
  const magic = bad.find((e) => e.kind === "chunk" && e.chunk === 6);
  assert.ok(magic && magic.index >= 1151 && magic.index <= 1151 + 301, JSON.stringify(magic));
  // The same order every time, whatever the file system's.
  assert.equal(run(["scan", dir]).stdout, r.stdout);
  // One file named directly, and standard input, read the same way.
  const one = JSON.parse(run(["scan", join(dir, "b/deeper/Sysmon.evtx")]).stdout);
  const stdin = JSON.parse(run(["scan", "-"], readFileSync(join(dir, "b/deeper/Sysmon.evtx"))).stdout);
  assert.equal(one.stats.events, 358);
  assert.deepEqual(essentials(stdin), essentials(one));
  assert.equal(stdin.errors[0].file, "-");
  // A path that does not exist: exit 2, one line naming it.
  const missing = run(["scan", join(dir, "nope")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope: no such file or directory\n$/);
});

test("the CLI's sniff (pkg/src/files.js) agrees with the reader's", async () => {
  const { sniff: cliSniff } = await import("../../pkg/src/files.js");
  const { readdirSync } = await import("node:fs");
  const enc = (s) => new TextEncoder().encode(s);
  const heads = [
    enc(""), enc("   "), enc("\ufeff<Events>"), enc("Record 7\n<?xml"), enc("Record x"), enc("[{}]"), enc("\n{"),
    enc("hello"), new Uint8Array([0xff, 0xfe, 0x20, 0, 0x3c, 0]), new Uint8Array([0xfe, 0xff, 0, 0x3c]),
    new Uint8Array([0x3c, 0]), new Uint8Array([0, 0x3c]), new Uint8Array([0x45, 0x6c, 0x66, 0x46]),
  ];
  for (const dir of ["realdata/evtx", "realdata/otrf", "realdata/benign", "xml"]) {
    for (const name of readdirSync(resolve(repo, "tests/data", dir))) heads.push(data(`${dir}/${name}`).subarray(0, 256));
  }
  for (const head of heads) assert.equal(cliSniff(head), evtx.sniff(head), JSON.stringify([...head.subarray(0, 16)]));
});
