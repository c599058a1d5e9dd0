// `mshta-chain/evtx` for Cloudflare Workers (workerd): the .wasm is imported
// as a compiled WebAssembly.Module, so initialisation is synchronous.
import wasmModule from "./dist/evtx/web/mshta_chain_evtx_bg.wasm";
import { initSync } from "./evtx.js";

initSync(wasmModule);

export * from "./evtx.js";
export { default } from "./evtx.js";
