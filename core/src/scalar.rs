//! `Scalar`: one JSON value read where a string or number is expected.
//!
//! Exporters disagree on types: nxlog writes every value as a string, the
//! `evtx` crate writes typed numbers and booleans, and an EventID may arrive
//! as `{"#attributes":{"Qualifiers":0},"#text":4688}`. A `Scalar` accepts all
//! of these, borrows strings from the input when they have no escapes, and
//! never fails to deserialise: objects and arrays become `Other`, so a
//! mistyped field is reported by the code that needs it, naming the field.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Visitor methods that read any JSON scalar as the value's default: for
/// fields that must be objects (or strings) in one schema and may be
/// anything in another. `with_str` also covers strings.
macro_rules! scalars_as_default {
    () => {
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
    (with_str) => {
        $crate::scalar::scalars_as_default!();
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
    };
}
pub(crate) use scalars_as_default;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// An object or array where a scalar was expected.
    Other,
}

impl<'a> Scalar<'a> {
    /// The value as text, with placeholders (`""`, `"-"`) read as absent.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => {
                let t = s.trim();
                if t.is_empty() || t == "-" {
                    None
                } else {
                    Some(s.as_ref())
                }
            }
            _ => None,
        }
    }

    /// An unsigned integer: a JSON number, a decimal string or a `0x` hex
    /// string (Security auditing writes process ids in hex).
    pub(crate) fn uint(&self) -> Result<Option<u64>, &'static str> {
        match self {
            Scalar::Int(n) if *n >= 0 => Ok(Some(*n as u64)),
            Scalar::Int(_) => Err("negative number"),
            Scalar::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19 => Ok(Some(*f as u64)),
            Scalar::Float(_) => Err("not a whole number"),
            Scalar::Str(s) => {
                let t = s.trim();
                if t.is_empty() || t == "-" {
                    return Ok(None);
                }
                let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => t.parse::<u64>(),
                };
                parsed.map(Some).map_err(|_| "not a number")
            }
            Scalar::Null => Ok(None),
            Scalar::Bool(_) => Err("boolean where a number was expected"),
            Scalar::Other => Err("object or array where a number was expected"),
        }
    }

    /// A boolean: JSON `true`/`false` or the strings `"true"`/`"false"`.
    pub(crate) fn boolean(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            Scalar::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Scalar::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    /// `{"#text": v, ...}` is how XML-to-JSON converters write an element
    /// that also has attributes; its text is the value.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut text = Scalar::Other;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "#text" {
                text = map.next_value::<Scalar<'de>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(text)
    }
}

/// An object field that reads as `Obj(None)` when the value is not an
/// object, instead of failing the whole event: the same key means an object
/// in one exporter and a string in another (`host` is an object in ECS and
/// the collector's name in some nxlog pipelines).
pub(crate) struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            scalars_as_default!(with_str);
        }
        d.deserialize_any(ObjVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Scalar<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_in_every_spelling() {
        assert_eq!(parse("2200").uint(), Ok(Some(2200)));
        assert_eq!(parse("\"2200\"").uint(), Ok(Some(2200)));
        assert_eq!(parse("\"0x898\"").uint(), Ok(Some(2200)));
        assert_eq!(parse("\" 0X898 \"").uint(), Ok(Some(2200)));
        assert_eq!(parse("\"-\"").uint(), Ok(None));
        assert_eq!(parse("null").uint(), Ok(None));
        assert!(parse("\"12ab\"").uint().is_err());
        assert!(parse("-3").uint().is_err());
        assert!(parse("1.5").uint().is_err());
        assert!(parse("[1]").uint().is_err());
        assert!(parse("true").uint().is_err());
    }

    #[test]
    fn text_node_with_attributes() {
        let s = parse(r##"{"#attributes":{"Qualifiers":16384},"#text":4688}"##);
        assert_eq!(s.uint(), Ok(Some(4688)));
        assert_eq!(parse(r#"{"a":1}"#), Scalar::Other);
    }

    #[test]
    fn placeholders_are_absent_text() {
        assert_eq!(parse("\"-\"").text(), None);
        assert_eq!(parse("\"  \"").text(), None);
        assert_eq!(parse("\"C:\\\\x\"").text(), Some("C:\\x"));
        assert_eq!(parse("5").text(), None);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse("true").boolean(), Some(true));
        assert_eq!(parse("\"False\"").boolean(), Some(false));
        assert_eq!(parse("\"yes\"").boolean(), None);
    }
}
