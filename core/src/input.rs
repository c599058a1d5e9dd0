//! Splitting an input into items: JSON arrays, JSON Lines, single objects,
//! pretty-printed objects one after another, several objects on one line,
//! and any mix of them, with LF, CRLF or CR-only line endings.
//!
//! Splitting is structural (strings, escapes and bracket depth only) and
//! per item, never decided by the first line: an array is recognised where
//! it starts and its elements are items; an object is an item wherever it
//! starts. One malformed item never hides the good items around it: a
//! broken value loses the rest of its line only, a value nested too deep is
//! skipped whole (like any other bad item), and each item is parsed on its
//! own later, a bad one reported with its index.
//!
//! The splitter is resumable: it says how much of the bytes it consumed
//! (the rest, a value cut by the end of a push, waits for the next push)
//! and whether the stream is inside a top-level array, so the items are the
//! same however the stream is cut, even inside an array.

/// One item of the input, or the reason it could not be delimited.
pub(crate) type Piece<'a> = Result<&'a [u8], String>;

/// How deep brackets may nest before an item is refused. serde_json stops at
/// 128 as well; deeper values are skipped whole by the scanner.
const MAX_DEPTH: u32 = 128;

/// The items of a chunk of the stream.
pub(crate) struct Split<'a> {
    pub pieces: Vec<Piece<'a>>,
    /// Bytes handled; the rest (a value cut by the chunk's end) waits for
    /// the next chunk.
    pub consumed: usize,
    /// The chunk ended inside an over-long item: skip the next chunk up to
    /// its first line break.
    pub skip_rest: bool,
}

/// Splits `bytes` into items, in input order. `in_array` says whether the
/// stream is inside a top-level JSON array, and is updated; `flush` means
/// the stream ends here (a cut value is then an error, not carried).
/// `limit` bounds one item's length: a longer one is an error and the
/// scanner resumes at the next line.
pub(crate) fn split<'a>(bytes: &'a [u8], in_array: &mut bool, flush: bool, limit: usize) -> Split<'a> {
    let mut pieces = Vec::new();
    let mut pos = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let len = bytes.len();
    // One search of the chunk spares each string its own search for a CR
    // (most inputs end lines with LF only).
    let has_cr = memchr::memchr(b'\r', bytes).is_some();
    loop {
        pos = skip_separators(bytes, pos);
        let Some(&c) = bytes.get(pos) else { break };
        if *in_array && c == b']' {
            *in_array = false;
            pos += 1;
            continue;
        }
        if !*in_array && c == b'[' {
            // A top-level array, wherever it starts: its elements are items.
            *in_array = true;
            pos += 1;
            continue;
        }
        if !*in_array && !matches!(c, b'{' | b'"') {
            // Not a value that can be an event: the rest of the line is one
            // item (rejected later with the parser's reason).
            let end = line_end(bytes, pos);
            if end == len && !flush {
                return Split { pieces, consumed: pos, skip_rest: false };
            }
            pieces.push(Ok(trim(&bytes[pos..end])));
            pos = end;
            continue;
        }
        let first_line = line_end(bytes, pos);
        let pretty = lone_bracket(&bytes[pos..first_line]);
        match scan(bytes, pos, limit, !pretty, has_cr) {
            Scan::Done { end, too_deep: false } => {
                pieces.push(Ok(&bytes[pos..end]));
                pos = end;
            }
            Scan::Done { end, too_deep: true } => {
                pieces.push(Err(format!("JSON nested deeper than {MAX_DEPTH} levels")));
                pos = end;
            }
            Scan::Broken => {
                // It ran into the next JSON line: a broken line, which loses
                // only itself.
                pieces.push(Ok(trim(&bytes[pos..first_line])));
                pos = first_line;
            }
            Scan::Incomplete => {
                let cut = first_line == len || pretty;
                if cut && !flush {
                    // Cut by the chunk's end (a JSON line without its end, or
                    // a pretty-printed value that opens with a lone bracket).
                    return Split { pieces, consumed: pos, skip_rest: false };
                }
                if cut {
                    pieces.push(Err("malformed JSON: input ends inside an object or array".into()));
                    pos = len;
                } else {
                    // A broken line: it loses only itself.
                    pieces.push(Ok(trim(&bytes[pos..first_line])));
                    pos = first_line;
                }
            }
            Scan::Malformed(why) => {
                pieces.push(Err(why));
                pos = line_end(bytes, pos);
            }
            Scan::TooLong if !pretty && first_line < len && first_line - pos <= limit => {
                pieces.push(Ok(trim(&bytes[pos..first_line])));
                pos = first_line;
            }
            Scan::TooLong => {
                pieces.push(Err(format!("item longer than max_item_bytes ({limit})")));
                let resume = line_end(bytes, pos.saturating_add(limit).min(len));
                if resume == len && !flush {
                    // The rest of the over-long item may come with the next
                    // chunk: the caller skips it up to its line's end.
                    return Split { pieces, consumed: len, skip_rest: true };
                }
                pos = resume;
            }
        }
    }
    Split { pieces, consumed: len, skip_rest: false }
}

