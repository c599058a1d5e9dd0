// NATS JetStream deployment: equivalence with one analyze, and faults
// (SIGKILL of a worker twice, a server restart, reordered and duplicated
// deliveries). Run by scripts/test-deploy.sh as `node --test`.
//
// Input: $MSHTA_DEPLOY_CORPUS (JSON Lines written by the project's corpus
// generator; the script writes it), else a corpus generated here.
// Everything runs on 127.0.0.1; every wait is bounded.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze } from "mshta-chain";
import { AlertBook, readAlerts } from "../nats/alerts.mjs";
import { hostToken, partitionOf } from "../common/hosts.mjs";
import { EVENTS_PREFIX, connectNats, setup, streamOf } from "../nats/lib.mjs";
import { comparable, corpus, deployDir, startNats, startWorker, waitFor } from "./helpers.mjs";

const PARTITIONS = 6;
const LEASE_MS = 3000;
const tmp = mkdtempSync(join(tmpdir(), "mshta-deploy-"));
let file;
let expected; // chain id -> comparable chain, from one analyze

before(() => {
  file = process.env.MSHTA_DEPLOY_CORPUS;
  if (!file) {
    file = join(tmp, "corpus.jsonl");
    corpus({ out: file, events: 50_000, hosts: 500, seed: 15 });
  }
  const report = analyze(readFileSync(file));
  expected = new Map(report.chains.map((c) => [c.id, c]));
  assert.ok(expected.size > 10, `the corpus should hold chains (has ${expected.size})`);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Starts the publisher as a child process; progress lines in `progress`. */
function publisher(server, extra = []) {
  const proc = spawn(process.execPath, [join(deployDir, "nats/publish.mjs"), "--server", server, "--source", "test", "--progress-every", "5000", ...extra, file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pub = { proc, lines: 0, done: undefined, stderr: "" };
  let buf = "";
  proc.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const o = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (o.progress) pub.lines = o.progress;
      if (o.done) pub.done = o;
    }
  });
  proc.stderr.on("data", (d) => (pub.stderr += d));
  pub.exited = new Promise((r) => proc.once("exit", r));
  return pub;
}

/** Every partition stream empty: every message acknowledged, so covered by a stored snapshot. */
async function drained(jsm) {
  for (let p = 0; p < PARTITIONS; p++) {
    const info = await jsm.streams.info(streamOf(p));
    if (info.state.messages > 0) return false;
  }
  return true;
}

/** With $MSHTA_DEPLOY_LOGS set: each worker's stdout lines and stderr, the stored alerts and the server's log, for a post-mortem. */
async function keepLogs(name, workers, server, nc) {
  const dir = process.env.MSHTA_DEPLOY_LOGS;
  if (!dir) return;
  const out = join(dir, `${name}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  // The alerts as stored, in stream order, repeats and all.
  const stored = [];
  await readAlerts(nc, { add: (a) => stored.push(a) }).catch(() => {});
  writeFileSync(join(out, "alerts.jsonl"), stored.map((a) => JSON.stringify({ partition: a.partition, worker: a.worker, seq: a.seq, id: a.id, version: a.version, retracted: a.retracted })).join("\n") + "\n");
  for (const w of workers) writeFileSync(join(out, `${w.id}.jsonl`), w.events.map((e) => JSON.stringify(e)).join("\n") + "\n" + w.stderr);
  try {
    copyFileSync(server.log, join(out, "server.log"));
  } catch {
    // no log yet
  }
}

/** Compares the alert book's final chains with one analyze. */
function assertSameChains(book) {
  const got = book.latest;
  const missing = [...expected.keys()].filter((id) => !got.has(id));
  const extra = [...got.keys()].filter((id) => !expected.has(id));
  assert.deepEqual(missing, [], "chains of one analyze missing from the alerts");
  assert.deepEqual(extra, [], "chains in the alerts that one analyze does not have");
  for (const [id, chain] of expected) {
    const alert = got.get(id);
    assert.equal(alert.chain.score, chain.score, `score of ${id}`);
    const [a, b] = [comparable(alert.chain), comparable(chain)];
    if (a !== b) {
      let i = 0;
      while (a[i] === b[i]) i++;
      assert.fail(`chain ${id} (v${alert.version}, partition ${alert.partition}) differs from one analyze at ${i}:\n  alerts:  ...${a.slice(Math.max(0, i - 300), i + 300)}\n  analyze: ...${b.slice(Math.max(0, i - 300), i + 300)}`);
    }
  }
  // No alert lost: every chain's versions are 1..n without a gap.
  for (const [id, versions] of book.versions()) {
    assert.deepEqual(versions, versions.map((_, i) => i + 1), `versions of ${id}`);
  }
  assert.equal(book.mismatched, 0, "a repeated (id, version) carried another chain");
}

test("the server's partition mapping puts each host where FNV-1a mod N says", { timeout: 60_000 }, async () => {
  const server = await startNats({ partitions: PARTITIONS });
  const nc = await connectNats(server.url, "test");
  try {
    const { jsm, js } = await setup(nc, { partitions: PARTITIONS, leaseMs: LEASE_MS });
    const want = new Array(PARTITIONS).fill(0);
    for (let i = 0; i < 60; i++) {
      const token = hostToken(`ws${String(i).padStart(4, "0")}.corp.example.com`);
      await js.publish(`${EVENTS_PREFIX}.${token}`, new TextEncoder().encode("{}\n"));
      want[partitionOf(token, PARTITIONS)]++;
    }
    const got = [];
    for (let p = 0; p < PARTITIONS; p++) got.push((await jsm.streams.info(streamOf(p))).state.messages);
    assert.deepEqual(got, want);
  } finally {
    await nc.close();
    await server.cleanup();
  }
});

test("3 workers give exactly the chains of one analyze", { timeout: 600_000 }, async () => {
  const server = await startNats({ partitions: PARTITIONS });
  const workers = [];
  const nc = await connectNats(server.url, "test");
  try {
    const { jsm } = await setup(nc, { partitions: PARTITIONS, leaseMs: LEASE_MS });
    for (let i = 0; i < 3; i++) workers.push(startWorker({ server: server.url, partitions: PARTITIONS, id: `eq${i}` }));
    await waitFor("every partition owned", () => workers.reduce((n, w) => n + w.owned().length, 0) === PARTITIONS, { ms: 60_000 });
    const pub = publisher(server.url);
    assert.equal(await pub.exited, 0, pub.stderr);
    await waitFor("every partition drained", () => drained(jsm), { ms: 300_000, every: 500 });
    const book = await readAlerts(nc, new AlertBook());
    assertSameChains(book);
    console.log(`# equivalence: ${pub.done.lines} lines, ${expected.size} chains, ${book.alerts} alerts, ${book.duplicates} duplicates`);
  } finally {
    for (const w of workers) w.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await nc.close();
    await server.cleanup();
  }
});

