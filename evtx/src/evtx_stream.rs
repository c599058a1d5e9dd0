//! `EvtxStream`: reads an `.evtx` file pushed in pieces of any size. The
//! file is a 4 KB header and then self-contained 64 KB chunks (each has
//! its own string and template tables), so the stream buffers at most one
//! chunk and renders each chunk's records as soon as its last byte arrives.
//! Parsing and rendering are the `evtx` crate's; this module only cuts the
//! stream into chunks and turns every failure into a [`ReadError`] that
//! says which chunk or record, so one damaged chunk costs only its own
//! records.

use crate::batch::{describe, Batch, ErrorCap, ErrorKind, ReadError};
use evtx::err::{ChunkError, DeserializationError, EvtxError};
use evtx::{EvtxChunkData, EvtxFileHeader, ParserSettings};
use std::sync::Arc;

/// Size of the EVTX file header block.
pub const FILE_HEADER_SIZE: usize = 4096;
/// Size of one EVTX chunk.
pub const CHUNK_SIZE: usize = 65536;
/// What an EVTX file starts with.
pub const EVTX_MAGIC: &[u8; 8] = b"ElfFile\0";
const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_HEADER_SIZE: u64 = 24;

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Header,
    Chunks,
    /// The header was not an EVTX header: nothing after it is read.
    NotEvtx,
}

/// A run of consecutive unreadable chunks with the same reason, reported as
/// one error when it ends (a file padded with garbage is one error, not
/// thousands).
#[derive(Debug)]
struct BadRun {
    reason: &'static str,
    error: ReadError,
}

/// Reads EVTX bytes pushed in pieces; see the crate documentation.
#[derive(Debug)]
pub struct EvtxStream {
    settings: Arc<ParserSettings>,
    buf: Vec<u8>,
    state: State,
    next_chunk: u64,
    records: u64,
    bad_run: Option<BadRun>,
    cap: ErrorCap,
}

impl Default for EvtxStream {
    fn default() -> Self {
        Self::new()
    }
}

impl EvtxStream {
    /// A stream at the start of a file.
    pub fn new() -> Self {
        EvtxStream {
            // Compact JSON, attributes under `#attributes`: the
            // `evtx_dump -o jsonl` shape the core decodes. Checksums are
            // checked here, not by the crate, so a bad one is reported but
            // the chunk is still read.
            settings: Arc::new(ParserSettings::new().indent(false).separate_json_attributes(false)),
            buf: Vec::with_capacity(FILE_HEADER_SIZE),
            state: State::Header,
            next_chunk: 0,
            records: 0,
            bad_run: None,
            cap: ErrorCap::default(),
        }
    }

    /// Records produced so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Adds the next bytes of the file; appends the records of every chunk
    /// they complete, and errors, to `out`.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Batch) {
        while !bytes.is_empty() {
            let need = match self.state {
                State::Header => FILE_HEADER_SIZE,
                State::Chunks => CHUNK_SIZE,
                State::NotEvtx => return,
            };
            // A whole chunk in the input: read it in place, without copying
            // it into the buffer first.
            if self.buf.is_empty() && bytes.len() >= need && self.state == State::Chunks {
                let (chunk, rest) = bytes.split_at(need);
                self.chunk_complete(chunk, out);
                bytes = rest;
                continue;
            }
            let take = (need - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == need {
                let buf = std::mem::take(&mut self.buf);
                match self.state {
                    State::Header => self.header(&buf, out),
                    _ => self.chunk_complete(&buf, out),
                }
                self.buf = buf;
                self.buf.clear();
            }
        }
    }

