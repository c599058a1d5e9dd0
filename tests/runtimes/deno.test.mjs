// The built package under Deno, through its `deno.js` entry (imported by
// file path), on real Windows telemetry; compared with what Node computed
// (tests/runtimes/fixtures.mjs). Run by scripts/test-runtimes.sh:
//
//   deno run --allow-read tests/runtimes/deno.test.mjs FIXTURES_DIR
//
// Prints one line per test and "N passed, N failed"; exits 1 on a failure.

import assert from "node:assert/strict";
import init, { analyze, Detector, version } from "../../pkg/deno.js";
import * as entry from "../../pkg/deno.js";
import { ATTACKS, EXPECTED, attackBytes, base, concat } from "./common.mjs";

const fixturesDir = Deno.args[0];
if (!fixturesDir) {
  console.error("usage: deno run --allow-read tests/runtimes/deno.test.mjs FIXTURES_DIR");
  Deno.exit(2);
}
const fixture = JSON.parse(await Deno.readTextFile(`${fixturesDir}/reports.json`));
const nodeSnapshot = await Deno.readFile(`${fixturesDir}/node.snapshot`);

const results = [];
async function test(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`not ok - ${name}`);
    console.log(String(error?.stack ?? error).replace(/^/gm, "    "));
  }
}

const names = Object.keys(ATTACKS);
const all = concat(names.map(attackBytes));

await test("deno.js is ready at import; init resolves to the same API", async () => {
  assert.equal(entry.default, init);
  const api = await init();
  assert.equal(api.analyze, analyze);
  assert.equal(api.Detector, Detector);
  assert.equal(version(), fixture.version, "same core as the Node build");
});

for (const name of names) {
  await test(`analyze ${ATTACKS[name]}: the mshta chain, as Node found it`, () => {
    const report = analyze(attackBytes(name));
    assert.equal(report.stats.rejected, 0);
    assert.equal(report.chains.length, 1);
    const [chain] = report.chains;
    assert.equal(chain.root.pid, EXPECTED[name].pid);
    assert.equal(base(chain.root.image), "mshta.exe");
    assert.deepEqual(chain.children.map((c) => base(c.image)), EXPECTED[name].children);
    assert.deepEqual([...chain.root.sources].sort(), ["security", "sysmon"]);
    assert.ok(["high", "critical"].includes(chain.severity), chain.severity);
    assert.deepEqual(report, fixture.reports[name]);
    // Text input gives the same.
    assert.deepEqual(analyze(new TextDecoder().decode(attackBytes(name))), report);
  });
}

await test("Detector: restore a snapshot taken in Node, continue, finish", () => {
  const detector = Detector.restore(nodeSnapshot);
  const update = detector.push(all.subarray(fixture.cut));
  assert.ok(update.events > 0);
  const report = detector.finish();
  detector.free();
  assert.deepEqual(report, fixture.streamed);
  assert.deepEqual(
    report.chains.map((c) => c.root.pid).sort(),
    names.map((n) => EXPECTED[n].pid).sort(),
  );
});

await test("Detector: push, snapshot, restore in Deno; versions count changes", () => {
  const first = new Detector();
  const update = first.push(all.subarray(0, fixture.cut));
  assert.deepEqual(Object.keys(update).sort(), ["accepted", "chains", "events", "rejected", "retracted"]);
  assert.deepEqual(update.retracted, [], "one push: nothing announced before to retract");
  for (const chain of update.chains) assert.equal(chain.version, 1, "one push: every chain is new");
  const snapshot = first.snapshot();
  assert.ok(snapshot instanceof Uint8Array);
  assert.deepEqual(snapshot, nodeSnapshot, "the same state as in Node, byte for byte");
  const second = Detector.restore(snapshot);
  second.push(all.subarray(fixture.cut));
  assert.deepEqual(second.finish(), fixture.streamed);
  first.free();
  second.free();
  assert.throws(() => first.push("{}\n"), /this Detector was freed/);
});

await test("Detector: a corrupted or truncated snapshot throws a clear Error", () => {
  const flipped = nodeSnapshot.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0xff;
  assert.throws(() => Detector.restore(flipped), (e) => e instanceof Error && /snapshot corrupted/.test(e.message));
  assert.throws(() => Detector.restore(nodeSnapshot.subarray(0, 100)), (e) => e instanceof Error && /snapshot truncated/.test(e.message));
  assert.throws(() => Detector.restore(attackBytes("vbscript")), /not an mshta-chain snapshot/);
});

await test("Detector: JSON Lines cut inside lines gives the one-push report", () => {
  const bytes = attackBytes("vbscript");
  const detector = new Detector();
  for (const [from, to] of [[0, 1000], [1000, 777777], [777777, 777800], [777800, bytes.length]]) {
    detector.push(bytes.subarray(from, to));
  }
  assert.deepEqual(detector.finish(), fixture.reports.vbscript);
  detector.free();
});

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`deno: ${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
