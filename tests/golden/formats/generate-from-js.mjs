// One-off: writes the golden files of tests/golden/formats/ from the
// JavaScript formatters (pkg/src/formats.js, pkg/src/text.js) as they were
// before the formats moved into the core, so the Rust renderer is checked
// against what the CLI printed. Needs a built package. Run from the
// repository root: node tests/golden/formats/generate-from-js.mjs
// Inputs and their rendering follow core/tests/formats.rs exactly.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

import { analyze } from "../../../pkg/node.mjs";
import { toEcs, toOcsf } from "../../../pkg/src/formats.js";
import { formatNdjson, formatText } from "../../../pkg/src/text.js";

const repo = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../..");
const out = resolve(repo, "tests/golden/formats");
const productVersion = JSON.parse(readFileSync(resolve(repo, "pkg/package.json"), "utf8")).version;

// serde_json::Value's object order (keys sorted), so both sides send the same bytes.
const sorted = (v) =>
  Array.isArray(v)
    ? v.map(sorted)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]))
      : v;

const inputs = [
  ["sample", readFileSync(resolve(repo, "tests/data/sample.jsonl"))],
  ["benign_sysmon_desktop_2017", readFileSync(resolve(repo, "tests/data/realdata/benign/sysmon_desktop_2017.jsonl"))],
];
for (const f of readdirSync(resolve(repo, "tests/data/realdata/otrf")).sort()) {
  if (f.endsWith(".jsonl")) inputs.push([`otrf_${f.slice(0, -6)}`, readFileSync(resolve(repo, "tests/data/realdata/otrf", f))]);
}
for (const f of readdirSync(resolve(repo, "tests/scenarios")).sort()) {
  if (!f.endsWith(".json")) continue;
  const { events } = JSON.parse(readFileSync(resolve(repo, "tests/scenarios", f), "utf8"));
  const text = events.map((e) => (typeof e === "string" ? e : JSON.stringify(sorted(e))) + "\n").join("");
  inputs.push([`scenario_${f.slice(0, -5)}`, text]);
}

for (const [name, input] of inputs) {
  const report = analyze(input);
  const ocsf = toOcsf(report, { productVersion });
  const ecs = toEcs(report, { productVersion });
  const files = {
    txt: formatText(report),
    ndjson: formatNdjson(report),
    "ocsf.json": JSON.stringify(ocsf, null, 2) + "\n",
    "ecs.json": JSON.stringify(ecs, null, 2) + "\n",
    "ocsf.ndjson": ocsf.map((d) => JSON.stringify(d) + "\n").join(""),
    "ecs.ndjson": ecs.map((d) => JSON.stringify(d) + "\n").join(""),
  };
  if (name === "sample") files["color.txt"] = formatText(report, { color: true });
  for (const [ext, text] of Object.entries(files)) writeFileSync(resolve(out, `${name}.${ext}`), text);
}
console.log(`${inputs.length} inputs`);