    /// Ends the file: a partial header or chunk left over is reported, and
    /// the records a partial chunk holds are read. The stream can then read
    /// another file (record counts and chunk numbers start again).
    pub fn finish(&mut self, out: &mut Batch) {
        let buf = std::mem::take(&mut self.buf);
        match self.state {
            State::Header => {
                let mut e = ReadError::new(
                    ErrorKind::FileHeader,
                    self.records,
                    if buf.is_empty() {
                        "empty input: no EVTX file header".to_string()
                    } else if buf.len() >= 8 && &buf[..8] != EVTX_MAGIC {
                        "not an EVTX file (no `ElfFile` magic)".to_string()
                    } else {
                        format!("truncated EVTX file header: {} of {FILE_HEADER_SIZE} bytes", buf.len())
                    },
                );
                e.offset = Some(0);
                self.cap.report(out, e);
            }
            State::Chunks if !is_zero(&buf) => {
                let number = self.next_chunk;
                let mut e = ReadError::new(
                    ErrorKind::Truncated,
                    self.records,
                    format!("the input ends inside this chunk: {} of {CHUNK_SIZE} bytes", buf.len()),
                );
                e.chunk = Some(number);
                e.offset = Some(chunk_offset(number));
                if buf.len() < CHUNK_HEADER_SIZE {
                    e.message.push_str("; too short for a chunk header");
                    self.end_bad_run(out);
                    self.cap.report(out, e);
                    self.next_chunk += 1;
                } else {
                    e.message.push_str("; reading the records it holds");
                    self.end_bad_run(out);
                    self.cap.report(out, e);
                    // Zeroes after the cut: a record cut by it fails on its
                    // own, the ones before it read normally.
                    let mut padded = buf.clone();
                    padded.resize(CHUNK_SIZE, 0);
                    self.read_chunk_at(number, &padded, buf.len(), out);
                    self.next_chunk += 1;
                }
            }
            _ => {}
        }
        self.end_bad_run(out);
        self.cap.finish(out, self.records);
        // Ready for another file: counts and positions start again.
        let mut fresh = EvtxStream::new();
        fresh.settings = self.settings.clone();
        fresh.buf = buf;
        fresh.buf.clear();
        *self = fresh;
    }

    /// Reads one chunk given by the caller, for readers that seek (say, to
    /// read a wrapped log from its oldest chunk): `number` is the chunk's
    /// index in the file, used in errors and offsets. `bytes` should be the
    /// whole 64 KB chunk.
    pub fn read_chunk(&mut self, number: u64, bytes: &[u8], out: &mut Batch) {
        if bytes.len() == CHUNK_SIZE {
            self.read_chunk_at(number, bytes, CHUNK_SIZE, out);
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(CHUNK_SIZE.max(bytes.len()), 0);
            self.read_chunk_at(number, &padded, bytes.len(), out);
        }
        self.end_bad_run(out);
    }

    fn header(&mut self, buf: &[u8], out: &mut Batch) {
        match EvtxFileHeader::from_bytes(buf) {
            Ok(header) => {
                self.state = State::Chunks;
                if !header.validate_checksum() {
                    let mut e = ReadError::new(
                        ErrorKind::Checksum,
                        self.records,
                        "file header CRC32 mismatch; the chunks are read anyway (they do not depend on it)",
                    );
                    e.offset = Some(0);
                    self.cap.report(out, e);
                }
            }
            Err(err) => {
                self.state = State::NotEvtx;
                let mut e = ReadError::new(
                    ErrorKind::FileHeader,
                    self.records,
                    format!("not an EVTX file: {}", describe(&err)),
                );
                e.offset = Some(0);
                self.cap.report(out, e);
            }
        }
    }

    fn chunk_complete(&mut self, bytes: &[u8], out: &mut Batch) {
        let number = self.next_chunk;
        self.next_chunk += 1;
        self.read_chunk_at(number, bytes, CHUNK_SIZE, out);
    }

    /// Bytes held between pushes: at most one chunk.
    pub fn buffered(&self) -> usize {
        self.buf.capacity()
    }

    /// Reads a chunk whose first `valid` bytes are real (the rest is zero
    /// padding of a truncated chunk: not checksummed, and a record reaching
    /// into it is reported as cut, not rendered from the zeroes).
    fn read_chunk_at(&mut self, number: u64, data: &[u8], valid: usize, out: &mut Batch) {
        // Unused chunks of a preallocated or sparse file are zeroes.
        if is_zero(data) {
            self.end_bad_run(out);
            return;
        }
        let data = data.to_vec();
        let base = chunk_offset(number);
        let crc = if valid == CHUNK_SIZE { checksum_problem(&data) } else { None };
        let mut chunk = match EvtxChunkData::new(data, false) {
            Ok(c) => c,
            Err(err) => return self.bad_chunk(number, chunk_reason(&err), describe(&err), out),
        };
        chunk.number = Some(number);
        let mut parsed = match chunk.parse(self.settings.clone()) {
            Ok(p) => p,
            Err(err) => return self.bad_chunk(number, "unreadable string table", describe(&err), out),
        };
        self.end_bad_run(out);
        if let Some(problem) = crc {
            let mut e =
                ReadError::new(ErrorKind::Checksum, self.records, format!("{problem}; its records are read anyway"));
            e.chunk = Some(number);
            e.offset = Some(base);
            self.cap.report(out, e);
        }
        for record in parsed.iter() {
            let mut e = ReadError::new(ErrorKind::Record, self.records, String::new());
            e.chunk = Some(number);
            match record {
                Ok(r) => {
                    let (id, at) = (r.event_record_id, r.binxml_offset.saturating_sub(RECORD_HEADER_SIZE));
                    e.record_id = Some(id);
                    e.offset = Some(base + at);
                    if r.binxml_offset + u64::from(r.binxml_size) > valid as u64 {
                        e.message = "record cut by the end of the input".into();
                    } else {
                        match r
                            .into_json_bytes()
                            .map_err(|err| describe(&err))
                            .and_then(|rec| out.push_record(&rec.data))
                        {
                            Ok(()) => {
                                self.records += 1;
                                continue;
                            }
                            Err(why) => e.message = format!("record cannot be rendered: {why}"),
                        }
                    }
                }
                Err(err) => record_where(&err, &mut e, base),
            }
            self.cap.report(out, e);
        }
    }

