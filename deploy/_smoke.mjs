import { readFileSync } from "node:fs";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { analyze } from "mshta-chain";
import { startNats, startWorker, waitFor, comparable } from "./test/helpers.mjs";
import { connectNats, setup, streamOf, STATE, partKey } from "./nats/lib.mjs";
import { publishLines } from "./nats/publish.mjs";
import { AlertBook, readAlerts } from "./nats/alerts.mjs";
const P = 6, file = process.argv[2];
const server = await startNats({ partitions: P });
let workers = [];
try {
  const nc = await connectNats(server.url, "smoke");
  const { jsm, state } = await setup(nc, { partitions: P, leaseMs: 4000 });
  workers = [0,1,2].map(i => startWorker({ server: server.url, partitions: P, id: `w${i}`, snapshotInterval: 20000 }));
  await waitFor("partitions owned", () => workers.reduce((n, w) => n + w.owned().length, 0) === P, { ms: 30000 });
  console.log(workers.map(w => w.owned()));
  let t = Date.now();
  const res = await publishLines(nc, createInterface({ input: createReadStream(file) }), { source: "smoke" });
  console.log("published", res, (Date.now()-t)/1000);
  await waitFor("drained", async () => { for (let p = 0; p < P; p++) { const info = await jsm.streams.info(streamOf(p)); if (info.state.messages > 0) return false; } return true; }, { ms: 60000, every: 500 }).catch(async (e) => { for (let p = 0; p < P; p++) console.log(p, (await jsm.streams.info(streamOf(p))).state); for (const w of workers) console.log(w.id, w.events.filter(e => e.event !== "snapshot").slice(-8).map(e=>JSON.stringify(e)).join("\n"), w.stderr.slice(0,1000)); throw e; });
  console.log("drained after", (Date.now()-t)/1000);
  const book = await readAlerts(nc, new AlertBook());
  const report = analyze(readFileSync(file));
  const want = new Map(report.chains.map(c => [c.id, comparable(c)]));
  let same = 0; for (const [id, a] of book.latest) if (want.get(id) === comparable(a.chain)) same++;
  console.log({ want: want.size, got: book.latest.size, same, dup: book.duplicates, alerts: book.alerts });
  for (const w of workers) w.kill(); await Promise.all(workers.map(w => w.exited));
  for (const w of workers) { console.log(w.id, JSON.stringify(w.events.filter(e=>e.event==="stats").pop()), w.stderr.slice(0,500)); }
  await nc.close();
} finally { for (const w of workers) w.kill("SIGKILL"); await server.cleanup(); }
