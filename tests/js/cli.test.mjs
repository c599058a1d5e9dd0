// Tests of the CLI (pkg/bin/mshta-chain.mjs), run as a child process on real
// Windows telemetry (tests/data/realdata). Needs a built package.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const cliPath = resolve(repo, "pkg/bin/mshta-chain.mjs");
const dataDir = resolve(repo, "tests/data/realdata");
assert.ok(existsSync(dataDir), `real data not found at ${dataDir} (it is part of the repository)`);

const data = (rel) => resolve(dataDir, rel);
/**
 * A JSON report without the input file names (`file` strings) and the
 * state size (which counts the names held): for comparing reports of the
 * same events read through different inputs (stdin, other files), which
 * name different files.
 */
const noFiles = (text) =>
  JSON.parse(text, (k, v) => ((k === "file" && typeof v === "string") || k === "state_bytes" ? undefined : v));

/**
 * Why pkg/dist cannot be trusted to match the Rust sources, or "" when it
 * can: the .wasm must be newer than every file under core/src and
 * bindings/src. (A fresh clone builds after checkout, so this only trips on
 * a working copy whose sources changed since the last build.)
 */
function staleBuild() {
  const built = statSync(resolve(repo, "pkg/dist/web/mshta_chain_bg.wasm")).mtimeMs;
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
const GETOBJECT = data("otrf/cmd_mshta_javascript_getobject_sct.jsonl");
const VBSCRIPT = data("otrf/cmd_mshta_vbscript_execute_psh.jsonl");
const HTA = data("otrf/psh_mshta_html_application_execution.jsonl");
const BENIGN = data("benign/sysmon_desktop_2017.jsonl");

// What each real export holds (see tests/data/README.md).
const EXPECTED = [
  { file: GETOBJECT, pid: 10076, children: ["calc.exe"] },
  { file: VBSCRIPT, pid: 10980, children: ["powershell.exe", "conhost.exe"] },
  { file: HTA, pid: 9160, children: ["cmd.exe", "conhost.exe", "calc.exe"] },
];

const scratch = mkdtempSync(join(tmpdir(), "mshta-chain-cli-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
function tempFile(name, content) {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

function run(args, input) {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(result.error, undefined, `spawn failed: ${result.error}`);
  return result;
}

/** Runs a scan that must succeed; returns stdout. */
function ok(args, input) {
  const r = run(args, input);
  assert.equal(r.stderr, "", `unexpected stderr for ${args.join(" ")}`);
  assert.equal(r.status, 0, `exit status for ${args.join(" ")}`);
  return r.stdout;
}

/** Runs a command that must fail with `status` and exactly one stderr line. */
function fails(args, status, pattern, input) {
  const r = run(args, input);
  assert.equal(r.status, status, `exit status for ${JSON.stringify(args)}: stderr=${r.stderr}`);
  assert.equal(r.stdout, "", "nothing on stdout");
  assert.ok(r.stderr.endsWith("\n"), "stderr ends with a newline");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.match(lines[0], /^mshta-chain: \S/);
  assert.ok(!r.stderr.includes("    at "), "no stack trace");
  if (pattern) assert.match(lines[0], pattern);
  return lines[0];
}

const base = (path) => path.split("\\").pop().toLowerCase();

/** The descendant image names in a text report's processes section. */
function textChildren(text) {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^ {2}processes \(\d+\):$/.test(l));
  assert.ok(start >= 0, "text report has a processes section");
  const names = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("    ")) break;
    names.push(line.trim().split(" ")[0].toLowerCase());
  }
  return names;
}

for (const { file, pid, children } of EXPECTED) {
  const name = file.split("/").pop();

  test(`scan ${name} --format json: one chain with ${children.join(", ")}`, () => {
    const out = ok(["scan", file]);
    assert.ok(out.endsWith("}\n"));
    assert.ok(out.includes('\n  "chains": ['), "pretty-printed with two spaces");
    const report = JSON.parse(out);
    assert.equal(report.chains.length, 1);
    assert.equal(report.chains[0].root.pid, pid);
    assert.deepEqual(report.chains[0].children.map((c) => base(c.image)), children);
    assert.equal(report.stats.rejected, 0);
    // The default format is json.
    assert.equal(ok(["scan", "--format", "json", file]), out);
  });

  test(`scan ${name} --format ndjson: one line, the chain`, () => {
    const out = ok(["scan", "--format", "ndjson", file]);
    assert.ok(out.endsWith("\n"));
    const lines = out.slice(0, -1).split("\n");
    assert.equal(lines.length, 1);
    const chain = JSON.parse(lines[0]);
    assert.equal(chain.root.pid, pid);
    assert.equal(chain.technique, "T1218.005");
    assert.deepEqual(chain.children.map((c) => base(c.image)), children);
  });

  test(`scan ${name} --format text: the chain block and its process tree`, () => {
    const out = ok(["scan", "--format", "text", file]);
    assert.match(out, /^mshta-chain: 1 chain \| \d+ events, \d+ accepted, 0 rejected, \d+ ignored\n/);
    assert.match(out, new RegExp(`^\\[(CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL) \\d+\\] WORKSTATION5  mshta\\.exe pid ${pid}  \\S+Z  mc-[0-9a-f]{16}$`, "m"));
    assert.deepEqual(textChildren(out), children);
    assert.match(out, /^ {2}reasons:$/m);
    assert.match(out, /^ {2}triage:\n {4}- \S/m);
    assert.match(out, /^inventory: 1 mshta invocation shape \(1 execution on 1 host\)/m);
    assert.match(out, /\ncoverage \(1 host\):\n {2}overall: process_command_lines \w+, parent_lineage \w+, file_creation \w+, network \w+, dns \w+\n/);
    assert.ok(!out.includes("\x1b["), "no colours when not asked");
    // --format=text is the same as --format text.
    assert.equal(ok(["scan", "--format=text", file]), out);
  });
}

test("scan benign log: no chains in every format", () => {
  const json = JSON.parse(ok(["scan", BENIGN]));
  assert.deepEqual(json.chains, []);
  assert.equal(json.stats.events, 358);
  assert.equal(ok(["scan", "--format", "ndjson", BENIGN]), "");
  const text = ok(["scan", "--format", "text", BENIGN]);
  assert.match(text, /^mshta-chain: 0 chains \| 358 events/);
  assert.match(text, /no mshta chains found/);
});

test("several files are one input, pushed in the order given", () => {
  const report = JSON.parse(ok(["scan", GETOBJECT, VBSCRIPT, HTA, BENIGN]));
  const count = (f) => readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).length;
  assert.equal(report.stats.events, count(GETOBJECT) + count(VBSCRIPT) + count(HTA) + count(BENIGN));
  assert.deepEqual(report.chains.map((c) => c.root.pid).sort(), [10076, 10980, 9160].sort());
  // Event indexes continue from one file to the next.
  const vb = report.chains.find((c) => c.root.pid === 10980);
  assert.ok(vb.root.event >= count(GETOBJECT), "the second file's events come after the first's");
  const reversed = JSON.parse(ok(["scan", VBSCRIPT, GETOBJECT]));
  assert.ok(reversed.chains.find((c) => c.root.pid === 10980).root.event < count(VBSCRIPT));
  const ndjson = ok(["scan", "--format", "ndjson", GETOBJECT, VBSCRIPT, HTA]);
  assert.equal(ndjson.split("\n").filter(Boolean).length, 3);
});

