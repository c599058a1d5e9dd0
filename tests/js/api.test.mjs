// Tests of the JS API (pkg/node.mjs, pkg/node.cjs, pkg/web.js) on real
// Windows telemetry. Needs a built package (bash scripts/build.sh) and the
// shared data beside the repository: <repo>/../shared/realdata.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as esm from "../../pkg/node.mjs";
import esmDefault from "../../pkg/node.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const pkgDir = resolve(repo, "pkg");
const dataDir = resolve(repo, "../shared/realdata");
assert.ok(existsSync(dataDir), `real data not found at ${dataDir} (shared/ must sit beside the repository)`);

const require = createRequire(import.meta.url);
const cjs = require(resolve(pkgDir, "node.cjs"));
const { analyze, Detector } = esm;

const FILES = {
  getobject: "otrf/cmd_mshta_javascript_getobject_sct.jsonl",
  vbscript: "otrf/cmd_mshta_vbscript_execute_psh.jsonl",
  hta: "otrf/psh_mshta_html_application_execution.jsonl",
  benign: "benign/sysmon_desktop_2017.jsonl",
};
const readText = (name) => readFileSync(resolve(dataDir, FILES[name]), "utf8");
const readBytes = (name) => new Uint8Array(readFileSync(resolve(dataDir, FILES[name])));
const lines = (text) => text.split("\n").filter((line) => line.trim() !== "");
const base = (path) => path.split("\\").pop().toLowerCase();
const childNames = (chain) => chain.children.map((c) => base(c.image));

// What each real export holds (see shared/realdata/README.md).
const EXPECTED = {
  getobject: { pid: 10076, children: ["calc.exe"] },
  vbscript: { pid: 10980, children: ["powershell.exe", "conhost.exe"] },
  hta: { pid: 9160, children: ["cmd.exe", "conhost.exe", "calc.exe"] },
};

/**
 * Why pkg/dist cannot be trusted to match the Rust sources, or "" when it
 * can: the .wasm must be newer than every file under core/src and
 * bindings/src. (A fresh clone builds after checkout, so this only trips on
 * a working copy whose sources changed since the last build.)
 */
function staleBuild() {
  const wasm = resolve(pkgDir, "dist/web/mshta_chain_bg.wasm");
  const built = statSync(wasm).mtimeMs;
  for (const dir of ["core/src", "bindings/src"]) {
    for (const name of readdirSync(resolve(repo, dir), { recursive: true })) {
      const file = resolve(repo, dir, String(name));
      if (statSync(file).isFile() && statSync(file).mtimeMs > built) {
        return `pkg/dist is older than ${dir}/${name}: rebuild with bash scripts/build.sh`;
      }
    }
  }
  return "";
}

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test("ESM and CommonJS entries expose the same API and agree", () => {
  for (const name of ["analyze", "Detector", "version", "init", "initSync"]) {
    assert.equal(typeof esm[name], "function", `ESM ${name}`);
    assert.equal(typeof cjs[name], "function", `CJS ${name}`);
  }
  assert.equal(esmDefault.analyze, esm.analyze);
  assert.match(esm.version(), /^\d+\.\d+\.\d+/);
  assert.equal(cjs.version(), esm.version());
  const text = readText("vbscript");
  const fromEsm = esm.analyze(text);
  const fromCjs = cjs.analyze(text);
  assert.equal(fromEsm.chains.length, 1);
  assert.deepEqual(fromCjs, fromEsm);
});

test("Node init and initSync resolve to the ready API", async () => {
  const api = await esm.init();
  assert.equal(api.analyze(readText("getobject")).chains[0].root.pid, 10076);
  assert.equal(cjs.initSync().version(), esm.version());
});

