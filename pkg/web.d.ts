// Type declarations for `mshta-chain/web` (web.js) where TypeScript ignores
// the package's `exports` (moduleResolution "node10"); elsewhere `exports`
// maps `./web` to index.d.ts directly. The same API as the package root.
export * from "./index.js";
export { default } from "./index.js";
