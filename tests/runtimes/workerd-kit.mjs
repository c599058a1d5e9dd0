// What every test and benchmark that runs a Worker in workerd needs: the
// workerd executable, the Worker's module list (followed from its entry as
// Wrangler's module rules bundle it), a module line of the capnp config, and
// a free loopback port. Used by workerd.test.mjs, evtx.test.mjs,
// tests/publish/readme.test.mjs and pkg/bench/extra.mjs.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The workerd executable itself, from the npm package for this platform
 * (so that the process spawned, measured and stopped is workerd, not a Node
 * wrapper); else the `workerd` package's bin; `null` when neither exists
 * (`cd tests/runtimes && npm ci`).
 */
export function workerdBinary() {
  const require = createRequire(resolve(here, "package.json"));
  const os = { linux: "linux", darwin: "darwin", win32: "windows" }[process.platform];
  const arch = { x64: "64", arm64: "arm64" }[process.arch];
  try {
    return require.resolve(`@cloudflare/workerd-${os}-${arch}/bin/workerd${process.platform === "win32" ? ".exe" : ""}`);
  } catch {
    const bin = resolve(here, "node_modules/workerd/bin/workerd");
    return existsSync(bin) ? bin : null;
  }
}

/** Module rules: the first whose pattern matches a file gives its type. */
const MODULE_RULES = [
  { type: "ESModule", include: /\.m?js$/ },
  { type: "CompiledWasm", include: /\.wasm$/ },
];

/**
 * The Worker's modules, `{ name, type, file }`, following static `import` /
 * `export ... from` specifiers from `entry` (relative ones only: the package
 * has no bare imports). Names are paths relative to `root`, so workerd
 * resolves each relative import as the file system would.
 */
export function collectModules(entry, root) {
  const modules = [];
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const rule = MODULE_RULES.find((r) => r.include.test(file));
    if (!rule) throw new Error(`no module rule for ${file}`);
    const name = relative(root, file).split(sep).join("/");
    modules.push({ name, type: rule.type, file });
    if (rule.type !== "ESModule") return;
    const source = readFileSync(file, "utf8");
    const pattern = /(?:^|[\s;])(?:import|export)\s+(?:[\w*{}\s,$]+\s+from\s+)?["']([^"']+)["']/g;
    for (const [, specifier] of source.matchAll(pattern)) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
        throw new Error(`${name}: bare import "${specifier}" is not bundled here`);
      }
      visit(resolve(dirname(file), specifier));
    }
  };
  visit(entry);
  return modules;
}

/** One module of a capnp `modules = [...]` list; its file embedded relative to the config's folder. */
export function capnpModule({ name, type, file }, configDir) {
  const kind = type === "CompiledWasm" ? "wasm" : "esModule";
  // capnp string literals take JSON's escapes.
  return `(name = ${JSON.stringify(name)}, ${kind} = embed ${JSON.stringify(relative(configDir, file))})`;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}
