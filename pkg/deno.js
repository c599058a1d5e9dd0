// Deno entry: loads the WebAssembly module next to this file at import time
// (needs read permission for the package folder: `--allow-read`).
import init from "./web.js";

const url = new URL("./dist/web/mshta_chain_bg.wasm", import.meta.url);
await init(await Deno.readFile(url));

export * from "./web.js";
export { default } from "./web.js";
