// The Worker of the benchmark's workerd figure (pkg/bench/extra.mjs): `analyze` on the POSTed
// events, through the package's workerd entry (the .wasm imported as a compiled module).
//
//   GET  /health   -> { version }
//   POST /analyze  body: events -> { events, chains }

import { analyze, version } from "../workerd.js";

const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (request.method === "GET" && pathname === "/health") return json({ version: version() });
      if (request.method === "POST" && pathname === "/analyze") {
        const report = analyze(new Uint8Array(await request.arrayBuffer()));
        return json({ events: report.stats.events, chains: report.chains.length });
      }
      return json({ error: "not found" }, 404);
    } catch (error) {
      return json({ error: String(error?.message ?? error) }, 400);
    }
  },
};
