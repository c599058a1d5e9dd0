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

/// The one serializer: the value as one JSON string, parsed on the JS side
/// by `JSON.parse`, so that the result crosses the boundary once (plain JS
/// objects, 64-bit integers as numbers, `None` as `null`). Measured against
/// building the objects with `serde_wasm_bindgen` call by call: faster, and
/// the serde_json serializer is shared by every report type (issue 13).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(value).map_err(js_error)?;
    js_sys::JSON::parse(&json).map_err(|_| js_error("internal error: the result is not valid JSON"))
}

/// Reads options (`undefined`, `null` or an object) into a validated config.
/// Options go through JSON rather than `serde_wasm_bindgen::from_value`,
/// which reads only the fields it knows and so would silently accept a
/// misspelt key; `Config::from_json` rejects it, naming the key.
fn config_from(options: JsValue) -> Result<Config, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(Config::default());
    }
    // Read by name only: an array would be read positionally by
    // JSON.stringify's output and a Map serialises as `{}` (ignored).
    if js_sys::Array::is_array(&options) {
        return Err(js_error("invalid options: expected a plain object, not an array"));
    }
    if options.is_instance_of::<js_sys::Map>() || options.is_instance_of::<js_sys::Set>() {
        return Err(js_error("invalid options: expected a plain object, not a Map or Set"));
    }
    if !options.is_object() {
        return Err(js_error("invalid options: expected a plain object"));
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
    to_js(&mshta_chain_core::analyze(input, &config).map_err(js_error)?)
}

/// A streaming detector: push batches, then finish for the report. Its
/// state can be saved with `snapshot()` and restored, on any runtime, with
/// `Detector.restore(bytes, options)`.
#[wasm_bindgen(js_name = Detector)]
pub struct Detector {
    engine: Engine,
}

#[wasm_bindgen(js_class = Detector)]
impl Detector {
    /// A new detector with the given options (see `Config`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Detector, JsError> {
        Ok(Detector { engine: Engine::new(config_from(options)?).map_err(js_error)? })
    }

    /// Adds a batch of UTF-8 JSON bytes; returns the update: counts for the
    /// batch and the chains it created or changed, each with a version.
    #[wasm_bindgen(js_name = pushBytes)]
    pub fn push_bytes(&mut self, input: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.engine.push(input))
    }

    /// Names the input file the items pushed from now on come from
    /// (`undefined`: none). Evidence items and errors then carry `file`
    /// beside their input index and log `record_id`.
    #[wasm_bindgen(js_name = setSource)]
    pub fn set_source(&mut self, file: Option<String>) {
        self.engine.set_source(file.as_deref());
    }

    /// Ends the stream (reads a line still waiting for its end) and returns
    /// the report.
    #[wasm_bindgen(js_name = finish)]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.engine.finish())
    }

    /// The report as of now, without ending the stream.
    #[wasm_bindgen(js_name = report)]
    pub fn report(&self) -> Result<JsValue, JsError> {
        to_js(&self.engine.report())
    }

    /// The baseline for a config: `{ entries, unknown }`, where `entries`
    /// are the detector's own config entries plus the inventory groups whose
    /// chains all scored below `below` with this detector's tuning
    /// (known-good use), and `unknown` counts the groups left out because
    /// none of their chains was scored.
    #[wasm_bindgen(js_name = baseline)]
    pub fn baseline(&self, below: i32) -> Result<JsValue, JsError> {
        to_js(&self.engine.baseline(i64::from(below)))
    }

    /// The detector's state as bytes (versioned, checksummed).
    #[wasm_bindgen(js_name = snapshot)]
    pub fn snapshot(&self) -> Vec<u8> {
        self.engine.snapshot()
    }

    /// A detector continuing from a snapshot.
    #[wasm_bindgen(js_name = restore)]
    pub fn restore(bytes: &[u8], options: JsValue) -> Result<Detector, JsError> {
        let engine = if options.is_undefined() || options.is_null() {
            // No options given: continue with those the snapshot was taken with.
            Engine::restore_saved(bytes)
        } else {
            Engine::restore(bytes, config_from(options)?)
        };
        engine.map(|engine| Detector { engine }).map_err(js_error)
    }
}

/// The scoring-reason catalogue: id, default points and documentation.
#[wasm_bindgen(js_name = reasons)]
pub fn reasons() -> Result<JsValue, JsError> {
    let list: Vec<ReasonDoc> = mshta_chain_core::REASONS.iter().map(ReasonDoc::from).collect();
    to_js(&list)
}

/// DTO for `ReasonInfo`.
#[derive(Serialize)]
struct ReasonDoc {
    id: &'static str,
    points: i64,
    what: &'static str,
    why: &'static str,
    false_positives: &'static str,
    references: &'static str,
}