for (const name of ["getobject", "vbscript", "hta"]) {
  test(`real export ${name}: one mshta chain with the recorded descendants`, () => {
    const text = readText(name);
    const report = analyze(text);
    const expected = EXPECTED[name];
    assert.equal(report.stats.events, lines(text).length);
    assert.equal(report.stats.rejected, 0);
    assert.deepEqual(report.errors, []);
    assert.equal(report.chains.length, 1);
    const [chain] = report.chains;
    assert.equal(chain.root.pid, expected.pid);
    assert.equal(base(chain.root.image), "mshta.exe");
    assert.equal(chain.root.inferred, false);
    assert.equal(chain.host, "WORKSTATION5");
    assert.equal(chain.technique, "T1218.005");
    assert.equal(chain.analytic, "AN1397");
    assert.match(chain.id, /^mc-[0-9a-f]{16}$/);
    assert.deepEqual(childNames(chain), expected.children);
    assert.ok(chain.score >= 0 && chain.score <= 100);
    const sum = chain.reasons.reduce((n, r) => n + r.points, 0);
    assert.equal(chain.score, Math.max(0, Math.min(100, sum)), "score is the clamped sum of the points");
    assert.ok(["informational", "low", "medium", "high", "critical"].includes(chain.severity));
    for (const child of chain.children) assert.ok(child.depth >= 1);
  });
}

test("real export getobject: network, DNS and the downloaded scriptlet are tied to mshta", () => {
  const [chain] = analyze(readText("getobject")).chains;
  assert.deepEqual(
    chain.network.map((n) => [n.dst_ip, n.dst_port, n.pid]),
    [["151.101.248.133", 443, 10076]],
  );
  assert.deepEqual(chain.dns.map((d) => [d.query, d.pid]), [["raw.githubusercontent.com", 10076]]);
  assert.ok(chain.files.some((f) => f.path.toLowerCase().endsWith(".sct")), "the fetched .sct file is listed");
  assert.equal(chain.root.parent.pid, 10196);
  assert.equal(base(chain.root.parent.image), "cmd.exe");
});

test("real export hta: the process tree depths follow the parent pids", () => {
  const [chain] = analyze(readText("hta")).chains;
  const byName = Object.fromEntries(chain.children.map((c) => [base(c.image), c]));
  assert.equal(byName["cmd.exe"].pid, 7144);
  assert.equal(byName["cmd.exe"].depth, 1);
  assert.equal(byName["cmd.exe"].parent_pid, 9160);
  assert.equal(byName["calc.exe"].depth, 2);
  assert.equal(byName["calc.exe"].parent_pid, 7144);
  assert.equal(byName["conhost.exe"].parent_pid, 7144);
});

test("benign desktop log: every event accepted, no chains", () => {
  const text = readText("benign");
  const report = analyze(text);
  assert.equal(report.chains.length, 0);
  assert.equal(report.stats.events, lines(text).length);
  assert.equal(report.stats.rejected, 0);
  assert.equal(report.stats.mshta_processes, 0);
  assert.ok(report.stats.processes > 0, "the log has process starts");
});

test("string, bytes, ArrayBuffer, Buffer, DataView and array-of-objects inputs give the same report", () => {
  const text = readText("hta");
  const bytes = readBytes("hta");
  const expected = analyze(text);
  assert.equal(expected.chains.length, 1);
  assert.deepEqual(analyze(bytes), expected, "Uint8Array");
  assert.deepEqual(analyze(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), expected, "ArrayBuffer");
  assert.deepEqual(analyze(readFileSync(resolve(dataDir, FILES.hta))), expected, "Buffer");
  assert.deepEqual(analyze(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)), expected, "DataView");
  const objects = lines(text).map((line) => JSON.parse(line));
  assert.deepEqual(analyze(objects), expected, "array of objects");
  assert.deepEqual(analyze(JSON.stringify(objects)), expected, "one JSON array");
});

