//! # mshta-chain-evtx
//!
//! Raw Windows logs in: `.evtx` files and Windows Event XML, turned into the
//! JSON records `evtx_dump -o jsonl` writes
//! (`{"Event":{"System":{"EventID":..,"Computer":..,"TimeCreated":{"#attributes":{"SystemTime":..}},
//! "Channel":..,"EventRecordID":..},"EventData":{..}}}`), which
//! `mshta_chain_core` already decodes (schemas `sysmon_evtx`,
//! `security_evtx`, `windows_evtx`): one decoder per schema, whatever the
//! container.
//!
//! Like the core, the crate does no IO: the caller pushes bytes in pieces
//! of any size and gets back records as JSON Lines and errors that say
//! where the damage is. Nothing needs the whole file:
//!
//! - [`EvtxStream`] buffers at most one 64 KB chunk. EVTX is a 4 KB file
//!   header then self-contained 64 KB chunks; each chunk's records are
//!   rendered when its last byte arrives. A damaged chunk (bad magic,
//!   unreadable tables, truncated) is reported with its number and reason
//!   and skipped; a bad checksum is reported and the chunk still read; a
//!   bad record is reported with its `EventRecordID` and offset; every
//!   good chunk and record is read.
//! - [`XmlStream`] keeps one `<Event>` at a time: one event per line (with
//!   or without `<?xml ...?>`, as `evtx_dump -o xml`, `wevtutil qe /f:xml`
//!   and PowerShell's `ToXml()` print), whole documents (`<Events>` from
//!   Event Viewer's "Save as XML"), pretty-printed, either quote style, the
//!   event namespace, `<RenderingInfo>`, `<UserData>`; UTF-8 or UTF-16.
//!   Entities are never expanded; depth, element count and event size are
//!   bounded.
//! - [`RawReader`] picks one of the two from the first bytes ([`sniff`]).
//!
//! Records come in file order. A full log that has wrapped around holds
//! its oldest chunk somewhere in the middle of the file; a caller that can
//! seek and wants record order reads the chunks in that order with
//! [`EvtxStream::read_chunk`] (each chunk's header names its first and last
//! record ids, little-endian u64s at bytes 24..40). Error positions: [`ReadError`].
//!
//! Integers beyond 2^53 − 1 are written as JSON strings, so the records
//! survive `JSON.parse` exactly.
//!
//! ```
//! use mshta_chain_evtx::{Batch, RawReader};
//!
//! let xml = br#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>
//!   <Provider Name="Microsoft-Windows-Sysmon"/><EventID>1</EventID>
//!   <TimeCreated SystemTime="2024-05-01T10:00:00.000Z"/><EventRecordID>7</EventRecordID>
//!   <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>PC1</Computer></System>
//!   <EventData><Data Name="Image">C:\Windows\System32\mshta.exe</Data></EventData></Event>"#;
//! let mut reader = RawReader::new();
//! let mut batch = Batch::new();
//! for piece in xml.chunks(100) {
//!     reader.push(piece, &mut batch);
//! }
//! reader.finish(&mut batch);
//! assert_eq!(batch.records, 1);
//! let record: serde_json::Value = serde_json::from_slice(batch.records().next().unwrap()).unwrap();
//! assert_eq!(record["Event"]["System"]["EventID"], 1);
//! assert_eq!(record["Event"]["EventData"]["Image"], r"C:\Windows\System32\mshta.exe");
//! ```
//!
//! ## Dependencies, and why
//!
//! - `evtx` (default features off: no threads, no CLI, no PE template
//!   extraction): the EVTX and BinXML parser and JSON renderer, maintained
//!   and fuzzed; this crate does not parse EVTX itself.
//! - `quick-xml`: a pull parser that reports entity references instead of
//!   expanding them (so an entity bomb costs nothing) and works on one
//!   event's bytes.
//! - `encoding_rs` (already in the tree through `evtx`): streaming UTF-16
//!   decoding that reports malformed sequences with their position.
//! - `memchr` (already in the tree): fast scanning for `<` and newlines.
//!
//! ## WebAssembly
//!
//! `evtx` hashes with `ahash`, whose random seeds come from `getrandom`
//! 0.3. For `wasm32-unknown-unknown` the bindings crate
//! (`mshta-chain-evtx-wasm`) builds with `--cfg getrandom_backend="custom"`
//! and supplies the seed itself, so the module imports nothing from
//! JavaScript; see its source for why a fixed seed is acceptable.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod batch;
mod bigint;
mod evtx_stream;
mod xml;

pub use batch::{Batch, ErrorKind, ReadError};
pub use evtx_stream::{EvtxStream, CHUNK_SIZE, EVTX_MAGIC, FILE_HEADER_SIZE};
pub use xml::{XmlStream, MAX_DEPTH, MAX_ELEMENTS, MAX_EVENT_BYTES};

/// What a file holds, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An `.evtx` file (`ElfFile\0`).
    Evtx,
    /// XML: the first character other than a BOM or white space is `<`, in
    /// UTF-8 or UTF-16.
    Xml,
    /// JSON: the first such character is `{` or `[`.
    Json,
    /// None of these.
    Unknown,
}

impl Format {
    /// The format's short name: `"evtx"`, `"xml"`, `"json"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Evtx => "evtx",
            Format::Xml => "xml",
            Format::Json => "json",
            Format::Unknown => "unknown",
        }
    }
}

