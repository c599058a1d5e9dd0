// Tests of the text and NDJSON renderings (mshta-chain/text, written by the core) on reports of
// real Windows telemetry (tests/data/realdata). Needs a built package.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { analyze } from "../../pkg/node.mjs";
import { formatNdjson, formatText, imageName, severityRank, triage } from "../../pkg/src/text.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const dataDir = resolve(repo, "tests/data/realdata");
assert.ok(existsSync(dataDir), `real data not found at ${dataDir} (it is part of the repository)`);

const read = (rel) => readFileSync(resolve(dataDir, rel), "utf8");
const GETOBJECT = read("otrf/cmd_mshta_javascript_getobject_sct.jsonl");
const VBSCRIPT = read("otrf/cmd_mshta_vbscript_execute_psh.jsonl");
const HTA = read("otrf/psh_mshta_html_application_execution.jsonl");
const BENIGN = read("benign/sysmon_desktop_2017.jsonl");
// Events of two scenarios whose chains score below the real attacks': a
// vendor HTA opened from Explorer and a renamed mshta copy.
const LOW_SCORING = ["benign_vendor_hta_double_click.json", "renamed_mshta_copy.json"]
  .flatMap((f) => JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8")).events)
  .map((e) => JSON.stringify(e))
  .join("\n");

const linesOf = (text) => text.split("\n");
const section = (text, title) => {
  const lines = linesOf(text);
  const start = lines.findIndex((l) => l.startsWith(`  ${title}`));
  assert.ok(start >= 0, `section ${title}`);
  const out = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("    ")) break;
    out.push(line);
  }
  return out;
};

test("header counts and the chain block of a real report", () => {
  const report = analyze(GETOBJECT);
  const text = formatText(report);
  const lines = linesOf(text);
  const s = report.stats;
  assert.equal(lines[0], `mshta-chain: 1 chain | ${s.events} events, ${s.accepted} accepted, ${s.rejected} rejected, ${s.ignored} ignored`);
  assert.ok(text.endsWith("\n"));
  const chain = report.chains[0];
  assert.ok(
    lines.includes(`[${chain.severity.toUpperCase()} ${chain.score}] WORKSTATION5  mshta.exe pid 10076  ${chain.root.time}  ${chain.id}`),
    "chain header line",
  );
  assert.ok(lines.includes(`  command:  ${chain.root.command_line}`), "root command line, whole");
  assert.ok(lines.includes("  user:     WORKSTATION5\\wardog"));
  assert.ok(lines.includes('  parent:   cmd.exe pid 10196  "C:\\windows\\system32\\cmd.exe"'), "parent, trailing space trimmed");
  assert.deepEqual(section(text, "processes"), ['    calc.exe pid 10264  "C:\\Windows\\System32\\calc.exe"']);
  assert.deepEqual(section(text, "network"), ["    151.101.248.133:443  outbound  by mshta.exe pid 10076"]);
  assert.deepEqual(section(text, "dns"), ["    raw.githubusercontent.com  by mshta.exe pid 10076"]);
  const files = section(text, "files");
  assert.equal(files.length, chain.files.length);
  assert.ok(files[0].includes("mshta[1].sct  by mshta.exe pid 10076"));
  assert.ok(!text.includes("(late)"), "nothing late with the default window");
  assert.ok(!text.includes("\x1b"), "no ANSI codes by default");
});

test("reasons are aligned lines: points, id, detail", () => {
  const report = analyze(VBSCRIPT);
  const reasons = section(formatText(report), "reasons");
  const chain = report.chains[0];
  assert.equal(reasons.length, chain.reasons.length);
  const idWidth = Math.max(...chain.reasons.map((r) => r.id.length));
  chain.reasons.forEach((r, i) => {
    const m = /^ {4}( *[+-]\d+) {2}(\S+)( *) {2}(.*)$/.exec(reasons[i]);
    assert.ok(m, `reason line: ${reasons[i]}`);
    assert.equal(m[1].trim(), `${r.points >= 0 ? "+" : ""}${r.points}`);
    assert.equal(m[2], r.id);
    assert.equal(m[2].length + m[3].length, idWidth, "ids padded to one width");
    assert.equal(m[4], r.detail);
  });
  assert.ok(reasons.some((l) => /^ {4}\+30 {2}cmdline_inline_script +command line runs inline script/.test(l)));
  // The detail column starts at the same place on every line.
  const columns = new Set(reasons.map((l, i) => l.indexOf(chain.reasons[i].detail)));
  assert.equal(columns.size, 1);
});

