// Browser entry (ESM). The WebAssembly module is loaded by `init()` (async;
// fetches dist/web/mshta_chain_bg.wasm next to this file unless given a URL,
// Response, bytes or WebAssembly.Module) or `initSync(module)` (bytes or a
// WebAssembly.Module). Calling the API before either throws a clear error.
import initWasm, { initSync as initWasmSync } from "./dist/web/mshta_chain.js";
import * as glue from "./dist/web/mshta_chain.js";
import { createApi, formatConstants } from "./src/api.js";
import { loader } from "./src/loader.js";

/** The versions the documents carry (OCSF, ECS, this package): set once the module is ready. */
export let OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION;

function ensureReady() {
  if (!loaded.isReady()) throw new Error("mshta-chain: call `await init()` (or `initSync(module)`) before using the API");
}

const api = createApi(glue, ensureReady);

const loaded = loader(initWasm, initWasmSync, () => {
  ({ OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION } = formatConstants(glue));
}, api);

/** Loads the WebAssembly module once; resolves to the API. */
export default function init(source) {
  return loaded.init(source);
}

/** Loads the WebAssembly module synchronously from bytes or a compiled module. */
export function initSync(module) {
  return loaded.initSync(module);
}

export { init };
export const {
  analyze,
  Detector,
  version,
  hostOf,
  formatReport,
  toOcsf,
  toEcs,
  ocsfSeverityId,
  formatText,
  formatNdjson,
  triage,
  severityRank,
  imageName,
} = api;
