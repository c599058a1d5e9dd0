//! Integers a JavaScript number cannot hold exactly (above 2^53 − 1 in
//! magnitude: FILETIMEs, 64-bit counters and ids) become JSON strings, so a
//! record means the same after `JSON.parse` as in Rust. The core reads
//! numbers given as strings the same as numbers.

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// Appends `json` to `out`, quoting each integer literal outside strings
/// whose magnitude is above 2^53 − 1. Control characters are escaped in
/// strings and become spaces outside them, so one record is always one
/// line (the `evtx` crate's renderer can write them raw for a damaged
/// record). Other bytes are copied as they are.
pub(crate) fn append_js_safe(json: &[u8], out: &mut Vec<u8>) {
    out.reserve(json.len());
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < json.len() {
        if in_string {
            // Jump to the string's next quote or escape; most of a record
            // is string content.
            let rest = &json[i..];
            let Some(j) = memchr::memchr2(b'"', b'\\', rest) else {
                escape_controls(json, &mut copied, i, json.len(), out);
                break;
            };
            escape_controls(json, &mut copied, i, i + j, out);
            i += j;
            if json[i] == b'"' {
                in_string = false;
                i += 1;
            } else if json.get(i + 1).is_some_and(|&n| n >= 0x20) {
                i += 2; // an escape and the byte it escapes
            } else {
                i += 1; // a backslash before a control character: that is escaped next
            }
            continue;
        }
        let b = json[i];
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            0..=0x1f => {
                // Outside strings, a control character is white space at
                // best: a space keeps the record on one line.
                out.extend_from_slice(&json[copied..i]);
                out.push(b' ');
                i += 1;
                copied = i;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                let digits_start = if b == b'-' { i + 1 } else { i };
                let mut end = digits_start;
                while end < json.len() && json[end].is_ascii_digit() {
                    end += 1;
                }
                let integer = !matches!(json.get(end), Some(b'.' | b'e' | b'E'));
                let mut token_end = end;
                while token_end < json.len()
                    && matches!(json[token_end], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    token_end += 1;
                }
                if integer && unsafe_magnitude(&json[digits_start..end]) {
                    out.extend_from_slice(&json[copied..start]);
                    out.push(b'"');
                    out.extend_from_slice(&json[start..end]);
                    out.push(b'"');
                    copied = end;
                }
                i = token_end;
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(&json[copied..]);
}

/// Escapes the control characters in `json[from..to]`, inside a string, as
/// `\u00XX`, copying what comes before each to `out`.
fn escape_controls(json: &[u8], copied: &mut usize, from: usize, to: usize, out: &mut Vec<u8>) {
    let span = &json[from..to];
    if !span.iter().any(|&b| b < 0x20) {
        return;
    }
    for (k, &b) in span.iter().enumerate() {
        if b < 0x20 {
            let at = from + k;
            out.extend_from_slice(&json[*copied..at]);
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
            *copied = at + 1;
        }
    }
}

fn unsafe_magnitude(digits: &[u8]) -> bool {
    if digits.len() < 16 {
        return false; // at most 999,999,999,999,999 < 2^53
    }
    if digits.len() > 19 {
        return true;
    }
    std::str::from_utf8(digits).ok().and_then(|s| s.parse::<u64>().ok()).is_none_or(|n| n > MAX_SAFE)
}

#[cfg(test)]
mod tests {
    use super::append_js_safe;

    fn safe(s: &str) -> String {
        let mut out = Vec::new();
        append_js_safe(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_only_integers_beyond_2_53() {
        assert_eq!(
            safe(r#"{"a":9007199254740991,"b":9007199254740992}"#),
            r#"{"a":9007199254740991,"b":"9007199254740992"}"#
        );
        assert_eq!(
            safe(r#"[-131592384000000000,1.5e300,12,18446744073709551615]"#),
            r#"["-131592384000000000",1.5e300,12,"18446744073709551615"]"#
        );
        assert_eq!(
            safe(r#"{"s":"1311768467463790320 \" 99999999999999999999"}"#),
            r#"{"s":"1311768467463790320 \" 99999999999999999999"}"#
        );
        assert_eq!(safe(r#"{"f":12345678901234567890.5}"#), r#"{"f":12345678901234567890.5}"#);
    }

    #[test]
    fn control_characters_never_split_a_line() {
        assert_eq!(safe("{\"a\":\"x\ny\u{1}\"}\n"), r#"{"a":"x\u000ay\u0001"} "#);
    }

    #[test]
    fn quoted_values_parse_to_the_exact_integer() {
        let out = safe(r#"{"t":131592384000000001}"#);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["t"].as_str().unwrap().parse::<u64>().unwrap(), 131_592_384_000_000_001);
    }
}