test("descendants are an indented tree by depth", () => {
  const text = formatText(analyze(HTA));
  const processes = section(text, "processes");
  assert.deepEqual(
    processes.map((l) => l.replace(/(\S)  .*$/, "$1")),
    ["    cmd.exe pid 7144", "      conhost.exe pid 10308", "      calc.exe pid 10068"],
  );
  assert.ok(processes[0].endsWith('"C:\\Windows\\System32\\cmd.exe" /c calc.exe'));
  assert.match(text, /^ {2}processes \(3\):$/m);
});

test("a grandchild is listed under its parent even when a sibling started in between", () => {
  const report = analyze(HTA);
  const chain = structuredClone(report.chains[0]);
  const [cmd, conhost, calc] = chain.children;
  const sibling = { ...cmd, pid: 4242, image: "C:\\Windows\\System32\\whoami.exe", command_line: "whoami", event: 9999 };
  // start order: cmd, whoami (depth 1), conhost, calc (children of cmd)
  chain.children = [cmd, sibling, conhost, calc];
  const text = formatText({ ...report, chains: [chain] });
  assert.deepEqual(
    section(text, "processes").map((l) => l.replace(/(\S)  .*$/, "$1")),
    ["    cmd.exe pid 7144", "      conhost.exe pid 10308", "      calc.exe pid 10068", "    whoami.exe pid 4242"],
  );
});

test("late items are marked (late)", () => {
  const report = analyze(GETOBJECT, { window_seconds: 1 });
  assert.equal(report.chains[0].children[0].late, true);
  const text = formatText(report);
  assert.match(section(text, "processes")[0], /calc\.exe pid 10264 .*\(late\)$/);
  const vb = analyze(VBSCRIPT, { window_seconds: 1 });
  const files = section(formatText(vb), "files");
  assert.equal(files.filter((l) => l.endsWith("(late)")).length, vb.chains[0].files.filter((f) => f.late).length);
  assert.ok(files.some((l) => !l.endsWith("(late)")), "items inside the window are not marked");
});

test("several chains, highest score first, and no chains", () => {
  const report = analyze([GETOBJECT, VBSCRIPT, HTA, BENIGN].join("\n"));
  const text = formatText(report);
  const headers = linesOf(text).filter((l) => /^\[[A-Z]+ \d+\] /.test(l));
  assert.equal(headers.length, 3);
  assert.deepEqual(headers.map((h) => h.split("  ").pop()), report.chains.map((c) => c.id));
  assert.match(text, /^mshta-chain: 3 chains \| /);
  const none = formatText(analyze(BENIGN));
  assert.match(none, /^mshta-chain: 0 chains \| 358 events, 358 accepted, 0 rejected, \d+ ignored\n/);
  assert.match(none, /no mshta chains found/);
  assert.ok(!none.includes("reasons:"));
  // The attacks all score high: two scenario events add lower-scoring
  // chains, and the threshold is the highest score (taken from the data).
  const mixed = [GETOBJECT, VBSCRIPT, HTA, LOW_SCORING].join("\n");
  const scores = analyze(mixed).chains.map((c) => c.score);
  const threshold = Math.max(...scores);
  const below = scores.filter((score) => score < threshold).length;
  assert.ok(below > 0, `chains below ${threshold}: ${scores.join(", ")}`);
  const filtered = formatText(analyze(mixed, { min_score: threshold }));
  assert.match(filtered.split("\n")[0], new RegExp(`\\| ${below} below min score$`));
});

