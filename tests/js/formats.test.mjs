// Tests of the SOC output formats (mshta-chain/formats, written by the core: OCSF 1.8.0 Detection
// Findings and ECS alerts) on reports of real Windows telemetry, and of the
// CLI's --format ocsf|ecs|ocsf-ndjson|ecs-ndjson. Needs a built package; the
// real data is tests/data/realdata.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { analyze, Detector, formatReport } from "../../pkg/node.mjs";
import { ECS_VERSION, OCSF_VERSION, PRODUCT_VERSION, ocsfSeverityId, toEcs, toOcsf } from "../../pkg/src/formats.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const pkgDir = resolve(repo, "pkg");
const cliPath = resolve(pkgDir, "bin/mshta-chain.mjs");
const dataDir = resolve(repo, "tests/data/realdata");
assert.ok(existsSync(dataDir), `real data not found at ${dataDir} (it is part of the repository)`);

const pkg = JSON.parse(readFileSync(resolve(pkgDir, "package.json"), "utf8"));
const EXPORTS = {
  getobject: resolve(dataDir, "otrf/cmd_mshta_javascript_getobject_sct.jsonl"),
  vbscript: resolve(dataDir, "otrf/cmd_mshta_vbscript_execute_psh.jsonl"),
  hta: resolve(dataDir, "otrf/psh_mshta_html_application_execution.jsonl"),
};
const reportOf = (name) => analyze(readFileSync(EXPORTS[name]));
const SEVERITIES = ["informational", "low", "medium", "high", "critical"];

const isInt = (v) => Number.isInteger(v);
const isString = (v) => typeof v === "string" && v.length > 0;
const isStringArray = (v) => Array.isArray(v) && v.length > 0 && v.every(isString);

/** Paths of null/undefined values or non-finite numbers in `value`, outside the subtrees named in `skip`. */
function badValues(value, skip = [], path = "$") {
  if (skip.includes(path)) return [];
  if (value === null || value === undefined) return [path];
  if (typeof value === "number" && !Number.isFinite(value)) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => badValues(v, skip, `${path}[${i}]`));
  if (typeof value === "object") return Object.entries(value).flatMap(([k, v]) => badValues(v, skip, `${path}.${k}`));
  return [];
}

/** Every input index a chain cites (start events, activity, reasons). */
function chainIndexes(chain) {
  const out = new Set([...chain.root.events]);
  for (const c of chain.children) for (const i of c.events) out.add(i);
  for (const n of chain.network) for (const i of n.events) out.add(i);
  for (const key of ["files", "dns", "modules"]) for (const item of chain[key]) out.add(item.event);
  for (const r of chain.reasons) for (const i of r.events) out.add(i);
  return [...out].sort((a, b) => a - b);
}

function run(args) {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.error, undefined);
  assert.equal(result.stderr, "", `stderr of ${args.join(" ")}`);
  assert.equal(result.status, 0);
  return result.stdout;
}

