// `mshta-chain/text` in Node.js: the readable text report, NDJSON (one chain
// a line) and the triage checklist of a chain. The core renders them (one
// implementation for every host: the CLI, this package, a Rust program);
// this module only re-exports the Node entry, whose WebAssembly module is
// ready at import. Browsers, Deno and Workers get the same names from their
// own entry (package.json maps `./text` to it), after its `init`.
export { formatText, formatNdjson, triage, severityRank, imageName } from "../node.mjs";
