// Test and benchmark helpers: a nats-server on 127.0.0.1 with JetStream on
// a temporary store, workers as child processes, waiting with bounds.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serverConfig, sleep } from "../nats/lib.mjs";

export const here = dirname(fileURLToPath(import.meta.url));
export const deployDir = resolve(here, "..");

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Waits until `check()` is truthy, polling; throws after `ms`. */
export async function waitFor(what, check, { ms = 60_000, every = 200 } = {}) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Starts nats-server (on PATH, or $NATS_SERVER) with the partition mapping. */
export async function startNats({ partitions }) {
  const dir = mkdtempSync(join(tmpdir(), "mshta-nats-"));
  const port = await freePort();
  const conf = join(dir, "nats.conf");
  writeFileSync(conf, serverConfig({ port, storeDir: join(dir, "store"), partitions }));
  const bin = process.env.NATS_SERVER ?? "nats-server";
  const server = { url: `127.0.0.1:${port}`, dir, proc: undefined, log: join(dir, "server.log") };
  server.start = async () => {
    server.proc = spawn(bin, ["-c", conf, "-l", server.log], { stdio: "ignore" });
    // scripts/test-deploy.sh stops whatever is listed here if a test dies first.
    if (process.env.MSHTA_DEPLOY_PIDS) writeFileSync(join(process.env.MSHTA_DEPLOY_PIDS, String(server.proc.pid)), "nats-server\n");
    await waitFor("nats-server to listen", () => canConnect(port), { ms: 20_000, every: 100 });
  };
  server.stop = async () => {
    const p = server.proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    await Promise.race([gone, sleep(10_000)]);
    if (p.exitCode === null) p.kill("SIGKILL");
  };
  server.restart = async () => {
    await server.stop();
    await server.start();
  };
  server.cleanup = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  await server.start();
  return server;
}

function canConnect(port) {
  return new Promise((res) => {
    const sock = new Socket();
    sock.once("connect", () => {
      sock.destroy();
      res(true);
    });
    sock.once("error", () => res(false));
    sock.connect(port, "127.0.0.1");
  });
}

/**
 * A worker process. Its stdout JSON lines are collected in `events`; `kill`
 * sends a signal; `exited` resolves with the exit code.
 */
export function startWorker({ server, partitions, id, snapshotInterval = 20_000, leaseMs, chaos, maxSeconds = 900 }) {
  const args = [join(deployDir, "nats/worker.mjs"), "--server", server, "--partitions", String(partitions), "--id", id, "--snapshot-interval", String(snapshotInterval), "--max-seconds", String(maxSeconds)];
  if (leaseMs) args.push("--lease-ms", String(leaseMs));
  if (chaos !== undefined) args.push("--chaos", String(chaos));
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const w = { id, proc, events: [], stderr: "" };
  let buf = "";
  proc.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        w.events.push(JSON.parse(line));
      } catch {
        w.stderr += line + "\n";
      }
    }
  });
  proc.stderr.on("data", (d) => {
    w.stderr += d;
  });
  // "close": the process has exited and its output is all read.
  w.exited = new Promise((r) => proc.once("close", (code, signal) => r(code ?? signal)));
  w.kill = (signal = "SIGTERM") => proc.kill(signal);
  /** The partitions the worker says it owns, as of its last line (stats lines are only every 5 s). */
  w.owned = () => {
    const owned = new Set();
    for (const e of w.events) {
      if (e.event === "stats") {
        owned.clear();
        for (const p of e.owned) owned.add(p);
      } else if (e.event === "claimed") owned.add(e.partition);
      else if (e.event === "lost" || e.event === "released" || e.event === "takeover_failed") owned.delete(e.partition);
    }
    return [...owned].sort((a, b) => a - b);
  };
  /** When the worker last claimed partition p (0 if never). */
  w.claimedAt = (p) => w.events.reduce((t, e) => (e.event === "claimed" && e.partition === p ? e.at : t), 0);
  return w;
}

/** Writes a corpus with the project's generator (target/release/corpus, built by the caller). */
export function corpus({ out, events, hosts, seed, schema = "mixed", mshtaRate = 20 }) {
  const bin = process.env.MSHTA_CORPUS ?? resolve(deployDir, "../target/release/corpus");
  const r = spawnSync(bin, ["--events", String(events), "--hosts", String(hosts), "--seed", String(seed), "--schema", schema, "--mshta-rate", String(mshtaRate), "--out", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`corpus failed: ${r.stderr}`);
  return readFileSync(out);
}

/** A chain as compared across deployments: everything but input indexes, version and status. */
export function comparable(chain) {
  return JSON.stringify(chain, (k, v) => (k === "event" || k === "events" || k === "version" || k === "status" ? undefined : v));
}