for (const name of Object.keys(EXPORTS)) {
  test(`OCSF: real export ${name}: one Detection Finding with the required fields, typed right, and the chain's evidence`, () => {
    const report = reportOf(name);
    const [chain] = report.chains;
    const findings = toOcsf(report);
    assert.equal(findings.length, 1);
    const [f] = findings;
    // Required (OCSF 1.8.0 Detection Finding, class 2004).
    assert.equal(f.class_uid, 2004);
    assert.equal(f.category_uid, 2);
    assert.equal(f.activity_id, 1);
    assert.equal(f.type_uid, 200401);
    assert.equal(f.type_uid, f.class_uid * 100 + f.activity_id);
    assert.equal(f.severity_id, SEVERITIES.indexOf(chain.severity) + 1);
    assert.ok(isInt(f.severity_id) && f.severity_id >= 1 && f.severity_id <= 5);
    assert.ok(isInt(f.time));
    assert.equal(f.time, Date.parse(chain.root.time), "time: epoch ms of the root's start");
    assert.equal(f.metadata.version, "1.8.0");
    assert.equal(f.metadata.version, OCSF_VERSION);
    assert.deepEqual(f.metadata.product, { name: "mshta-chain", vendor_name: "mshta-chain", version: pkg.version });
    assert.equal(f.finding_info.uid, chain.id);
    // Recommended and optional.
    assert.ok(isString(f.finding_info.title) && f.finding_info.title.includes(chain.host));
    assert.ok(isString(f.finding_info.desc) && f.finding_info.desc.includes(chain.root.command_line));
    assert.deepEqual(
      { uid: f.finding_info.analytic.uid, type_id: f.finding_info.analytic.type_id },
      { uid: "AN1397", type_id: 1 },
    );
    assert.ok(isString(f.finding_info.analytic.name));
    assert.deepEqual(f.finding_info.attacks, [
      { technique: { uid: "T1218.005", name: "Mshta" }, tactic: { uid: "TA0005", name: "Defense Evasion" } },
    ]);
    const { first_seen_time: first, last_seen_time: last } = f.finding_info;
    assert.ok(isInt(first) && isInt(last) && first <= f.time && f.time <= last, `${first} <= ${f.time} <= ${last}`);
    const related = f.finding_info.related_events;
    assert.ok(related.every((e) => isString(e.uid) && (e.type_uid === undefined || isInt(e.type_uid))));
    assert.deepEqual(related.map((e) => Number(e.uid)), chainIndexes(chain), "related_events: every input index of the chain");
    for (const i of chain.root.events) assert.equal(related.find((e) => e.uid === String(i)).type_uid, 100701);
    assert.equal(f.risk_score, chain.score);
    assert.ok(isInt(f.risk_score));
    assert.equal(f.device.hostname, chain.host);
    assert.equal(f.is_alert, true, "a high or critical chain is an alert");
    assert.deepEqual(f.unmapped.reasons, chain.reasons);

    // Evidence: the root (with its parent), each child, connection, DNS query, file and module.
    const ev = f.evidences;
    const expectedCount = 1 + chain.children.length + chain.network.length + chain.dns.length + chain.files.length + chain.modules.length;
    assert.equal(ev.length, expectedCount);
    const kinds = (kind) => ev.filter((e) => e.data.kind === kind);
    assert.equal(kinds("root").length, 1);
    assert.equal(kinds("child").length, chain.children.length);
    assert.equal(kinds("network").length, chain.network.length);
    assert.equal(kinds("dns").length, chain.dns.length);
    assert.equal(kinds("file").length, chain.files.length);
    assert.equal(kinds("module").length, chain.modules.length);
    const [root] = kinds("root");
    assert.equal(root, ev[0], "the root comes first");
    assert.equal(root.process.pid, chain.root.pid);
    assert.equal(root.process.uid, chain.root.process_guid);
    assert.equal(root.process.cmd_line, chain.root.command_line);
    assert.equal(root.process.file.path, chain.root.image);
    assert.equal(root.process.name, "mshta.exe");
    assert.equal(root.process.created_time, f.time);
    assert.equal(root.process.parent_process.pid, chain.root.parent.pid);
    assert.equal(root.process.parent_process.file.path, chain.root.parent.image);
    assert.deepEqual(root.process.user, { domain: "WORKSTATION5", name: "wardog" });
    assert.deepEqual(kinds("child").map((e) => [e.process.pid, e.process.file.path, e.process.parent_process.pid]),
      chain.children.map((c) => [c.pid, c.image, c.parent_pid]));
    assert.deepEqual(kinds("network").map((e) => [e.dst_endpoint.ip, e.dst_endpoint.port, e.src_endpoint.ip, e.connection_info.direction_id]),
      chain.network.map((n) => [n.dst_ip, n.dst_port, n.src_ip, n.direction === "outbound" ? 2 : n.direction === "inbound" ? 1 : 0]));
    assert.deepEqual(kinds("dns").map((e) => e.query.hostname), chain.dns.map((d) => d.query));
    assert.deepEqual(kinds("file").map((e) => [e.file.path, e.file.type_id, e.data.relation]), chain.files.map((x) => [x.path, 1, x.relation]));
    // Each evidence carries at least one OCSF evidence attribute.
    for (const e of ev) assert.ok(["process", "file", "query", "dst_endpoint", "actor"].some((k) => k in e), JSON.stringify(e));
    // Plain JSON, and no nulls outside `unmapped` (fields without a value are left out).
    assert.deepEqual(JSON.parse(JSON.stringify(findings)), findings);
    assert.deepEqual(badValues(f, ["$.unmapped"]), []);
  });

  test(`ECS: real export ${name}: one alert document with the required fields, typed right, and the whole chain`, () => {
    const report = reportOf(name);
    const [chain] = report.chains;
    const alerts = toEcs(report);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a["@timestamp"], chain.root.time);
    assert.equal(a.ecs.version, ECS_VERSION);
    assert.equal(a.event.kind, "alert");
    assert.deepEqual(a.event.category, ["process"]);
    assert.deepEqual(a.event.type, ["start"]);
    assert.equal(a.event.severity, SEVERITIES.indexOf(chain.severity) + 1);
    assert.equal(a.event.risk_score, chain.score);
    assert.equal(a.event.id, chain.id);
    assert.ok(a.event.start <= a["@timestamp"] && a["@timestamp"] <= a.event.end);
    assert.equal(a.rule.id, "AN1397");
    for (const key of ["name", "description", "reference"]) assert.ok(isString(a.rule[key]), `rule.${key}`);
    assert.equal(a.rule.reference, "https://attack.mitre.org/techniques/T1218/005/");
    assert.equal(a.rule.version, pkg.version);
    assert.equal(a.threat.framework, "MITRE ATT&CK");
    assert.deepEqual(a.threat.technique.id, ["T1218"]);
    assert.ok(isStringArray(a.threat.technique.name) && isStringArray(a.threat.technique.reference));
    assert.deepEqual(a.threat.technique.subtechnique.id, ["T1218.005"]);
    assert.deepEqual(a.threat.technique.subtechnique.name, ["Mshta"]);
    assert.deepEqual(a.threat.technique.subtechnique.reference, ["https://attack.mitre.org/techniques/T1218/005/"]);
    assert.deepEqual(a.threat.tactic.id, ["TA0005"]);
    assert.deepEqual(a.threat.tactic.name, ["Defense Evasion"]);
    assert.equal(a.host.name, chain.host.toLowerCase());
    assert.equal(a.process.pid, chain.root.pid);
    assert.ok(isInt(a.process.pid));
    assert.equal(a.process.entity_id, chain.root.process_guid);
    assert.equal(a.process.executable, chain.root.image);
    assert.equal(a.process.name, "mshta.exe");
    assert.equal(a.process.command_line, chain.root.command_line);
    assert.equal(a.process.start, chain.root.time);
    assert.equal(a.process.parent.pid, chain.root.parent.pid);
    assert.equal(a.process.parent.executable, chain.root.parent.image);
    assert.equal(a.process.parent.name, chain.root.parent.image.split("\\").pop());
    assert.deepEqual(a.user, { domain: "WORKSTATION5", name: "wardog" });
    assert.ok(isString(a.message) && a.message.includes(chain.root.command_line));
    // Nothing of the chain is lost.
    for (const key of ["children", "network", "dns", "files", "modules", "reasons", "lineage"]) {
      assert.deepEqual(a.mshta_chain[key], chain[key], `mshta_chain.${key}`);
    }
    assert.equal(a.mshta_chain.id, chain.id);
    assert.deepEqual(a.mshta_chain.root.events, chain.root.events);
    assert.deepEqual(JSON.parse(JSON.stringify(alerts)), alerts);
    assert.deepEqual(badValues(a, ["$.mshta_chain"]), []);
  });
}