test("each piece of evidence names its file and its log record", () => {
  // The export with a record number on each event, as Windows logs have.
  const lines = readFileSync(GETOBJECT, "utf8").split("\n").filter((l) => l.trim() !== "");
  const numbered = tempFile(
    "numbered.jsonl",
    lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), EventRecordID: 7000 + i }) + "\n").join(""),
  );
  const report = JSON.parse(ok(["scan", VBSCRIPT, numbered]));
  const offset = readFileSync(VBSCRIPT, "utf8").split("\n").filter((l) => l.trim() !== "").length;
  const items = (c) => [c.root, ...c.children, ...c.files, ...c.network, ...c.dns, ...c.modules];
  const vb = report.chains.find((c) => c.root.pid === 10980);
  const go = report.chains.find((c) => c.root.pid === 10076);
  assert.ok(items(vb).every((x) => x.file === VBSCRIPT && x.record_id === undefined), "no record numbers in that export");
  assert.ok(items(go).length > 5);
  for (const x of items(go)) {
    assert.equal(x.file, numbered);
    assert.equal(x.record_id, 7000 + (x.event - offset), `item ${x.event}`);
  }
  // The text report says where the root's start event is.
  assert.match(ok(["scan", "--format", "text", numbered]), /^ {2}record: {3}\S*numbered\.jsonl, record 7\d{3}$/m);
});

