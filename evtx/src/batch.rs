//! What a reader hands back: records as JSON Lines, and the errors that say
//! which part of the input could not be read and where.

use std::fmt;

/// The records and errors a reader produced for one `push` or `finish`.
///
/// Records are `evtx_dump -o jsonl` JSON, one per line, so they go straight
/// into `mshta_chain_core::Engine::push` (or the npm `Detector.push`).
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// JSON Lines: one record per line, each line ending in `\n`.
    pub lines: Vec<u8>,
    /// How many records `lines` holds.
    pub records: u64,
    /// What could not be read, in input order.
    pub errors: Vec<ReadError>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empties the batch, keeping its allocation.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.records = 0;
        self.errors.clear();
    }

    /// The records, one JSON document each (without the newline).
    pub fn records(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.split(|&b| b == b'\n').filter(|l| !l.is_empty())
    }

    /// Appends one record, made safe for JavaScript; a record that is not
    /// one valid JSON document (a damaged record can render so) is taken
    /// back out and the parse error returned.
    pub(crate) fn push_record(&mut self, json: &[u8]) -> Result<(), String> {
        let start = self.lines.len();
        crate::bigint::append_js_safe(json, &mut self.lines);
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&self.lines[start..]) {
            self.lines.truncate(start);
            return Err(format!("rendered JSON is invalid ({e})"));
        }
        self.lines.push(b'\n');
        self.records += 1;
        Ok(())
    }
}

/// What kind of damage an error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The EVTX file header is missing, truncated or not an EVTX header.
    FileHeader,
    /// A chunk that cannot be read at all (bad magic, unreadable string
    /// table): its records are skipped, the next chunk is read.
    Chunk,
    /// A stored CRC32 does not match: the records were read anyway (live
    /// logs often have a stale checksum in the chunk being written).
    Checksum,
    /// The input ends inside a chunk: the records it holds were read.
    Truncated,
    /// One record that cannot be read or rendered; the others are read.
    Record,
    /// XML that is not well formed, or breaks a limit, in one event.
    Xml,
    /// Bytes that are not valid in the input's encoding (UTF-16, UTF-8).
    Encoding,
    /// Too many errors: the rest were counted, not listed.
    Suppressed,
}

impl ErrorKind {
    /// The kind as a short stable name (`"chunk"`, `"record"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::FileHeader => "file_header",
            ErrorKind::Chunk => "chunk",
            ErrorKind::Checksum => "checksum",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Record => "record",
            ErrorKind::Xml => "xml",
            ErrorKind::Encoding => "encoding",
            ErrorKind::Suppressed => "suppressed",
        }
    }
}

/// One part of the input that could not be read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What kind of damage.
    pub kind: ErrorKind,
    /// Byte offset in the input where the damaged part starts: the chunk
    /// or record (EVTX), the bad bytes (an encoding error). XML errors in
    /// an event give its `line` instead.
    pub offset: Option<u64>,
    /// EVTX: the chunk's number in the file (0 is the chunk after the 4 KB
    /// header).
    pub chunk: Option<u64>,
    /// EVTX: how many consecutive chunks this error covers (a run of
    /// garbage chunks is one error), 1 otherwise.
    pub chunks: u64,
    /// EVTX: the record's `EventRecordID`, when its header could be read.
    pub record_id: Option<u64>,
    /// XML: the line (from 1) the event or the bad bytes are on.
    pub line: Option<u64>,
    /// How many records the reader had produced before this error: where
    /// the error falls among the records.
    pub records_before: u64,
    /// The reason, in words.
    pub message: String,
}

impl ReadError {
    pub(crate) fn new(kind: ErrorKind, records_before: u64, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            offset: None,
            chunk: None,
            chunks: 1,
            record_id: None,
            line: None,
            records_before,
            message: message.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(c) = self.chunk {
            if self.chunks > 1 {
                write!(f, "chunks {c} to {}", c + self.chunks - 1)?;
            } else {
                write!(f, "chunk {c}")?;
            }
            sep = ", ";
        }
        if let Some(r) = self.record_id {
            write!(f, "{sep}record {r}")?;
            sep = ", ";
        }
        if let Some(l) = self.line {
            write!(f, "{sep}line {l}")?;
            sep = ", ";
        }
        if let Some(o) = self.offset {
            write!(f, "{sep}offset {o:#x}")?;
            sep = ", ";
        }
        if !sep.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Caps the errors one reader lists, so garbage input cannot grow the
/// output without bound; the rest are counted and reported once at the end.
#[derive(Debug, Default)]
pub(crate) struct ErrorCap {
    listed: u64,
    suppressed: u64,
}

/// Errors listed per reader before the rest are only counted.
pub(crate) const MAX_ERRORS: u64 = 1000;

impl ErrorCap {
    pub(crate) fn report(&mut self, out: &mut Batch, error: ReadError) {
        if self.listed < MAX_ERRORS {
            self.listed += 1;
            out.errors.push(error);
        } else {
            self.suppressed += 1;
        }
    }

    pub(crate) fn finish(&mut self, out: &mut Batch, records_before: u64) {
        if self.suppressed > 0 {
            let n = std::mem::take(&mut self.suppressed);
            out.errors.push(ReadError::new(
                ErrorKind::Suppressed,
                records_before,
                format!("{n} more errors not listed (the first {MAX_ERRORS} are)"),
            ));
        }
    }
}

/// An error's message with its causes: the `evtx` crate wraps the reason
/// in one or two layers of context.
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}
