// Tests of the JS API (pkg/node.mjs, pkg/node.cjs, pkg/web.js) on real
// Windows telemetry (tests/data/realdata, see tests/data/README.md). Needs a
// built package (bash scripts/build.sh).

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
const dataDir = resolve(repo, "tests/data/realdata");
assert.ok(existsSync(dataDir), `real data not found at ${dataDir} (it is part of the repository)`);

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

// What each real export holds (see tests/data/README.md).
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

/** Scenario files whose chains score below the real attacks'. */
const LOW_SCORING = ["benign_vendor_hta_double_click.json", "renamed_mshta_copy.json"];

/** The events of scenario files (tests/scenarios) as JSON Lines. */
function scenarioLines(files) {
  return files
    .flatMap((f) => JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8")).events)
    .map((e) => JSON.stringify(e))
    .join("\n");
}

/**
 * A min_score that splits the given scores into two non-empty groups, taken
 * from the scores themselves (the median distinct score), so the test does
 * not depend on today's point values.
 */
function thresholdBetween(scores) {
  const distinct = [...new Set(scores)].sort((a, b) => a - b);
  assert.ok(distinct.length >= 2, `need chains of at least two scores, got ${distinct.join(", ")}`);
  return distinct[Math.floor(distinct.length / 2)];
}

/** The counts of a push's Update, without its chains. */
const counts = ({ events, accepted, rejected }) => ({ events, accepted, rejected });

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
  // The default export is `init`, as in every runtime; in Node it resolves
  // at once to the ready API.
  assert.equal(esmDefault, esm.init);
  assert.match(esm.version(), /^\d+\.\d+\.\d+/);
  assert.equal(cjs.version(), esm.version());
  const text = readText("vbscript");
  const fromEsm = esm.analyze(text);
  const fromCjs = cjs.analyze(text);
  assert.equal(fromEsm.chains.length, 1);
  assert.deepEqual(fromCjs, fromEsm);
});

test("hostOf: the host key the core files each event under, in ESM and CommonJS", () => {
  const text = readText("vbscript");
  const report = analyze(text);
  const items = lines(text);
  const root = items[report.chains[0].root.event];
  const key = esm.hostOf(root);
  assert.equal(key, report.chains[0].host.toLowerCase());
  // A string, bytes and the parsed object are the same event.
  assert.equal(esm.hostOf(new TextEncoder().encode(root)), key);
  assert.equal(esm.hostOf(JSON.parse(root)), key);
  assert.equal(cjs.hostOf(root), key);
  // Every item a chain names is on the chain's host.
  for (const chain of report.chains) {
    for (const i of [chain.root.event, ...chain.children.map((c) => c.event)]) assert.equal(esm.hostOf(items[i]), chain.host.toLowerCase());
  }
  for (const none of ["", "not json", "{}", "[]", '{"EventID":1}']) assert.equal(esm.hostOf(none), undefined, none);
});