test("severity mapping: informational..critical -> OCSF severity_id 1..5 and ECS event.severity 1..5", () => {
  const [chain] = reportOf("vbscript").chains;
  const bands = [
    ["informational", 10, 1, "Informational", false],
    ["low", 30, 2, "Low", false],
    ["medium", 60, 3, "Medium", true],
    ["high", 80, 4, "High", true],
    ["critical", 95, 5, "Critical", true],
  ];
  for (const [severity, score, id, name, alert] of bands) {
    const report = { chains: [{ ...chain, severity, score }] };
    const [f] = toOcsf(report);
    assert.equal(f.severity_id, id, severity);
    assert.equal(f.severity, name);
    assert.equal(f.risk_level_id, id - 1);
    assert.equal(f.is_alert, alert);
    assert.equal(f.risk_score, score);
    const [a] = toEcs(report);
    assert.equal(a.event.severity, id);
    assert.equal(a.event.risk_score, score);
    assert.equal(ocsfSeverityId(severity), id);
  }
  assert.equal(ocsfSeverityId("severe"), 0);
  // Severity is a closed set of the report: a chain with another one is not
  // a chain, and the core says which value it could not read.
  assert.throws(() => toOcsf({ chains: [{ ...chain, severity: "severe" }] }), /invalid report: .*severe/);
});

