//! JSON text as `JSON.stringify` writes it, so the formats print the same
//! bytes from Rust as the JS CLI did: serde_json's layout (two-space pretty
//! printing, the same string escapes), with numbers written the way
//! JavaScript writes them (`1` and `1e-7`, not serde_json's `1.0` and
//! `0.0000001`).

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// `JSON.stringify(value, null, 2)`.
pub(super) fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    write(value, true)
}

/// `JSON.stringify(item) + "\n"` for every item; "" for none.
pub(super) fn lines<T: Serialize>(items: &[T]) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&write(item, false));
        out.push('\n');
    }
    out
}

fn write<T: Serialize + ?Sized>(value: &T, pretty: bool) -> String {
    let mut out = Vec::new();
    let formatter = JsFormatter { pretty, indent: 0, has_value: false };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing into a Vec cannot fail, and the report types serialise
    // without error (string keys only).
    if value.serialize(&mut serializer).is_err() {
        return "null".to_string();
    }
    // serde_json writes only valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json's compact or two-space pretty layout (one formatter type for
/// both, so each document type's serialiser is compiled once, not twice:
/// the .wasm is what users download), with numbers as JavaScript writes them.
struct JsFormatter {
    pretty: bool,
    indent: usize,
    has_value: bool,
}

impl JsFormatter {
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an element or a key: the comma, then (pretty) a new line.
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn newline<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        if self.pretty {
            w.write_all(b"\n")?;
            for _ in 0..self.indent {
                w.write_all(b"  ")?;
            }
        }
        Ok(())
    }
}

impl Formatter for JsFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        w.write_all(js_number(value).as_bytes())
    }
    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        w.write_all(js_number(f64::from(value)).as_bytes())
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.pretty { b": " } else { b":" })
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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
    }
}