    fn bad_chunk(&mut self, number: u64, reason: &'static str, detail: String, out: &mut Batch) {
        if let Some(run) = &mut self.bad_run {
            let c = run.error.chunk.unwrap_or(0);
            if run.reason == reason && c + run.error.chunks == number {
                run.error.chunks += 1;
                return;
            }
        }
        self.end_bad_run(out);
        let mut error = ReadError::new(ErrorKind::Chunk, self.records, format!("{reason}, chunk skipped ({detail})"));
        error.chunk = Some(number);
        error.offset = Some(chunk_offset(number));
        self.bad_run = Some(BadRun { reason, error });
    }

    fn end_bad_run(&mut self, out: &mut Batch) {
        if let Some(mut run) = self.bad_run.take() {
            if run.error.chunks > 1 {
                run.error.message = format!("{} chunks: {}", run.error.chunks, run.error.message);
            }
            self.cap.report(out, run.error);
        }
    }
}

/// All zero bytes (compared eight at a time).
fn is_zero(data: &[u8]) -> bool {
    let (words, rest) = data.as_chunks::<8>();
    words.iter().all(|w| u64::from_ne_bytes(*w) == 0) && rest.iter().all(|&b| b == 0)
}

/// Where chunk `number` starts in the file.
fn chunk_offset(number: u64) -> u64 {
    FILE_HEADER_SIZE as u64 + number.saturating_mul(CHUNK_SIZE as u64)
}

/// The short reason a chunk cannot be read, for grouping a run of them.
fn chunk_reason(err: &ChunkError) -> &'static str {
    match err {
        ChunkError::FailedToParseChunkHeader(DeserializationError::InvalidEvtxChunkMagic { .. }) => {
            "not a chunk (no `ElfChnk` magic)"
        }
        ChunkError::FailedToParseChunkHeader(_) => "unreadable chunk header",
        _ => "unreadable chunk",
    }
}

/// The chunk's stored CRC32s against its bytes: the header's (bytes 0..120
/// and 128..512) and the records' (512 to the free space offset).
fn checksum_problem(data: &[u8]) -> Option<String> {
    let u32_at = |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    let flags = u32_at(120);
    if flags & 0x4 != 0 {
        return None; // NO_CRC32
    }
    let mut header = [0u8; 504];
    header[..120].copy_from_slice(&data[..120]);
    header[120..].copy_from_slice(&data[128..512]);
    let (stored, found) = (u32_at(124), evtx::checksum_ieee(&header));
    if stored != found {
        return Some(format!("chunk header CRC32 mismatch (stored {stored:#010x}, computed {found:#010x})"));
    }
    let free = u32_at(48) as usize;
    let Some(records) = data.get(CHUNK_HEADER_SIZE..free) else {
        return Some(format!("free space offset {free} is outside the chunk"));
    };
    let (stored, found) = (u32_at(52), evtx::checksum_ieee(records));
    (stored != found).then(|| format!("records CRC32 mismatch (stored {stored:#010x}, computed {found:#010x})"))
}

/// Fills in a record error's id, offset and reason from the `evtx` error.
fn record_where(err: &EvtxError, e: &mut ReadError, chunk_base: u64) {
    match err {
        EvtxError::FailedToReadRecordAt { offset, source, .. } => {
            e.offset = Some(chunk_base + offset);
            if let EvtxError::FailedToParseRecord { record_id, .. } = source.as_ref() {
                e.record_id = Some(*record_id);
            }
            e.message = format!("record cannot be read: {}", describe(source.as_ref()));
        }
        EvtxError::FailedToParseRecord { record_id, source } => {
            e.record_id = Some(*record_id);
            e.message = format!("record cannot be read: {}", describe(source.as_ref()));
        }
        other => e.message = format!("record cannot be read: {}", describe(other)),
    }
}
