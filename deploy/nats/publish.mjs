#!/usr/bin/env node
// Publisher: reads JSON Lines telemetry and publishes it on
// mshta.events.<host>, one message per batch of one host's events, as an
// agent (Winlogbeat, NXLog, the Defender streaming API) ships them. The
// server maps each host to its partition.
//
//   node deploy/nats/publish.mjs --server 127.0.0.1:4222 [--flush-lines 5000]
//        [--source NAME] [--max-seconds 600] FILE...
//
// Batches: every host's pending lines go out each --flush-lines input lines
// (the replay's stand-in for an agent's shipping interval), or sooner when
// a host's batch reaches 256 KiB. Each message carries Nats-Msg-Id
// <source>:<n>: a publish retried after a lost acknowledgement (a restarted
// server) is stored once, and a host's next batch waits for the previous
// one's acknowledgement, so each host's events are stored in the order they
// were read. Prints one JSON line of counts at the end.

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { headers } from "nats";
import { hostOf } from "mshta-chain";
import { router } from "../common/hosts.mjs";
import { EVENTS_PREFIX, connectNats, parseFlags, sleep } from "./lib.mjs";

const { routeLine } = router(hostOf);
const MAX_BATCH_BYTES = 256 * 1024;
const IN_FLIGHT = 256;

/**
 * Publishes `lines` (an async iterable of JSON lines). Returns counts.
 * `onProgress(lines)` is called after each flush.
 */
export async function publishLines(nc, lines, { flushLines = 5000, source = "pub", deadline = Infinity, onProgress } = {}) {
  const js = nc.jetstream();
  const enc = new TextEncoder();
  const pending = new Map(); // token -> { lines: [], bytes }
  const inflight = new Set();
  let n = 0;
  let messages = 0;
  let retries = 0;
  let seen = 0;
  const send = async (subject, body, id) => {
    const h = headers();
    h.set("Nats-Msg-Id", id);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error("publish: out of time");
      try {
        await js.publish(subject, body, { headers: h, timeout: 5000 });
        return;
      } catch (err) {
        // Server restarting or slow: the same Msg-Id makes the retry safe.
        retries++;
        if (attempt > 200) throw err;
        await sleep(Math.min(1000, 50 * (attempt + 1)));
      }
    }
  };
  // A host's batches are stored in the order it shipped them: its next
  // batch goes out only once the previous one is acknowledged (a retried
  // publish could otherwise land after a later one). Hosts run in parallel.
  const lastOf = new Map(); // token -> promise of its latest publish
  const emit = async (token, batch) => {
    const id = `${source}:${++n}`;
    messages++;
    const body = enc.encode(batch.lines.join("\n") + "\n");
    const before = lastOf.get(token) ?? Promise.resolve();
    const p = before.then(() => send(`${EVENTS_PREFIX}.${token}`, body, id));
    lastOf.set(token, p);
    inflight.add(p);
    p.finally(() => {
      inflight.delete(p);
      if (lastOf.get(token) === p) lastOf.delete(token);
    });
    if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
  };
  const flushAll = async () => {
    for (const [token, batch] of pending) await emit(token, batch);
    pending.clear();
  };
  for await (const line of lines) {
    if (line.trim() === "") continue;
    for (const { token, line: routed } of routeLine(line)) {
      let batch = pending.get(token);
      if (!batch) pending.set(token, (batch = { lines: [], bytes: 0 }));
      batch.lines.push(routed);
      batch.bytes += routed.length + 1;
      if (batch.bytes >= MAX_BATCH_BYTES) {
        pending.delete(token);
        await emit(token, batch);
      }
    }
    if (++seen % flushLines === 0) {
      await flushAll();
      onProgress?.(seen);
    }
  }
  await flushAll();
  await Promise.all(inflight);
  onProgress?.(seen);
  return { lines: seen, messages, retries };
}

async function main() {
  const args = process.argv.slice(2);
  const files = [];
  const flagArgs = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith("--")) flagArgs.push(args[i], args[++i]);
    else files.push(args[i]);
  }
  const f = parseFlags(flagArgs, ["server", "flush-lines", "source", "max-seconds", "progress-every"]);
  if (f.help || !f.server || files.length === 0) {
    console.error("usage: publish.mjs --server HOST:PORT [--flush-lines N] [--source NAME] [--max-seconds S] FILE...");
    process.exit(f.help ? 0 : 2);
  }
  const nc = await connectNats(f.server, "mshta-publisher");
  const started = Date.now();
  const deadline = started + Number(f["max-seconds"] ?? 600) * 1000;
  async function* allLines() {
    for (const file of files) yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  }
  const every = Number(f["progress-every"] ?? 0);
  let next = every;
  const counts = await publishLines(nc, allLines(), {
    flushLines: Number(f["flush-lines"] ?? 5000),
    source: f.source ?? `pub-${process.pid}`,
    deadline,
    onProgress: (lines) => {
      if (every > 0 && lines >= next) {
        next += every;
        console.log(JSON.stringify({ progress: lines }));
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(JSON.stringify({ done: true, ...counts, seconds, lines_per_second: Math.round(counts.lines / seconds) }));
  await nc.drain();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(`publish: ${err.message}`);
    process.exit(1);
  });
}
