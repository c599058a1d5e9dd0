#!/usr/bin/env node
// A tiny static file server for the web demo and the browser tests: serves
// a folder (the repository by default) on 127.0.0.1 only, read-only, with
// the right content types (.wasm as application/wasm, for streaming
// compilation). No directory listings, no paths outside the served folders.
// A worker script gets WORKER_CSP as a header: a worker does not inherit
// its page's <meta> policy, and the web demo's worker must be held to the
// same rules (its own files only, no inline or remote script).
//
//   node scripts/serve.mjs [--port N] [--root DIR]     (port 0: any free port)
//
// As a module: `const server = await serve({ root, mounts, port })` resolves
// once listening; `server.url` is its base URL, `server.close()` stops it.

import { createServer } from "node:http";
import { createReadStream, realpathSync, statSync } from "node:fs";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".ndjson": "application/x-ndjson; charset=utf-8",
  ".wasm": "application/wasm",
  ".md": "text/markdown; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

/** The Content-Security-Policy sent with worker scripts (the web demo's page policy). */
export const WORKER_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/**
 * Serves `root` at "/" and each `mounts[prefix]` folder at "/prefix/" on
 * 127.0.0.1. Resolves to `{ url, port, close() }`.
 */
export function serve({ root, mounts = {}, port = 0, host = "127.0.0.1", log = false } = {}) {
  const folders = Object.entries({ ...mounts, "": root }).map(([prefix, dir]) => [
    prefix === "" ? "/" : `/${prefix.replace(/^\/+|\/+$/g, "")}/`,
    realpathSync(dir),
  ]);
  // Longest prefix first.
  folders.sort((a, b) => b[0].length - a[0].length);

  const server = createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text + "\n");
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    } catch {
      return send(400, "bad path");
    }
    if (path.includes("\0")) return send(400, "bad path");
    if (path.endsWith("/")) path += "index.html";
    const match = folders.find(([prefix]) => path.startsWith(prefix));
    if (!match) return send(404, "not found");
    const [prefix, dir] = match;
    let file = resolve(dir, "." + path.slice(prefix.length - 1));
    try {
      file = realpathSync(file);
    } catch {
      return send(404, "not found");
    }
    if (file !== dir && !file.startsWith(dir + sep)) return send(403, "forbidden");
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return send(404, "not found");
    }
    if (stat.isDirectory()) {
      res.writeHead(301, { location: req.url.replace(/\/?(\?|$)/, "/$1") });
      return res.end();
    }
    if (log) process.stderr.write(`${req.method} ${path}\n`);
    const headers = {
      "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": stat.size,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    };
    if (/^(shared|service)?worker$/.test(req.headers["sec-fetch-dest"] ?? "")) headers["content-security-policy"] = WORKER_CSP;
    res.writeHead(200, headers);
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  });

  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        port: actual,
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => server.close(() => done())),
        server,
      });
    });
  });
}

// Command line.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const root = resolve(value("--root", join(dirname(fileURLToPath(import.meta.url)), "..")));
  const port = Number(value("--port", "8080"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`serve: bad --port\n`);
    process.exit(2);
  }
  serve({ root, port, log: args.includes("--log") }).then(
    (server) => {
      process.stdout.write(`serving ${root} at ${server.url}\n`);
    },
    (error) => {
      process.stderr.write(`serve: ${error.message}\n`);
      process.exit(1);
    },
  );
}
