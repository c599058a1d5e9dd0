//! Reading an item by dotted key paths, for the schemas whose keys `Raw`
//! cannot see: SentinelOne writes `src.process.uid` as one flat key in one
//! export and as nested objects in another; Splunk CIM rows carry
//! `Processes.process` or plain `process` (a string, where ECS has an
//! object); CrowdStrike and Carbon Black are flat but their key sets
//! collide with the other schemas' (`timestamp`, `type`, `process_path`).
//! Once `Raw` has recognised the schema by a few of its keys, the item is
//! read again into that schema's row, a struct of `Scalar`s declared with
//! [`path_row!`]: nested objects are walked (to a bounded depth) and each
//! key's path is the dotted join of the keys above it, so the flat and the
//! nested spelling land in the same field.
//!
//! Also the scalar helpers these schemas share: epoch times written as
//! strings, and process ids written as numbers or strings.

use crate::names::EntityId;
use crate::scalar::Scalar;
use crate::time::Millis;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Nested objects deeper than this are skipped: every path any schema
/// reads is at most four keys deep.
const MAX_DEPTH: usize = 6;

/// A row of one schema: where a dotted path's value goes.
pub(crate) trait Slots<'a> {
    /// The field for a path, or `None` for a path the schema does not read.
    fn slot(&mut self, path: &str) -> Option<&mut Option<Scalar<'a>>>;
}

