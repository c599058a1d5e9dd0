#!/usr/bin/env node
// Creates the streams, buckets and object store of a deployment (idempotent).
//   node deploy/nats/setup.mjs --server 127.0.0.1:4222 --partitions 6 [--lease-ms 4000]
//   node deploy/nats/setup.mjs --print-config --port 4222 --store-dir DIR --partitions 6
// The second form prints the nats-server configuration (loopback listener,
// JetStream, the partition mapping) to start the server with.
import { connectNats, parseFlags, serverConfig, setup } from "./lib.mjs";

const args = process.argv.slice(2);
const print = args[0] === "--print-config";
const f = parseFlags(print ? args.slice(1) : args, ["server", "partitions", "lease-ms", "port", "store-dir"]);
const partitions = Number(f.partitions);
if (f.help || !Number.isInteger(partitions) || (print ? !f.port || !f["store-dir"] : !f.server)) {
  console.error("usage: setup.mjs --server HOST:PORT --partitions N [--lease-ms MS]\n       setup.mjs --print-config --port PORT --store-dir DIR --partitions N");
  process.exit(f.help ? 0 : 2);
}
if (print) {
  process.stdout.write(serverConfig({ port: Number(f.port), storeDir: f["store-dir"], partitions }));
} else {
  const nc = await connectNats(f.server, "mshta-setup");
  await setup(nc, { partitions, leaseMs: Number(f["lease-ms"] ?? 4000) });
  console.log(JSON.stringify({ ok: true, partitions }));
  await nc.drain();
}
