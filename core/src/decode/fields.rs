//! Field readers shared by the schema decoders: each names the field in its
//! error, so a rejected event says what was wrong.

use crate::names::EntityId;
use crate::scalar::{Obj, Scalar};
use crate::time::{self, Millis};

pub(crate) type Field<'a> = Option<Scalar<'a>>;

pub(crate) fn text<'r>(field: &'r Field) -> Option<&'r str> {
    field.as_ref().and_then(Scalar::text)
}

pub(crate) fn boxed(field: &Field) -> Option<Box<str>> {
    text(field).map(Box::from)
}

pub(crate) fn obj<T>(field: &Option<Obj<T>>) -> Option<&T> {
    field.as_ref().and_then(|o| o.0.as_ref())
}

pub(crate) fn required<'r>(field: &'r Field, name: &str) -> Result<&'r str, String> {
    text(field).ok_or_else(|| format!("missing field {name}"))
}

/// A numeric field. A value that is not a usable number (negative, not a
/// whole number, `"NaN"`, too large) is read as absent and noted, not a
/// rejection of the whole event: an event its GUID still identifies keeps
/// its chain (a decoder still rejects an event left without any identity).
pub(crate) fn uint(field: &Field, name: &str) -> Result<Option<u64>, String> {
    match field.as_ref().map(Scalar::uint) {
        None | Some(Ok(None)) => Ok(None),
        Some(Ok(Some(n))) => Ok(Some(n)),
        Some(Err(e)) => {
            note(format!("field {name}: {e}, read as null"));
            Ok(None)
        }
    }
}

/// A record number (`EventRecordID`, `winlog.record_id`): where to find the
/// record in its log, not used by correlation, so a bad value is left out
/// without a note; values beyond 2^53 - 1 (which a JavaScript number cannot
/// hold exactly) too.
pub(crate) fn record_id(field: &Field) -> Option<u64> {
    field.as_ref().and_then(|s| s.uint().ok().flatten()).filter(|&n| n < (1 << 53))
}

pub(crate) fn pid(field: &Field, name: &str) -> Result<Option<u32>, String> {
    Ok(uint(field, name)?.and_then(|n| {
        let v = u32::try_from(n).ok();
        if v.is_none() {
            note(format!("field {name}: out of range, read as null"));
        }
        v
    }))
}

pub(crate) fn port(field: &Field, name: &str) -> Result<Option<u16>, String> {
    Ok(uint(field, name)?.and_then(|n| {
        let v = u16::try_from(n).ok();
        if v.is_none() {
            note(format!("field {name}: out of range, read as null"));
        }
        v
    }))
}

