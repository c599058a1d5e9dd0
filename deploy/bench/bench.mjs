// Deployment benchmark (NATS JetStream): events/s for 1, 2 and 3 workers,
// hosts per worker, snapshot bytes per host, restore time per partition,
// failover time from SIGKILL to the new owner's first alert.
//
//   node deploy/bench/bench.mjs CORPUS.jsonl [--partitions 6]
//
// bash deploy/bench/bench.sh writes the corpus (1,000,000 events over 500
// hosts) and runs this. For each worker count the corpus is published
// first, with no worker running, so the figure is the workers' own speed
// (the publisher on the same 2 cores would otherwise take its share);
// then the workers start and the clock runs until every partition stream is
// empty (every message covered by a stored snapshot).

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Detector, hostOf } from "mshta-chain";
import { UNROUTED, partitionOf, router } from "../common/hosts.mjs";
import { connectNats, setup, streamOf } from "../nats/lib.mjs";
import { publishLines } from "../nats/publish.mjs";
import { AlertBook, readAlerts } from "../nats/alerts.mjs";
import { comparable, startNats, startWorker, waitFor } from "../test/helpers.mjs";

const { routeLine } = router(hostOf);
const file = process.argv[2];
const pIndex = process.argv.indexOf("--partitions");
const PARTITIONS = pIndex > 0 ? Number(process.argv[pIndex + 1]) : 6;
if (!file) {
  console.error("usage: bench.mjs CORPUS.jsonl [--partitions N]");
  process.exit(2);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (n) => Math.round(n).toLocaleString("en-US");

async function drained(jsm) {
  for (let p = 0; p < PARTITIONS; p++) if ((await jsm.streams.info(streamOf(p))).state.messages > 0) return false;
  return true;
}

/** One run: publish everything, start `n` workers, time until drained. Optionally kill one midway. */
async function run(n, { kill = false } = {}) {
  const server = await startNats({ partitions: PARTITIONS });
  const nc = await connectNats(server.url, "bench");
  const workers = [];
  try {
    const { jsm } = await setup(nc, { partitions: PARTITIONS, leaseMs: 3000 });
    const pub = await publishLines(nc, createInterface({ input: createReadStream(file), crlfDelay: Infinity }), { source: "bench" });
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) total += (await jsm.streams.info(streamOf(p))).state.messages;
    const started = Date.now();
    for (let i = 0; i < n; i++) workers.push(startWorker({ server: server.url, partitions: PARTITIONS, id: `b${n}-${i}` }));
    let failover;
    if (kill) {
      const remaining = async () => {
        let m = 0;
        for (let p = 0; p < PARTITIONS; p++) m += (await jsm.streams.info(streamOf(p))).state.messages;
        return m;
      };
      await waitFor("half the messages processed", async () => (await remaining()) < total / 2, { ms: 600_000, every: 100 });
      const victim = workers[0];
      const lost = victim.owned();
      const killedAt = Date.now();
      victim.kill("SIGKILL");
      await victim.exited;
      const after = (kind) => workers.slice(1).flatMap((w) => w.events).find((e) => e.event === kind && e.at > killedAt && lost.includes(e.partition));
      const first = await waitFor("the new owner's first alert", () => after("first_alert"), { ms: 120_000, every: 20 }).catch(() => undefined);
      const claimed = after("claimed");
      const restored = after("restored");
      failover = {
        first_alert_ms: first ? first.at - killedAt : null,
        claimed_ms: claimed ? claimed.at - killedAt : null,
        restored_ms: restored ? restored.at - killedAt : null,
        partitions: lost,
      };
    }
    await waitFor("drained", () => drained(jsm), { ms: 1_800_000, every: 200 });
    const seconds = (Date.now() - started) / 1000;
    if (process.env.MSHTA_BENCH_LOG) {
      const { appendFileSync } = await import("node:fs");
      for (const w of workers) for (const e of w.events) appendFileSync(process.env.MSHTA_BENCH_LOG, JSON.stringify({ run: n, ...e }) + "\n");
    }
    const book = await readAlerts(nc, new AlertBook());
    let same = 0;
    for (const [id, a] of book.latest) if (reference.get(id) === comparable(a.chain)) same++;
    const equivalent = same === reference.size && book.latest.size === reference.size;
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => w.exited));
    const stats = workers.map((w) => [...w.events].reverse().find((e) => e.event === "stats")).filter(Boolean);
    const events = stats.reduce((a, s) => a + s.events, 0);
    const snapshots = workers.flatMap((w) => w.events).filter((e) => e.event === "snapshot");
    const restores = workers.flatMap((w) => w.events).filter((e) => e.event === "restored" && e.bytes > 0);
    return { n, seconds, events, messages: total, equivalent, chains: book.latest.size, duplicates: book.duplicates, published: pub, perWorker: stats.map((s) => ({ events: s.events, push_ms: s.pushes_ms })), snapshots, restores, failover };
  } finally {
    for (const w of workers) w.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await nc.close().catch(() => {});
    await server.cleanup();
  }
}