/// Declares a row struct: `field = "path" | "other.spelling"` lines, every
/// field an `Option<Scalar>`.
macro_rules! path_row {
    ($(#[$meta:meta])* $name:ident { $( $field:ident = $($path:literal)|+ ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Default)]
        pub(crate) struct $name<'a> {
            $( pub $field: Option<crate::scalar::Scalar<'a>>, )*
        }

        impl<'a> crate::decode::paths::Slots<'a> for $name<'a> {
            fn slot(&mut self, path: &str) -> Option<&mut Option<crate::scalar::Scalar<'a>>> {
                match path {
                    $( $($path)|+ => Some(&mut self.$field), )*
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use path_row;

/// Reads `text` (already known to be a JSON object) into a row.
pub(crate) fn read<'a, T: Slots<'a> + Default>(text: &'a str) -> Result<T, String> {
    let mut row = T::default();
    walk(text, &mut row)?;
    Ok(row)
}

/// The walk itself, not generic: one copy of the JSON reader for every
/// schema (each copy is some 20 KB of WebAssembly).
fn walk<'a>(text: &'a str, row: &mut dyn Slots<'a>) -> Result<(), String> {
    let mut path = String::with_capacity(64);
    let mut de = serde_json::Deserializer::from_str(text);
    Walk { row, path: &mut path, depth: 0 }.deserialize(&mut de).map_err(|e| format!("invalid JSON: {e}"))
}

struct Walk<'s, 'a> {
    row: &'s mut dyn Slots<'a>,
    path: &'s mut String,
    depth: usize,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Walk<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Walk<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let len = self.path.len();
            if len > 0 {
                self.path.push('.');
            }
            self.path.push_str(&key);
            if let Some(slot) = self.row.slot(self.path) {
                *slot = Some(map.next_value::<Scalar<'de>>()?);
            } else if self.depth + 1 < MAX_DEPTH {
                map.next_value_seed(Walk { row: &mut *self.row, path: &mut *self.path, depth: self.depth + 1 })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            self.path.truncate(len);
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    crate::scalar::scalars_as_default!();
}

pub(crate) type F<'a> = Option<Scalar<'a>>;

/// A time: RFC 3339 text, or epoch seconds (with a decimal part, as
/// CrowdStrike's `ContextTimeStamp`) or milliseconds, as a number or a
/// string. The fraction is read from the digits, not through a float, so
/// `"1714557600.441"` is 441 ms exactly.
pub(crate) fn time(field: &F, name: &str) -> Result<Option<Millis>, String> {
    let bad = || format!("field {name}: not a timestamp");
    let s = match field {
        None | Some(Scalar::Null) => return Ok(None),
        Some(Scalar::Int(n)) => return crate::time::from_epoch_number(*n as f64).map(Some).ok_or_else(bad),
        Some(Scalar::Float(f)) => return crate::time::from_epoch_number(*f).map(Some).ok_or_else(bad),
        Some(Scalar::Str(s)) => s.trim(),
        Some(_) => return Err(bad()),
    };
    if s.is_empty() || s == "-" {
        return Ok(None);
    }
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return crate::time::parse_timestamp(s).map(Some).ok_or_else(bad);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || whole.len() > 16 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = whole.parse().map_err(|_| bad())?;
    let ms = crate::time::from_epoch_number(n as f64).ok_or_else(bad)?;
    if ms == n * 1_000 {
        // Seconds: the first three fraction digits are the milliseconds.
        let digits: String = frac.chars().chain("000".chars()).take(3).collect();
        Ok(Some(ms + digits.parse::<i64>().unwrap_or(0)))
    } else {
        Ok(Some(ms))
    }
}

/// An id as text: a string as written, a whole number in decimal (so that
/// `"4242"` and `4242` are one id).
pub(crate) fn id_text<'r>(field: &'r F<'_>) -> Option<Cow<'r, str>> {
    match field.as_ref()? {
        Scalar::Str(_) => field.as_ref().and_then(Scalar::text).map(|t| Cow::Borrowed(t.trim())),
        Scalar::Int(n) => Some(Cow::Owned(n.to_string())),
        Scalar::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(Cow::Owned(format!("{f:.0}"))),
        _ => None,
    }
}

/// A composite process id in a source's own id space (`cs:`, `s1:`, ...;
/// see `EntityId::namespace`). Ids compare as written, in lower case.
pub(crate) fn source_id(prefix: &str, id: &str) -> EntityId {
    EntityId::composite(&format!("{prefix}:{}", id.to_ascii_lowercase()))
}

/// The first of several fields that has text.
pub(crate) fn first<'r>(fields: &[&'r F]) -> Option<&'r str> {
    fields.iter().find_map(|f| f.as_ref().and_then(Scalar::text))
}

#[cfg(test)]
mod tests {
    use super::*;

    path_row! {
        Row {
            uid = "src.process.uid",
            cmd = "Processes.process" | "process",
            t = "t",
        }
    }

    #[test]
    fn flat_and_nested_paths_land_in_one_field() {
        let a: Row = read(r#"{"src.process.uid":"AB","x":{"y":[1,{"z":2}]},"t":"1714557600.441"}"#).unwrap();
        let b: Row = read(r#"{"src":{"process":{"uid":"AB","pid":3}},"t":1714557600441}"#).unwrap();
        assert_eq!(a.uid.as_ref().and_then(Scalar::text), Some("AB"));
        assert_eq!(b.uid.as_ref().and_then(Scalar::text), Some("AB"));
        assert_eq!(time(&a.t, "t"), Ok(Some(1_714_557_600_441)));
        assert_eq!(time(&b.t, "t"), Ok(Some(1_714_557_600_441)));
        let c: Row = read(r#"{"Processes.process":"mshta x"}"#).unwrap();
        let d: Row = read(r#"{"process":"mshta x"}"#).unwrap();
        assert_eq!(c.cmd, d.cmd);
    }

    #[test]
    fn times_in_every_spelling() {
        let t = |s: &str| time(&Some(Scalar::Str(s.into())), "t");
        assert_eq!(t("1714557600"), Ok(Some(1_714_557_600_000)));
        assert_eq!(t("1714557600.5"), Ok(Some(1_714_557_600_500)));
        assert_eq!(t("1714557600123"), Ok(Some(1_714_557_600_123)));
        assert_eq!(t("2024-05-01T10:00:00Z"), Ok(Some(1_714_557_600_000)));
        assert_eq!(t(""), Ok(None));
        assert!(t("1.2.3").is_err());
        assert!(t("99999999999999999999").is_err());
        assert!(t("soon").is_err());
    }

    /// Items of the path-read schemas with missing, mistyped and hostile
    /// values: each is decoded or rejected with the field named, never a
    /// panic.
    #[test]
    fn hostile_items_of_the_path_read_schemas() {
        use crate::decode::{decode, Decoded};
        let rejected = [
            (r#"{"event_simpleName":"ProcessRollup2","aid":"a","ContextTimeStamp":"1"}"#, "TargetProcessId"),
            (
                r#"{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"1","ImageFileName":"x"}"#,
                "timestamp",
            ),
            (r#"{"event_simpleName":"ProcessRollup2","TargetProcessId":"1"}"#, "aid"),
            (r#"{"event_simpleName":"DnsRequest","aid":"a","timestamp":"9","ContextProcessId":"1"}"#, "DomainName"),
            (r#"{"event_simpleName":"EndOfProcess","aid":"a","timestamp":"soon","TargetProcessId":"1"}"#, "timestamp"),
            (r#"{"type":"endpoint.event.procstart","device_name":"h","device_timestamp":"x"}"#, "device_timestamp"),
            (r#"{"type":"endpoint.event.procstart","device_name":"h","backend_timestamp":5}"#, "childproc"),
            (r#"{"type":"endpoint.event.procend","device_timestamp":5}"#, "device_name"),
            (r#"{"event.type":"Process Creation","endpoint.name":"h","event.time":5}"#, "tgt.process"),
            (r#"{"event.type":"ProcessCreation","endpoint.name":"h","tgt.process.pid":-4}"#, "tgt.process.pid"),
            (r#"{"endpoint":{"name":"h"},"src":{},"event":{"time":5}}"#, "event.type"),
            (r#"{"Processes.dest":"h","Processes.process":"x","Processes.process_id":"7"}"#, "_time"),
            (r#"{"_time":"1714557600","dest":"h","process_path":"x"}"#, "process_id"),
            (r#"{"_time":"1714557600","dest":"h","file_path":"-","process_id":"1"}"#, "file_path"),
            (r#"{"_time":[1],"Filesystem.dest":"h"}"#, "_time"),
        ];
        for (line, field) in rejected {
            match decode(line.as_bytes(), 0) {
                Err(e) => assert!(e.contains(field), "{line}: {e}"),
                Ok(d) => panic!("{line}: accepted as {d:?}"),
            }
        }
        // An out-of-range number in an event its ids identify: read as null,
        // the event used and flagged (issue 16).
        let port = r#"{"event_simpleName":"NetworkConnectIP4","aid":"a","timestamp":"9","ContextProcessId":"1","RemotePort":"99999"}"#;
        match decode(port.as_bytes(), 0) {
            Ok((Decoded::Event(_), notes)) => assert!(notes.iter().any(|n| n.contains("RemotePort")), "{notes:?}"),
            other => panic!("{port}: {other:?}"),
        }
        let accepted = [
            // No actor id: valid, unattributable.
            r#"{"event_simpleName":"DnsRequest","aid":"a","timestamp":"9","DomainName":"x"}"#,
            r#"{"type":"endpoint.event.netconn","device_name":"h","device_timestamp":"2024-05-01 10:00:00 +0000 UTC"}"#,
            r#"{"event.type":"DNS Resolved","endpoint.name":"h","event.time":5,"event.dns.request":"x"}"#,
            r#"{"_time":"1714557600","dvc":"h","query":"x"}"#,
            // Objects and arrays where scalars belong are absent values.
            r#"{"event_simpleName":{"a":1},"aid":"a"}"#,
            r#"{"type":"endpoint.event.regmod","device_name":["h"]}"#,
            r#"{"event.type":"Registry Value Create","endpoint.name":"h"}"#,
            r#"{"Processes.dest":"h","_time":"1714557600"}"#,
        ];
        for line in accepted {
            match decode(line.as_bytes(), 0).map(|(d, _)| d) {
                Ok(Decoded::Ignored(_) | Decoded::Unattributable(_)) => {}
                Err(e) if e.starts_with("missing field") => {}
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_bounded_and_ids_read_as_text() {
        let deep = format!("{}1{}", r#"{"a":"#.repeat(60), "}".repeat(60));
        assert!(read::<Row>(&deep).is_ok());
        assert_eq!(id_text(&Some(Scalar::Int(42))).as_deref(), Some("42"));
        assert_eq!(id_text(&Some(Scalar::Str(" 42 ".into()))).as_deref(), Some("42"));
        assert_eq!(id_text(&Some(Scalar::Bool(true))), None);
    }
}
