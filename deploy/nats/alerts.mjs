#!/usr/bin/env node
// Alert consumers: read mshta.alerts.*, keep the latest version of each
// chain, and drop duplicates by (id, version).
//
//   node deploy/nats/alerts.mjs --server 127.0.0.1:4222 [--follow 1]
//
// Prints each new (id, version) as one JSON line (duplicates are counted,
// not printed); without --follow, stops when it has read everything stored.
//
// At-least-once delivery and replays after a failover repeat alerts; a
// replay pushes the same batches as the first run, so a repeated (id,
// version) always carries the same chain: the first copy is kept.

import { AckPolicy, DeliverPolicy, nanos } from "nats";
import { ALERTS_STREAM, connectNats, parseFlags } from "./lib.mjs";

/** The consumer-side book: dedupe by (id, version), keep the latest version per id. */
export class AlertBook {
  constructor() {
    this.seen = new Map(); // "id#version" or "id#r@seq" -> alert
    this.latest = new Map(); // id -> alert with the highest version
    this.retracted = new Set();
    this.duplicates = 0;
    this.mismatched = 0; // a repeated key whose content differs (must stay 0)
    this.alerts = 0;
  }

  /** Adds one alert; returns true when it is new. */
  add(alert) {
    this.alerts++;
    const key = alert.retracted ? `${alert.id}#r@${alert.partition}:${alert.seq}` : `${alert.id}#${alert.version}`;
    const prior = this.seen.get(key);
    if (prior) {
      this.duplicates++;
      if (JSON.stringify(prior.chain ?? null) !== JSON.stringify(alert.chain ?? null)) this.mismatched++;
      return false;
    }
    this.seen.set(key, alert);
    if (alert.retracted) {
      this.latest.delete(alert.id);
      this.retracted.add(alert.id);
    } else {
      const cur = this.latest.get(alert.id);
      if (!cur || cur.version < alert.version) this.latest.set(alert.id, alert);
    }
    return true;
  }

  /** Chain id -> the versions seen, sorted (a gap would be a lost alert). */
  versions() {
    const out = new Map();
    for (const a of this.seen.values()) {
      if (a.retracted) continue;
      if (!out.has(a.id)) out.set(a.id, []);
      out.get(a.id).push(a.version);
    }
    for (const v of out.values()) v.sort((a, b) => a - b);
    return out;
  }
}

/**
 * Reads every stored alert (from the first) into `book`; without `follow`,
 * stops at the last one stored when it started; with it, goes on.
 */
export async function readAlerts(nc, book, { follow = false, onNew, idleMs = 1000 } = {}) {
  const js = nc.jetstream();
  const jsm = await nc.jetstreamManager();
  const last = (await jsm.streams.info(ALERTS_STREAM)).state.last_seq;
  if (!follow && last === 0) return book;
  // An ephemeral pull consumer from the first alert, without acks: this
  // reader keeps its own book (nats-server 2.9 has no filter_subjects).
  const ci = await jsm.consumers.add(ALERTS_STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    inactive_threshold: nanos(60_000),
  });
  const consumer = await js.consumers.get(ALERTS_STREAM, ci.name);
  const dec = new TextDecoder();
  for (let idle = 0; follow || idle < 30; ) {
    const iter = await consumer.fetch({ max_messages: 1000, expires: idleMs });
    let got = 0;
    let done = false;
    for await (const m of iter) {
      got++;
      const alert = JSON.parse(dec.decode(m.data));
      if (book.add(alert)) onNew?.(alert);
      if (!follow && m.info.streamSequence >= last) {
        done = true;
        break;
      }
    }
    if (done) break;
    idle = got === 0 ? idle + 1 : 0;
  }
  return book;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = parseFlags(process.argv.slice(2), ["server", "follow"]);
  if (f.help || !f.server) {
    console.error("usage: alerts.mjs --server HOST:PORT [--follow 1]");
    process.exit(f.help ? 0 : 2);
  }
  const nc = await connectNats(f.server, "mshta-alerts");
  const book = new AlertBook();
  await readAlerts(nc, book, {
    follow: f.follow === "1",
    onNew: (a) => process.stdout.write(JSON.stringify(a.retracted ? { retracted: a.id } : { id: a.id, version: a.version, host: a.chain.host, score: a.chain.score, severity: a.chain.severity }) + "\n"),
  });
  console.error(JSON.stringify({ alerts: book.alerts, duplicates: book.duplicates, chains: book.latest.size }));
  await nc.drain();
}