enum Scan {
    /// The value ends at `end`; `too_deep` when it nests beyond the limit.
    Done { end: usize, too_deep: bool },
    /// The input ends inside the value.
    Incomplete,
    /// Not a value (an unexpected closer, a line break inside a string).
    Malformed(String),
    /// Longer than the limit without ending.
    TooLong,
    /// A value that does not open a pretty-printed block ran on into a line
    /// that starts an object or array at its first byte: the next JSON line
    /// (pretty-printed JSON indents what it nests).
    Broken,
}

/// Finds the end of the JSON value starting at `pos`. Only structure is
/// checked (the value is parsed properly later); depth is counted without
/// bound, so that a value nested too deep is still skipped whole. `has_cr`:
/// whether `bytes` hold a CR anywhere.
fn scan(bytes: &[u8], pos: usize, limit: usize, line_oriented: bool, has_cr: bool) -> Scan {
    let mut depth: u64 = 0;
    let mut max_depth: u64 = 0;
    let mut i = pos;
    let stop = pos.saturating_add(limit);
    loop {
        if i > stop {
            return Scan::TooLong;
        }
        let Some(&c) = bytes.get(i) else {
            return if depth > 0 || i == pos { Scan::Incomplete } else { Scan::Done { end: i, too_deep: false } };
        };
        match c {
            b'"' => match scan_string(bytes, i, has_cr) {
                Ok(end) => i = end,
                Err(Some(why)) => return Scan::Malformed(why),
                Err(None) => return Scan::Incomplete,
            },
            b'{' | b'[' => {
                depth += 1;
                max_depth = max_depth.max(depth);
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    // Ends a bare scalar such as the `5` in `[5]`.
                    return if i > pos {
                        Scan::Done { end: i, too_deep: false }
                    } else {
                        Scan::Malformed(format!("malformed JSON: unexpected '{}'", c as char))
                    };
                }
                depth -= 1;
                i += 1;
            }
            b',' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                return Scan::Done { end: i, too_deep: false };
            }
            b'\r' | b'\n' if line_oriented && matches!(bytes.get(i + 1), Some(b'{' | b'[')) => return Scan::Broken,
            b'\r'
                if line_oriented
                    && bytes.get(i + 1) == Some(&b'\n')
                    && matches!(bytes.get(i + 2), Some(b'{' | b'[')) =>
            {
                return Scan::Broken
            }
            _ => i += 1,
        }
        if depth == 0 && matches!(c, b'"' | b'}' | b']') {
            return Scan::Done { end: i, too_deep: max_depth > u64::from(MAX_DEPTH) };
        }
    }
}

/// `pos` is at an opening quote; returns the index after the closing quote,
/// `Err(None)` when the input ends first, `Err(Some(why))` when a line
/// break comes first (a string never spans lines in JSON). `has_cr`: whether
/// `bytes` hold a CR anywhere; when not, no string is searched for one.
fn scan_string(bytes: &[u8], pos: usize, has_cr: bool) -> Result<usize, Option<String>> {
    let mut i = pos + 1;
    loop {
        let rest = bytes.get(i..).unwrap_or(&[]);
        match memchr::memchr3(b'"', b'\\', b'\n', rest).map(|k| (k, rest[k])) {
            None => {
                return if has_cr && memchr::memchr(b'\r', rest).is_some() {
                    Err(Some("malformed JSON: line break inside a string".into()))
                } else {
                    Err(None)
                }
            }
            Some((k, b'\\')) => i += k + 2,
            Some((k, b'"')) => {
                if has_cr && memchr::memchr(b'\r', &rest[..k]).is_some() {
                    return Err(Some("malformed JSON: line break inside a string".into()));
                }
                return Ok(i + k + 1);
            }
            Some(_) => return Err(Some("malformed JSON: line break inside a string".into())),
        }
        if i > bytes.len() {
            return Err(None);
        }
    }
}

