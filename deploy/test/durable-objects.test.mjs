// Durable Objects in workerd (Miniflare): events of 50 hosts through the
// Worker, one object per host, give the chains of one analyze; after the
// runtime restarts (every object evicted from memory), the objects resume
// from the snapshots in their storage. Run by scripts/test-deploy.sh.
//
// Input: $MSHTA_DEPLOY_DO_CORPUS (written by the script with the project's
// corpus generator), else generated here.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze } from "mshta-chain";
import { startMiniflare } from "../durable-objects/miniflare.mjs";
import { comparable, corpus } from "./helpers.mjs";

const tmp = mkdtempSync(join(tmpdir(), "mshta-do-"));
const BATCH_LINES = 2000;
let lines;
let expected;

before(() => {
  let file = process.env.MSHTA_DEPLOY_DO_CORPUS;
  if (!file) {
    file = join(tmp, "corpus.jsonl");
    corpus({ out: file, events: 30_000, hosts: 50, seed: 16 });
  }
  const text = readFileSync(file, "utf8");
  lines = text.split("\n").filter((l) => l.trim() !== "");
  expected = new Map(analyze(text).chains.map((c) => [c.id, c]));
  assert.ok(expected.size > 5, `the corpus should hold chains (has ${expected.size})`);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Posts lines [from, to) in batches; folds the answers into `book`. */
async function send(mf, from, to, book) {
  for (let i = from; i < to; i += BATCH_LINES) {
    const body = lines.slice(i, Math.min(to, i + BATCH_LINES)).join("\n") + "\n";
    const res = await mf.dispatchFetch("http://localhost/events", { method: "POST", body });
    assert.equal(res.status, 200, await res.clone().text());
    const { updates } = await res.json();
    for (const u of updates) {
      book.hosts.add(u.host);
      book.snapshotBytes.set(u.host, u.snapshot_bytes);
      if (u.restored) book.restored.add(u.host);
      for (const c of u.chains) {
        const cur = book.latest.get(c.id);
        if (!cur || cur.version < c.version) book.latest.set(c.id, c);
      }
      for (const id of u.retracted) book.latest.delete(id);
    }
  }
}

test("50 hosts through the Worker, one Durable Object per host, restarted midway: the chains of one analyze", { timeout: 600_000 }, async () => {
  const book = { latest: new Map(), hosts: new Set(), restored: new Set(), snapshotBytes: new Map() };
  const half = Math.floor(lines.length / 2);
  let mf = startMiniflare(join(tmp, "persist"));
  try {
    await send(mf, 0, half, book);
    assert.equal(book.restored.size, 0, "nothing to restore before the restart");
  } finally {
    await mf.dispose();
  }
  const before = new Set(book.hosts);
  mf = startMiniflare(join(tmp, "persist"));
  try {
    await send(mf, half, lines.length, book);
  } finally {
    await mf.dispose();
  }
  assert.ok(book.hosts.size >= 50, `50 hosts (saw ${book.hosts.size})`);
  // Every object that had state before the restart and got events after it restored it.
  const resumed = [...before].filter((h) => book.restored.has(h));
  assert.ok(resumed.length >= 40, `objects resumed from storage: ${resumed.length} of ${before.size}`);
  assert.deepEqual([...expected.keys()].filter((id) => !book.latest.has(id)), [], "chains missing");
  assert.deepEqual([...book.latest.keys()].filter((id) => !expected.has(id)), [], "chains one analyze does not have");
  for (const [id, chain] of expected) {
    assert.equal(book.latest.get(id).score, chain.score, `score of ${id}`);
    assert.equal(comparable(book.latest.get(id)), comparable(chain), `chain ${id}`);
  }
  const sizes = [...book.snapshotBytes.values()].sort((a, b) => a - b);
  const mean = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
  const p99 = sizes[Math.min(sizes.length - 1, Math.ceil(0.99 * sizes.length) - 1)];
  console.log(`# durable objects: ${book.hosts.size} hosts, ${expected.size} chains, ${resumed.length} objects resumed after the restart, snapshot bytes per host mean ${mean}, p99 ${p99}`);
});
