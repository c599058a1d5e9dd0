//! JSON text as `JSON.stringify` writes it, so the formats print the same
//! bytes from Rust as the JS CLI did: serde_json's compact text, laid out
//! with two-space indentation for the pretty form, and with fractional
//! numbers written the way JavaScript writes them (`1` and `0.00001`, not
//! serde_json's `1.0` and `1e-5`).
//!
//! Values are serialised with serde_json's own compact writer, as the
//! snapshot does, and the layout is done on the text: each type's
//! serialiser is then compiled once (the .wasm is what users download).

use serde::Serialize;

/// `JSON.stringify(value, null, 2)`.
pub(super) fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    layout(&compact_text(value), true)
}

/// `JSON.stringify(value)`.
pub(super) fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    layout(&compact_text(value), false)
}

/// `JSON.stringify(item) + "\n"` for every item; "" for none.
pub(super) fn lines<T: Serialize>(items: &[T]) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&layout(&compact_text(item), false));
        out.push('\n');
    }
    out
}

fn compact_text<T: Serialize + ?Sized>(value: &T) -> String {
    // The report types serialise without error (string keys only).
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Rewrites serde_json's compact text: JavaScript's numbers, and (when
/// `pretty`) `JSON.stringify`'s two-space layout: one member or element a
/// line, `"key": value`, `[]` and `{}` when empty.
fn layout(text: &str, pretty: bool) -> String {
    let mut out = String::with_capacity(text.len() * if pretty { 2 } else { 1 });
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                // A string, escapes and all, as written.
                out.push('"');
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    out.push(c);
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                out.push(c);
                if chars.peek().map(|&(_, n)| n) == Some(close) {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    if pretty {
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if pretty {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(',');
                if pretty {
                    newline(&mut out, depth);
                }
            }
            ':' => out.push_str(if pretty { ": " } else { ":" }),
            '-' | '0'..='9' => {
                let mut end = at + c.len_utf8();
                while let Some(&(i, n)) = chars.peek() {
                    if !matches!(n, '0'..='9' | '.' | 'e' | 'E' | '+' | '-') {
                        break;
                    }
                    end = i + n.len_utf8();
                    chars.next();
                }
                let number = &text[at..end];
                // Integers are exact as written; only fractions and
                // exponents are spelt differently.
                match number.parse::<f64>() {
                    Ok(value) if number.contains(['.', 'e', 'E']) => out.push_str(&js_number(value)),
                    _ => out.push_str(number),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// JavaScript's `Number#toString` (ECMA-262 Number::toString): the
/// shortest digits that round-trip, in plain notation from 1e-6 up to
/// 1e21 and in exponent notation outside; `null` (as JSON writes them) for
/// NaN and the infinities.
fn js_number(value: f64) -> String {
    if !value.is_finite() {
        return "null".to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: d.ddde±x.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i64;
    // The decimal point sits after `n` digits.
    let n = exponent + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", (n - 1).abs())
    };
    if value < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_javascript_writes_them() {
        let cases = [
            (1.0, "1"),
            (0.0, "0"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (0.25, "0.25"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123.456, "123.456"),
            (100.0, "100"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1e21, "1e+21"),
            (1.25e22, "1.25e+22"),
            (123456789012345680000.0, "123456789012345680000"),
            (-2.5, "-2.5"),
            (f64::NAN, "null"),
        ];
        for (value, want) in cases {
            assert_eq!(js_number(value), want, "{value}");
        }
    }

    #[test]
    fn layout_is_json_stringify_with_two_spaces() {
        #[derive(Serialize)]
        struct S {
            a: Vec<u8>,
            b: Vec<u8>,
            c: f64,
            d: &'static str,
        }
        let s = S { a: vec![], b: vec![1, 2], c: 1.0, d: "x\u{1b}\n\"" };
        assert_eq!(
            pretty(&s),
            "{\n  \"a\": [],\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": 1,\n  \"d\": \"x\\u001b\\n\\\"\"\n}"
        );
        assert_eq!(lines(&[&s, &s]), "{\"a\":[],\"b\":[1,2],\"c\":1,\"d\":\"x\\u001b\\n\\\"\"}\n".repeat(2));
        assert_eq!(lines::<u8>(&[]), "");
        // Structure inside strings is text; numbers keep integers exact.
        let v = ("a{b}[c],d:e\\\"", [0.00001, -1.5e-9], u64::MAX, [[(); 0]; 1]);
        assert_eq!(
            pretty(&v),
            "[\n  \"a{b}[c],d:e\\\\\\\"\",\n  [\n    0.00001,\n    -1.5e-9\n  ],\n  18446744073709551615,\n  [\n    []\n  ]\n]"
        );
    }
}
