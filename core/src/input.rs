//! Splitting an input into items: a JSON array, JSON Lines, a single object,
//! or pretty-printed objects one after another.
//!
//! Splitting is structural (strings, escapes and bracket depth only), so one
//! malformed item never hides the good items around it: each item is parsed
//! on its own later, and a bad one is reported with its index.

/// One item of the input, or the reason it could not be delimited.
pub(crate) type Piece<'a> = Result<&'a [u8], String>;

/// How deep brackets may nest before an item is refused. serde_json stops at
/// 128 as well; bounding it here keeps the scanner's counter meaningful.
const MAX_DEPTH: u32 = 128;

/// Splits `bytes` into items, in input order.
pub(crate) fn split(bytes: &[u8]) -> Vec<Piece<'_>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = skip_ws(bytes, 0);
    match bytes.get(start) {
        None => Vec::new(),
        Some(b'[') => split_array(bytes, start),
        Some(_) => {
            // A first value that spans several lines (or a first line that
            // is only `{`) means pretty-printed JSON; otherwise the input is
            // line-oriented.
            match scan_value(bytes, start) {
                Ok(end) if bytes[start..end].contains(&b'\n') => split_concatenated(bytes, start),
                Err(_) if first_line_opens_object(bytes, start) => split_concatenated(bytes, start),
                _ => split_lines(bytes),
            }
        }
    }
}

fn split_lines(bytes: &[u8]) -> Vec<Piece<'_>> {
    bytes.split(|&b| b == b'\n').map(trim).filter(|line| !line.is_empty()).map(Ok).collect()
}

fn split_concatenated(bytes: &[u8], mut pos: usize) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    while pos < bytes.len() {
        match scan_value(bytes, pos) {
            Ok(end) => {
                out.push(Ok(&bytes[pos..end]));
                pos = skip_ws(bytes, end);
            }
            Err(why) => {
                out.push(Err(why));
                // Resynchronise at the next line that opens an object.
                pos = match next_line_starting_object(bytes, pos) {
                    Some(p) => p,
                    None => break,
                };
            }
        }
    }
    out
}

fn split_array(bytes: &[u8], open: usize) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut pos = skip_ws(bytes, open + 1);
    if bytes.get(pos) == Some(&b']') {
        return trailing(bytes, pos + 1, out);
    }
    loop {
        match scan_value(bytes, pos) {
            Ok(end) => {
                out.push(Ok(&bytes[pos..end]));
                pos = skip_ws(bytes, end);
                match bytes.get(pos) {
                    Some(b',') => pos = skip_ws(bytes, pos + 1),
                    Some(b']') => return trailing(bytes, pos + 1, out),
                    Some(_) => {
                        out.push(Err("malformed JSON array: expected ',' or ']' after an element; the rest of the array was not read".into()));
                        return out;
                    }
                    None => {
                        out.push(Err("malformed JSON array: input ends before ']'".into()));
                        return out;
                    }
                }
            }
            Err(why) => {
                out.push(Err(format!("{why}; the rest of the array was not read")));
                return out;
            }
        }
    }
}

fn trailing<'a>(bytes: &'a [u8], pos: usize, mut out: Vec<Piece<'a>>) -> Vec<Piece<'a>> {
    if skip_ws(bytes, pos) < bytes.len() {
        out.push(Err("unexpected data after the closing ']' of the array".into()));
    }
    out
}

/// Returns the end (exclusive) of the JSON value starting at `pos`. Only
/// structure is checked: the value is parsed properly later.
pub(crate) fn scan_value(bytes: &[u8], pos: usize) -> Result<usize, String> {
    let mut depth: u32 = 0;
    let mut i = pos;
    loop {
        let Some(&c) = bytes.get(i) else {
            return Err(if depth > 0 {
                "malformed JSON: input ends inside an object or array".into()
            } else {
                "malformed JSON: empty value".into()
            });
        };
        match c {
            b'"' => i = scan_string(bytes, i)?,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("JSON nested deeper than {MAX_DEPTH} levels"));
                }
                i += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    // Ends a bare scalar such as the `5` in `[5]`.
                    return if i > pos { Ok(i) } else { Err(format!("malformed JSON: unexpected '{}'", c as char)) };
                }
                depth -= 1;
                i += 1;
            }
            b',' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                return if i > pos { Ok(i) } else { Err("malformed JSON: empty value".into()) };
            }
            _ => i += 1,
        }
        if depth == 0 && matches!(c, b'"' | b'}' | b']') {
            return Ok(i);
        }
    }
}

/// `pos` is at an opening quote; returns the index after the closing quote.
fn scan_string(bytes: &[u8], pos: usize) -> Result<usize, String> {
    let mut i = pos + 1;
    loop {
        match bytes.get(i) {
            None => return Err("malformed JSON: unterminated string".into()),
            Some(b'\\') => i += 2,
            Some(b'"') => return Ok(i + 1),
            Some(b'\n') => return Err("malformed JSON: line break inside a string".into()),
            Some(_) => i += 1,
        }
    }
}

fn next_line_starting_object(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(nl) = bytes.get(i..)?.iter().position(|&b| b == b'\n') {
        i += nl + 1;
        let p = skip_ws_inline(bytes, i);
        if bytes.get(p) == Some(&b'{') {
            return Some(p);
        }
    }
    None
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

fn skip_ws_inline(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r')) {
        i += 1;
    }
    i
}