thread_local! {
    /// Notes of the item being decoded (fields read as null). Decoding is
    /// single-threaded per item; `decode` takes them after each item, so
    /// they never leak from one item to the next.
    static NOTES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// At most this many notes per item (each field is noted once anyway).
const MAX_NOTES: usize = 8;

fn note(text: String) {
    NOTES.with(|n| {
        let mut n = n.borrow_mut();
        if n.len() < MAX_NOTES && !n.contains(&text) {
            n.push(text);
        }
    });
}

/// The notes of the item decoded since the last call.
pub(crate) fn take_notes() -> Vec<String> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Repairs what makes a JSON item unreadable although its structure is
/// sound: lone UTF-16 surrogate escapes (`\ud800` without its pair, as
/// `JSON.stringify` and Python write a Windows command line holding one)
/// become U+FFFD, and numbers too large for a double (`1e999`) become
/// `null`. `None` when there is nothing to repair (the item is then
/// rejected with the parser's reason).
pub(crate) fn repair(text: &str) -> Option<(String, Vec<String>)> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut last, mut i, mut in_str) = (0, 0, false);
    let (mut surrogates, mut numbers) = (0u32, 0u32);
    let hex4 = |at: usize| -> Option<u32> {
        let h = b.get(at..at + 4)?;
        std::str::from_utf8(h).ok().and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    while i < b.len() {
        let c = b[i];
        if in_str {
            match c {
                b'\\' if b.get(i + 1) == Some(&b'u') => {
                    let Some(u) = hex4(i + 2) else {
                        i += 2;
                        continue;
                    };
                    let paired = (0xD800..0xDC00).contains(&u)
                        && b.get(i + 6) == Some(&b'\\')
                        && b.get(i + 7) == Some(&b'u')
                        && hex4(i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
                    if paired {
                        i += 12;
                    } else if (0xD800..0xE000).contains(&u) {
                        out.push_str(&text[last..i]);
                        out.push_str("\\ufffd");
                        surrogates += 1;
                        i += 6;
                        last = i;
                    } else {
                        i += 6;
                    }
                }
                b'\\' => i += 2,
                b'"' => {
                    in_str = false;
                    i += 1;
                }
                _ => i += 1,
            }
        } else if c == b'"' {
            in_str = true;
            i += 1;
        } else if c == b'-' || c.is_ascii_digit() {
            let end = i + b[i..]
                .iter()
                .position(|x| !matches!(x, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
                .unwrap_or(b.len() - i);
            if text[i..end].parse::<f64>().is_ok_and(f64::is_infinite) {
                out.push_str(&text[last..i]);
                out.push_str("null");
                numbers += 1;
                last = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if surrogates == 0 && numbers == 0 {
        return None;
    }
    out.push_str(&text[last.min(text.len())..]);
    let mut notes = Vec::new();
    if surrogates > 0 {
        notes.push(format!("{surrogates} lone UTF-16 surrogate escape(s) read as U+FFFD"));
    }
    if numbers > 0 {
        notes.push(format!("{numbers} out-of-range number(s) read as null"));
    }
    Some((out, notes))
}

pub(crate) fn guid(field: &Field) -> Option<EntityId> {
    text(field).and_then(EntityId::parse)
}

/// A timestamp: RFC 3339 / Sysmon text, or epoch seconds or milliseconds.
pub(crate) fn timestamp(field: &Field, name: &str) -> Result<Option<Millis>, String> {
    let bad = || format!("field {name}: not a timestamp");
    match field {
        None | Some(Scalar::Null) => Ok(None),
        Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
        Some(Scalar::Str(s)) => time::parse_timestamp(s).map(Some).ok_or_else(bad),
        Some(Scalar::Int(n)) => time::from_epoch_number(*n as f64).map(Some).ok_or_else(bad),
        Some(Scalar::Float(f)) => time::from_epoch_number(*f).map(Some).ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// Script engines and the CLR: the only module loads kept as evidence.
pub(crate) fn is_script_or_clr_module(path: &str) -> bool {
    const MODULES: &[&str] = &[
        "jscript.dll",
        "jscript9.dll",
        "jscript9legacy.dll",
        "chakra.dll",
        "vbscript.dll",
        "scrobj.dll",
        "wshom.ocx",
        "scrrun.dll",
        "clr.dll",
        "clrjit.dll",
        "mscoree.dll",
        "mscoreei.dll",
        "mscorlib.ni.dll",
        "system.management.automation.ni.dll",
        "system.management.automation.dll",
        "amsi.dll",
    ];
    let name = crate::names::basename(path);
    MODULES.iter().any(|m| m.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_lone_surrogates_and_huge_numbers_only() {
        let (fixed, notes) = repair(r#"{"a":"x\ud800y","b":"\ud83d\ude00","c":1e999,"d":"\\ud800"}"#).unwrap();
        assert_eq!(fixed, r#"{"a":"x\ufffdy","b":"\ud83d\ude00","c":null,"d":"\\ud800"}"#);
        assert_eq!(notes.len(), 2);
        assert!(serde_json::from_str::<serde_json::Value>(&fixed).is_ok());
        assert!(repair(r#"{"a":"\ud83d\ude00","n":12}"#).is_none());
        let (fixed, _) = repair(r#"{"a":"\udc00"}"#).unwrap();
        assert_eq!(fixed, r#"{"a":"\ufffd"}"#);
    }
}
