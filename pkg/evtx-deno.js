// `mshta-chain/evtx` for Deno: loads the raw-log reader's .wasm next to this
// file at import time (needs `--allow-read` for the package folder).
import init from "./evtx.js";

const url = new URL("./dist/evtx/web/mshta_chain_evtx_bg.wasm", import.meta.url);
await init(await Deno.readFile(url));

export * from "./evtx.js";
export { default } from "./evtx.js";