test("- and no FILE read stdin", () => {
  const input = readFileSync(VBSCRIPT);
  const fromFile = ok(["scan", VBSCRIPT]);
  assert.deepEqual(noFiles(ok(["scan", "-"], input)), noFiles(fromFile));
  assert.deepEqual(noFiles(ok(["scan"], input)), noFiles(fromFile));
  // Evidence read from stdin names "-", as its read errors do.
  assert.equal(JSON.parse(ok(["scan", "-"], input)).chains[0].root.file, "-");
  assert.equal(JSON.parse(fromFile).chains[0].root.pid, 10980);
  // stdin between files keeps its place in the order.
  const mixed = JSON.parse(ok(["scan", GETOBJECT, "-"], input));
  assert.deepEqual(mixed.chains.map((c) => c.root.pid).sort(), [10076, 10980].sort());
  // Empty stdin: an empty report with a warning, still exit 0.
  const empty = JSON.parse(ok(["scan", "-"], ""));
  assert.equal(empty.stats.events, 0);
  assert.ok(empty.warnings.length > 0);
});

test("--min-score filters chains; --min-score=N works too and overrides --config", () => {
  // The three attacks all score high; two scenario events (a vendor HTA
  // opened from Explorer, a renamed mshta copy) add lower-scoring chains.
  const low = tempFile(
    "low-scoring.jsonl",
    ["benign_vendor_hta_double_click.json", "renamed_mshta_copy.json"]
      .flatMap((f) => JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8")).events)
      .map((e) => JSON.stringify(e) + "\n")
      .join(""),
  );
  const files = [GETOBJECT, VBSCRIPT, HTA, low];
  const all = JSON.parse(ok(["scan", ...files]));
  assert.equal(all.chains.length, 5);
  // The threshold comes from the scores in the data: the median distinct one.
  const distinct = [...new Set(all.chains.map((c) => c.score))].sort((a, b) => a - b);
  assert.ok(distinct.length >= 2, `chains of at least two scores: ${distinct.join(", ")}`);
  const threshold = distinct[Math.floor(distinct.length / 2)];
  const above = all.chains.filter((c) => c.score >= threshold).length;
  assert.ok(above > 0 && above < all.chains.length, "the data has chains on both sides of the threshold");
  const filtered = JSON.parse(ok(["scan", "--min-score", String(threshold), ...files]));
  assert.equal(filtered.chains.length, above);
  assert.equal(filtered.stats.chains_below_min_score, all.chains.length - above);
  assert.ok(filtered.chains.every((c) => c.score >= threshold));
  assert.deepEqual(JSON.parse(ok(["scan", `--min-score=${threshold}`, ...files])), filtered);
  const config = tempFile("min0.json", JSON.stringify({ min_score: 0 }));
  assert.deepEqual(JSON.parse(ok(["scan", "--config", config, "--min-score", String(threshold), ...files])), filtered);
  assert.deepEqual(JSON.parse(ok(["scan", "--min-score", "0", ...files])), all);
});

test("--config sets the options", () => {
  const narrow = tempFile("narrow.json", JSON.stringify({ window_seconds: 1, max_errors: 2 }));
  const input = "junk 1\njunk 2\njunk 3\n" + readFileSync(GETOBJECT, "utf8");
  const report = JSON.parse(ok(["scan", `--config=${narrow}`, "-"], input));
  assert.equal(report.stats.rejected, 3);
  assert.equal(report.errors.length, 2, "max_errors from the config");
  assert.equal(report.chains[0].children[0].late, true, "calc.exe is late with a 1-second window");
  const normal = JSON.parse(ok(["scan", "-"], input));
  assert.equal(normal.errors.length, 3);
  assert.equal(normal.chains[0].children[0].late, false);
});

test("bad items in a file are reported, exit 0", () => {
  const [first, ...rest] = readFileSync(HTA, "utf8").split("\n").filter((l) => l.trim() !== "");
  const file = tempFile("mixed.jsonl", first + "\n{broken\n" + rest.join("\n") + "\n[1]\n");
  const report = JSON.parse(ok(["scan", file]));
  assert.deepEqual(report.errors.map((e) => e.index), [1, rest.length + 2]);
  assert.equal(report.stats.events, rest.length + 3);
  assert.equal(report.chains.length, 1);
  const text = ok(["scan", "--format", "text", file]);
  assert.match(text, /^errors \(2\):$/m);
  assert.match(text, /^ {2}1 in \S*mixed\.jsonl: invalid JSON/m);
  assert.deepEqual(report.errors.map((e) => e.file), [file, file], "errors name their file");
});

test("a broken first line is one bad item; the rest of the file is still read", () => {
  const file = tempFile("broken-first.jsonl", "{broken\n" + readFileSync(HTA, "utf8") + "\n[1]\n");
  const report = JSON.parse(ok(["scan", file]));
  assert.equal(report.errors[0].index, 0);
  assert.equal(report.errors.length, 2);
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].root.pid, 9160);
  // The same on stdin (which names its items' file "-").
  assert.deepEqual(noFiles(ok(["scan", "-"], readFileSync(file))), noFiles(JSON.stringify(report)));
});