test("Node init and initSync resolve to the ready API", async () => {
  const api = await esm.init();
  assert.equal(api.analyze, esm.analyze);
  assert.equal(api.Detector, esm.Detector);
  assert.equal((await esmDefault()).analyze, esm.analyze);
  assert.equal((await cjs.init()).analyze, cjs.analyze);
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
    // Every recorded attack is worth looking at.
    assert.ok(["high", "critical"].includes(chain.severity), `severity ${chain.severity} (score ${chain.score})`);
    assert.ok(["open", "closed"].includes(chain.status));
    // The export holds the mshta start twice (Sysmon 1 and Security 4688):
    // one process, both sensors, both input indexes.
    assert.deepEqual([...chain.root.sources].sort(), ["security", "sysmon"]);
    assert.equal(chain.root.events.length, 2);
    assert.equal(chain.root.event, chain.root.events[0]);
    assert.equal(report.stats.merged_starts > 0, true);
    assert.ok(Array.isArray(chain.lineage));
    assert.ok(Array.isArray(chain.modules));
    for (const child of chain.children) {
      assert.ok(child.events.includes(child.event), "a child's event is one of its events");
      assert.equal(typeof child.executed_file, "boolean");
    }
    for (const file of chain.files) assert.ok(["created", "run_by_root"].includes(file.relation));
    for (const n of chain.network) {
      assert.ok(n.events.includes(n.event));
      assert.ok(n.sources.length >= 1);
    }
    for (const m of chain.modules) assert.equal(typeof m.path, "string");
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
  // The Sysmon 3 and the Security 5156 of the download are one connection.
  assert.deepEqual([...chain.network[0].sources].sort(), ["security", "sysmon"]);
  assert.equal(chain.network[0].events.length, 2);
  // mshta loaded the script engines that ran the scriptlet.
  const modules = chain.modules.map((m) => base(m.path));
  assert.ok(modules.includes("jscript9.dll") || modules.includes("jscript.dll"), modules.join(", "));
  assert.ok(modules.includes("scrobj.dll"), modules.join(", "));
  // mshta ended about a second after it started.
  assert.ok(chain.root.end_time > chain.root.time, `${chain.root.end_time} after ${chain.root.time}`);
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
    enc.encode('["an", "array"]\n'), // indexes 6 and 7: an array's elements are items, not objects
    enc.encode(good.slice(4).join("\n") + "\n"),
  ]);
  const report = analyze(input);
  assert.equal(report.stats.events, good.length + 4);
  assert.equal(report.stats.rejected, 5);
  assert.equal(report.stats.accepted, report.stats.events - 5);
  assert.deepEqual(report.errors.map((e) => e.index), [3, 4, 5, 6, 7]);
  assert.match(report.errors[0].reason, /unicode|utf-?8/i);
  assert.match(report.errors[1].reason, /JSON/);
  assert.match(report.errors[2].reason, /not a JSON object/);
  assert.match(report.errors[3].reason, /not a JSON object/);
  assert.match(report.errors[4].reason, /not a JSON object/);
  // The chain is still found, with the same identity and descendants.
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].id, clean.chains[0].id);
  assert.deepEqual(childNames(report.chains[0]), ["calc.exe"]);
  // Evidence indexes after the inserted items moved by 4.
  assert.equal(report.chains[0].root.event, clean.chains[0].root.event + 4);
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
    assert.deepEqual(counts(first), { events: cut, accepted: cut, rejected: 0 });
    assert.deepEqual(counts(second), { events: all.length - cut, accepted: all.length - cut, rejected: 0 });
    assert.deepEqual(Object.keys(first).sort(), ["accepted", "chains", "events", "rejected", "retracted"]);
    for (const update of [first, second]) assert.deepEqual(update.retracted, [], "one sensor only: no chain is merged away");
    for (const update of [first, second]) {
      for (const chain of update.chains) assert.ok(Number.isInteger(chain.version) && chain.version >= 1);
    }
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
  assert.deepEqual(d2.push("oops\n{}\n"), { events: 2, accepted: 0, rejected: 2, chains: [], retracted: [] });
  assert.deepEqual(d2.finish().errors.map((e) => e.index), [lines(readText("getobject")).length, lines(readText("getobject")).length + 1]);
  d2.free();
});

test("options: min_score filters, window_seconds marks late activity", () => {
  // The three attacks all score high; two scenario events (a vendor HTA
  // opened from Explorer, a renamed mshta copy) add lower-scoring chains.
  const text = [...["getobject", "vbscript", "hta"].map(readText), scenarioLines(LOW_SCORING)].join("\n");
  const all = analyze(text);
  const threshold = thresholdBetween(all.chains.map((c) => c.score));
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
    [{ lateness_seconds: 604801 }, /lateness_seconds/],
    [{ max_processes: 99 }, /max_processes/],
    [{ max_activity: 99 }, /max_activity/],
    [{ max_chains: 0 }, /max_chains/],
    [{ max_item_bytes: 1023 }, /max_item_bytes/],
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
  assert.deepEqual(lines(text).map(web.hostOf), lines(text).map(esm.hostOf));
  const detector = new web.Detector();
  detector.push(readBytes("hta"));
  assert.deepEqual(childNames(detector.finish().chains[0]), EXPECTED.hta.children);
  detector.free();
  // init after initSync resolves to the same API without loading again.
  assert.equal(await web.default(), api);
  assert.equal(await web.init(), api);
});

