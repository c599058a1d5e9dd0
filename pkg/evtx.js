// `mshta-chain/evtx` for browsers (ESM): the raw-log reader (.evtx, Windows
// Event XML), its own WebAssembly module, loaded by `init()` (async; fetches
// dist/evtx/web/mshta_chain_evtx_bg.wasm next to this file unless given a
// URL, Response, bytes or WebAssembly.Module) or `initSync(module)`. The
// core module (`mshta-chain`) is initialised separately.
import initWasm, { initSync as initWasmSync } from "./dist/evtx/web/mshta_chain_evtx.js";
import * as glue from "./dist/evtx/web/mshta_chain_evtx.js";
import { createEvtxApi } from "./evtx-api.js";
import { loader } from "./src/loader.js";

function ensureReady() {
  if (!loaded.isReady()) throw new Error("mshta-chain/evtx: call `await init()` (or `initSync(module)`) before using the API");
}

const api = createEvtxApi(glue, ensureReady);

const loaded = loader(initWasm, initWasmSync, () => {}, api);

/** Loads the raw-log reader's WebAssembly module once; resolves to the API. */
export default function init(source) {
  return loaded.init(source);
}

/** Loads the module synchronously from bytes or a compiled module. */
export function initSync(module) {
  return loaded.initSync(module);
}

export { init };
export const { EvtxReader, createEvtxReader, readRawLog, sniff, version } = api;
