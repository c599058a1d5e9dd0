// `mshta-chain/evtx` in a Cloudflare Worker (workerd), driven by
// tests/runtimes/evtx.test.mjs: POST /read with a raw log as the body; the
// request stream goes piece by piece through the reader into the package's
// Detector, and the Worker answers with the result as JSON.
import { Detector } from "../../../pkg/workerd.js";
import { readRawLog, version } from "../../../pkg/evtx-workerd.js";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ version: version() });
    if (url.pathname !== "/read" || request.method !== "POST") return new Response("not found", { status: 404 });
    const detector = new Detector();
    try {
      const result = await readRawLog(detector, request.body);
      return Response.json({ ...result, report: detector.finish() });
    } finally {
      detector.free();
    }
  },
};