test("long lists are cut after 20 items with '... and N more'", () => {
  const report = analyze(VBSCRIPT);
  const chain = structuredClone(report.chains[0]);
  const file = chain.files[0];
  chain.files = Array.from({ length: 27 }, (_, i) => ({ ...file, path: `C:\\Temp\\f${i}.ps1`, event: i }));
  const child = chain.children[0];
  chain.children = Array.from({ length: 21 }, (_, i) => ({ ...child, pid: 1000 + i, depth: 1 }));
  chain.dns = Array.from({ length: 20 }, (_, i) => ({ query: `h${i}.example`, time: file.time, pid: 1, image: null, late: false, event: i }));
  const text = formatText({ ...report, chains: [chain] });
  const files = section(text, "files");
  assert.equal(files.length, 21);
  assert.equal(files[19], "    C:\\Temp\\f19.ps1  by powershell.exe pid 9572");
  assert.equal(files[20], "    ... and 7 more");
  assert.match(text, /^ {2}files \(27\):$/m);
  const processes = section(text, "processes");
  assert.equal(processes.length, 21);
  assert.equal(processes[20], "    ... and 1 more");
  const dns = section(text, "dns");
  assert.equal(dns.length, 20, "exactly 20 items are not cut");
  assert.equal(dns[0], "    h0.example  by pid 1");
  // The limit is an option.
  assert.equal(section(formatText({ ...report, chains: [chain] }, { maxItems: 5 }), "files")[5], "    ... and 22 more");
});

test("errors: at most 20 shown, counted from stats.rejected; then warnings", () => {
  // Junk lines: closed objects with a syntax error, and unclosed ones.
  const junk = Array.from({ length: 30 }, (_, i) => (i % 2 ? `{"bad" ${i}}` : `{bad ${i}`)).join("\n");
  const report = analyze(junk + "\n" + GETOBJECT, { max_errors: 25 });
  assert.equal(report.errors.length, 25);
  assert.equal(report.stats.rejected, 30);
  const lines = linesOf(formatText(report));
  const start = lines.indexOf("errors (30):");
  assert.ok(start > 0);
  assert.match(lines[start + 1], /^ {2}0: invalid JSON/);
  assert.match(lines[start + 20], /^ {2}19: /);
  assert.equal(lines[start + 21], "  ... and 10 more");
  const empty = formatText(analyze(""));
  assert.match(empty, /^warning: empty input/m);
  assert.ok(!empty.includes("errors ("));
});

test("command lines are shortened and control characters escaped", () => {
  const report = analyze(HTA);
  const chain = structuredClone(report.chains[0]);
  chain.children[0].command_line = "cmd.exe /c " + "A".repeat(400);
  chain.root.command_line = 'mshta.exe "x"\r\n\x1b[31mred\x1b[0m\ttab\u009b';
  chain.host = "HOST\nFAKE";
  const text = formatText({ ...report, chains: [chain] });
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text), "no raw control characters besides newlines");
  assert.ok(text.includes('  command:  mshta.exe "x"\\r\\n\\x1b[31mred\\x1b[0m\\ttab\\x9b'));
  assert.ok(text.includes("HOST\\nFAKE  mshta.exe pid 9160"));
  const first = section(text, "processes")[0];
  assert.ok(first.endsWith("..."));
  const cmdShown = first.slice(first.indexOf("cmd.exe /c"));
  assert.equal(cmdShown.length, 160, "child command line cut to 160 characters");
});

test("colours only when options.color is true", () => {
  const report = analyze(GETOBJECT);
  for (const options of [undefined, {}, { color: false }, { color: "yes" }, { color: 1 }]) {
    assert.ok(!formatText(report, options).includes("\x1b["), JSON.stringify(options));
  }
  const coloured = formatText(report, { color: true });
  assert.ok(coloured.includes("\x1b["));
  // Stripped of colour, it is the plain rendering.
  assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ""), formatText(report));
});