test("bad items are reported at their index; good items in the same input still count", () => {
  const good = lines(readText("getobject"));
  const clean = analyze(good.join("\n"));
  const enc = new TextEncoder();
  // Line 3 is a real event with invalid UTF-8 (0xff 0xfe) inside its
  // @timestamp string (a field the decoder reads).
  const event = good[3];
  const cut = event.indexOf('"@timestamp":"') + '"@timestamp":"'.length;
  assert.ok(cut > 20, "line 3 has an @timestamp");
  const nonUtf8 = concatBytes([enc.encode(event.slice(0, cut)), new Uint8Array([0xff, 0xfe]), enc.encode(event.slice(cut))]);
  const input = concatBytes([
    enc.encode(good.slice(0, 3).join("\n") + "\n"),
    nonUtf8, // index 3
    enc.encode("\n{not json\n"), // index 4
    enc.encode("42\n"), // index 5: not an object
    enc.encode('["an", "array"]\n'), // index 6: not an object
    enc.encode(good.slice(4).join("\n") + "\n"),
  ]);
  const report = analyze(input);
  assert.equal(report.stats.events, good.length + 3);
  assert.equal(report.stats.rejected, 4);
  assert.equal(report.stats.accepted, report.stats.events - 4);
  assert.deepEqual(report.errors.map((e) => e.index), [3, 4, 5, 6]);
  assert.match(report.errors[0].reason, /unicode|utf-?8/i);
  assert.match(report.errors[1].reason, /JSON/);
  assert.match(report.errors[2].reason, /not a JSON object/);
  assert.match(report.errors[3].reason, /not a JSON object/);
  // The chain is still found, with the same identity and descendants.
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].id, clean.chains[0].id);
  assert.deepEqual(childNames(report.chains[0]), ["calc.exe"]);
  // Evidence indexes after the inserted lines moved by 3.
  assert.equal(report.chains[0].root.event, clean.chains[0].root.event + 3);
});

test("bad elements of an array of objects are reported at their array index", () => {
  const objects = lines(readText("vbscript")).map((line) => JSON.parse(line));
  const n = objects.length;
  const input = [...objects, 7, null, "text", undefined, [1, 2]];
  const report = analyze(input);
  assert.equal(report.stats.events, n + 5);
  assert.deepEqual(report.errors.map((e) => e.index), [n, n + 1, n + 2, n + 3, n + 4]);
  for (const e of report.errors) assert.match(e.reason, /not a JSON object/);
  assert.equal(report.chains.length, 1);
  assert.deepEqual(childNames(report.chains[0]), EXPECTED.vbscript.children);
});

test("max_errors caps the listed errors, not the count", () => {
  const garbage = Array.from({ length: 30 }, (_, i) => `garbage ${i}`).join("\n");
  const report = analyze(garbage + "\n" + readText("getobject"), { max_errors: 5 });
  assert.equal(report.stats.rejected, 30);
  assert.deepEqual(report.errors.map((e) => e.index), [0, 1, 2, 3, 4]);
  assert.equal(report.chains.length, 1);
});

test("empty input: no events, no chains, a warning", () => {
  for (const input of ["", "\n  \n", new Uint8Array(0), new ArrayBuffer(0), []]) {
    const report = analyze(input);
    assert.deepEqual(report.chains, []);
    assert.deepEqual(report.errors, []);
    assert.equal(report.stats.events, 0);
    assert.equal(report.stats.accepted, 0);
    assert.ok(report.warnings.length > 0, "an empty input is worth a warning");
    assert.match(report.warnings.join(" "), /empty/i);
  }
});

test("Detector over two pushes equals analyze over the concatenation", () => {
  const all = lines(readText("hta"));
  for (const cut of [1, Math.floor(all.length / 2), all.length - 1]) {
    const detector = new Detector();
    const first = detector.push(all.slice(0, cut).join("\n") + "\n");
    const second = detector.push(new TextEncoder().encode(all.slice(cut).join("\n")));
    assert.deepEqual(first, { events: cut, accepted: cut, rejected: 0 });
    assert.deepEqual(second, { events: all.length - cut, accepted: all.length - cut, rejected: 0 });
    const streamed = detector.finish();
    const whole = analyze(all.join("\n"));
    assert.deepEqual(streamed.chains.map((c) => c.id), whole.chains.map((c) => c.id));
    assert.deepEqual(streamed, whole);
    assert.deepEqual(detector.finish(), streamed, "finish can be called again");
    detector.free();
  }
});