/// The format of a file from its first bytes (8 or more are best; fewer are
/// read as far as they go). White space and a BOM are skipped; UTF-16 is
/// recognised by its BOM or the zero bytes of ASCII text.
pub fn sniff(head: &[u8]) -> Format {
    if head.starts_with(EVTX_MAGIC) {
        return Format::Evtx;
    }
    // `evtx_dump` (not `-o jsonl`) puts a `Record <id>` line before each record.
    if let Some(rest) = head.strip_prefix(b"Record ") {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            return sniff(&rest[digits..]);
        }
    }
    let (text, step): (&[u8], usize) = match head {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, 1),
        [0xFF, 0xFE, rest @ ..] => (rest, 2),
        [0xFE, 0xFF, rest @ ..] => (&rest[1.min(rest.len())..], 2),
        [_, 0, ..] => (head, 2),
        [0, rest @ ..] => (rest, 2),
        _ => (head, 1),
    };
    for &b in text.iter().step_by(step) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            b'<' => return Format::Xml,
            b'{' | b'[' => return Format::Json,
            _ => return Format::Unknown,
        }
    }
    Format::Unknown
}

/// Bytes [`RawReader`] waits for before it decides the format (enough for a
/// `Record <id>` line, a BOM and some white space).
pub const SNIFF_BYTES: usize = 256;

enum Inner {
    Pending(Vec<u8>),
    Evtx(EvtxStream),
    Xml(XmlStream),
    Other(Format),
}

/// Reads EVTX or XML, whichever the first bytes say ([`sniff`]). JSON and
/// other input are reported as an error (JSON goes to the core directly).
pub struct RawReader {
    inner: Inner,
    /// The format of the file last finished, until the next one is known.
    last: Option<Format>,
    /// The format given to `with_format`, for every file.
    fixed: Option<Format>,
}

impl Default for RawReader {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RawReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawReader").field("format", &self.format()).finish()
    }
}

impl RawReader {
    /// A reader that decides the format from the first bytes.
    pub fn new() -> Self {
        RawReader { inner: Inner::Pending(Vec::new()), last: None, fixed: None }
    }

    /// A reader for a known format (`Evtx` or `Xml`).
    pub fn with_format(format: Format) -> Self {
        RawReader { inner: Self::start(format), last: None, fixed: Some(format) }
    }

    fn start(format: Format) -> Inner {
        match format {
            Format::Evtx => Inner::Evtx(EvtxStream::new()),
            Format::Xml => Inner::Xml(XmlStream::new()),
            other => Inner::Other(other),
        }
    }

    /// The format, once known (after `finish`, the finished file's, until
    /// the next file's first bytes).
    pub fn format(&self) -> Option<Format> {
        match &self.inner {
            Inner::Pending(_) => self.last,
            Inner::Evtx(_) => Some(Format::Evtx),
            Inner::Xml(_) => Some(Format::Xml),
            Inner::Other(f) => Some(*f),
        }
    }

    /// Records produced so far.
    pub fn records(&self) -> u64 {
        match &self.inner {
            Inner::Evtx(s) => s.records(),
            Inner::Xml(s) => s.records(),
            _ => 0,
        }
    }

    /// Adds the next bytes; see [`EvtxStream::push`] and [`XmlStream::push`].
    pub fn push(&mut self, bytes: &[u8], out: &mut Batch) {
        match &mut self.inner {
            Inner::Pending(head) => {
                self.last = None;
                head.extend_from_slice(bytes);
                if head.len() >= SNIFF_BYTES {
                    let head = std::mem::take(head);
                    self.begin(&head, out);
                }
            }
            Inner::Evtx(s) => s.push(bytes, out),
            Inner::Xml(s) => s.push(bytes, out),
            Inner::Other(_) => {}
        }
    }

    fn begin(&mut self, head: &[u8], out: &mut Batch) {
        let format = sniff(head);
        self.inner = Self::start(format);
        match &mut self.inner {
            Inner::Evtx(s) => s.push(head, out),
            Inner::Xml(s) => s.push(head, out),
            _ => {
                let mut e = ReadError::new(
                    ErrorKind::FileHeader,
                    0,
                    match format {
                        Format::Json => "JSON, not EVTX or XML: give it to the detector directly",
                        _ => "neither EVTX (no `ElfFile` magic) nor XML",
                    },
                );
                e.offset = Some(0);
                out.errors.push(e);
            }
        }
    }

    /// Ends the input; see [`EvtxStream::finish`] and [`XmlStream::finish`].
    /// The reader can then read another file.
    pub fn finish(&mut self, out: &mut Batch) {
        if let Inner::Pending(head) = &mut self.inner {
            let head = std::mem::take(head);
            if head.is_empty() {
                self.inner = Inner::Pending(Vec::new());
                return;
            }
            self.begin(&head, out);
        }
        match &mut self.inner {
            Inner::Evtx(s) => s.finish(out),
            Inner::Xml(s) => s.finish(out),
            _ => {}
        }
        self.last = self.format();
        self.inner = match self.fixed {
            Some(f) => Self::start(f),
            None => Inner::Pending(Vec::new()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_formats() {
        assert_eq!(sniff(b"ElfFile\0rest"), Format::Evtx);
        assert_eq!(sniff(b"\xEF\xBB\xBF <?xml"), Format::Xml);
        assert_eq!(sniff(b"\xFF\xFE<\0E\0"), Format::Xml);
        assert_eq!(sniff(b"\xFE\xFF\0<\0E"), Format::Xml);
        assert_eq!(sniff(b"<\0E\0"), Format::Xml);
        assert_eq!(sniff(b"\n {\"a\":1}"), Format::Json);
        assert_eq!(sniff(b"[{}]"), Format::Json);
        assert_eq!(sniff(b"hello"), Format::Unknown);
        assert_eq!(sniff(b"Record 12\n<?xml version"), Format::Xml);
        assert_eq!(sniff(b""), Format::Unknown);
    }
}
