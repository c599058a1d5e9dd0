// Browser entry (ESM). The WebAssembly module is loaded by `init()` (async;
// fetches dist/web/mshta_chain_bg.wasm next to this file unless given a URL,
// Response, bytes or WebAssembly.Module) or `initSync(module)` (bytes or a
// WebAssembly.Module). Calling the API before either throws a clear error.
import initWasm, { initSync as initWasmSync } from "./dist/web/mshta_chain.js";
import * as glue from "./dist/web/mshta_chain.js";
import { createApi, formatConstants } from "./src/api.js";

let ready = false;
let loading = null;

/** The versions the documents carry (OCSF, ECS, this package): set once the module is ready. */
export let OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION;

function setReady() {
  ({ OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION } = formatConstants(glue));
  ready = true;
}

function ensureReady() {
  if (!ready) throw new Error("mshta-chain: call `await init()` (or `initSync(module)`) before using the API");
}

const api = createApi(glue, ensureReady);

/** Loads the WebAssembly module once; resolves to the API. */
export default function init(source) {
  loading ??= initWasm(source === undefined ? undefined : { module_or_path: source }).then(
    () => {
      setReady();
      return api;
    },
    (error) => {
      loading = null; // let a later call retry
      throw error;
    },
  );
  return loading;
}

/** Loads the WebAssembly module synchronously from bytes or a compiled module. */
export function initSync(module) {
  if (!ready) {
    initWasmSync({ module });
    setReady();
  }
  return api;
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
