//! `XmlStream`: Windows Event XML pushed in pieces cut anywhere, in UTF-8
//! or UTF-16 (PowerShell 5's `Out-File` writes UTF-16LE with a BOM). The
//! bytes are decoded to UTF-8 as they come (by the BOM, or by the zero
//! bytes around the first `<`; an `encoding=` in the declaration is not
//! trusted: tools write `utf-16` there over UTF-8 bytes); the splitter cuts
//! out each `<Event>`; the converter turns it into the `evtx_dump` JSON.
//! Memory is one event plus one piece, whatever the file's size.

mod convert;
mod split;

use crate::batch::{Batch, ErrorCap, ErrorKind, ReadError};
use encoding_rs::{Decoder, DecoderResult, UTF_16BE, UTF_16LE};
use split::{Piece, Splitter};

pub use convert::{MAX_DEPTH, MAX_ELEMENTS};
pub use split::MAX_EVENT_BYTES;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    /// Not known yet: fewer than 4 bytes seen.
    Unknown,
    Utf8,
    Utf16,
}

/// Reads Windows Event XML pushed in pieces; see the crate documentation.
pub struct XmlStream {
    encoding: Encoding,
    /// The first bytes, until the encoding is known.
    head: Vec<u8>,
    decoder: Option<Decoder>,
    decoded: Vec<u8>,
    splitter: Splitter,
    /// Input bytes consumed (for the offsets of encoding errors).
    consumed: u64,
    events: u64,
    records: u64,
    cap: ErrorCap,
    doctype_reported: bool,
}

impl std::fmt::Debug for XmlStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlStream").field("encoding", &self.encoding).field("records", &self.records).finish()
    }
}

impl Default for XmlStream {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlStream {
    /// A stream at the start of a document.
    pub fn new() -> Self {
        XmlStream {
            encoding: Encoding::Unknown,
            head: Vec::new(),
            decoder: None,
            decoded: Vec::new(),
            splitter: Splitter::new(),
            consumed: 0,
            events: 0,
            records: 0,
            cap: ErrorCap::default(),
            doctype_reported: false,
        }
    }

    /// Records produced so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Adds the next bytes of the document; appends the record of every
    /// event they complete, and errors, to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Batch) {
        if self.encoding == Encoding::Unknown {
            self.head.extend_from_slice(bytes);
            if self.head.len() < 4 {
                return;
            }
            let head = std::mem::take(&mut self.head);
            self.detect(&head);
            self.feed(&head, false, out);
            return;
        }
        self.feed(bytes, false, out);
    }

    /// Ends the document: an event left open is reported. The stream can
    /// then read another document.
    pub fn finish(&mut self, out: &mut Batch) {
        if self.encoding == Encoding::Unknown {
            let head = std::mem::take(&mut self.head);
            self.detect(&head);
            self.feed(&head, true, out);
        } else {
            self.feed(&[], true, out);
        }
        if self.splitter.in_event() {
            let mut e = ReadError::new(ErrorKind::Xml, self.records, "the input ends inside an <Event> element");
            e.line = Some(self.splitter.event_line());
            self.cap.report(out, e);
        } else if self.events == 0 && self.consumed > 0 {
            let mut e = ReadError::new(ErrorKind::Xml, self.records, "no <Event> element in the input");
            e.line = Some(1);
            self.cap.report(out, e);
        }
        self.cap.finish(out, self.records);
        // Ready for another document.
        *self = XmlStream::new();
    }

    fn detect(&mut self, head: &[u8]) {
        let (encoding, decoder) = match head {
            [0xFF, 0xFE, ..] => (Encoding::Utf16, Some(UTF_16LE.new_decoder_with_bom_removal())),
            [0xFE, 0xFF, ..] => (Encoding::Utf16, Some(UTF_16BE.new_decoder_with_bom_removal())),
            [b'<', 0, ..] | [b' ' | b'\t' | b'\r' | b'\n', 0, ..] => {
                (Encoding::Utf16, Some(UTF_16LE.new_decoder_without_bom_handling()))
            }
            [0, b'<', ..] | [0, b' ' | b'\t' | b'\r' | b'\n', ..] => {
                (Encoding::Utf16, Some(UTF_16BE.new_decoder_without_bom_handling()))
            }
            _ => (Encoding::Utf8, None),
        };
        self.encoding = encoding;
        self.decoder = decoder;
    }

    fn feed(&mut self, mut bytes: &[u8], last: bool, out: &mut Batch) {
        if self.encoding == Encoding::Utf8 {
            if self.consumed == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes = &bytes[3..];
                self.consumed = 3;
            }
            self.consumed += bytes.len() as u64;
            self.split(bytes, out);
            return;
        }
        // UTF-16: decode in bounded slices.
        let Some(mut decoder) = self.decoder.take() else { return };
        let mut decoded = std::mem::take(&mut self.decoded);
        loop {
            decoded.clear();
            let room = 64 * 1024;
            decoded.reserve(room);
            decoded.resize(room, 0);
            let (result, read, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut decoded, last);
            decoded.truncate(written);
            let at = self.consumed + read as u64;
            self.consumed = at;
            bytes = &bytes[read..];
            self.split(&decoded, out);
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(bad, after) => {
                    let offset = at - after as u64 - bad as u64;
                    let mut e = ReadError::new(
                        ErrorKind::Encoding,
                        self.records,
                        format!("invalid UTF-16 ({bad} bytes: an unpaired surrogate or an odd byte at the end); read as U+FFFD"),
                    );
                    e.offset = Some(offset);
                    e.line = Some(self.splitter.line());
                    self.cap.report(out, e);
                    self.split("\u{FFFD}".as_bytes(), out);
                }
            }
        }
        self.decoded = decoded;
        self.decoder = Some(decoder);
    }

    fn split(&mut self, text: &[u8], out: &mut Batch) {
        let records = &mut self.records;
        let events = &mut self.events;
        let cap = &mut self.cap;
        let doctype_reported = &mut self.doctype_reported;
        self.splitter.push(text, &mut |piece| match piece {
            Piece::Event(xml, line) => {
                *events += 1;
                match convert::event_to_json(xml, &mut out.lines) {
                    Ok(()) => {
                        out.lines.push(b'\n');
                        out.records += 1;
                        *records += 1;
                    }
                    Err(f) => {
                        let at_line = line + memchr::memchr_iter(b'\n', &xml[..f.at.min(xml.len())]).count() as u64;
                        let mut e =
                            ReadError::new(ErrorKind::Xml, *records, format!("event {}: {}", *events, f.message));
                        e.line = Some(at_line);
                        cap.report(out, e);
                    }
                }
            }
            Piece::TooLarge(line) => {
                *events += 1;
                let mut e = ReadError::new(
                    ErrorKind::Xml,
                    *records,
                    format!("event {}: larger than {} MiB, skipped", *events, MAX_EVENT_BYTES >> 20),
                );
                e.line = Some(line);
                cap.report(out, e);
            }
            Piece::Doctype(line) => {
                if !std::mem::replace(doctype_reported, true) {
                    let mut e = ReadError::new(
                        ErrorKind::Xml,
                        *records,
                        "DOCTYPE declaration ignored: its entities are never expanded",
                    );
                    e.line = Some(line);
                    cap.report(out, e);
                }
            }
        });
    }
}