test("formatNdjson: one JSON line per chain, '' for none", () => {
  const report = analyze([GETOBJECT, VBSCRIPT, HTA].join("\n"));
  const out = formatNdjson(report);
  assert.ok(out.endsWith("\n"));
  const lines = out.split("\n");
  assert.equal(lines.pop(), "");
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => JSON.parse(l)), report.chains);
  assert.equal(formatNdjson(analyze(BENIGN)), "");
  assert.equal(formatNdjson(analyze("")), "");
});

test("helpers: severityRank orders the bands, imageName takes the file name", () => {
  const bands = ["informational", "low", "medium", "high", "critical"];
  assert.deepEqual(bands.map(severityRank), [0, 1, 2, 3, 4]);
  assert.equal(severityRank("severe"), -1);
  assert.equal(imageName("C:\\Windows\\System32\\mshta.exe"), "mshta.exe");
  assert.equal(imageName("/usr/bin/node"), "node");
  assert.equal(imageName("mshta.exe"), "mshta.exe");
  assert.equal(imageName(null), "?");
});

test("text.js only re-exports the core's renderer; browsers get the same names from web.js", async () => {
  const source = readFileSync(resolve(repo, "pkg/src/text.js"), "utf8");
  assert.ok(!/\bfunction\b|=>/.test(source), "computes nothing: only re-exports");
  assert.match(source, /^export \{[^}]*\bformatText\b[^}]*\} from "\.\.\/node\.mjs";$/m);
  assert.ok(!/\brequire\(|\bprocess\.|\bBuffer\b/.test(source));
  const pkg = JSON.parse(readFileSync(resolve(repo, "pkg/package.json"), "utf8"));
  const entry = pkg.exports["./text"];
  assert.equal(entry.node, "./src/text.js");
  assert.equal(entry.browser, "./web.js");
  const web = await import(new URL("../../pkg/web.js", import.meta.url).href);
  web.initSync(readFileSync(resolve(repo, "pkg/dist/web/mshta_chain_bg.wasm")));
  const report = analyze(GETOBJECT);
  assert.equal(web.formatText(report), formatText(report));
  assert.deepEqual(web.triage(report.chains[0], report), triage(report.chains[0], report));
});

test("lineage, status, modules and a file the root ran are shown", () => {
  const [chain] = analyze(GETOBJECT).chains;
  const text = formatText(analyze(GETOBJECT));
  assert.ok(linesOf(text).includes(`  status:   ${chain.status === "open" ? "open (activity may still join)" : "closed"}`));
  const modules = section(text, "modules");
  assert.equal(modules.length, Math.min(20, chain.modules.length));
  assert.ok(modules.some((l) => l.startsWith("    jscript9.dll  by mshta.exe pid 10076")), modules.join("\n"));
  assert.ok(!text.includes("  lineage:"), "no lineage line without ancestors");
  // Ancestors, nearest first in the report, are drawn farthest first.
  const withLineage = structuredClone(chain);
  withLineage.lineage = [
    { pid: 900, process_guid: null, image: "C:\\Windows\\explorer.exe", command_line: null },
    { pid: 4, process_guid: null, image: "C:\\Windows\\System32\\userinit.exe", command_line: null },
  ];
  withLineage.status = "closed";
  const drawn = linesOf(formatText({ ...analyze(GETOBJECT), chains: [withLineage] }));
  assert.ok(drawn.includes("  lineage:  userinit.exe pid 4 > explorer.exe pid 900"));
  assert.ok(drawn.includes("  status:   closed"));
  // The HTA the root ran was written by powershell.exe shortly before.
  const [hta] = analyze(HTA).chains;
  const ran = hta.files.filter((f) => f.relation === "run_by_root");
  assert.equal(ran.length, 1);
  assert.ok(section(formatText(analyze(HTA)), "files").some((l) => l.endsWith("by powershell.exe pid 10848 (run by mshta)")));
});

/** The lines of the coverage section (from "coverage (N hosts):" to the end). */
function coverageSection(text) {
  const lines = linesOf(text);
  const start = lines.findIndex((l) => /^coverage \(\d+ hosts?\):$/.test(l));
  assert.ok(start >= 0, "a coverage section");
  return lines.slice(start).filter((l) => l !== "");
}