// One pass over the corpus, streamed (a million events do not fit in one
// JavaScript string): hosts per partition (the server's mapping, FNV-1a
// mod N), snapshot bytes per host (one Detector per host over its own
// events), restore time per partition (one Detector per partition), and the
// reference chains (one Detector over everything, in file order).
const enc = new TextEncoder();
const hostsOf = Array.from({ length: PARTITIONS }, () => new Set());
const perHost = new Map(); // token -> { d, lines }
const perPart = Array.from({ length: PARTITIONS }, () => ({ d: new Detector(), lines: [] }));
const single = { d: new Detector(), lines: [] };
const flush = (slot) => {
  if (slot.lines.length === 0) return;
  slot.d.push(enc.encode(slot.lines.join("\n") + "\n"));
  slot.lines = [];
};
let lineCount = 0;
let corpusBytes = 0;
let unrouted = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  lineCount++;
  corpusBytes += line.length + 1;
  single.lines.push(line);
  if (single.lines.length >= 1000) flush(single);
  for (const { token, line: routed } of routeLine(line)) {
    const p = partitionOf(token, PARTITIONS);
    perPart[p].lines.push(routed);
    if (token === UNROUTED) {
      // Events the core files under no host (ignored module loads, say): not a host's state.
      unrouted++;
      if (perPart[p].lines.length >= 1000) flush(perPart[p]);
      continue;
    }
    hostsOf[p].add(token);
    let h = perHost.get(token);
    if (!h) perHost.set(token, (h = { d: new Detector(), lines: [] }));
    h.lines.push(routed);
    if (h.lines.length >= 1000) flush(h);
    if (perPart[p].lines.length >= 1000) flush(perPart[p]);
  }
}
flush(single);
const reference = new Map(single.d.finish().chains.map((c) => [c.id, comparable(c)]));
single.d.free();
const hosts = hostsOf.reduce((a, s) => a + s.size, 0);
const hostSizes = [];
for (const h of perHost.values()) {
  flush(h);
  hostSizes.push(h.d.snapshot().length);
  h.d.free();
}
hostSizes.sort((a, b) => a - b);
perHost.clear();
const perPartEvents = [];
const partRestore = [];
const partBytes = [];
for (const slot of perPart) {
  flush(slot);
  perPartEvents.push(slot.d.report().stats.events);
  const bytes = slot.d.snapshot();
  slot.d.free();
  const t = performance.now();
  Detector.restore(bytes).free();
  partRestore.push(performance.now() - t);
  partBytes.push(bytes.length);
}
console.error(`[bench] corpus: ${fmt(lineCount)} events, ${hosts} hosts, ${reference.size} chains; ${fmt(unrouted)} events under ${UNROUTED} (partition ${partitionOf(UNROUTED, PARTITIONS)})`);

const results = [];
for (const n of [1, 2, 3]) {
  const r = await run(n);
  results.push(r);
  console.error(`[bench] ${n} worker(s): ${fmt(r.events)} events in ${r.seconds.toFixed(1)} s = ${fmt(r.events / r.seconds)} events/s; chains equal to one Detector: ${r.equivalent}`);
}
const fo = await run(3, { kill: true });
console.error(`[bench] failover: ${JSON.stringify(fo.failover)}; chains equal to one Detector: ${fo.equivalent}`);

const one = results[0];
const restoreMs = fo.restores.map((r) => r.restore_ms);
const restoreTotal = fo.restores.map((r) => r.total_ms);
partRestore.sort((a, b) => a - b);
partBytes.sort((a, b) => a - b);
const out = {
  corpus: { events: lineCount, hosts, partitions: PARTITIONS, bytes: corpusBytes, chains: reference.size, unrouted, unrouted_partition: partitionOf(UNROUTED, PARTITIONS) },
  events_per_partition: perPartEvents,
  workers: results.map((r) => ({
    workers: r.n,
    seconds: r.seconds,
    events_per_second: r.events / r.seconds,
    per_worker_events_per_second: r.perWorker.map((w) => w.events / r.seconds),
    hosts_per_worker: hosts / r.n,
    messages: r.messages,
    equivalent: r.equivalent,
  })),
  push_only_events_per_second: one.perWorker[0].events / (one.perWorker[0].push_ms / 1000),
  snapshot_bytes_per_host: { mean: mean(hostSizes), p99: quantile(hostSizes, 0.99), max: hostSizes.at(-1) },
  snapshot_bytes_per_partition_end: { mean: mean(partBytes), max: partBytes.at(-1) },
  restore_ms_per_partition_end: { mean: mean(partRestore), max: partRestore.at(-1) },
  restore_ms_at_failover: { wasm: restoreMs, with_fetch: restoreTotal },
  failover: fo.failover,
  failover_equivalent: fo.equivalent,
};
console.log(JSON.stringify(out, null, 2));
