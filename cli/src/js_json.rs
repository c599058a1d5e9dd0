//! JSON as JavaScript sees it: an ordered value (object members keep their
//! order, as `JSON.parse` keeps it), for the config file and the report
//! with the raw-log errors added. It is written by the core's
//! `json_text` (`JSON.stringify`'s bytes, which the npm CLI prints), so
//! the project has one JSON writer.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// A JSON value with object members in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: JavaScript holds every number as an f64.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in order (a repeated key keeps its first place
    /// and its last value, as `JSON.parse` does).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Sets `key` to `value`: in place if present, else appended (as
    /// `object.key = value` does in JavaScript).
    pub fn set(members: &mut Vec<(String, Value)>, key: &str, value: Value) {
        match members.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => members.push((key.to_string(), value)),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
                Ok(Value::Number(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
                Ok(Value::Number(n))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Value, E> {
                Ok(Value::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Value>()? {
                    Value::set(&mut out, &k, v);
                }
                Ok(Value::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses JSON text.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

/// Any serialisable value as an ordered [`Value`] (struct fields in
/// declaration order, as serde_json writes them).
pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_string(value).ok().and_then(|t| parse(&t).ok()).unwrap_or(Value::Null)
}

/// `JSON.stringify(value)` (the core's writer, which every JSON output
/// of the project goes through).
pub fn compact(value: &Value) -> String {
    mshta_chain_core::json_text(value, false)
}

/// `JSON.stringify(value, null, 2)`.
pub fn pretty(value: &Value) -> String {
    mshta_chain_core::json_text(value, true)
}

/// Written in member order; numbers as f64 (the core's writer spells them
/// as JavaScript does).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => s.serialize_f64(*n),
            Value::String(text) => s.serialize_str(text),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_member_order_and_lays_out_like_stringify() {
        let v = parse(r#"{"b":1,"a":[1.0,{"z":null,"y":"x\u0001"}],"c":{},"d":[],"b":2,"e":1e21,"f":-0.5}"#).unwrap();
        assert_eq!(compact(&v), r#"{"b":2,"a":[1,{"z":null,"y":"x\u0001"}],"c":{},"d":[],"e":1e+21,"f":-0.5}"#);
        assert_eq!(
            pretty(&v),
            "{\n  \"b\": 2,\n  \"a\": [\n    1,\n    {\n      \"z\": null,\n      \"y\": \"x\\u0001\"\n    }\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": 1e+21,\n  \"f\": -0.5\n}"
        );
    }
}