test("the coverage section closes the report: overall verdicts, each gap's detail, hosts with gaps", () => {
  const report = analyze(VBSCRIPT);
  const text = formatText(report);
  const section = coverageSection(text);
  assert.equal(section[0], "coverage (1 host):");
  const verdicts = report.coverage.overall.verdicts;
  assert.equal(section[1], `  overall: ${verdicts.map((v) => `${v.need} ${v.status}`).join(", ")}`);
  const gaps = verdicts.filter((v) => v.status !== "ok");
  assert.ok(gaps.length > 0, "this export has no DNS events");
  for (const v of gaps) assert.ok(section.includes(`    ${v.need} ${v.status}: ${v.detail}`), v.need);
  const [host] = report.coverage.hosts;
  const hostGaps = host.verdicts.filter((v) => v.status !== "ok");
  assert.ok(section.includes(`  workstation5: ${hostGaps.map((v) => `${v.need} ${v.status}: ${v.detail}`).join("; ")}`));
  assert.equal(linesOf(text).at(-2), section.at(-1), "the coverage section is last");
  // Several hosts: only those with gaps are listed.
  const sample = analyze(readFileSync(resolve(repo, "tests/data/sample.jsonl")));
  const many = coverageSection(formatText(sample));
  assert.equal(many[0], `coverage (${sample.coverage.hosts.length} hosts):`);
  for (const h of sample.coverage.hosts) {
    const listed = many.some((l) => l.startsWith(`  ${h.host}: `));
    assert.equal(listed, h.verdicts.some((v) => v.status !== "ok"), h.host);
  }
  // All ok: the overall line only.
  const hta = coverageSection(formatText(analyze(HTA)));
  assert.deepEqual(hta, ["coverage (1 host):", "  overall: process_command_lines ok, parent_lineage ok, file_creation ok, network ok, dns ok"]);
  // Nothing to say about an empty input beyond its warning.
  assert.ok(!formatText(analyze("")).includes("coverage"));
});

test("the inventory count is shown before the coverage", () => {
  const report = analyze([GETOBJECT, VBSCRIPT, HTA, LOW_SCORING].join("\n"));
  const lines = linesOf(formatText(report));
  const executions = report.inventory.reduce((n, g) => n + g.count, 0);
  const hosts = new Set(report.inventory.flatMap((g) => g.host_names)).size;
  const line = lines.find((l) => l.startsWith("inventory: "));
  assert.ok(line, "an inventory line");
  assert.ok(
    line.startsWith(`inventory: ${report.inventory.length} mshta invocation shapes (${executions} executions on ${hosts} hosts)`),
    line,
  );
  assert.ok(lines.indexOf(line) < lines.findIndex((l) => l.startsWith("coverage (")));
  assert.ok(!formatText(analyze(BENIGN)).includes("inventory: "), "no mshta, no inventory line");
});

