// `mshta-chain/formats` in Node.js: OCSF 1.8.0 Detection Findings (class
// 2004) and ECS alert documents, one per chain. The core renders them (one
// implementation for every host: the CLI, this package, a Rust program);
// this module only re-exports the Node entry, whose WebAssembly module is
// ready at import. Browsers, Deno and Workers get the same names from their
// own entry (package.json maps `./formats` to it), after its `init`.
export { toOcsf, toEcs, ocsfSeverityId, OCSF_VERSION, ECS_VERSION, PRODUCT_VERSION } from "../node.mjs";