test("a file's last line ends with the file; JSON arrays and stdin in pieces work", () => {
  const lines = readFileSync(VBSCRIPT, "utf8").split("\n").filter((l) => l.trim() !== "");
  const expected = noFiles(ok(["scan", VBSCRIPT]));
  // Two files without a final line break: the last line of the first does
  // not run into the first line of the second.
  const cut = Math.floor(lines.length / 2);
  const a = tempFile("a.jsonl", lines.slice(0, cut).join("\n"));
  const b = tempFile("b.jsonl", lines.slice(cut).join("\n"));
  assert.deepEqual(noFiles(ok(["scan", a, b])), expected);
  // A pretty-printed JSON array (with a BOM, no final line break; also with
  // whitespace between the BOM and the "[") gives the same report.
  for (const lead of ["\ufeff", "\ufeff \n"]) {
    const array = tempFile("array.json", lead + JSON.stringify(lines.map((l) => JSON.parse(l)), null, 2));
    assert.deepEqual(noFiles(ok(["scan", array])), expected);
    assert.deepEqual(noFiles(ok(["scan", "-"], readFileSync(array))), expected);
  }
  // A truncated last line in one file is one rejected item, not glued to the next file.
  const truncated = tempFile("truncated.jsonl", lines.slice(0, cut).join("\n") + "\n" + lines[cut].slice(0, 50));
  const report = JSON.parse(ok(["scan", truncated, b]));
  assert.equal(report.stats.events, lines.length + 1);
  assert.deepEqual(report.errors.map((e) => e.index), [cut]);
  assert.equal(report.chains.length, 1);
});

test("a file larger than one batch (16 MiB) is streamed: same report as one push", async () => {
  const { Detector } = await import("../../pkg/node.mjs");
  // The benign log 45 times (18 MiB), then an attack: batches end inside lines.
  const benign = readFileSync(BENIGN);
  const parts = Array.from({ length: 45 }, () => benign);
  parts.push(readFileSync(GETOBJECT));
  const bytes = Buffer.concat(parts);
  assert.ok(bytes.length > 16 * 1024 * 1024);
  const file = tempFile("big.jsonl", bytes);
  const report = JSON.parse(ok(["scan", file]));
  const detector = new Detector();
  detector.setSource(file);
  detector.push(bytes);
  assert.deepEqual(report, detector.finish());
  detector.free();
  assert.equal(report.chains.length, 1);
  assert.equal(report.chains[0].root.pid, 10076);
  assert.equal(report.stats.rejected, 0);
  // The same through stdin.
  assert.deepEqual(noFiles(ok(["scan", "-"], bytes)), noFiles(JSON.stringify(report)));
});

