//! Finds each `<Event>` element in a stream of XML text pushed in pieces
//! cut anywhere, without parsing the document around it: a resumable
//! lexer that knows tags, quoted attribute values, comments, CDATA,
//! processing instructions and DOCTYPE declarations, so a `<` or `>` inside
//! any of them is not taken for markup. Outside an event it keeps no
//! element stack (wrappers such as `<Events>`, and anything else, cost
//! nothing however deep they nest); inside one it keeps a depth count and
//! the event's bytes, up to a limit. Each complete event goes to the
//! converter whole.

/// Largest event kept: an EVTX record is at most 64 KB of BinXML, a few
/// hundred KB as XML. A larger "event" is skipped with an error.
pub const MAX_EVENT_BYTES: usize = 4 << 20;
/// Tag names are compared only against `Event` (with any prefix).
const MAX_NAME: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Lex {
    Text,
    /// After `<`.
    Open,
    /// `<!`, collecting up to 7 bytes to tell a comment, CDATA or a declaration.
    Bang,
    Comment,
    CData,
    /// `<?...?>`.
    Pi,
    /// `<!DOCTYPE ...>` and the like, with its `[...]` internal subset.
    Decl,
    /// In a start tag's name.
    StartName,
    /// In a start tag after its name.
    StartAttrs,
    /// In an end tag.
    End,
}

/// What the splitter tells its owner.
#[derive(Debug)]
pub(crate) enum Piece<'a> {
    /// A complete event: its bytes and the line it started on.
    Event(&'a [u8], u64),
    /// An event over [`MAX_EVENT_BYTES`], skipped; the line it started on.
    TooLarge(u64),
    /// A DOCTYPE declaration: ignored, its entities are never expanded.
    Doctype(u64),
}

#[derive(Debug)]
pub(crate) struct Splitter {
    lex: Lex,
    /// For `Bang`: the bytes after `<!`; for Comment/CData/Pi/Decl: the
    /// last bytes seen, to find the terminator across pieces.
    tail: [u8; 8],
    tail_len: usize,
    quote: u8,
    /// `[` nesting in a declaration.
    brackets: u32,
    name: [u8; MAX_NAME],
    name_len: usize,
    /// Last non-space byte in a start tag (a `/` before `>` closes it).
    last: u8,
    /// Element depth inside the current event; `None` outside events.
    depth: Option<u64>,
    /// A start tag outside events is buffered until its name is known.
    pending_tag: bool,
    buf: Vec<u8>,
    too_large: bool,
    line: u64,
    event_line: u64,
    /// Line of the `<` being lexed.
    tag_line: u64,
    decl_is_doctype: bool,
}

