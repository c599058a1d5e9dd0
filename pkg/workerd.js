// Cloudflare Workers (workerd) entry: Workers import a .wasm file as a
// compiled WebAssembly.Module, so initialisation is synchronous.
import wasmModule from "./dist/web/mshta_chain_bg.wasm";
import { initSync } from "./web.js";

initSync(wasmModule);

export * from "./web.js";
export { default } from "./web.js";