impl From<&mshta_chain_core::ReasonInfo> for ReasonDoc {
    fn from(r: &mshta_chain_core::ReasonInfo) -> Self {
        ReasonDoc {
            id: r.id,
            points: r.points,
            what: r.what,
            why: r.why,
            false_positives: r.false_positives,
            references: r.references,
        }
    }
}

/// The version of the core this module was built from.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

// ---------------------------------------------------------------------------
// Output formats: the core renders them; JS only passes the report in.

/// Writes a report (or a Detector update, or any object with `chains`),
/// given as UTF-8 JSON bytes, in one of the CLI's formats: `json`,
/// `ndjson`, `text`, `ocsf`, `ecs`, `ocsf-ndjson` or `ecs-ndjson`. Options:
/// `productVersion` (OCSF and ECS), `color`, `maxItems`, `maxCommandLine`,
/// `maxRootCommandLine` (text); a value of the wrong type is the default.
#[wasm_bindgen(js_name = formatReport)]
pub fn format_report(report: &[u8], format: &str, options: JsValue) -> Result<String, JsError> {
    let format: mshta_chain_core::OutputFormat = format.parse().map_err(js_error)?;
    mshta_chain_core::format_json(report, format, &format_options(&options)).map_err(js_error)
}

/// Reads the format options as the JS API always has: `color` only when
/// exactly `true`, the limits only when positive integers.
fn format_options(options: &JsValue) -> mshta_chain_core::FormatOptions {
    let mut out = mshta_chain_core::FormatOptions::default();
    if !options.is_object() {
        return out;
    }
    let get = |key: &str| js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let limit = |key: &str| {
        get(key).as_f64().filter(|n| n.fract() == 0.0 && *n >= 1.0).map(|n| n.min(usize::MAX as f64) as usize)
    };
    out.product_version = get("productVersion").as_string();
    out.text.color = get("color").as_bool() == Some(true);
    if let Some(n) = limit("maxItems") {
        out.text.max_items = n;
    }
    if let Some(n) = limit("maxCommandLine") {
        out.text.max_command_line = n;
    }
    if let Some(n) = limit("maxRootCommandLine") {
        out.text.max_root_command_line = n;
    }
    out
}

/// The versions the documents carry: `{ ocsfVersion, ecsVersion,
/// productVersion }`.
#[wasm_bindgen(js_name = formatConstants)]
pub fn format_constants() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Constants {
        ocsf_version: &'static str,
        ecs_version: &'static str,
        product_version: &'static str,
    }
    to_js(&Constants {
        ocsf_version: mshta_chain_core::OCSF_VERSION,
        ecs_version: mshta_chain_core::ECS_VERSION,
        product_version: mshta_chain_core::PRODUCT_VERSION,
    })
}

/// The triage checklist of a chain, computed by the core from the chain's
/// evidence, then its host's telemetry gaps from the coverage when given.
/// Input: UTF-8 JSON `{ "chain": <chain>, "coverage": <report coverage> | null }`.
#[wasm_bindgen(js_name = triage)]
pub fn triage(input: &[u8]) -> Result<JsValue, JsError> {
    to_js(&mshta_chain_core::triage_json(input).map_err(js_error)?)
}

/// The severity a JS value names, if it names one.
fn severity_of(value: JsValue) -> Option<mshta_chain_core::Severity> {
    serde_json::from_value(serde_json::Value::String(value.as_string()?)).ok()
}

/// The OCSF `severity_id` of a severity: 1 (informational) to 5
/// (critical); 0 (Unknown) for anything else.
#[wasm_bindgen(js_name = ocsfSeverityId)]
pub fn ocsf_severity_id(severity: JsValue) -> u8 {
    severity_of(severity).map_or(0, mshta_chain_core::ocsf_severity_id)
}

/// The rank of a severity, from 0 (`informational`) to 4 (`critical`); -1
/// for anything else.
#[wasm_bindgen(js_name = severityRank)]
pub fn severity_rank(severity: JsValue) -> i32 {
    severity_of(severity).map_or(-1, |s| i32::from(mshta_chain_core::severity_rank(s)))
}

/// The file name of a Windows or POSIX path, as the text report names
/// images; `?` for none.
#[wasm_bindgen(js_name = imageName)]
pub fn image_name(path: JsValue) -> String {
    mshta_chain_core::image_name(path.as_string().as_deref()).to_string()
}

/// The host key (trimmed, ASCII lower case) under which the engine
/// correlates one event, given as UTF-8 JSON bytes in any schema the core
/// decodes; `undefined` when the engine files it under no host (not an
/// event, rejected, ignored, or a Defender streaming-API envelope whose
/// records name several hosts). For routing a stream by host.
#[wasm_bindgen(js_name = hostOf)]
pub fn host_of(event: &[u8]) -> Option<String> {
    mshta_chain_core::host_of(event)
}