impl Splitter {
    pub(crate) fn new() -> Self {
        Splitter {
            lex: Lex::Text,
            tail: [0; 8],
            tail_len: 0,
            quote: 0,
            brackets: 0,
            name: [0; MAX_NAME],
            name_len: 0,
            last: 0,
            depth: None,
            pending_tag: false,
            buf: Vec::new(),
            too_large: false,
            line: 1,
            event_line: 1,
            tag_line: 1,
            decl_is_doctype: false,
        }
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Whether the text so far stopped inside an event.
    pub(crate) fn in_event(&self) -> bool {
        self.depth.is_some() || self.pending_tag
    }

    pub(crate) fn event_line(&self) -> u64 {
        self.event_line
    }

    fn keep(&self) -> bool {
        (self.depth.is_some() || self.pending_tag) && !self.too_large
    }

    /// Lexes `text`, calling `emit` for each complete event (and DOCTYPE).
    pub(crate) fn push(&mut self, text: &[u8], emit: &mut dyn FnMut(Piece<'_>)) {
        let mut i = 0;
        // Bytes of `text` from `kept_from` on still have to be appended to the
        // event buffer (done in runs, not byte by byte).
        let mut kept_from = if self.keep() { Some(0) } else { None };
        while i < text.len() {
            let b = text[i];
            if self.lex == Lex::Text {
                // Fast path: jump to the next `<`, counting lines.
                let rest = &text[i..];
                let next = memchr::memchr(b'<', rest).unwrap_or(rest.len());
                self.line += memchr::memchr_iter(b'\n', &rest[..next]).count() as u64;
                i += next;
                if i == text.len() {
                    break;
                }
                self.lex = Lex::Open;
                self.tag_line = self.line;
                if self.depth.is_none() {
                    // A new tag outside events: buffer it from its `<` in case it is an `<Event`.
                    self.pending_tag = true;
                    self.too_large = false;
                    self.buf.clear();
                    kept_from = Some(i);
                }
                i += 1;
                continue;
            }
            if b == b'\n' {
                self.line += 1;
            }
            match self.lex {
                Lex::Text => unreachable!(),
                Lex::Open => match b {
                    b'/' => {
                        self.lex = Lex::End;
                        self.drop_pending(&mut kept_from);
                    }
                    b'?' => {
                        self.lex = Lex::Pi;
                        self.tail_len = 0;
                        self.drop_pending(&mut kept_from);
                    }
                    b'!' => {
                        self.lex = Lex::Bang;
                        self.tail_len = 0;
                        self.drop_pending(&mut kept_from);
                    }
                    _ => {
                        self.lex = Lex::StartName;
                        self.name_len = 0;
                        self.last = b;
                        self.push_name(b);
                    }
                },
                Lex::Bang => {
                    self.tail[self.tail_len] = b;
                    self.tail_len += 1;
                    let t = &self.tail[..self.tail_len];
                    if t == b"--" {
                        self.lex = Lex::Comment;
                        self.tail_len = 0;
                    } else if t == b"[CDATA[" {
                        self.lex = Lex::CData;
                        self.tail_len = 0;
                    } else if !(b"--".starts_with(t) || b"[CDATA[".starts_with(t)) {
                        self.lex = Lex::Decl;
                        self.decl_is_doctype = t.eq_ignore_ascii_case(&b"DOCTYPE"[..t.len().min(7)]);
                        self.quote = 0;
                        self.brackets = 0;
                        self.tail_len = 0;
                        // This byte may matter to the declaration (`>`, `[`, a quote).
                        continue_decl(self, b, emit);
                    }
                }
                Lex::Comment => {
                    if b == b'>' && self.tail_len >= 2 && self.tail[..2] == *b"--" {
                        self.lex = Lex::Text;
                    }
                    self.shift_tail(b);
                }
                Lex::CData => {
                    if b == b'>' && self.tail_len >= 2 && self.tail[..2] == *b"]]" {
                        self.lex = Lex::Text;
                    }
                    self.shift_tail(b);
                }
                Lex::Pi => {
                    if b == b'>' && self.tail_len >= 1 && self.tail[0] == b'?' {
                        self.lex = Lex::Text;
                    }
                    self.shift_tail(b);
                }
                Lex::Decl => continue_decl(self, b, emit),
                Lex::StartName => {
                    if b.is_ascii_whitespace() || b == b'/' || b == b'>' {
                        self.lex = Lex::StartAttrs;
                        if self.depth.is_none() {
                            if is_event_name(&self.name[..self.name_len]) {
                                self.pending_tag = false;
                                self.depth = Some(0);
                                self.event_line = self.tag_line;
                            } else {
                                self.drop_pending(&mut kept_from);
                            }
                        }
                        self.attrs_byte(b, text, i, &mut kept_from, emit);
                    } else {
                        self.push_name(b);
                    }
                }
                Lex::StartAttrs => self.attrs_byte(b, text, i, &mut kept_from, emit),
                Lex::End => {
                    if b == b'>' {
                        self.lex = Lex::Text;
                        if let Some(d) = self.depth {
                            let d = d.saturating_sub(1);
                            if d == 0 {
                                self.complete(text, i, &mut kept_from, emit);
                            } else {
                                self.depth = Some(d);
                            }
                        }
                    }
                }
            }
            i += 1;
            if let Some(from) = kept_from {
                // Keep the event buffer bounded while a huge event streams in.
                if self.buf.len() + (i - from) > MAX_EVENT_BYTES && self.depth.is_some() {
                    self.too_large = true;
                    self.buf = Vec::new();
                    kept_from = None;
                }
            }
        }
        if let Some(from) = kept_from {
            if self.keep() {
                self.buf.extend_from_slice(&text[from..]);
            }
        }
    }

    /// One byte of a start tag after its name.
    fn attrs_byte(
        &mut self,
        b: u8,
        text: &[u8],
        i: usize,
        kept_from: &mut Option<usize>,
        emit: &mut dyn FnMut(Piece<'_>),
    ) {
        if self.quote != 0 {
            if b == self.quote {
                self.quote = 0;
            }
            self.last = b;
        } else if b == b'"' || b == b'\'' {
            self.quote = b;
            self.last = b;
        } else if b == b'>' {
            self.lex = Lex::Text;
            let closed = self.last == b'/';
            if let Some(d) = self.depth {
                if closed && d == 0 {
                    self.complete(text, i, kept_from, emit);
                } else if !closed {
                    self.depth = Some(d + 1);
                }
            }
        } else if !b.is_ascii_whitespace() {
            self.last = b;
        }
    }

    fn push_name(&mut self, b: u8) {
        if self.name_len < MAX_NAME {
            self.name[self.name_len] = b;
            self.name_len += 1;
        }
    }

    fn shift_tail(&mut self, b: u8) {
        // The two bytes before the current one, newest first.
        self.tail[1] = self.tail[0];
        self.tail[0] = b;
        self.tail_len = (self.tail_len + 1).min(2);
    }

    fn drop_pending(&mut self, kept_from: &mut Option<usize>) {
        if self.pending_tag {
            self.pending_tag = false;
            self.buf.clear();
            *kept_from = None;
        }
    }

    /// The event ends at `text[i]` (its final `>`).
    fn complete(&mut self, text: &[u8], i: usize, kept_from: &mut Option<usize>, emit: &mut dyn FnMut(Piece<'_>)) {
        self.depth = None;
        if self.too_large {
            self.too_large = false;
            emit(Piece::TooLarge(self.event_line));
        } else {
            let from = kept_from.unwrap_or(i + 1);
            if self.buf.is_empty() {
                emit(Piece::Event(&text[from..=i], self.event_line));
            } else {
                self.buf.extend_from_slice(&text[from..=i]);
                emit(Piece::Event(&self.buf, self.event_line));
            }
        }
        self.buf.clear();
        if self.buf.capacity() > 1 << 20 {
            self.buf = Vec::new();
        }
        *kept_from = None;
    }
}

fn continue_decl(s: &mut Splitter, b: u8, emit: &mut dyn FnMut(Piece<'_>)) {
    if s.quote != 0 {
        if b == s.quote {
            s.quote = 0;
        }
    } else {
        match b {
            b'"' | b'\'' => s.quote = b,
            b'[' => s.brackets += 1,
            b']' => s.brackets = s.brackets.saturating_sub(1),
            b'>' if s.brackets == 0 => {
                s.lex = Lex::Text;
                if s.decl_is_doctype && s.depth.is_none() {
                    emit(Piece::Doctype(s.tag_line));
                }
            }
            _ => {}
        }
    }
}

/// `Event` or `prefix:Event`.
fn is_event_name(name: &[u8]) -> bool {
    let local = match memchr::memrchr(b':', name) {
        Some(p) => &name[p + 1..],
        None => name,
    };
    local == b"Event"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(pieces: &[&[u8]]) -> Vec<(String, u64)> {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        for p in pieces {
            s.push(p, &mut |piece| match piece {
                Piece::Event(b, line) => out.push((String::from_utf8_lossy(b).into_owned(), line)),
                Piece::TooLarge(line) => out.push(("<too large>".into(), line)),
                Piece::Doctype(line) => out.push(("<doctype>".into(), line)),
            });
        }
        out
    }

    #[test]
    fn finds_events_in_wrappers_and_skips_markup_lookalikes() {
        let doc = b"<?xml version='1.0'?>\n<Events>\n<!-- <Event> in a comment -->\n<Event a='>' b=\"</Event>\"><![CDATA[</Event>]]><x/><y>1</y></Event>\n<e:Event xmlns:e='u'/>\n</Events>";
        let all = split(&[doc]);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].0, "<Event a='>' b=\"</Event>\"><![CDATA[</Event>]]><x/><y>1</y></Event>");
        assert_eq!(all[0].1, 4);
        assert_eq!(all[1].0, "<e:Event xmlns:e='u'/>");
        // Cut after every byte: the same events.
        let bytes: Vec<&[u8]> = doc.chunks(1).collect();
        assert_eq!(split(&bytes), all);
    }

    #[test]
    fn other_elements_and_events_are_not_confused() {
        let all = split(&[b"<Eventlog><EventData/></Eventlog><Event><Event/></Event>"]);
        assert_eq!(all, vec![("<Event><Event/></Event>".to_string(), 1)]);
    }

    #[test]
    fn doctype_with_internal_subset_is_reported_not_expanded() {
        let all = split(&[b"<!DOCTYPE r [<!ENTITY a \"<Event>\">]><Event>&a;</Event>"]);
        assert_eq!(all[0].0, "<doctype>");
        assert_eq!(all[1].0, "<Event>&a;</Event>");
    }
}