test("Detector over the three attack exports, one push each, finds the three chains", () => {
  const names = ["getobject", "vbscript", "hta"];
  const detector = new Detector({ window_seconds: 600 });
  let events = 0;
  for (const name of names) events += detector.push(readBytes(name)).events;
  const streamed = detector.finish();
  detector.free();
  const whole = analyze(names.map(readText).join("\n"));
  assert.equal(streamed.stats.events, events);
  assert.equal(streamed.chains.length, 3);
  assert.deepEqual(streamed.chains.map((c) => c.id), whole.chains.map((c) => c.id));
  assert.deepEqual(
    streamed.chains.map((c) => c.root.pid).sort(),
    names.map((n) => EXPECTED[n].pid).sort(),
  );
  // Highest score first.
  const scores = streamed.chains.map((c) => c.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  // A push summary counts rejected items of its own batch only.
  const d2 = new Detector();
  d2.push(readBytes("getobject"));
  assert.deepEqual(d2.push("oops\n{}\n"), { events: 2, accepted: 0, rejected: 2 });
  assert.deepEqual(d2.finish().errors.map((e) => e.index), [lines(readText("getobject")).length, lines(readText("getobject")).length + 1]);
  d2.free();
});

test("options: min_score filters, window_seconds marks late activity", () => {
  const text = ["getobject", "vbscript", "hta"].map(readText).join("\n");
  const all = analyze(text);
  const threshold = 90;
  const above = all.chains.filter((c) => c.score >= threshold).length;
  assert.ok(above > 0 && above < all.chains.length, "the data has chains on both sides of the threshold");
  const filtered = analyze(text, { min_score: threshold });
  assert.equal(filtered.chains.length, above);
  assert.equal(filtered.stats.chains, all.chains.length);
  assert.equal(filtered.stats.chains_below_min_score, all.chains.length - above);
  // calc.exe started ~1.1 s after mshta: late with a 1-second window only.
  const [normal] = analyze(readText("getobject")).chains;
  const [narrow] = analyze(readText("getobject"), { window_seconds: 1 }).chains;
  assert.equal(normal.children[0].late, false);
  assert.equal(narrow.children[0].late, true);
});

test("invalid option values throw an Error naming the option", () => {
  const cases = [
    [{ min_score: 101 }, /min_score/],
    [{ min_score: -1 }, /min_score/],
    [{ window_seconds: 0 }, /window_seconds/],
    [{ max_errors: 100001 }, /max_errors/],
    [{ min_score: "high" }, /invalid type/],
  ];
  for (const [options, pattern] of cases) {
    assert.throws(() => analyze("", options), (e) => e instanceof Error && pattern.test(e.message), JSON.stringify(options));
    assert.throws(() => new Detector(options), (e) => e instanceof Error && pattern.test(e.message), JSON.stringify(options));
  }
  assert.throws(() => analyze("", "not an object"), Error);
  // null and undefined mean the defaults.
  assert.deepEqual(analyze(readText("vbscript"), null), analyze(readText("vbscript")));
});

test("an unknown option key throws an Error naming it", (t) => {
  const stale = staleBuild();
  if (stale) return t.skip(stale);
  assert.throws(() => analyze("", { min_scor: 3 }), (e) => e instanceof Error && /min_scor/.test(e.message));
  assert.throws(() => new Detector({ windw_seconds: 1 }), (e) => e instanceof Error && /windw_seconds/.test(e.message));
  // A key next to valid ones is still caught.
  assert.throws(() => analyze("", { min_score: 10, max_error: 5 }), /max_error\b/);
});

test("an input of another type is a TypeError", () => {
  assert.throws(() => analyze(42), TypeError);
  assert.throws(() => analyze({ EventID: 1 }), TypeError);
  const detector = new Detector();
  assert.throws(() => detector.push(null), TypeError);
  detector.free();
});

test("web.js entry: a clear error before init, then works after initSync", async () => {
  const web = await import("../../pkg/web.js");
  assert.throws(() => web.analyze(""), /init\(\)/);
  assert.throws(() => new web.Detector(), /init\(\)/);
  assert.throws(() => web.version(), /init\(\)/);
  const api = web.initSync(readFileSync(resolve(pkgDir, "dist/web/mshta_chain_bg.wasm")));
  assert.equal(api.analyze, web.analyze);
  assert.equal(web.version(), esm.version());
  const text = readText("vbscript");
  assert.deepEqual(web.analyze(text), analyze(text));
  const detector = new web.Detector();
  detector.push(readBytes("hta"));
  assert.deepEqual(childNames(detector.finish().chains[0]), EXPECTED.hta.children);
  detector.free();
  // init after initSync resolves to the same API without loading again.
  assert.equal(await web.default(), api);
  assert.equal(await web.init(), api);
});