test("each chain has a triage checklist derived from it, after its reasons", () => {
  const checklist = (text) => section(text, "triage").map((l) => l.replace(/^ {4}- /, ""));
  // getobject: the remote scriptlet, the parent, the connection, the DNS name, the dropped .sct.
  const getobject = checklist(formatText(analyze(GETOBJECT)));
  assert.deepEqual(getobject, [
    "retrieve and inspect the content at https://raw.githubusercontent.com/redcanaryco/atomic-red-team/master/atomics/T1218.005/src/mshta.sct (in a sandbox: it is what mshta ran)",
    "decode and review the inline script in mshta's command line (what it creates, runs or downloads)",
    "check the parent cmd.exe pid 10196 (its command line and its own parent) for the script or document that launched mshta",
    "check what the other processes it started did: calc.exe pid 10264",
    "block or inspect connections to 151.101.248.133:443; look for other hosts talking to them",
    "search DNS and proxy logs for other hosts resolving raw.githubusercontent.com",
    "collect and hash the files it wrote: C:\\Users\\wardog\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\JCR0HU4M\\mshta[1].sct",
  ]);
  // vbscript: the PowerShell child, and no DNS telemetry from the host.
  const vbscript = checklist(formatText(analyze(VBSCRIPT)));
  assert.ok(vbscript.includes("review the PowerShell command line of pid 9572 (and its script block log, event 4104)"), vbscript.join("\n"));
  assert.ok(vbscript.includes("no DNS telemetry from this host: ask for Sysmon 22"));
  assert.ok(!vbscript.some((l) => l.includes("__PSScriptPolicyTest_")), "PowerShell's policy test files are noise");
  // hta: the dropped HTA mshta ran, in the Startup folder.
  const hta = checklist(formatText(analyze(HTA)));
  const startup = "C:\\Users\\wardog\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\T1218.005.hta";
  assert.ok(hta.includes(`collect and inspect the file mshta ran: ${startup} (written by powershell.exe pid 10848 just before mshta ran it)`), hta.join("\n"));
  assert.ok(hta.includes(`look for persistence in the Startup folder file ${startup} (it runs at every logon)`));
  assert.ok(hta.includes("review the command line of cmd.exe pid 7144"));
  // The section comes right after the reasons.
  const lines = linesOf(formatText(analyze(HTA)));
  const reasonsAt = lines.indexOf("  reasons:");
  const triageAt = lines.indexOf("  triage:");
  assert.ok(reasonsAt > 0 && triageAt > reasonsAt);
  assert.ok(lines.slice(reasonsAt + 1, triageAt).every((l) => l.startsWith("    ")));
});

test("triage: Office parent, DCOM, inbound connection, Startup persistence, known good, no network telemetry", () => {
  const scenario = (f) => analyze(JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8")).events);
  const office = scenario("attack_office_mshta_powershell.json");
  const officeList = triage(office.chains[0], office);
  assert.ok(officeList.some((l) => /^check the parent WINWORD\.EXE pid \d+ for the document or macro that launched mshta/.test(l)), officeList.join("\n"));
  assert.ok(officeList.some((l) => /^retrieve and inspect the content at http:\/\/203\.0\.113\.5\/doc\.hta/.test(l)));
  assert.ok(officeList.some((l) => /^look for persistence in the Startup folder file .*\\Startup\\upd\.exe/.test(l)));
  const dcom = scenario("attack_lethalhta_dcom.json");
  const dcomList = triage(dcom.chains[0], dcom);
  assert.ok(dcomList.some((l) => /^find the remote caller: mshta was started through svchost\.exe/.test(l)), dcomList.join("\n"));
  assert.ok(dcomList.some((l) => /^find the host that connected in from 10\.0\.0\.9/.test(l)));
  const splash = scenario("benign_sccm_splash.json");
  const splashList = triage(splash.chains[0], splash);
  assert.ok(splashList.includes("no network telemetry from this host: ask for Sysmon 3 (or Security 5156)"), splashList.join("\n"));
  assert.ok(splashList.includes("collect and inspect the file mshta ran: C:\\MEM_Configmgr_5\\splash.hta"));
  // A baselined chain: confirm it is still the known-good use.
  const baseline = splash.inventory.map(({ shape, parent }) => ({ shape, parent }));
  const known = analyze(JSON.parse(readFileSync(resolve(repo, "tests/scenarios/benign_sccm_splash.json"), "utf8")).events, { baseline });
  assert.ok(triage(known.chains[0], known).includes("confirm this is still the known-good use the baseline or allowlist describes"));
  // Without a report, no coverage items; an inferred root asks for its start.
  assert.ok(!triage(splash.chains[0]).some((l) => l.startsWith("no ")));
  const inferred = { ...splash.chains[0], root: { ...splash.chains[0].root, inferred: true, command_line: null, parent: null } };
  assert.match(triage(inferred)[0], /^find mshta's own start \(pid 5100\) in the host's logs: its command line and parent were not seen$/);
});