test("baseline: a config listing the invocations whose chains scored below --below; scanning with it marks them known", () => {
  // A vendor HTA opened from Explorer scores low; the three attacks high.
  const vendor = tempFile(
    "vendor.jsonl",
    JSON.parse(readFileSync(resolve(repo, "tests/scenarios/benign_vendor_hta_double_click.json"), "utf8"))
      .events.map((e) => JSON.stringify(e) + "\n")
      .join(""),
  );
  const files = [GETOBJECT, VBSCRIPT, HTA, vendor];
  const before = JSON.parse(ok(["scan", ...files]));
  const below = 50;
  const low = before.inventory.filter((g) => g.max_score !== null && g.max_score < below);
  assert.ok(low.length > 0 && low.length < before.inventory.length, "groups on both sides of --below");
  const config = JSON.parse(ok(["baseline", ...files]));
  assert.deepEqual(Object.keys(config), ["baseline"]);
  assert.deepEqual(
    config.baseline.map((e) => [e.shape, e.parent]).sort(),
    low.map((g) => [g.shape, g.parent]).sort(),
  );
  for (const entry of config.baseline) assert.ok(entry.count >= 1 && entry.hosts >= 1);
  // Scanning with it: the low chains carry baseline_known, the attacks do not.
  const configFile = tempFile("baseline.json", JSON.stringify(config));
  const after = JSON.parse(ok(["scan", "--config", configFile, ...files]));
  for (const chain of after.chains) {
    const known = chain.reasons.some((r) => r.id === "baseline_known");
    const wasLow = before.chains.find((c) => c.id === chain.id).score < below;
    assert.equal(known, wasLow, `${chain.root.command_line}: baseline_known only on the low chains`);
  }
  // --config: its keys are kept, its baseline merged; min_score does not hide groups.
  const withKeys = tempFile(
    "tuned.json",
    JSON.stringify({ window_seconds: 300, min_score: 90, baseline: [{ shape: "mshta x", parent: "y.exe" }] }),
  );
  const merged = JSON.parse(ok(["baseline", "--config", withKeys, ...files]));
  assert.equal(merged.window_seconds, 300);
  assert.equal(merged.min_score, 90);
  assert.equal(merged.baseline.length, config.baseline.length + 1);
  assert.ok(merged.baseline.some((e) => e.shape === "mshta x"));
  // --below 101 is an error; --below=100 takes every group scoring below 100.
  fails(["baseline", "--below", "101", GETOBJECT], 2, /--below/);
  fails(["baseline", "--format", "json", GETOBJECT], 2, /unknown option --format/);
  fails(["scan", "--below", "50", GETOBJECT], 2, /unknown option --below/);
  const all = JSON.parse(ok(["baseline", "--below=100", ...files]));
  assert.equal(all.baseline.length, before.inventory.filter((g) => g.max_score !== null && g.max_score < 100).length);
});

