#!/usr/bin/env node
// A worker: owns some partitions, keeps one Detector per owned partition,
// publishes chain updates, and stores snapshots with the stream sequence
// they cover. See deploy/nats/README.md.
//
//   node deploy/nats/worker.mjs --server 127.0.0.1:4222 --partitions 6
//        [--id NAME] [--snapshot-interval 20000]
//        [--max-seconds 3600] [--chaos SEED]
//
// Ownership: a partition p is owned by whoever holds key p<p> in the KV
// bucket mshta_leases. The bucket's TTL (--lease-ms, set when the bucket is
// created) removes a key that is not renewed; the owner renews it by a
// compare-and-set on its revision every lease/6 (requests time out within
// lease/4), and a failed renewal means the lease was lost: the partition is
// dropped at once, without storing anything, as it is once a whole lease
// has passed since the last confirmed renewal was sent (the lease time is the bucket's TTL, given to setup.mjs
// --lease-ms; this worker's --lease-ms is used only for a bucket without
// a TTL). Workers announce themselves with heartbeat keys w.<id> in the
// same bucket, and each aims at ceil(partitions / live workers): it claims
// free partitions (KV create: exactly one claimant wins) up to that, and
// hands extra ones back cleanly (snapshot, ack, delete the key).
//
// Taking a partition over: read mshta_state p<p> ({seq, object, sha256}),
// restore the Detector from the object store, fence (compare-and-set the
// record back, so that a previous owner that has not yet noticed its lost
// lease can no longer store or acknowledge anything), replace the stream's
// consumer by this owner's own (work queue: it starts at the first
// unacknowledged message, at or before seq+1), skip what the snapshot
// covers, replay the rest. One stream message is one push, so the replay pushes the same
// batches as the first owner did and yields the same (id, version) pairs
// with the same content: a replayed alert is a duplicate, never a variant.
//
// Alerts: one partition's are published one after another, in the order
// the pushes produced them (a retry never lands after a later alert).
//
// Snapshots: after --snapshot-interval events since the last one, and when
// the partition has been idle for a second with unsnapshotted messages:
// wait for the alerts published so far, store the snapshot object, then
// compare-and-set mshta_state p<p> to {seq, object}, then acknowledge the
// messages up to seq (the work queue drops them) and delete the previous
// object. A crash anywhere in between leaves the previous snapshot and
// messages in place: nothing covered is lost, something may be replayed.
//
// --chaos SEED: reorders and duplicates deliveries inside each fetched
// batch (tests at-least-once handling; the worker orders by stream sequence
// and skips what it already pushed).
//
// Stdout: one JSON object per line: claimed, restored, snapshot, first_alert,
// released, lost, stats (every 5 s and at exit).

import { createHash } from "node:crypto";
import { Detector } from "mshta-chain";
import {
  ALERTS_PREFIX,
  LEASES,
  SNAPSHOTS,
  STATE,
  connectNats,
  consumerOf,
  parseFlags,
  partKey,
  resetConsumer,
  sleep,
  streamOf,
} from "./lib.mjs";

const USAGE =
  "usage: worker.mjs --server HOST:PORT --partitions N [--id NAME] [--snapshot-interval EVENTS] [--max-seconds S] [--chaos SEED]";

const FETCH = 256;
let lastYield = performance.now();
const IDLE_SNAPSHOT_MS = 1000;
const MAX_AHEAD = 10_000;

