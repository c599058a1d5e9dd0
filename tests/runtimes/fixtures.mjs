// Writes what Node computes with the built package, for runtimes that
// cannot run Node code to compare against (the Deno test):
//   node tests/runtimes/fixtures.mjs OUTDIR
// OUTDIR/reports.json: the version, `analyze` of each real attack export,
// the byte offset `cut` (inside a line) where the concatenated exports are
// split, and the report of a Detector fed both pieces.
// OUTDIR/node.snapshot: that Detector's snapshot after the first piece.

import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { analyze, Detector, version } from "../../pkg/node.mjs";
import { ATTACKS, attackBytes, concat, cutInsideLine } from "./common.mjs";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: node tests/runtimes/fixtures.mjs OUTDIR\n");
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const reports = {};
for (const name of Object.keys(ATTACKS)) reports[name] = analyze(attackBytes(name));
const all = concat(Object.keys(ATTACKS).map(attackBytes));
const cut = cutInsideLine(all, 0.5);
const detector = new Detector();
detector.push(all.subarray(0, cut));
writeFileSync(resolve(out, "node.snapshot"), detector.snapshot());
detector.push(all.subarray(cut));
const streamed = detector.finish();
detector.free();
writeFileSync(resolve(out, "reports.json"), JSON.stringify({ version: version(), reports, cut, streamed }));
process.stdout.write(`fixtures: ${out} (version ${version()}, cut at byte ${cut} of ${all.length})\n`);