/** The events of scenario files (tests/scenarios/*.json, each an `events` array of flat Sysmon events). */
function scenarioEvents(names) {
  return names.flatMap((f) => JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8")).events);
}
const toJsonl = (events) => events.map((e) => JSON.stringify(e) + "\n").join("");

test("baseline on known-good and attack scenarios: the known-good chains drop to informational, the attacks stay at least medium", () => {
  const names = readdirSync(resolve(repo, "tests/scenarios")).filter((f) => /^(benign|attack)_.*\.json$/.test(f)).sort();
  const benignNames = names.filter((f) => f.startsWith("benign_"));
  const attackNames = names.filter((f) => f.startsWith("attack_"));
  assert.ok(benignNames.length >= 4 && attackNames.length >= 8, names.join(", "));
  // A second host runs the vendor HTA of benign_vendor_hta_explorer, which
  // there also starts a cleanup batch file through cmd.exe: a shell child
  // makes it score low rather than informational. Same invocation, same group.
  const [vendor, updater] = scenarioEvents(["benign_vendor_hta_explorer.json"]);
  const guid = (n) => `{11111111-2222-3333-4444-00000000${n}}`;
  const second = { ...vendor, Hostname: "BEN-VENDOR-2", ProcessGuid: guid("0300"), ParentProcessGuid: guid("0299") };
  const cleanup = {
    ...updater,
    Hostname: "BEN-VENDOR-2",
    ProcessGuid: guid("0301"),
    ProcessId: "5300",
    ParentProcessGuid: guid("0300"),
    Image: "C:\\Windows\\System32\\cmd.exe",
    CommandLine: 'cmd.exe /c "C:\\Program Files\\Contoso\\Tools\\cleanup.bat"',
    OriginalFileName: "Cmd.Exe",
  };
  const file = tempFile("mixed-scenarios.jsonl", toJsonl([...scenarioEvents(names), second, cleanup]));

  const before = JSON.parse(ok(["scan", file]));
  const benignHosts = new Set([...scenarioEvents(benignNames).map((e) => e.Hostname), "BEN-VENDOR-2"]);
  const attackHosts = new Set(scenarioEvents(attackNames).map((e) => e.Hostname));
  assert.ok(![...benignHosts].some((h) => attackHosts.has(h)), "known-good and attack scenarios run on different hosts");
  const isBenign = (chain) => benignHosts.has(chain.host);
  const benign = before.chains.filter(isBenign);
  const attacks = before.chains.filter((c) => !isBenign(c));
  assert.ok(benign.length >= benignNames.length + 1, `benign chains: ${benign.map((c) => c.host).join(", ")}`);
  assert.ok(attacks.length >= attackNames.length);
  for (const c of benign) assert.ok(c.score < 50, `${c.host} scored ${c.score} before the baseline`);
  // Every attack is at least medium; with payload evidence high or critical
  // (the scenario targets of the scoring model, checked per scenario in Rust).
  for (const c of attacks) assert.ok(["medium", "high", "critical"].includes(c.severity), `${c.host}: ${c.severity}`);
  const lowVendor = benign.find((c) => c.host === "BEN-VENDOR-2");
  assert.equal(lowVendor.severity, "low", `the vendor HTA with a shell child scores low (${lowVendor.score})`);

  // The baseline: the groups of the known-good chains, none of the attacks'.
  const config = JSON.parse(ok(["baseline", file]));
  assert.deepEqual(Object.keys(config), ["baseline"]);
  const expected = before.inventory.filter((g) => g.max_score !== null && g.max_score < 50);
  assert.deepEqual(
    config.baseline.map((e) => `${e.parent} ${e.shape}`).sort(),
    expected.map((g) => `${g.parent} ${g.shape}`).sort(),
  );
  assert.ok(config.baseline.length >= benignNames.length, "one group per known-good invocation at least");
  const vendorGroup = config.baseline.find((e) => e.shape.includes("launcher.hta"));
  assert.deepEqual([vendorGroup.parent, vendorGroup.count, vendorGroup.hosts], ["explorer.exe", 2, 2]);
  for (const g of before.inventory.filter((g) => !expected.includes(g))) {
    assert.ok(g.max_score === null || g.max_score >= 50, `${g.shape} is not baselined`);
  }

  // Scanning the same data with it.
  const configFile = tempFile("scenario-baseline.json", JSON.stringify(config));
  const after = JSON.parse(ok(["scan", "--config", configFile, file]));
  assert.equal(after.chains.length, before.chains.length, "no chain is dropped");
  for (const chain of after.chains) {
    const was = before.chains.find((c) => c.id === chain.id);
    assert.ok(was, `${chain.id} is the same chain`);
    const known = chain.reasons.find((r) => r.id === "baseline_known");
    if (isBenign(chain)) {
      assert.ok(known && known.points === -40, `${chain.host}: baseline_known -40`);
      assert.equal(chain.severity, "informational", `${chain.host}: ${chain.score}`);
      assert.equal(chain.score, Math.max(0, was.score - 40));
    } else {
      assert.equal(known, undefined, `${chain.host}: the attack is not baselined`);
      assert.equal(chain.score, was.score, `${chain.host}: the attack scores as before`);
      assert.equal(chain.severity, was.severity);
    }
  }
  // A new attack on a baselined host, in the same data, still scores high.
  const clickfix = scenarioEvents(["attack_clickfix_runmru.json"]).map((e) => ({ ...e, Hostname: "BEN-VENDOR-2" }));
  const withNew = tempFile("with-new-attack.jsonl", toJsonl([...scenarioEvents(names), second, cleanup]) + toJsonl(clickfix));
  const fresh = JSON.parse(ok(["scan", "--config", configFile, withNew])).chains.filter((c) => c.host === "BEN-VENDOR-2");
  assert.equal(fresh.length, 2);
  assert.deepEqual(fresh.map((c) => c.severity).sort(), ["critical", "informational"]);
});

test("baseline leaves out groups whose score is unknown (note on stderr), and keeps evicted chains' scores", () => {
  // The nested mshta of this scenario belongs to its parent's chain: its own
  // inventory group has no chain of its own (max_score null).
  const file = tempFile("nested.jsonl", toJsonl(scenarioEvents(["nested_mshta_one_chain.json"])));
  const report = JSON.parse(ok(["scan", file]));
  const unknown = report.inventory.filter((g) => g.max_score === null);
  assert.equal(unknown.length, 1);
  const r = run(["baseline", "--below", "100", file]);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /^mshta-chain: note: 1 inventory group\(s\) left out: none of their chains is in the report/);
  const config = JSON.parse(r.stdout);
  assert.ok(!config.baseline.some((e) => e.shape === unknown[0].shape), "the unknown group is not taken for known good");
  // Evicted chains (max_chains): a group keeps the highest final score of its
  // chains, so the baseline is the same as with room for every chain. Three
  // HTAs on one host, hours apart (each chain closes before the next
  // starts): with max_chains 1 the older ones are evicted.
  const [splash] = scenarioEvents(["benign_sccm_splash.json"]);
  const runs = ["splash", "welcome", "status"].map((name, i) => ({
    ...splash,
    Hostname: "BEN-EVICT",
    TimeCreated: `2024-06-02T1${i}:00:00.000Z`,
    UtcTime: `2024-06-02 1${i}:00:00.000`,
    ProcessGuid: `{11111111-2222-3333-4444-00000000070${i}}`,
    ProcessId: String(7000 + i),
    CommandLine: `"C:\\Windows\\System32\\mshta.exe" "C:\\MEM_Configmgr_5\\${name}.hta"`,
  }));
  const three = tempFile("three-htas.jsonl", toJsonl(runs));
  const tight = tempFile("tight.json", JSON.stringify({ max_chains: 1 }));
  const evicted = JSON.parse(ok(["scan", "--config", tight, three]));
  assert.equal(evicted.inventory.length, 3);
  assert.ok(evicted.stats.chains_evicted > 0, "chains were evicted");
  assert.ok(evicted.inventory.every((g) => typeof g.max_score === "number"), "evicted groups keep their scores");
  // With or without room for every chain, all three are known good.
  assert.equal(JSON.parse(ok(["baseline", "--config", tight, three])).baseline.length, 3);
  assert.equal(JSON.parse(ok(["baseline", three])).baseline.length, 3);
});