test("several chains in report order; an empty report gives []; productVersion; an Update's changed chain is an OCSF Update", () => {
  const all = analyze(Object.values(EXPORTS).map((f) => readFileSync(f, "utf8")).join("\n"));
  assert.equal(all.chains.length, 3);
  assert.deepEqual(toOcsf(all).map((f) => f.finding_info.uid), all.chains.map((c) => c.id));
  assert.deepEqual(toEcs(all).map((a) => a.event.id), all.chains.map((c) => c.id));
  assert.deepEqual(toOcsf(analyze("")), []);
  assert.deepEqual(toEcs({ chains: [] }), []);
  assert.deepEqual(toOcsf(undefined), []);
  assert.equal(toOcsf(all, { productVersion: "9.9.9" })[0].metadata.product.version, "9.9.9");
  assert.equal(toEcs(all, { productVersion: "9.9.9" })[0].rule.version, "9.9.9");
  assert.equal(PRODUCT_VERSION, pkg.version, "formats.js's PRODUCT_VERSION follows package.json");
  // A Detector's Update: version 1 is Create, a later version Update.
  const lines = readFileSync(EXPORTS.vbscript, "utf8").split("\n").filter((l) => l.trim());
  const detector = new Detector();
  const seen = [];
  for (let i = 0; i < lines.length; i += 20) {
    const update = detector.push(lines.slice(i, i + 20).join("\n") + "\n");
    for (const f of toOcsf(update)) seen.push([f.activity_id, f.type_uid, f.unmapped.version]);
  }
  detector.free();
  assert.ok(seen.length >= 2, "the chain changed after it first appeared");
  assert.deepEqual(seen[0], [1, 200401, 1]);
  for (const [activity, type, version] of seen.slice(1)) assert.deepEqual([activity, type], version > 1 ? [2, 200402] : [1, 200401]);
});

test("CLI --format ocsf|ecs print JSON arrays; ocsf-ndjson|ecs-ndjson one document a line", () => {
  // The CLI names each evidence item's file, as a Detector told the file does.
  const detector = new Detector();
  detector.setSource(EXPORTS.getobject);
  detector.push(readFileSync(EXPORTS.getobject));
  const report = detector.finish();
  detector.free();
  assert.equal(report.chains[0].root.file, EXPORTS.getobject);
  const ocsf = run(["scan", "--format", "ocsf", EXPORTS.getobject]);
  assert.ok(ocsf.startsWith("[\n  {") && ocsf.endsWith("]\n"), "a pretty-printed JSON array");
  assert.deepEqual(JSON.parse(ocsf), toOcsf(report, { productVersion: pkg.version }));
  const ecs = run(["scan", "--format=ecs", EXPORTS.getobject]);
  assert.deepEqual(JSON.parse(ecs), toEcs(report, { productVersion: pkg.version }));
  // Several files, --min-score applies.
  const files = Object.values(EXPORTS);
  const lines = run(["scan", "--format", "ocsf-ndjson", ...files]).split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, 3);
  for (const line of lines) assert.equal(JSON.parse(line).class_uid, 2004);
  const ecsLines = run(["scan", "--format", "ecs-ndjson", ...files]).trimEnd().split("\n");
  assert.deepEqual(ecsLines.map((l) => JSON.parse(l).event.kind), ["alert", "alert", "alert"]);
  const all = analyze(files.map((f) => readFileSync(f, "utf8")).join("\n"), { min_score: 100 });
  const top = JSON.parse(run(["scan", "--format", "ocsf", "--min-score", "100", ...files]));
  assert.deepEqual(top.map((f) => f.finding_info.uid), all.chains.map((c) => c.id), "--min-score leaves out the same chains");
  // No chains: an empty array, or nothing at all for the NDJSON forms.
  const benign = resolve(dataDir, "benign/sysmon_desktop_2017.jsonl");
  assert.equal(run(["scan", "--format", "ocsf", benign]), "[]\n");
  assert.equal(run(["scan", "--format", "ecs", benign]), "[]\n");
  assert.equal(run(["scan", "--format", "ecs-ndjson", benign]), "");
  // The usage names the formats.
  assert.match(run(["--help"]), /--format json\|ndjson\|text\|ocsf\|ecs/);
});