/// How much of a chunk of a stream is complete items; the rest (an item
/// cut by the chunk boundary) waits for the next chunk. JSON Lines are cut
/// at the last line break unless the last line is already a complete value;
/// pretty-printed objects are cut after the last complete value; a JSON
/// array is never cut (it must come whole).
pub(crate) fn complete_prefix(bytes: &[u8]) -> usize {
    let bytes_len = bytes.len();
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let start = skip_ws(bytes, bom);
    match bytes.get(start) {
        None | Some(b'[') => return bytes_len,
        Some(_) => {}
    }
    // Pretty-printed input opens with a line holding only `{`, or its first
    // value is complete and spans lines; anything else is JSON Lines (a
    // broken first line must not swallow the rest).
    let line_oriented = match scan_value(bytes, start) {
        Ok(end) => !bytes[start..end].contains(&b'\n'),
        Err(_) => !first_line_opens_object(bytes, start),
    };
    if line_oriented {
        if bytes.last() == Some(&b'\n') {
            return bytes_len;
        }
        let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let tail_start = skip_ws(bytes, cut);
        return match scan_value(bytes, tail_start) {
            Ok(end) if skip_ws(bytes, end) == bytes_len => bytes_len,
            _ if tail_start == bytes_len => bytes_len,
            _ => cut,
        };
    }
    // Pretty-printed: after the last complete value.
    let mut pos = start;
    let mut done = start;
    while pos < bytes_len {
        match scan_value(bytes, pos) {
            Ok(end) => {
                done = end;
                pos = skip_ws(bytes, end);
            }
            Err(_) if reaches_end(bytes, pos) => break,
            Err(_) => {
                // Malformed, not cut: hand it on to be reported.
                pos = next_line_starting_object(bytes, pos).unwrap_or(bytes_len);
                done = pos;
            }
        }
    }
    if pos >= bytes_len {
        done = bytes_len;
    }
    done
}

/// Whether the first line is just `{` (pretty-printed JSON).
fn first_line_opens_object(bytes: &[u8], start: usize) -> bool {
    let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
    trim(&bytes[start..end]) == b"{"
}

/// Whether the value starting at `pos` is unfinished because the input
/// ends (rather than being malformed).
fn reaches_end(bytes: &[u8], pos: usize) -> bool {
    let mut depth: i64 = 0;
    let mut i = pos;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'"' => match scan_string(bytes, i) {
                Ok(end) => i = end,
                Err(_) => return !bytes[i + 1..].contains(&b'\n'),
            },
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    depth > 0
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

    #[test]
    fn complete_prefixes_of_stream_chunks() {
        let cut = |s: &str| complete_prefix(s.as_bytes());
        assert_eq!(cut("{\"a\":1}\n{\"b\""), 8);
        assert_eq!(cut("{\"a\":1}\n{\"b\":2}"), 15);
        assert_eq!(cut("{\"a\":1}\n"), 8);
        assert_eq!(cut("{\"a\":"), 0);
        assert_eq!(cut("[{\"a\":1},"), 9);
        assert_eq!(cut("{\n \"a\": 1\n}\n{\n \"b\":"), 11);
        assert_eq!(cut("{\n \"a\": 1\n}\n"), 12);
        assert_eq!(cut("{\"a\":1,\n \"b\": 2}"), 16);
        assert_eq!(cut("not json\n{\"a\""), 9);
        assert_eq!(cut(""), 0);
        // A broken first line does not swallow the lines after it.
        assert_eq!(cut("{broken\n{\"a\":1}\n{\"b\""), 16);
        // A byte-order mark before an array.
        assert_eq!(cut("\u{feff}  [{\"a\":1},\n{\"b\":2}]"), "\u{feff}  [{\"a\":1},\n{\"b\":2}]".len());
    }

    fn texts(input: &str) -> Vec<Result<String, String>> {
        split(input.as_bytes()).into_iter().map(|p| p.map(|b| String::from_utf8_lossy(b).into_owned())).collect()
    }

    #[test]
    fn json_lines_with_blank_and_bad_lines() {
        let got = texts("{\"a\":1}\r\n\n  {\"b\":\"x,}\"}\n{broken\n[1]\n");
        assert_eq!(
            got,
            vec![Ok("{\"a\":1}".into()), Ok("{\"b\":\"x,}\"}".into()), Ok("{broken".into()), Ok("[1]".into())]
        );
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
        let got = texts("[{\"a\":1} {\"b\":2}]");
        assert_eq!(got[0], Ok("{\"a\":1}".into()));
        assert!(got[1].is_err());
        assert!(texts("[{}] x").last().unwrap().is_err());
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
        assert_eq!(got.len(), 3);
        assert!(got[1].is_err());
        assert_eq!(got[2], Ok("{\n \"c\": 3\n}".into()));
    }

    #[test]
    fn bom_whitespace_and_deep_nesting() {
        assert!(split(b"\xEF\xBB\xBF  \n").is_empty());
        assert_eq!(texts("\u{feff}{\"a\":1}").len(), 1);
        let deep = format!("[{}{}]", "[".repeat(200), "]".repeat(200));
        let got = texts(&deep);
        assert!(got[0].as_ref().unwrap_err().contains("nested deeper"));
    }
}