test("usage errors exit 2 with one line on stderr", () => {
  fails(["scan", "--min-score", "101", GETOBJECT], 2, /min-score/);
  fails(["scan", "--min-score=-1", GETOBJECT], 2, /min-score/);
  fails(["scan", "--min-score", "abc", GETOBJECT], 2, /min-score/);
  fails(["scan", "--min-score", "50.5", GETOBJECT], 2, /min-score/);
  fails(["scan", GETOBJECT, "--min-score"], 2, /min-score.*value/);
  fails(["scan", "--format"], 2, /format.*value/);
  fails(["scan", "--format", "xml", GETOBJECT], 2, /format.*xml/);
  fails(["scan", "--format", "OCSF", GETOBJECT], 2, /unknown format "OCSF" \(expected json, ndjson, text, ocsf, ecs, ocsf-ndjson, ecs-ndjson\)/);
  fails(["scan", "--format=", GETOBJECT], 2, /format/);
  fails(["scan", "--frmat", "json", GETOBJECT], 2, /--frmat/);
  fails(["scan", "-x", GETOBJECT], 2, /-x/);
  fails(["--bogus"], 2, /--bogus/);
  fails(["scna", GETOBJECT], 2, /scna/);
  fails([], 2, /command/);
  fails(["scan", "--config"], 2, /config.*value/);
});

