// The Worker of worker.mjs in workerd through Miniflare, as the tests and
// the benchmark run it: Durable Objects bound as HOSTS, persisted in `dir`
// (Miniflare's on-disk storage), the package's .wasm as a compiled module.
import { Miniflare } from "miniflare";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function startMiniflare(dir) {
  return new Miniflare({
    modules: true,
    scriptPath: resolve(here, "worker.mjs"),
    // Imports leave this folder (../common, ../../pkg): name modules from the repository root.
    modulesRoot: resolve(here, "../.."),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-09-01",
    durableObjects: { HOSTS: "HostDetector" },
    durableObjectsPersist: dir,
  });
}
