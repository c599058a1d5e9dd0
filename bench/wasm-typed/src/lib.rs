//! The benchmark's typed-parse baseline (`bench/src/typed.rs`, the same
//! file) compiled to WebAssembly with the package's build settings, so that
//! Node's figures have the ceiling a serde_json detector in WebAssembly can
//! reach: the fields the detector needs parsed from each line, nothing else.
//! Built and run by `scripts/bench.sh` (`pkg/bench/node.mjs --typed-wasm`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

#[path = "../../src/typed.rs"]
#[allow(dead_code, missing_docs)]
mod typed;

/// Parses every line of a JSON Lines batch into the typed struct; returns
/// how many lines parsed (so that the work cannot be optimised away).
#[wasm_bindgen(js_name = typedParseLines)]
pub fn typed_parse_lines(data: &[u8]) -> u32 {
    let parsed = typed::parse_lines(data);
    u32::try_from(parsed.ok + parsed.mshta).unwrap_or(u32::MAX)
}