test("SIGKILL twice, a server restart, reordered and duplicated deliveries: same chains, no alert lost", { timeout: 600_000 }, async () => {
  const server = await startNats({ partitions: PARTITIONS });
  const workers = [];
  let nc = await connectNats(server.url, "test");
  let pub;
  try {
    const { jsm } = await setup(nc, { partitions: PARTITIONS, leaseMs: LEASE_MS });
    const spawnWorker = (id, chaos) => {
      const w = startWorker({ server: server.url, partitions: PARTITIONS, id, chaos, snapshotInterval: 5000 });
      workers.push(w);
      return w;
    };
    spawnWorker("f0", 11);
    spawnWorker("f1", 12);
    spawnWorker("f2", 13);
    await waitFor("every partition owned", () => workers.reduce((n, w) => n + w.owned().length, 0) === PARTITIONS, { ms: 60_000 });
    const total = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").length;
    // Slow the publisher down so that the faults land mid-stream.
    pub = publisher(server.url, ["--flush-lines", "2000"]);
    const failovers = [];
    const killAt = async (fraction, victim, replacement, chaos) => {
      await waitFor(`${fraction * 100}% published`, () => pub.lines >= fraction * total || pub.done, { ms: 300_000, every: 50 });
      const killedAt = Date.now();
      victim.kill("SIGKILL");
      await victim.exited;
      // What it owned when it died, from all its output (its last word may be a claim or a loss).
      const lost = victim.owned();
      // Another worker claims the dead one's partitions once their leases
      // expire: the first alert of a new owner (one that claimed the
      // partition after the victim did) marks the failover.
      const others = workers.filter((w) => w !== victim);
      const takeover = await waitFor(
        "a takeover of the killed worker's partitions",
        () =>
          lost.length === 0 ||
          others.flatMap((w) => w.events).find((e) => e.event === "first_alert" && lost.includes(e.partition) && e.at > victim.claimedAt(e.partition)),
        { ms: 60_000, every: 50 },
      );
      // (A takeover before the kill: the victim had lost the lease already.)
      if (takeover.at > killedAt) failovers.push(takeover.at - killedAt);
      spawnWorker(replacement, chaos);
    };
    await killAt(0.25, workers[0], "f3", 14);
    await waitFor("50% published", () => pub.lines >= 0.5 * total || pub.done, { ms: 300_000, every: 50 });
    await server.restart();
    await killAt(0.7, workers[1], "f4", 15);
    assert.equal(await pub.exited, 0, pub.stderr);
    await waitFor("every partition drained", () => drained(jsm), { ms: 300_000, every: 500 });
    const book = await readAlerts(nc, new AlertBook());
    assertSameChains(book);
    const skipped = workers.reduce((n, w) => n + ([...w.events].reverse().find((e) => e.event === "stats")?.duplicates_skipped ?? 0), 0);
    assert.ok(skipped > 0, "the chaos deliveries should have repeated messages");
    console.log(
      `# faults: ${expected.size} chains, ${book.alerts} alerts, ${book.duplicates} duplicate alerts (repeated (id, version) pairs), ` +
        `${skipped} duplicate deliveries skipped, failover (kill to the new owner's first alert) ${failovers.map((ms) => `${ms} ms`).join(", ")}`,
    );
  } finally {
    await keepLogs("faults", workers, server, nc);
    pub?.proc.kill("SIGKILL");
    for (const w of workers) w.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await nc.close().catch(() => {});
    await server.cleanup();
  }
});