test("coverage: per host and overall, a verdict for each need; inventory: one group per mshta shape", () => {
  const report = analyze(["getobject", "vbscript", "hta"].map(readText).join("\n"));
  const { overall, hosts } = report.coverage;
  assert.equal(overall.host, "*");
  assert.deepEqual(hosts.map((h) => h.host), ["workstation5"]);
  const needs = ["process_command_lines", "parent_lineage", "file_creation", "network", "dns"];
  for (const coverage of [overall, ...hosts]) {
    assert.deepEqual(coverage.verdicts.map((v) => v.need).sort(), [...needs].sort());
    for (const v of coverage.verdicts) assert.ok(["ok", "partial", "missing"].includes(v.status));
    assert.equal(coverage.verdicts.find((v) => v.need === "process_command_lines").status, "ok");
    assert.ok(coverage.empty_command_line_share >= 0 && coverage.empty_command_line_share <= 1);
  }
  assert.equal(overall.process_starts, report.stats.processes);
  assert.deepEqual(Object.keys(overall.sources).sort(), Object.keys(report.stats.by_schema).filter((k) => !k.startsWith("windows_other")).sort());
  // Three different invocations, each once, each with its chain's score.
  assert.equal(report.inventory.length, 3);
  for (const entry of report.inventory) {
    assert.equal(entry.count, 1);
    assert.deepEqual(entry.host_names, ["workstation5"]);
    assert.match(entry.shape, /^mshta /);
    const chain = report.chains.find((c) => c.root.command_line === entry.example);
    assert.ok(chain, `a chain runs ${entry.example}`);
    assert.equal(entry.max_score, chain.score);
    assert.equal(entry.first_seen, chain.root.time);
  }
  // An empty input: nothing covered.
  assert.deepEqual(analyze("").inventory, []);
});

test("tuning: weights, allowlists and a baseline show as reasons; bad ones throw naming them", () => {
  const text = readText("vbscript");
  const [chain] = analyze(text).chains;
  const report = analyze(text);
  // A weight replaces a reason's points.
  const [first] = chain.reasons.filter((r) => r.points > 0 && r.id !== "mshta_execution");
  const reweighted = analyze(text, { weights: { [first.id]: 0 } }).chains[0];
  assert.equal(reweighted.reasons.find((r) => r.id === first.id).points, 0);
  // An allowlisted host is a visible negative reason, not a dropped chain.
  const allowed = analyze(text, { allow: { hosts: [chain.host] } }).chains[0];
  const allowReason = allowed.reasons.find((r) => r.id === "allowlisted_host");
  assert.ok(allowReason && allowReason.points < 0, JSON.stringify(allowed.reasons));
  // A baseline made from the inventory marks the invocation as known.
  const baseline = report.inventory.map(({ shape, parent, count, hosts }) => ({ shape, parent, count, hosts }));
  const known = analyze(text, { baseline }).chains[0];
  const knownReason = known.reasons.find((r) => r.id === "baseline_known");
  assert.ok(knownReason && knownReason.points < 0, JSON.stringify(known.reasons));
  assert.deepEqual(knownReason.events, chain.root.events);
  // Mistakes name what is wrong.
  assert.throws(() => analyze(text, { weights: { no_such_reason: 5 } }), /no_such_reason/);
  assert.throws(() => analyze(text, { allow: { command_lines: ["(unclosed"] } }), /\(unclosed/);
  assert.throws(() => analyze(text, { allow: { networks: ["10.0.0.0/33"] } }), /10\.0\.0\.0\/33/);
  assert.throws(() => new Detector({ allow: { netwrks: [] } }), /netwrks/);
});

// ---------------------------------------------------------------------------
// Streaming: Update versions, report(), snapshots, arbitrary batch cuts.

/** A small deterministic PRNG (mulberry32), so every run cuts the same way. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pushes `bytes` cut at `cuts` (sorted byte offsets) into a new Detector; returns it and the Updates. */
function pushCut(bytes, cuts, options) {
  const detector = new Detector(options);
  const updates = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    updates.push(detector.push(bytes.subarray(at, cut)));
    at = cut;
  }
  return { detector, updates };
}

