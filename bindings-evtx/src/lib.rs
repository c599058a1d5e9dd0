//! WebAssembly bindings for `mshta-chain-evtx`: a reader that takes `.evtx`
//! or Windows Event XML bytes in pieces and returns the records as JSON
//! Lines bytes for the core's `Detector.push`, with the errors. Thin: all
//! logic is in `mshta-chain-evtx`. Built as its own `.wasm` (the npm entry
//! `mshta-chain/evtx`), so users who never read raw logs do not download it.
#![deny(unsafe_code)]
#![deny(missing_docs)]

use js_sys::{Array, Object, Reflect, Uint8Array};
use mshta_chain_evtx::{Batch, Format, ReadError};
use wasm_bindgen::prelude::*;

/// The one error type crossing the boundary: a JS `Error` with a message.
fn js_error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

/// A number JavaScript holds exactly, or its decimal string beyond 2^53 − 1
/// (a damaged record's id can be any 64-bit value).
fn num(n: u64) -> JsValue {
    if n < (1 << 53) {
        JsValue::from_f64(n as f64)
    } else {
        JsValue::from_str(&n.to_string())
    }
}

fn set(o: &Object, key: &str, value: JsValue) -> Result<(), JsError> {
    Reflect::set(o, &JsValue::from_str(key), &value).map(drop).map_err(|_| js_error("cannot build the result"))
}

fn error_object(e: &ReadError) -> Result<JsValue, JsError> {
    let o = Object::new();
    let opt = |v: Option<u64>| v.map_or(JsValue::NULL, num);
    set(&o, "kind", JsValue::from_str(e.kind.as_str()))?;
    set(&o, "message", JsValue::from_str(&e.message))?;
    set(&o, "text", JsValue::from_str(&e.to_string()))?;
    set(&o, "offset", opt(e.offset))?;
    set(&o, "chunk", opt(e.chunk))?;
    set(&o, "chunks", num(e.chunks))?;
    set(&o, "record_id", opt(e.record_id))?;
    set(&o, "line", opt(e.line))?;
    set(&o, "records_before", num(e.records_before))?;
    Ok(o.into())
}

/// `{ records: Uint8Array, count, errors }` from a batch, which is emptied.
fn batch_object(batch: &mut Batch) -> Result<JsValue, JsError> {
    let o = Object::new();
    set(&o, "records", Uint8Array::from(&batch.lines[..]).into())?;
    set(&o, "count", num(batch.records))?;
    let errors = Array::new();
    for e in &batch.errors {
        errors.push(&error_object(e)?);
    }
    set(&o, "errors", errors.into())?;
    batch.clear();
    Ok(o.into())
}

/// Reads one raw log file pushed in pieces: EVTX (by 64 KB chunk) or
/// Windows Event XML (by event), decided from the first bytes unless given.
#[wasm_bindgen(js_name = RawReader)]
pub struct RawReader {
    inner: mshta_chain_evtx::RawReader,
    batch: Batch,
}

#[wasm_bindgen(js_class = RawReader)]
impl RawReader {
    /// A reader; `format` is `"evtx"`, `"xml"`, or `undefined` to sniff.
    #[wasm_bindgen(constructor)]
    pub fn new(format: Option<String>) -> Result<RawReader, JsError> {
        let inner = match format.as_deref() {
            None => mshta_chain_evtx::RawReader::new(),
            Some("evtx") => mshta_chain_evtx::RawReader::with_format(Format::Evtx),
            Some("xml") => mshta_chain_evtx::RawReader::with_format(Format::Xml),
            Some(other) => return Err(js_error(format!("unknown raw log format `{other}` (expected evtx or xml)"))),
        };
        Ok(RawReader { inner, batch: Batch::new() })
    }

    /// Adds the next bytes; returns `{ records, count, errors }`: the JSON
    /// Lines of every record they completed, how many, and what could not
    /// be read.
    #[wasm_bindgen(js_name = push)]
    pub fn push(&mut self, bytes: &[u8]) -> Result<JsValue, JsError> {
        self.inner.push(bytes, &mut self.batch);
        batch_object(&mut self.batch)
    }

    /// Ends the file (reports what it left unfinished) and returns the last
    /// `{ records, count, errors }`. The reader can then read another file.
    #[wasm_bindgen(js_name = finish)]
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        self.inner.finish(&mut self.batch);
        batch_object(&mut self.batch)
    }

    /// `"evtx"` or `"xml"` once known (`"json"`, `"unknown"` for input it
    /// does not read), else `undefined`.
    #[wasm_bindgen(getter, js_name = format)]
    pub fn format(&self) -> Option<String> {
        self.inner.format().map(|f| f.as_str().to_string())
    }
}

/// The format of a file from its first bytes: `"evtx"`, `"xml"`, `"json"`
/// or `"unknown"`.
#[wasm_bindgen(js_name = sniff)]
pub fn sniff(head: &[u8]) -> String {
    mshta_chain_evtx::sniff(head).as_str().to_string()
}

/// The version of the reader this module was built from.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The seed source for getrandom 0.3's `custom` backend, which
/// `scripts/build.sh` selects for this module, so the module imports
/// nothing from JavaScript and loads the same way in every runtime.
///
/// The only caller is `ahash` (through `evtx`), seeding the hashers of the
/// parser's internal maps (templates, names and strings of one chunk). A
/// fixed seed is acceptable there: the seed only makes hash flooding hard
/// to plan, and a flood needs many colliding keys, while every map is
/// filled from a single 64 KB chunk and dropped with it, so the worst case
/// is bounded and small. Nothing secret or unpredictable is derived from
/// these bytes. (The linker exports the symbol from the module too, as it
/// does every `no_mangle` function; it only writes this fixed pattern.)
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[allow(unsafe_code)]
#[no_mangle]
unsafe extern "Rust" fn __getrandom_v03_custom(dest: *mut u8, len: usize) -> Result<(), getrandom::Error> {
    // SAFETY: getrandom passes a buffer of `len` writable bytes.
    let dest = unsafe { std::slice::from_raw_parts_mut(dest, len) };
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in dest {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        *b = (state >> 56) as u8;
    }
    Ok(())
}