test("the package exports mshta-chain/formats (with types) for every runtime; formats.js only re-exports the core's renderer", async () => {
  const entry = pkg.exports["./formats"];
  assert.equal(entry.types, "./formats.d.ts");
  assert.equal(entry.node, "./src/formats.js");
  assert.deepEqual([entry.browser, entry.deno, entry.workerd, entry.default], ["./web.js", "./deno.js", "./workerd.js", "./web.js"]);
  assert.ok(pkg.files.includes("formats.d.ts"));
  assert.ok(existsSync(resolve(pkgDir, entry.types)));
  const report = reportOf("getobject");
  const expected = toOcsf(report);
  // Node, as ESM (this entry) and as CommonJS (the package's require entry, which has the same names).
  const required = createRequire(import.meta.url)(resolve(pkgDir, pkg.exports["."].node.require));
  for (const [target, mod] of [[entry.node, await import(pathToFileURL(resolve(pkgDir, entry.node)).href)], ["node.cjs", required]]) {
    assert.deepEqual(mod.toOcsf(report), expected, target);
    assert.deepEqual(mod.toEcs(report), toEcs(report), target);
    assert.deepEqual([mod.OCSF_VERSION, mod.ECS_VERSION, mod.PRODUCT_VERSION], [OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION], target);
  }
  // The browser entry: the same functions, and the constants once init has run.
  const web = await import(pathToFileURL(resolve(pkgDir, entry.browser)).href);
  web.initSync(readFileSync(resolve(pkgDir, "dist/web/mshta_chain_bg.wasm")));
  assert.deepEqual(web.toOcsf(report), expected);
  assert.equal(web.OCSF_VERSION, "1.8.0");
  assert.equal(web.PRODUCT_VERSION, pkg.version);
  const source = readFileSync(resolve(pkgDir, "src/formats.js"), "utf8");
  assert.ok(!/\bfunction\b|=>/.test(source), "computes nothing: only re-exports");
  assert.match(source, /^export \{[^}]*\btoOcsf\b[^}]*\} from "\.\.\/node\.mjs";$/m);
  assert.ok(!/\brequire\(|\bprocess\.|\bBuffer\b|Date\.now\(|new Date\(\)/.test(source), "no Node APIs, no clock");
});

test("formatReport: every format of a report object, through JSON, is the core's golden output; bad input throws", () => {
  const golden = (name) => readFileSync(resolve(repo, "tests/golden/formats", name), "utf8");
  const cases = [
    ["sample", analyze(readFileSync(resolve(repo, "tests/data/sample.jsonl")))],
    ["otrf_cmd_mshta_vbscript_execute_psh", reportOf("vbscript")],
  ];
  const files = { text: "txt", ndjson: "ndjson", ocsf: "ocsf.json", ecs: "ecs.json", "ocsf-ndjson": "ocsf.ndjson", "ecs-ndjson": "ecs.ndjson" };
  for (const [name, report] of cases) {
    for (const [format, ext] of Object.entries(files)) assert.equal(formatReport(report, format), golden(`${name}.${ext}`), `${name} ${format}`);
    assert.equal(formatReport(report, "json"), JSON.stringify(report, null, 2) + "\n", `${name} json`);
    // The same from the report's JSON text.
    assert.equal(formatReport(JSON.stringify(report), "ocsf"), golden(`${name}.ocsf.json`));
  }
  assert.equal(formatReport(cases[0][1], "text", { color: true }), golden("sample.color.txt"));
  assert.throws(() => formatReport(cases[0][1], "xml"), /unknown format "xml" \(expected json, ndjson, text, ocsf, ecs, ocsf-ndjson, ecs-ndjson\)/);
  assert.throws(() => formatReport("{not json", "text"), /invalid report/);
});