/** `n` distinct random cut offsets in 1..length-1, sorted. */
function randomCuts(random, length, n) {
  const cuts = new Set();
  while (cuts.size < n) cuts.add(1 + Math.floor(random() * (length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

const ALL_ATTACKS = () => concatBytes(["getobject", "vbscript", "hta"].map(readBytes));

test("push returns an Update whose chain versions go up by one at each change", () => {
  const all = lines(readText("vbscript"));
  const detector = new Detector();
  const history = new Map(); // chain id -> its updates, in order
  const per = Math.ceil(all.length / 12);
  for (let i = 0; i < all.length; i += per) {
    const update = detector.push(all.slice(i, i + per).join("\n") + "\n");
    assert.equal(update.events, Math.min(per, all.length - i));
    const ids = update.chains.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, "a chain appears at most once per update");
    for (const chain of update.chains) {
      const seen = history.get(chain.id) ?? [];
      assert.equal(chain.version, seen.length + 1, `${chain.id}: versions 1, 2, 3, ... in order`);
      if (seen.length > 0) {
        const { version: _a, ...before } = seen.at(-1);
        const { version: _b, ...after } = chain;
        assert.notDeepEqual(after, before, "a chain is reported again only when it changed");
      }
      seen.push(chain);
      history.set(chain.id, seen);
    }
  }
  assert.ok([...history.values()].some((h) => h.length >= 2), "the chain changed after it first appeared");
  // A batch that changes nothing reports no chain.
  assert.deepEqual(detector.push(""), { events: 0, accepted: 0, rejected: 0, chains: [], retracted: [] });
  // The last version of each chain is the chain in the report.
  const report = detector.finish();
  assert.equal(report.chains.length, 1);
  for (const chain of report.chains) {
    const { version, ...last } = history.get(chain.id).at(-1);
    assert.ok(version >= 2);
    assert.deepEqual(last, chain);
  }
  detector.free();
});

test("report() does not end the stream; finish() reads the unfinished line", () => {
  const text = readText("getobject");
  const bytes = new TextEncoder().encode(text);
  const cut = text.indexOf("\n", Math.floor(text.length / 2)) - 25; // inside a line
  const detector = new Detector();
  detector.push(bytes.subarray(0, cut));
  const early = detector.report();
  assert.match(early.warnings.join(" "), /unfinished JSON line/);
  assert.deepEqual(detector.report(), early, "report() changes nothing");
  detector.push(bytes.subarray(cut));
  const final = detector.finish();
  assert.deepEqual(final, analyze(text));
  assert.ok(final.stats.events > early.stats.events);
  assert.deepEqual(detector.report(), final);
  detector.free();
  // finish() reads a last line without its newline.
  const d = new Detector();
  d.push(lines(text).slice(0, 10).join("\n") + "\n" + lines(text)[10].slice(0, 40));
  assert.equal(d.report().stats.events, 10);
  const r = d.finish();
  assert.equal(r.stats.events, 11);
  assert.equal(r.stats.rejected, 1, "the cut line is read, and rejected");
  d.free();
});

test("snapshot in one Detector, restore, continue: finish equals one Detector fed everything", () => {
  const bytes = ALL_ATTACKS();
  const whole = analyze(bytes);
  assert.equal(whole.chains.length, 3);
  const text = new TextDecoder().decode(bytes);
  // Cuts at line ends and inside lines (the unfinished line travels in the snapshot).
  const cuts = [0.25, 0.5, 0.75].flatMap((f) => {
    const nl = text.indexOf("\n", Math.floor(text.length * f));
    return [nl + 1, nl - 100];
  });
  for (const cut of cuts) {
    const first = new Detector();
    first.push(bytes.subarray(0, cut));
    const snapshot = first.snapshot();
    assert.ok(snapshot instanceof Uint8Array && snapshot.length > 0);
    const restored = Detector.restore(snapshot);
    assert.deepEqual(restored.report(), first.report(), "the restored detector has the same state");
    assert.deepEqual(restored.snapshot(), snapshot, "a snapshot is deterministic");
    restored.push(bytes.subarray(cut));
    const continued = restored.finish();
    // One Detector fed the same batches without a snapshot.
    first.push(bytes.subarray(cut));
    assert.deepEqual(continued, first.finish(), `cut at ${cut}`);
    assert.deepEqual(continued, whole, `cut at ${cut}`);
    // A snapshot can be restored more than once, by either entry.
    const again = cjs.Detector.restore(snapshot);
    again.push(bytes.subarray(cut));
    assert.deepEqual(again.finish(), whole);
    for (const d of [first, restored, again]) d.free();
  }
});

test("Detector.restore continues with the snapshot's config, or the options given; a snapshot of a fresh Detector restores", () => {
  const text = [readText("vbscript"), scenarioLines(LOW_SCORING)].join("\n");
  const all = analyze(text);
  const threshold = thresholdBetween(all.chains.map((c) => c.score));
  const first = new Detector();
  first.push(text);
  const filtered = Detector.restore(first.snapshot(), { min_score: threshold }).finish();
  assert.deepEqual(filtered, analyze(text, { min_score: threshold }));
  assert.ok(filtered.stats.chains_below_min_score > 0);
  assert.throws(() => Detector.restore(first.snapshot(), { min_score: 300 }), /min_score/);
  first.free();
  // Without options, the restored detector keeps the config the snapshot was taken with.
  const tuned = new Detector({ min_score: threshold });
  const half = Math.floor(text.length / 2);
  tuned.push(text.slice(0, half));
  const kept = Detector.restore(tuned.snapshot());
  kept.push(text.slice(half));
  assert.deepEqual(kept.finish(), analyze(text, { min_score: threshold }));
  // With options, those replace it.
  const replaced = Detector.restore(tuned.snapshot(), {});
  replaced.push(text.slice(half));
  assert.deepEqual(replaced.finish(), all);
  for (const d of [tuned, kept, replaced]) d.free();
  const empty = Detector.restore(new Detector().snapshot());
  empty.push(readBytes("hta"));
  assert.deepEqual(empty.finish(), analyze(readBytes("hta")));
});

test("a corrupted, truncated or foreign snapshot throws a clear Error", () => {
  const detector = new Detector();
  detector.push(readBytes("getobject"));
  const snapshot = detector.snapshot();
  detector.free();
  const rejects = (bytes, pattern, what) =>
    assert.throws(
      () => Detector.restore(bytes),
      (e) => e instanceof Error && /snapshot/.test(e.message) && pattern.test(e.message),
      what,
    );
  // Flip each byte (header, payload and checksum alike).
  for (let i = 0; i < snapshot.length; i++) {
    const bad = snapshot.slice();
    bad[i] ^= i % 2 ? 0xff : 0x01;
    assert.throws(() => Detector.restore(bad), (e) => e instanceof Error && /snapshot/.test(e.message), `byte ${i} flipped`);
  }
  const payloadByte = snapshot.slice();
  payloadByte[Math.floor(snapshot.length / 2)] ^= 0x20;
  rejects(payloadByte, /corrupt/i, "payload byte flipped");
  // Truncated anywhere.
  for (const n of [snapshot.length - 1, snapshot.length - 8, Math.floor(snapshot.length / 2), 14, 6, 5]) {
    rejects(snapshot.subarray(0, n), /truncated/i, `first ${n} bytes`);
  }
  const longer = new Uint8Array(snapshot.length + 3);
  longer.set(snapshot);
  rejects(longer, /corrupt|trailing/i, "trailing bytes");
  // Not a snapshot at all.
  rejects(new Uint8Array(0), /not an mshta-chain snapshot/, "empty");
  rejects(readBytes("vbscript"), /not an mshta-chain snapshot/, "a JSON Lines file");
  rejects(new Uint8Array(readFileSync(resolve(pkgDir, "dist/web/mshta_chain_bg.wasm"))), /not an mshta-chain snapshot/, "a .wasm file");
  const otherVersion = snapshot.slice();
  otherVersion[4] += 1;
  rejects(otherVersion, /version/, "another format version");
  // The good snapshot still restores, and a bad one left nothing behind.
  const ok = Detector.restore(snapshot);
  assert.equal(ok.finish().chains[0].root.pid, EXPECTED.getobject.pid);
  ok.free();
});

test("JSON Lines pushed in pieces cut at arbitrary byte offsets (mid-line, mid-UTF-8) give the one-push report", () => {
  const random = prng(0x5eed);
  // The vbscript export with a non-ASCII user name (2- and 4-byte UTF-8
  // sequences), so that cuts also fall inside a character; and the benign log.
  const vb = new TextEncoder().encode(readText("vbscript").replaceAll("wardog", "wärdög\u{1F600}"));
  const inputs = { vbscript: vb, benign: readBytes("benign") };
  const expectedVb = analyze(vb);
  assert.equal(expectedVb.chains[0].root.user, "WORKSTATION5\\wärdög\u{1F600}");
  for (const [name, bytes] of Object.entries(inputs)) {
    const whole = analyze(bytes);
    // Two pieces, cut at random offsets.
    for (const cuts of Array.from({ length: 6 }, () => randomCuts(random, bytes.length, 1))) {
      const { detector } = pushCut(bytes, cuts);
      assert.deepEqual(detector.finish(), whole, `${name} cut at ${cuts}`);
      detector.free();
    }
    // Many pieces, cut at random offsets.
    for (const n of [7, 60, 400]) {
      const cuts = randomCuts(random, bytes.length, n);
      const { detector, updates } = pushCut(bytes, cuts);
      assert.equal(updates.reduce((sum, u) => sum + u.events, 0), whole.stats.events);
      assert.deepEqual(detector.finish(), whole, `${name} in ${n + 1} pieces`);
      detector.free();
    }
  }
  // Every offset through one multi-byte character and the line end after it.
  const at = vb.indexOf(0xf0); // first byte of the emoji
  const lineEnd = vb.indexOf(0x0a, at);
  for (const cut of [at - 2, at - 1, at, at + 1, at + 2, at + 3, at + 4, lineEnd - 1, lineEnd, lineEnd + 1, lineEnd + 2]) {
    const { detector } = pushCut(vb, [cut]);
    assert.deepEqual(detector.finish(), expectedVb, `cut at byte ${cut}`);
    detector.free();
  }
  // One byte at a time across a line boundary, then the rest.
  const from = vb.indexOf(0x0a, 5000) - 3;
  const { detector } = pushCut(vb, Array.from({ length: 10 }, (_, i) => from + i));
  assert.deepEqual(detector.finish(), expectedVb);
  detector.free();
});

test("free(): every later call throws 'this Detector was freed'; free is idempotent", () => {
  const detector = new Detector();
  detector.push(readBytes("getobject"));
  detector.free();
  detector.free();
  for (const [name, call] of [
    ["push", () => detector.push("{}\n")],
    ["finish", () => detector.finish()],
    ["report", () => detector.report()],
    ["snapshot", () => detector.snapshot()],
  ]) {
    assert.throws(call, (e) => e instanceof Error && /this Detector was freed/.test(e.message), name);
  }
});

// Regressions of core bugs (formerly `todo` tests): batch cuts between a
// Security 4688 and its Sysmon 1, a broken first line, a BOM before an
// array, an over-long line cut across pushes, and a chain id that changed
// when a second sensor's report of the root arrived.

test("batch boundaries do not change the report (a Security 4688 and its Sysmon 1 in different batches)", () => {
  for (const [name, bytes, size] of [
    ["getobject", readBytes("getobject"), 64 * 1024],
    ["hta", readBytes("hta"), 4096],
    ["sample", new Uint8Array(readFileSync(resolve(repo, "tests/data/sample.jsonl"))), 16 * 1024],
  ]) {
    const cuts = [];
    for (let at = size; at < bytes.length; at += size) cuts.push(at);
    const { detector } = pushCut(bytes, cuts);
    const streamed = detector.finish();
    detector.free();
    const whole = analyze(bytes);
    assert.deepEqual(
      streamed.chains.map((c) => [c.id, c.root.pid, c.root.sources.join("+")]),
      whole.chains.map((c) => [c.id, c.root.pid, c.root.sources.join("+")]),
      `${name} in ${size}-byte batches`,
    );
    assert.ok(whole.chains.every((c) => c.root.sources.length === 2), `${name}: both sensors in one process`);
  }
});

test("a chain first seen through one sensor and merged when the other's report arrives: the old id is retracted", () => {
  for (const name of ["getobject", "vbscript", "hta"]) {
    const all = lines(readText(name));
    const isSecurity = (line) => JSON.parse(line).Channel === "Security";
    // The Security log first (4688 without a process GUID), then Sysmon.
    const security = all.filter(isSecurity);
    const sysmon = all.filter((line) => !isSecurity(line));
    const detector = new Detector();
    const first = detector.push(security.join("\n") + "\n");
    assert.equal(first.chains.length, 1, `${name}: the Security-only chain is announced`);
    const [early] = first.chains;
    assert.deepEqual(early.root.sources, ["security"]);
    assert.deepEqual(first.retracted, []);
    const second = detector.push(sysmon.join("\n") + "\n");
    const report = detector.finish();
    detector.free();
    // The merged chain has both sensors and the id analyze gives it.
    const whole = analyze([...security, ...sysmon].join("\n"));
    assert.equal(report.chains.length, 1);
    assert.deepEqual(report.chains.map((c) => c.id), whole.chains.map((c) => c.id));
    const [merged] = report.chains;
    assert.deepEqual([...merged.root.sources].sort(), ["security", "sysmon"]);
    assert.equal(merged.root.pid, EXPECTED[name].pid);
    // The early id changed: it is retracted, the merged chain announced.
    assert.notEqual(merged.id, early.id);
    assert.deepEqual(second.retracted, [early.id], `${name}: the Security-only chain is retracted`);
    assert.deepEqual(second.chains.map((c) => c.id), [merged.id]);
    assert.ok(!report.chains.some((c) => c.id === early.id), "the retracted chain is not in the report");
  }
});

test("a malformed first line does not swallow the rest of the input", () => {
  const text = readText("hta");
  const report = analyze("{broken\n" + text);
  assert.equal(report.stats.events, lines(text).length + 1);
  assert.deepEqual(report.errors.map((e) => e.index), [0]);
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].root.pid, EXPECTED.hta.pid);
  // The same through a Detector, the broken line alone in the first push.
  const detector = new Detector();
  detector.push("{broken\n");
  detector.push(text);
  assert.deepEqual(detector.finish(), report);
  detector.free();
});

test("a UTF-8 BOM followed by whitespace before a JSON array is skipped like whitespace", () => {
  const objects = lines(readText("vbscript")).map((line) => JSON.parse(line));
  const expected = analyze(objects);
  for (const text of ["\ufeff  " + JSON.stringify(objects, null, 2), "\ufeff\n" + JSON.stringify(objects)]) {
    assert.deepEqual(analyze(text), expected);
    assert.deepEqual(analyze(new TextEncoder().encode(text)), expected);
  }
});

test("a line longer than max_item_bytes cut across pushes is one rejected item", () => {
  const long = JSON.stringify({ EventID: 1, padding: "a".repeat(3000) }) + "\n";
  // Lines of the export short enough to be accepted.
  const tail = lines(readText("vbscript")).filter((l) => l.length < 2000).slice(0, 50).join("\n") + "\n";
  const whole = analyze(long + tail, { max_item_bytes: 2048 });
  assert.equal(whole.stats.events, 51);
  assert.equal(whole.stats.rejected, 1);
  assert.deepEqual(whole.errors.map((e) => e.index), [0]);
  for (const cut of [100, 2047, 2049, 2500, long.length - 1]) {
    const detector = new Detector({ max_item_bytes: 2048 });
    detector.push(long.slice(0, cut));
    detector.push(long.slice(cut) + tail);
    const streamed = detector.finish();
    detector.free();
    assert.equal(streamed.stats.events, 51, `cut at ${cut}`);
    assert.equal(streamed.stats.rejected, 1, `cut at ${cut}`);
    assert.deepEqual(streamed.errors.map((e) => e.index), [0]);
    assert.match(streamed.errors[0].reason, /longer than max_item_bytes \(2048\)/);
    // Everything but the wording of the error is the one-push report.
    const strip = (r) => ({ ...r, errors: r.errors.map(({ index }) => index) });
    assert.deepEqual(strip(streamed), strip(whole), `cut at ${cut}`);
  }
});

test("setSource: evidence and errors name their file; evtx_dump records give record_id", () => {
  const start = (record, pid) =>
    JSON.stringify({
      Event: {
        System: {
          Provider: { "#attributes": { Name: "Microsoft-Windows-Sysmon" } },
          EventID: 1,
          EventRecordID: record,
          Channel: "Microsoft-Windows-Sysmon/Operational",
          Computer: "PC1",
          TimeCreated: { "#attributes": { SystemTime: "2024-05-01T10:00:00.000Z" } },
        },
        EventData: {
          UtcTime: "2024-05-01 10:00:00.000",
          ProcessId: pid,
          Image: "C:\\Windows\\System32\\mshta.exe",
          CommandLine: "mshta.exe https://example.test/a.hta",
          ParentImage: "C:\\Windows\\explorer.exe",
        },
      },
    }) + "\n";
  const detector = new esm.Detector();
  detector.setSource("C:\\logs\\a.evtx");
  detector.push(start(1742, 100));
  detector.setSource("b.xml");
  detector.push("not json\n" + start(17, 200));
  detector.setSource(null);
  detector.push("still not json\n");
  assert.throws(() => detector.setSource(42), TypeError);
  const report = detector.finish();
  detector.free();
  const byPid = Object.fromEntries(report.chains.map((c) => [c.root.pid, c.root]));
  assert.equal(byPid[100].file, "C:\\logs\\a.evtx");
  assert.equal(byPid[100].record_id, 1742);
  assert.equal(byPid[200].file, "b.xml");
  assert.equal(byPid[200].record_id, 17);
  assert.deepEqual(report.errors.map((e) => [e.index, e.file]), [[1, "b.xml"], [3, undefined]]);
});

test("a string whose UTF-8 is longer than it (2-, 3- and 4-byte characters, a lone surrogate) gives the report of its bytes", () => {
  // The string is encoded into a buffer sized for ASCII first and grown as
  // the text needs: the growth must neither drop nor split a character.
  const many = "\u00e4\u4e2d\u{1F600}".repeat(5000); // 45,000 UTF-8 bytes in 20,000 UTF-16 units
  const text = readText("vbscript").replaceAll("wardog", `w${many}d\ud800g`);
  const bytes = new TextEncoder().encode(text);
  assert.ok(bytes.length > text.length + 1024 * 16, "the UTF-8 form is much longer than the string");
  const fromBytes = analyze(bytes);
  assert.ok(fromBytes.chains[0].root.user.includes(many));
  assert.deepEqual(analyze(text), fromBytes);
  // Pushes reuse the buffer: a short ASCII batch after the long one, then the long one again.
  const detector = new Detector();
  detector.push(readText("benign").slice(0, 2000).replace(/[^\n]*$/, ""));
  detector.push(text);
  const twice = new Detector();
  twice.push(new TextEncoder().encode(readText("benign").slice(0, 2000).replace(/[^\n]*$/, "")));
  twice.push(bytes);
  assert.deepEqual(detector.finish(), twice.finish());
  detector.free();
  twice.free();
});