/// Skips whitespace, line breaks and commas between items.
fn skip_separators(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n' | b',')) {
        i += 1;
    }
    i
}

/// The index of the next line break (LF or CR) at or after `from`, or the
/// input's length.
fn line_end(bytes: &[u8], from: usize) -> usize {
    let from = from.min(bytes.len());
    memchr::memchr2(b'\n', b'\r', &bytes[from..]).map_or(bytes.len(), |k| from + k)
}

/// Whether a line is only `{` or `[` (pretty-printed JSON opens so).
fn lone_bracket(line: &[u8]) -> bool {
    matches!(trim(line), b"{" | b"[")
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 1 << 20;

    fn texts(input: &str) -> Vec<Result<String, String>> {
        let mut in_array = false;
        split(input.as_bytes(), &mut in_array, true, LIMIT)
            .pieces
            .into_iter()
            .map(|p| p.map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    /// How much of a chunk is consumed when more may follow.
    fn cut(s: &str) -> usize {
        let mut in_array = false;
        split(s.as_bytes(), &mut in_array, false, LIMIT).consumed
    }

    #[test]
    fn chunks_carry_only_the_cut_value() {
        assert_eq!(cut("{\"a\":1}\n{\"b\""), 8);
        assert_eq!(cut("{\"a\":1}\n{\"b\":2}"), 15);
        assert_eq!(cut("{\"a\":1}\n"), 8);
        assert_eq!(cut("{\"a\":"), 0);
        assert_eq!(cut("[{\"a\":1},"), 9);
        assert_eq!(cut("[{\"a\":1},{\"b"), 9);
        assert_eq!(cut("{\n \"a\": 1\n}\n{\n \"b\":"), 12);
        assert_eq!(cut("{\n \"a\": 1\n}\n"), 12);
        assert_eq!(cut("{\"a\":1,\n \"b\": 2}"), 16);
        assert_eq!(cut("not json\n{\"a\""), 9);
        assert_eq!(cut("not js"), 0);
        assert_eq!(cut(""), 0);
        // A broken first line does not swallow the lines after it.
        assert_eq!(cut("{broken\n{\"a\":1}\n{\"b\""), 16);
    }

    #[test]
    fn an_array_continues_across_chunks() {
        let mut in_array = false;
        let a = split(b"[{\"a\":1},{\"b\"", &mut in_array, false, LIMIT);
        assert_eq!((a.pieces.len(), a.consumed, in_array), (1, 9, true));
        let b = split(b"{\"b\":2}]\n{\"c\":3}", &mut in_array, false, LIMIT);
        assert_eq!((b.pieces.len(), in_array), (2, false));
    }

    #[test]
    fn json_lines_with_blank_and_bad_lines() {
        let got = texts("{\"a\":1}\r\n\n  {\"b\":\"x,}\"}\n{broken\n[1]\n");
        assert_eq!(
            got,
            vec![Ok("{\"a\":1}".into()), Ok("{\"b\":\"x,}\"}".into()), Ok("{broken".into()), Ok("1".into())]
        );
    }

    #[test]
    fn arrays_are_recognised_per_item_not_by_the_first_line() {
        let got = texts("[]\n{\"a\":1}\n[1]\n{\"b\":2}\n[{\"c\":3},{\"d\":4}]\n");
        assert_eq!(
            got,
            vec![
                Ok("{\"a\":1}".into()),
                Ok("1".into()),
                Ok("{\"b\":2}".into()),
                Ok("{\"c\":3}".into()),
                Ok("{\"d\":4}".into())
            ]
        );
    }

    #[test]
    fn several_objects_on_one_line_and_cr_only_endings() {
        assert_eq!(texts("{\"a\":1} {\"b\":2}{\"c\":3}").len(), 3);
        assert_eq!(texts("{\"a\":1}\r{\"b\":2}\r{\"c\":3}\r").len(), 3);
        // A broken line ended by CR only loses only itself.
        let got = texts("{\"a\":1}\r{\"b\":\"x\r{\"c\":3}\r");
        assert_eq!(got.len(), 3);
        assert!(got[1].is_err());
        assert_eq!(got[2], Ok("{\"c\":3}".into()));
    }

    #[test]
    fn array_elements_are_items() {
        let got = texts(" [ {\"a\":[1,2]} , 5, \"s\\\"]\" ,{} ] ");
        assert_eq!(got, vec![Ok("{\"a\":[1,2]}".into()), Ok("5".into()), Ok("\"s\\\"]\"".into()), Ok("{}".into())]);
        assert!(texts("[]").is_empty());
    }

    #[test]
    fn truncated_array_keeps_good_elements() {
        let got = texts("[{\"a\":1},{\"b\":");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Ok("{\"a\":1}".into()));
        assert!(got[1].is_err());
        // Elements without a comma between them are still items.
        let got = texts("[{\"a\":1} {\"b\":2}]");
        assert_eq!(got, vec![Ok("{\"a\":1}".into()), Ok("{\"b\":2}".into())]);
        assert_eq!(texts("[{}] x").last().cloned(), Some(Ok("x".into())));
    }

    #[test]
    fn single_and_pretty_printed_objects() {
        assert_eq!(texts("{\"a\":1}"), vec![Ok("{\"a\":1}".into())]);
        let got = texts("{\n \"a\": 1\n}\n{\n \"b\": {\"c\": 2}\n}\n");
        assert_eq!(got, vec![Ok("{\n \"a\": 1\n}".into()), Ok("{\n \"b\": {\"c\": 2}\n}".into())]);
    }

    #[test]
    fn pretty_printed_with_a_broken_object_resynchronises() {
        let got = texts("{\n \"a\": 1\n}\n{\n \"b\": \"unterminated\n}\n{\n \"c\": 3\n}");
        assert_eq!(got.last().cloned(), Some(Ok("{\n \"c\": 3\n}".into())));
        assert!(got.iter().any(Result::is_err));
    }

    #[test]
    fn bom_whitespace_and_deep_nesting() {
        assert!(texts("\u{feff}  \n").is_empty());
        assert_eq!(texts("\u{feff}{\"a\":1}").len(), 1);
        let deep = format!("[{}{}]", "[".repeat(200), "]".repeat(200));
        let got = texts(&deep);
        assert!(got[0].as_ref().unwrap_err().contains("nested deeper"));
        // A deep element is skipped whole; the elements after it are items.
        let deep = format!("[{{\"x\":{}{}}},{{\"a\":1}},{{\"b\":2}}]", "[".repeat(200), "]".repeat(200));
        let got = texts(&deep);
        assert_eq!(got.len(), 3);
        assert!(got[0].is_err());
        assert_eq!(got[2], Ok("{\"b\":2}".into()));
    }

    #[test]
    fn a_broken_line_before_much_input_loses_only_itself() {
        let mut text = String::from("{not json\n42\n[\"an\", \"array\"]\n");
        for i in 0..20_000 {
            text.push_str(&format!("{{\"a\":{i},\"s\":\"x]}}\"}}\n"));
        }
        let mut in_array = false;
        let got = split(text.as_bytes(), &mut in_array, true, 1 << 16).pieces;
        assert_eq!(got.len(), 4 + 20_000);
        assert_eq!(got[0], Ok(&b"{not json"[..]));
    }

    #[test]
    fn over_long_items_are_errors_and_the_next_line_is_read() {
        let mut in_array = false;
        let text = format!("{{\"a\":\"{}\"}}\n{{\"b\":1}}\n", "x".repeat(100));
        let got = split(text.as_bytes(), &mut in_array, true, 50).pieces;
        assert_eq!(got.len(), 2);
        assert!(got[0].as_ref().unwrap_err().contains("max_item_bytes"));
        assert_eq!(got[1], Ok(&b"{\"b\":1}"[..]));
    }
}