let flags;
try {
  flags = parseFlags(process.argv.slice(2), ["server", "partitions", "id", "snapshot-interval", "lease-ms", "max-seconds", "chaos"]);
} catch (err) {
  console.error(`worker: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (flags.help || !flags.server || !flags.partitions) {
  console.error(USAGE);
  process.exit(flags.help ? 0 : 2);
}
const PARTITIONS = Number(flags.partitions);
const ID = flags.id ?? `w${process.pid}`;
const SNAPSHOT_INTERVAL = Number(flags["snapshot-interval"] ?? 20_000);
let LEASE_MS = Number(flags["lease-ms"] ?? 4000);
const MAX_SECONDS = Number(flags["max-seconds"] ?? 3600);
const CHAOS = flags.chaos === undefined ? undefined : Number(flags.chaos);
for (const [name, v] of [["partitions", PARTITIONS], ["snapshot-interval", SNAPSHOT_INTERVAL], ["lease-ms", LEASE_MS], ["max-seconds", MAX_SECONDS]]) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`worker: --${name} must be a positive number\n${USAGE}`);
    process.exit(2);
  }
}

const log = (obj) => process.stdout.write(JSON.stringify({ worker: ID, at: Date.now(), ...obj }) + "\n");
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A small seeded generator (xorshift32) for --chaos. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
const chaos = CHAOS === undefined ? undefined : rng(CHAOS);

const totals = { events: 0, messages: 0, pushes_ms: 0, duplicates_skipped: 0, reordered: 0, alerts: 0, snapshots: 0, takeovers: 0, lost: 0 };

const nc = await connectNats(flags.server, `mshta-worker-${ID}`);
const js = nc.jetstream();
const jsm = await nc.jetstreamManager();
const state = await js.views.kv(STATE, { bindOnly: true });
const snapshots = await js.views.os(SNAPSHOTS);
// The lease is the bucket's TTL (set by setup.mjs); --lease-ms only stands in for a bucket without one.
{
  const ttl = (await (await js.views.kv(LEASES, { bindOnly: true })).status()).ttl;
  if (ttl > 0) LEASE_MS = ttl;
}
// Leases go over a connection of their own, so that a renewal never waits
// on the socket behind megabytes of snapshot chunks, and their requests
// time out within a quarter lease: a request lost with a restarting server
// is otherwise awaited for the client's default timeout (5 s), longer than
// the lease; renewals then stall behind it, every lease of the worker
// expires while it goes on working, and other workers take its partitions
// over under it.
const LEASE_REQUEST_MS = Math.max(200, Math.floor(LEASE_MS / 4));
const ncLeases = await connectNats(flags.server, `mshta-worker-${ID}-leases`);
const leases = await ncLeases.jetstream({ timeout: LEASE_REQUEST_MS }).views.kv(LEASES, { bindOnly: true });
let claims = 0;
{
  const config = await state.get("config");
  const want = config && JSON.parse(dec.decode(config.value)).partitions;
  if (want !== PARTITIONS) {
    console.error(`worker: the deployment has ${want ?? "no"} partitions configured, --partitions says ${PARTITIONS} (run deploy/nats/setup.mjs)`);
    process.exit(2);
  }
}

/** Owned partitions: p -> Partition. */
const owned = new Map();
/** p -> the loop of a partition this worker dropped (awaited before claiming p again). */
const dropped = new Map();
let stopping = false;
let renewTimer;

class Partition {
  constructor(p, leaseRev) {
    this.p = p;
    this.leaseRev = leaseRev;
    this.active = true;
    this.detector = undefined;
    this.lastSeq = 0; // last stream sequence pushed
    this.snapSeq = 0; // sequence covered by the stored snapshot
    this.stateRev = 0; // revision of mshta_state p<p> (0: none yet)
    this.object = undefined; // name of the stored snapshot object
    this.unacked = []; // delivered messages at or below lastSeq, not yet acknowledged
    this.ahead = new Map(); // seq -> message, delivered before its predecessors
    this.gapSince = 0;
    this.serial = Promise.resolve();
    this.busy = false;
    this.held = [];
    this.alertFailed = false;
    this.sinceSnapshot = 0;
    this.lastActivity = Date.now();
    this.alertTail = Promise.resolve(); // the last alert published, in order
    this.firstAlert = true;
    this.loop = undefined;
    this.renewedAt = Date.now(); // last successful lease renewal (or the claim request)
    this.consumerName = consumerOf(p, `${ID}-${leaseRev}`);
    this.lingerCheck = 0; // when the stream was last checked for covered messages
  }

  async takeOver() {
    const started = performance.now();
    const entry = await state.get(partKey(this.p));
    const record = entry && entry.operation === "PUT" ? JSON.parse(dec.decode(entry.value)) : undefined;
    if (record?.object) {
      const bytes = await snapshots.getBlob(record.object);
      if (!bytes) throw new Error(`snapshot object ${record.object} is missing`);
      const sha = createHash("sha256").update(bytes).digest("hex");
      if (sha !== record.sha256) throw new Error(`snapshot object ${record.object} does not match its digest`);
      const t = performance.now();
      this.detector = Detector.restore(bytes);
      const restoreMs = performance.now() - t;
      this.lastSeq = this.snapSeq = record.seq;
      this.object = record.object;
      log({ event: "restored", partition: this.p, seq: record.seq, bytes: bytes.length, restore_ms: restoreMs, total_ms: performance.now() - started });
    } else {
      this.detector = new Detector();
      log({ event: "restored", partition: this.p, seq: 0, bytes: 0, restore_ms: 0, total_ms: performance.now() - started });
    }
    // Fence: write the record back, compare-and-set on the revision read. A
    // previous owner that has not noticed it lost the lease still holds that
    // revision; from here on its snapshot compare-and-set fails, so it can
    // never store a snapshot, or acknowledge messages, past what this owner
    // restored (it would delete from the work queue messages this owner has
    // yet to replay). If the record moved since it was read, the takeover
    // fails and the partition is claimed again later.
    if (!this.active) throw new Error("the lease was lost during the takeover");
    const fence = enc.encode(JSON.stringify({ ...(record ?? { seq: 0, object: null }), owner: ID }));
    this.stateRev = entry ? await state.update(partKey(this.p), fence, entry.revision) : await state.create(partKey(this.p), fence);
    await this.resetConsumer();
    totals.takeovers++;
  }

  /** Deletes every consumer of the partition's stream, then creates this owner's (from the first unacknowledged message). */
  async resetConsumer() {
    await resetConsumer(jsm, this.p, { maxAckPending: Math.max(10_000, 4 * SNAPSHOT_INTERVAL), name: this.consumerName });
    this.consumer = await js.consumers.get(streamOf(this.p), this.consumerName);
  }

  /** Whether this worker still holds the partition: its state revision is the stored one. */
  async stillOwner() {
    const entry = await state.get(partKey(this.p));
    return entry?.revision === this.stateRev;
  }

  async run() {
    // Deliveries, idle snapshots and gap resets go one at a time, in order.
    const idle = setInterval(() => {
      if (!this.active || this.busy) return;
      const quiet = Date.now() - this.lastActivity;
      if (this.unacked.length > 0 && this.ahead.size === 0 && quiet > IDLE_SNAPSHOT_MS) {
        this.serially(() => this.snapshot("idle"));
      } else if (this.ahead.size > 0 && Date.now() - this.gapSince > 5000) {
        // A delivery went missing (it cannot be skipped): start over from
        // the first unacknowledged message.
        this.serially(() => this.restart("gap"));
      } else if (this.ahead.size === 0 && this.unacked.length === 0 && quiet > 2 * IDLE_SNAPSHOT_MS && Date.now() - this.lingerCheck > 2 * IDLE_SNAPSHOT_MS) {
        // Quiet, with everything delivered acknowledged: the stream should
        // be empty. A message left is either covered by the snapshot (its
        // acknowledgement was lost with a restarting server: it would stay
        // until the ack wait, minutes) or not delivered (a pull lost the
        // same way): start the deliveries over; deliver() acknowledges what
        // the snapshot covers and pushes the rest.
        this.lingerCheck = Date.now();
        this.serially(async () => {
          const { messages, first_seq: first } = (await jsm.streams.info(streamOf(this.p))).state;
          if (messages > 0) await this.restart(first <= this.snapSeq ? "unacknowledged" : "stalled");
        });
      }
    }, 250);
    try {
      while (this.active) {
        try {
          this.consumer = await js.consumers.get(streamOf(this.p), this.consumerName);
          this.messages = await this.consumer.consume({ max_messages: FETCH, expires: 2000 });
          for await (const m of this.messages) {
            if (!this.active) break;
            if (chaos) {
              // Hold deliveries back and let them out shuffled, some twice.
              this.held.push(m);
              if (this.held.length >= 16 || m.info.pending === 0) {
                const out = shake(this.held);
                this.held = [];
                for (const x of out) await this.serially(() => this.deliver(x));
              }
            } else await this.serially(() => this.deliver(m));
            this.lastActivity = Date.now();
            // Buffered deliveries resolve as microtasks: let timers and
            // replies (lease renewals) in every 20 ms.
            if (performance.now() - lastYield > 20) {
              await new Promise((r) => setImmediate(r));
              lastYield = performance.now();
            }
          }
        } catch (err) {
          if (process.env.MSHTA_DEBUG) log({ event: "consume_error", partition: this.p, error: String(err?.message ?? err) });
        }
        if (this.active) await sleep(200); // server away or consumer recreated
      }
    } finally {
      clearInterval(idle);
      this.messages?.stop();
    }
  }

  /** Starts the deliveries over from the first unacknowledged message, if this worker still owns the partition. */
  async restart(why) {
    this.ahead.clear();
    if (!(await this.stillOwner())) {
      log({ event: "lost", partition: this.p, why: `state moved (seen at a ${why} restart)` });
      this.drop();
      return;
    }
    if (process.env.MSHTA_DEBUG) log({ event: "restart", partition: this.p, why, seq: this.lastSeq });
    await this.resetConsumer();
    this.messages?.stop();
  }

  serially(fn) {
    const run = async () => {
      this.busy = true;
      try {
        if (this.active) await fn();
      } finally {
        this.busy = false;
      }
    };
    this.serial = this.serial.then(run, run);
    return this.serial;
  }

  async deliver(m) {
    const seq = m.info.streamSequence;
    if (seq <= this.lastSeq) {
      totals.duplicates_skipped++;
      if (seq <= this.snapSeq) m.ack();
      else this.unacked.push(m);
      return;
    }
    if (seq > this.lastSeq + 1) {
      if (this.ahead.size === 0) this.gapSince = Date.now();
      if (!this.ahead.has(seq) && this.ahead.size < MAX_AHEAD) this.ahead.set(seq, m);
      else totals.duplicates_skipped++;
      totals.reordered++;
      return;
    }
    await this.process(m);
    while (this.active && this.ahead.has(this.lastSeq + 1)) {
      const next = this.ahead.get(this.lastSeq + 1);
      this.ahead.delete(this.lastSeq + 1);
      await this.process(next);
    }
  }

  async process(m) {
    if (!this.active) return;
    const seq = m.info.streamSequence;
    const t = performance.now();
    const update = this.detector.push(m.data);
    totals.pushes_ms += performance.now() - t;
    this.lastSeq = seq;
    this.unacked.push(m);
    totals.events += update.events;
    totals.messages++;
    this.sinceSnapshot += update.events;
    for (const chain of update.chains) this.alert({ id: chain.id, version: chain.version, seq, chain });
    for (const id of update.retracted) this.alert({ id, retracted: true, seq });
    if (this.sinceSnapshot >= SNAPSHOT_INTERVAL) await this.snapshot("interval");
  }

  alert(body) {
    const payload = enc.encode(JSON.stringify({ partition: this.p, worker: ID, ...body }));
    const subject = `${ALERTS_PREFIX}.${this.p}`;
    if (this.firstAlert) {
      this.firstAlert = false;
      log({ event: "first_alert", partition: this.p, seq: body.seq, id: body.id, version: body.version ?? null });
    }
    totals.alerts++;
    const send = async () => {
      if (this.alertFailed) return; // never publish past an alert that is not out
      for (let attempt = 0; ; attempt++) {
        try {
          await js.publish(subject, payload, { timeout: 5000 });
          return;
        } catch (err) {
          if (attempt > 200) {
            // Never acknowledge past an alert that is not out: give the partition up.
            this.alertFailed = true;
            return;
          }
          await sleep(Math.min(1000, 50 * (attempt + 1)));
        }
      }
    };
    // One partition's alerts are stored in the order they were produced:
    // each waits for the one before (a retried publish would otherwise land
    // after later ones, e.g. a chain's announcement after its retraction
    // when a restarting server lost the first attempt's reply; a consumer
    // applying them in stream order would keep a retracted chain). With
    // snapshots stored only after their alerts, the first copy of every
    // alert in the stream then comes in production order, whoever publishes
    // it (an owner replaying after a takeover, or a stale one).
    this.alertTail = this.alertTail.then(send);
  }

  /** Stores the snapshot and the sequence it covers, then acknowledges up to it. */
  async snapshot(why) {
    if (this.lastSeq === this.snapSeq) return true;
    const t = performance.now();
    // Alerts first: an acknowledged message's alerts must be out.
    await this.alertTail;
    if (this.alertFailed) {
      log({ event: "lost", partition: this.p, why: "an alert could not be published" });
      this.drop();
      return false;
    }
    if (!this.active) return false;
    const seq = this.lastSeq;
    const bytes = this.detector.snapshot();
    // Named by owner too: a stale owner's object never takes a live one's name.
    const object = `${partKey(this.p)}-${seq}-${this.consumerName}`;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    try {
      await snapshots.putBlob({ name: object }, bytes);
      const record = enc.encode(JSON.stringify({ seq, object, bytes: bytes.length, sha256, worker: ID }));
      // Compare-and-set: only the owner that read (or last wrote) this
      // revision may store; anyone else lost the partition.
      this.stateRev = this.stateRev === 0 ? await state.create(partKey(this.p), record) : await state.update(partKey(this.p), record, this.stateRev);
    } catch (err) {
      if (/wrong last sequence|key exists/i.test(String(err?.message))) {
        snapshots.delete(object).catch(() => {});
        log({ event: "lost", partition: this.p, why: "snapshot compare-and-set failed" });
        this.drop();
        return false;
      }
      log({ event: "snapshot_failed", partition: this.p, error: String(err?.message ?? err) });
      return false; // retried at the next interval or idle moment
    }
    const previous = this.object;
    this.object = object;
    this.snapSeq = seq;
    this.sinceSnapshot = 0;
    const keep = [];
    for (const m of this.unacked) {
      if (m.info.streamSequence <= seq) m.ack();
      else keep.push(m);
    }
    this.unacked = keep;
    if (previous && previous !== object) snapshots.delete(previous).catch(() => {});
    totals.snapshots++;
    log({ event: "snapshot", partition: this.p, why, seq, bytes: bytes.length, ms: performance.now() - t });
    return true;
  }

  drop() {
    this.active = false;
    this.messages?.stop(); // ends the loop now, without waiting for a delivery
    owned.delete(this.p);
    if (this.loop) dropped.set(this.p, this.loop);
    totals.lost++;
    try {
      this.detector?.free();
    } catch {
      // already freed
    }
  }

  /** A clean hand-back: snapshot, acknowledge, delete the lease. */
  async release(why) {
    this.active = false;
    this.messages?.stop();
    await this.loop;
    await this.serial;
    this.active = true; // let snapshot() run
    const ok = await this.snapshot("release");
    this.active = false;
    owned.delete(this.p);
    if (ok) {
      try {
        await leases.delete(partKey(this.p), { previousSeq: this.leaseRev });
      } catch {
        // expired or taken meanwhile: it goes by TTL
      }
    }
    try {
      this.detector?.free();
    } catch {
      // already freed
    }
    log({ event: "released", partition: this.p, why, seq: this.snapSeq });
  }
}

function shake(batch) {
  const out = batch.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(chaos() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  // Deliver about one in ten twice.
  for (const m of batch) if (chaos() < 0.1) out.splice(Math.floor(chaos() * out.length), 0, m);
  return out;
}

/** A lease's value: the owner and, for a partition, the claim it renews (so a renewal whose reply was lost can be recognised). */
const leaseValue = (claim) => enc.encode(JSON.stringify({ owner: ID, pid: process.pid, claim }));

/** Live workers: heartbeat keys present, counted by the server (KV key listing is not reliable on 2.9). */
async function liveWorkers() {
  const info = await jsm.streams.info(`KV_${LEASES}`, { subjects_filter: `$KV.${LEASES}.w.*` });
  return Math.max(1, Object.keys(info.state.subjects ?? {}).length);
}

/** Partitions seen without an owner, and since when: an orphan is claimed whatever the share. */
const freeSince = new Map();

/** Heartbeat and lease renewal; runs on its own timer, never behind a claim. */
async function renewRound() {
  // All at once: one round trip, however many partitions are owned.
  await Promise.all([
    leases.put(`w.${ID}`, leaseValue(null)),
    ...[...owned.values()]
      .filter((part) => part.renewable)
      .map(async (part) => {
        if (Date.now() - part.renewedAt > LEASE_MS) {
          // No renewal sent in the last lease has been confirmed (server
          // away, or this process starved): by now the server has expired
          // the lease. Stop at once rather than at the next failed renewal.
          log({ event: "lost", partition: part.p, why: "lease not renewed in time" });
          part.drop();
          return;
        }
        const sent = Date.now();
        try {
          part.leaseRev = await leases.update(partKey(part.p), leaseValue(part.claim), part.leaseRev);
          // The server applied it after it was sent: the lease runs at least a TTL from then.
          part.renewedAt = Math.max(part.renewedAt, sent);
        } catch (err) {
          if (owned.get(part.p) !== part) return;
          if (!/wrong last sequence|key exists|not found/i.test(String(err?.message))) return; // timed out: try again
          // A renewal whose reply was lost (timed out) may have been applied:
          // the key then holds this claim at a newer revision.
          let entry;
          try {
            entry = await leases.get(partKey(part.p));
          } catch {
            return; // unknown: the next round tells
          }
          const value = entry?.operation === "PUT" ? JSON.parse(dec.decode(entry.value)) : undefined;
          if (value?.claim === part.claim && entry.revision >= part.leaseRev) {
            part.leaseRev = entry.revision;
            return;
          }
          if (owned.get(part.p) === part) {
            log({ event: "lost", partition: part.p, why: "lease renewal failed" });
            part.drop();
          }
        }
      }),
  ]);
}

/** Claims free partitions up to this worker's share, or hands one back. */
async function claimRound() {
  if (stopping) return;
  const target = Math.ceil(PARTITIONS / (await liveWorkers()));
  if (owned.size > target) {
    const extra = [...owned.keys()].sort((a, b) => b - a)[0];
    await owned.get(extra).release("rebalance");
    return;
  }
  // Start from a worker-specific place so that workers do not all race for p0.
  const offset = Number.parseInt(createHash("sha256").update(ID).digest("hex").slice(0, 8), 16) % PARTITIONS;
  for (let i = 0; i < PARTITIONS; i++) {
    const p = (offset + i) % PARTITIONS;
    if (owned.has(p)) continue;
    if (owned.size >= target) {
      // Over our share: claim only a partition that has stayed free for two
      // leases (whoever's share it is has not come), so none is ever orphaned.
      const lease = await leases.get(partKey(p)).catch(() => undefined);
      if (lease && lease.operation === "PUT") {
        freeSince.delete(p);
        continue;
      }
      if (!freeSince.has(p)) freeSince.set(p, Date.now());
      if (Date.now() - freeSince.get(p) < 2 * LEASE_MS) continue;
    }
    freeSince.delete(p);
    let rev;
    const asked = Date.now();
    const claim = `${ID}:${process.pid}:${++claims}`;
    try {
      rev = await leases.create(partKey(p), leaseValue(claim));
    } catch {
      continue; // owned by someone else
    }
    // This worker's previous loop on p, if any, must have ended (it stops at once; bounded anyway).
    if (dropped.has(p)) await Promise.race([dropped.get(p), sleep(2000)]);
    dropped.delete(p);
    const part = new Partition(p, rev);
    part.claim = claim;
    part.renewedAt = asked;
    // Renewed from now on, through the takeover too (restoring a large
    // snapshot can take a good part of a lease).
    part.renewable = true;
    owned.set(p, part);
    log({ event: "claimed", partition: p });
    try {
      await Promise.race([part.takeOver(), sleep(60_000).then(() => Promise.reject(new Error("takeover took over 60 s")))]);
    } catch (err) {
      log({ event: "takeover_failed", partition: p, error: String(err?.message ?? err) });
      part.drop();
      try {
        await leases.delete(partKey(p), { previousSeq: rev });
      } catch {
        // goes by TTL
      }
      continue;
    }
    part.loop = part.run().catch((err) => {
      log({ event: "lost", partition: p, why: String(err?.message ?? err) });
      part.drop();
    });
  }
}

function stats() {
  log({ event: "stats", owned: [...owned.keys()].sort((a, b) => a - b), ...totals });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  clearInterval(renewTimer);
  for (const part of [...owned.values()]) await part.release("shutdown").catch(() => {});
  try {
    await leases.delete(`w.${ID}`);
  } catch {
    // goes by TTL
  }
  stats();
  await nc.drain().catch(() => {});
  await ncLeases.drain().catch(() => {});
  process.exit(code);
}
process.on("SIGTERM", () => shutdown(0));
process.on("SIGINT", () => shutdown(0));

const deadline = Date.now() + MAX_SECONDS * 1000;
let lastStats = Date.now();
let failures = 0;
log({ event: "started", partitions: PARTITIONS, snapshot_interval: SNAPSHOT_INTERVAL, lease_ms: LEASE_MS, chaos: CHAOS ?? null });
// Let the other workers' heartbeats show before the first claim.
await leases.put(`w.${ID}`, leaseValue(null));
await sleep(LEASE_MS / 4);
let renewing = false;
renewTimer = setInterval(() => {
  if (renewing || stopping) return;
  renewing = true;
  // Bounded: a round never holds the next one back for long.
  Promise.race([renewRound(), sleep(2 * LEASE_REQUEST_MS)])
    .catch(() => {}) // server away: renewals fail until it is back
    .finally(() => {
      renewing = false;
    });
}, LEASE_MS / 6);
while (!stopping && Date.now() < deadline) {
  try {
    await claimRound();
    failures = 0;
  } catch (err) {
    // Server away (restart): keep going; leases may expire meanwhile and
    // renewals will then fail, dropping those partitions cleanly.
    if (++failures > 600) {
      console.error(`worker: no server for too long: ${err?.message ?? err}`);
      process.exit(1);
    }
  }
  if (Date.now() - lastStats > 5000) {
    lastStats = Date.now();
    stats();
  }
  await sleep(LEASE_MS / 4);
}
await shutdown(0);
