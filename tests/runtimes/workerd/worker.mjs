// A Cloudflare Worker (run under workerd by tests/runtimes/workerd.test.mjs)
// that imports the package through its `workerd.js` entry, which imports the
// .wasm as a compiled WebAssembly.Module (the "CompiledWasm" module rule).
//
//   GET  /health   -> { version }
//   POST /analyze  body: events (JSON Lines, JSON array...) -> the report
//   POST /stream   body: { snapshot?: base64, events: string, finish?: bool }
//                  -> { update, snapshot: base64, report? }
//                  The serverless pattern: no state lives in the Worker
//                  between requests; each request restores the detector
//                  from the snapshot the previous response returned.
//   POST /push     body: events -> { events, ms }: one push into a new
//                  Detector, timed with performance.now() around it.
// A bad snapshot or bad options answer 400 with { error }.

import { analyze, Detector, version } from "../../../pkg/workerd.js";

const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (request.method === "GET" && pathname === "/health") {
        return json({ version: version() });
      }
      if (request.method === "POST" && pathname === "/analyze") {
        return json(analyze(new Uint8Array(await request.arrayBuffer())));
      }
      if (request.method === "POST" && pathname === "/stream") {
        const body = await request.json();
        const detector = body.snapshot ? Detector.restore(fromBase64(body.snapshot)) : new Detector();
        try {
          const update = detector.push(body.events ?? "");
          const snapshot = toBase64(detector.snapshot());
          const report = body.finish ? detector.finish() : undefined;
          return json({ update, snapshot, report });
        } finally {
          detector.free();
        }
      }
      if (request.method === "POST" && pathname === "/push") {
        const bytes = new Uint8Array(await request.arrayBuffer());
        const detector = new Detector();
        const start = performance.now();
        const update = detector.push(bytes);
        const ms = performance.now() - start;
        detector.free();
        return json({ events: update.events, chains: update.chains.length, ms });
      }
      return json({ error: "not found" }, 404);
    } catch (error) {
      return json({ error: String(error?.message ?? error) }, 400);
    }
  },
};
