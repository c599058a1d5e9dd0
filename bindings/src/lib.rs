//! WebAssembly bindings for `mshta-chain-core`: thin wrappers that move bytes
//! in and reports out. All logic lives in the core; the npm package's JS
//! wrapper encodes strings and objects to UTF-8 bytes before calling in,
//! because passing a JS string to wasm-bindgen copies it slowly.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use mshta_chain_core::{Config, Engine};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The one error type crossing the boundary: a JS `Error` with a message.
fn js_error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

/// The one serializer: plain JS objects (not `Map`s), 64-bit integers as
/// numbers, `None` as `null`.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(js_error)
}

/// Reads options (`undefined`, `null` or an object) into a validated config.
/// Options go through JSON rather than `serde_wasm_bindgen::from_value`,
/// which reads only the fields it knows and so would silently accept a
/// misspelt key; `Config::from_json` rejects it, naming the key.
fn config_from(options: JsValue) -> Result<Config, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(Config::default());
    }
    let json = js_sys::JSON::stringify(&options)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| js_error("invalid options: not serialisable to JSON"))?;
    Config::from_json(&json).map_err(js_error)
}

/// Analyses UTF-8 JSON bytes (a JSON array, JSON Lines, or JSON objects one
/// after another) and returns the report object.
#[wasm_bindgen(js_name = analyzeBytes)]
pub fn analyze_bytes(input: &[u8], options: JsValue) -> Result<JsValue, JsError> {
    let config = config_from(options)?;
    to_js(&mshta_chain_core::analyze(input, &config))
}

/// A streaming detector: push batches, then finish for the report.
#[wasm_bindgen(js_name = Detector)]
pub struct Detector {
    engine: Engine,
}

#[wasm_bindgen(js_class = Detector)]
impl Detector {
    /// A new detector with the given options (see `Config`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Detector, JsError> {
        Ok(Detector { engine: Engine::new(config_from(options)?) })
    }

    /// Adds a batch of UTF-8 JSON bytes; returns `{events, accepted, rejected}`.
    #[wasm_bindgen(js_name = pushBytes)]
    pub fn push_bytes(&mut self, input: &[u8]) -> Result<JsValue, JsError> {
        to_js(&PushSummary::from(self.engine.push(input)))
    }

    /// The report over everything pushed so far.
    #[wasm_bindgen(js_name = finish)]
    pub fn finish(&self) -> Result<JsValue, JsError> {
        to_js(&self.engine.finish())
    }
}

/// DTO for `PushSummary` (the core type is not `Serialize`).
#[derive(Serialize)]
struct PushSummary {
    events: u64,
    accepted: u64,
    rejected: u64,
}

impl From<mshta_chain_core::PushSummary> for PushSummary {
    fn from(s: mshta_chain_core::PushSummary) -> Self {
        PushSummary { events: s.events, accepted: s.accepted, rejected: s.rejected }
    }
}

/// The version of the core this module was built from.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
