// `mshta-chain/evtx` for browsers (ESM): the raw-log reader (.evtx, Windows
// Event XML), its own WebAssembly module, loaded by `init()` (async; fetches
// dist/evtx/web/mshta_chain_evtx_bg.wasm next to this file unless given a
// URL, Response, bytes or WebAssembly.Module) or `initSync(module)`. The
// core module (`mshta-chain`) is initialised separately.
import initWasm, { initSync as initWasmSync } from "./dist/evtx/web/mshta_chain_evtx.js";
import * as glue from "./dist/evtx/web/mshta_chain_evtx.js";
import { createEvtxApi } from "./evtx-api.js";

let ready = false;
let loading = null;

function ensureReady() {
  if (!ready) throw new Error("mshta-chain/evtx: call `await init()` (or `initSync(module)`) before using the API");
}

const api = createEvtxApi(glue, ensureReady);

/** Loads the raw-log reader's WebAssembly module once; resolves to the API. */
export default function init(source) {
  loading ??= initWasm(source === undefined ? undefined : { module_or_path: source }).then(
    () => {
      ready = true;
      return api;
    },
    (error) => {
      loading = null; // let a later call retry
      throw error;
    },
  );
  return loading;
}

/** Loads the module synchronously from bytes or a compiled module. */
export function initSync(module) {
  if (!ready) {
    initWasmSync({ module });
    ready = true;
  }
  return api;
}

export { init };
export const { EvtxReader, createEvtxReader, readRawLog, sniff, version } = api;