test("unreadable files exit 2 with one line on stderr", () => {
  const missing = join(scratch, "does-not-exist.jsonl");
  fails(["scan", missing], 2, /does-not-exist\.jsonl/);
  // A missing file after a good one: still an error, no partial report.
  fails(["scan", GETOBJECT, missing], 2, /does-not-exist\.jsonl/);
  // A directory is read (recursively: tests/js/evtx.test.mjs); a missing one is an error.
  fails(["scan", join(scratch, "no-such-dir")], 2, /no-such-dir: no such file or directory/);
  fails(["scan", "--config", join(scratch, "no-config.json"), GETOBJECT], 2, /no-config\.json/);
});

test("a config with an unknown key exits 2 with one line naming it", (t) => {
  const stale = staleBuild();
  if (stale) return t.skip(stale);
  const badKey = tempFile("bad-key.json", JSON.stringify({ min_scor: 50 }));
  fails(["scan", "--config", badKey, GETOBJECT], 2, /min_scor/);
  const mixed = tempFile("mixed-key.json", JSON.stringify({ window_seconds: 60, max_error: 5 }));
  fails(["scan", "--config", mixed, GETOBJECT], 2, /max_error\b/);
});

test("invalid configs exit 2 with one line on stderr", () => {
  const badValue = tempFile("bad-value.json", JSON.stringify({ min_score: 300 }));
  fails(["scan", "--config", badValue, GETOBJECT], 2, /min_score/);
  const badType = tempFile("bad-type.json", JSON.stringify({ window_seconds: "ten" }));
  fails(["scan", "--config", badType, GETOBJECT], 2, /invalid type/);
  const zero = tempFile("zero.json", JSON.stringify({ window_seconds: 0 }));
  fails(["scan", "--config", zero, GETOBJECT], 2, /window_seconds/);
  const notJson = tempFile("not-json.json", "{ window_seconds: 1 ");
  fails(["scan", "--config", notJson, GETOBJECT], 2, /not-json\.json/);
  const notObject = tempFile("array.json", "[1, 2]");
  fails(["scan", "--config", notObject, GETOBJECT], 2, /object/);
});

test("--help and -h print the usage to stdout, exit 0", () => {
  for (const args of [["--help"], ["-h"], ["scan", "--help"]]) {
    const r = run(args);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Usage:/);
    assert.match(r.stdout, /mshta-chain scan \[--format json\|ndjson\|text\|ocsf\|ecs\] \[--min-score N\] \[--config FILE\]/);
    assert.match(r.stdout, /ocsf-ndjson, ecs-ndjson/);
    assert.match(r.stdout, /mshta-chain baseline \[--below N\] \[--config FILE\]/);
  }
});

test("--version prints the package version", () => {
  const pkg = JSON.parse(readFileSync(resolve(repo, "pkg/package.json"), "utf8"));
  assert.equal(ok(["--version"]), pkg.version + "\n");
});

test("the CLI is executable with a node shebang", () => {
  const source = readFileSync(cliPath, "utf8");
  assert.ok(source.startsWith("#!/usr/bin/env node\n"));
  assert.ok((statSync(cliPath).mode & 0o111) !== 0, "executable bit set");
  const pkg = JSON.parse(readFileSync(resolve(repo, "pkg/package.json"), "utf8"));
  assert.equal(resolve(repo, "pkg", pkg.bin["mshta-chain"]), cliPath);
});

test("the README's text report example is the CLI's output on the bundled sample (with cuts)", () => {
  const readme = readFileSync(resolve(repo, "README.md"), "utf8");
  const command = "node pkg/bin/mshta-chain.mjs scan --format text tests/data/sample.jsonl";
  assert.ok(readme.includes(command), "the README names the command");
  const block = /```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "a text block in the README");
  const out = ok(["scan", "--format", "text", resolve(repo, "tests/data/sample.jsonl")]).split("\n");
  // Every line of the example appears in the output, in order ("..." marks a cut).
  let at = 0;
  for (const line of block[1].split("\n").filter((l) => l !== "" && l !== "...")) {
    const found = out.indexOf(line, at);
    assert.ok(found >= 0, `README line not in the output (in order): ${line}`);
    at = found + 1;
  }
});
