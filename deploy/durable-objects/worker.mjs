// Cloudflare Worker + Durable Object: each host's events go to the Durable
// Object named after the host, which keeps that host's Detector snapshot in
// its own storage and answers with the chain updates. See README.md here.
//
//   POST /events   body: JSON Lines (any supported schema, any mix of hosts)
//   -> { updates: [ { host, chains: [chain with version], retracted: [id],
//                     restored, snapshot_bytes } ] }   one per host, in the
//      order the hosts first appear in the body
//
// The package is imported through its workerd entry (the .wasm is a module,
// initialised synchronously); routing by host is deploy/common/hosts.mjs.

import { Detector, hostOf } from "../../pkg/workerd.js";
import { router } from "../common/hosts.mjs";

const { routeLines } = router(hostOf);

// Durable Object storage values are limited (128 KiB each in the key-value
// backend): the snapshot is stored in chunks, written in one atomic put.
const CHUNK = 120 * 1024;
const MAX_CHUNKS = 127; // one put takes at most 128 keys (the chunks + "meta")

export class HostDetector {
  constructor(state) {
    this.state = state;
    this.detector = undefined;
  }

  /** The Detector in memory, else restored from storage, else a new one. */
  async load() {
    if (this.detector) return false;
    const meta = await this.state.storage.get("meta");
    if (!meta) {
      this.detector = new Detector();
      return false;
    }
    const keys = Array.from({ length: meta.chunks }, (_, i) => `snap:${i}`);
    const parts = await this.state.storage.get(keys);
    const bytes = new Uint8Array(meta.bytes);
    let at = 0;
    for (const k of keys) {
      const part = new Uint8Array(parts.get(k));
      bytes.set(part, at);
      at += part.length;
    }
    this.detector = Detector.restore(bytes);
    return true;
  }

  async save() {
    const bytes = this.detector.snapshot();
    const chunks = Math.ceil(bytes.length / CHUNK) || 1;
    if (chunks > MAX_CHUNKS) throw new Error(`snapshot of ${bytes.length} bytes is too large for one atomic put`);
    const entries = { meta: { bytes: bytes.length, chunks } };
    for (let i = 0; i < chunks; i++) entries[`snap:${i}`] = bytes.slice(i * CHUNK, (i + 1) * CHUNK);
    await this.state.storage.put(entries);
    // Chunks past the new count (a smaller snapshot) are left unread; drop them.
    const stale = [];
    for (let i = chunks; i < (this.lastChunks ?? 0); i++) stale.push(`snap:${i}`);
    if (stale.length) await this.state.storage.delete(stale);
    this.lastChunks = chunks;
    return bytes.length;
  }

  async fetch(request) {
    const restored = await this.load();
    const host = request.headers.get("x-host");
    const update = this.detector.push(new Uint8Array(await request.arrayBuffer()));
    // The answer goes out only once the state it reflects is stored: a
    // restart resumes exactly after this batch.
    const snapshotBytes = await this.save();
    return Response.json({ host, chains: update.chains, retracted: update.retracted, restored, snapshot_bytes: snapshotBytes });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/events") {
      return new Response("POST JSON Lines to /events\n", { status: 404 });
    }
    const byHost = new Map();
    for (const { token, line } of routeLines(await request.text())) {
      if (!byHost.has(token)) byHost.set(token, []);
      byHost.get(token).push(line);
    }
    // Hosts are independent: their objects run in parallel.
    const updates = await Promise.all(
      [...byHost].map(async ([token, lines]) => {
        const stub = env.HOSTS.get(env.HOSTS.idFromName(token));
        const res = await stub.fetch("https://host/push", { method: "POST", headers: { "x-host": token }, body: lines.join("\n") + "\n" });
        if (!res.ok) throw new Error(`host ${token}: ${res.status} ${await res.text()}`);
        return res.json();
      }),
    );
    return Response.json({ updates });
  },
};
