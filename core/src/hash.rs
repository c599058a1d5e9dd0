//! Hashing: FNV-1a-64 (a fixed, portable hash: snapshot checksums, chain
//! ids) and a content digest of any serialisable value, for change
//! detection.
//!
//! The digest walks a value through its `Serialize` impl, the same walk
//! that writes it as JSON, but writes nothing: it feeds each scalar, string
//! and structure boundary (typed and length-prefixed, so that `["ab"]` and
//! `["a","b"]` differ) into FNV-1a and adds up the length the JSON text
//! would have. So a chain's digest changes exactly when a field of the
//! report changes, fields added to the report later included, without the
//! JSON being built, and its size is known without allocating it.

use serde::ser::{self, Serialize};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a, 64 bits.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// What [`digest`] found: a hash of the content and the length of its JSON
/// text as `serde_json` writes it (compact), counted from the field lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digest {
    pub hash: u64,
    pub json_len: u64,
}

/// The content digest of a value.
pub(crate) fn digest<T: Serialize + ?Sized>(value: &T) -> Digest {
    let mut d = Digester { hash: FNV_OFFSET, len: 0 };
    // The digester itself never fails; a value whose `Serialize` fails
    // still gets the digest of what it wrote up to there.
    let _ = value.serialize(&mut d);
    Digest { hash: d.hash, json_len: d.len }
}

/// Type tags, so that values of different shapes never feed the same bytes.
mod tag {
    pub const BOOL: u8 = 1;
    pub const INT: u8 = 2;
    pub const UINT: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const STR: u8 = 5;
    pub const BYTES: u8 = 6;
    pub const NONE: u8 = 7;
    pub const SOME: u8 = 8;
    pub const UNIT: u8 = 9;
    pub const VARIANT: u8 = 10;
    pub const SEQ: u8 = 11;
    pub const MAP: u8 = 12;
    pub const STRUCT: u8 = 13;
    pub const END: u8 = 14;
}

struct Digester {
    hash: u64,
    len: u64,
}

impl Digester {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
    fn tag(&mut self, t: u8) {
        self.bytes(&[t]);
    }
    fn str(&mut self, s: &str) {
        self.tag(tag::STR);
        self.bytes(&(s.len() as u64).to_le_bytes());
        // One pass: the hash, and the escapes JSON writes (`\"`, `\\`,
        // `\n` and the like, `\u00XX` for other control characters).
        let mut escapes = 0u64;
        for &b in s.as_bytes() {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            escapes += match b {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                0..=0x1f => 5,
                _ => 0,
            };
        }
        self.len += s.len() as u64 + 2 + escapes;
    }
    fn uint(&mut self, v: u64) {
        self.tag(tag::UINT);
        self.bytes(&v.to_le_bytes());
        self.len += digits(v);
    }
    fn int(&mut self, v: i64) {
        self.tag(tag::INT);
        self.bytes(&v.to_le_bytes());
        self.len += digits(v.unsigned_abs()) + u64::from(v < 0);
    }
    /// A separator before every element but the first.
    fn comma(&mut self, first: &mut bool) {
        if !std::mem::take(first) {
            self.len += 1;
        }
    }
}

fn digits(mut v: u64) -> u64 {
    let mut n = 1;
    while v >= 10 {
        v /= 10;
        n += 1;
    }
    n
}

#[derive(Debug)]
pub(crate) struct DigestError(String);

impl std::fmt::Display for DigestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DigestError {}

impl ser::Error for DigestError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DigestError(msg.to_string())
    }
}

/// A sequence, tuple, map or struct being digested.
struct Compound<'a> {
    d: &'a mut Digester,
    first: bool,
}

impl<'a> ser::Serializer for &'a mut Digester {
    type Ok = ();
    type Error = DigestError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), DigestError> {
        self.tag(tag::BOOL);
        self.bytes(&[u8::from(v)]);
        self.len += if v { 4 } else { 5 };
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), DigestError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), DigestError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), DigestError> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), DigestError> {
        self.int(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), DigestError> {
        self.tag(tag::INT);
        self.bytes(&v.to_le_bytes());
        self.len += v.to_string().len() as u64;
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), DigestError> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), DigestError> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), DigestError> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), DigestError> {
        self.uint(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), DigestError> {
        self.tag(tag::UINT);
        self.bytes(&v.to_le_bytes());
        self.len += v.to_string().len() as u64;
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), DigestError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), DigestError> {
        self.tag(tag::FLOAT);
        self.bytes(&v.to_bits().to_le_bytes());
        self.len += v.to_string().len() as u64;
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), DigestError> {
        self.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), DigestError> {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), DigestError> {
        self.tag(tag::BYTES);
        self.bytes(&(v.len() as u64).to_le_bytes());
        self.bytes(v);
        // As JSON: an array of numbers.
        self.len += 2 + v.iter().map(|&b| digits(u64::from(b)) + 1).sum::<u64>();
        Ok(())
    }
    fn serialize_none(self) -> Result<(), DigestError> {
        self.tag(tag::NONE);
        self.len += 4;
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), DigestError> {
        self.tag(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), DigestError> {
        self.tag(tag::UNIT);
        self.len += 4;
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), DigestError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, index: u32, variant: &'static str) -> Result<(), DigestError> {
        self.tag(tag::VARIANT);
        self.bytes(&index.to_le_bytes());
        self.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), DigestError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), DigestError> {
        self.tag(tag::VARIANT);
        self.bytes(&index.to_le_bytes());
        self.str(variant);
        self.len += 3; // {"variant":value}
        value.serialize(&mut *self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, DigestError> {
        self.tag(tag::SEQ);
        self.len += 2;
        Ok(Compound { d: self, first: true })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, DigestError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, DigestError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, DigestError> {
        self.tag(tag::VARIANT);
        self.bytes(&index.to_le_bytes());
        self.str(variant);
        self.len += 3;
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, DigestError> {
        self.tag(tag::MAP);
        self.len += 2;
        Ok(Compound { d: self, first: true })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, DigestError> {
        self.tag(tag::STRUCT);
        self.len += 2;
        Ok(Compound { d: self, first: true })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, DigestError> {
        self.tag(tag::VARIANT);
        self.bytes(&index.to_le_bytes());
        self.str(variant);
        self.len += 3;
        self.serialize_struct(variant, len)
    }
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DigestError> {
        self.d.comma(&mut self.first);
        value.serialize(&mut *self.d)
    }
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), DigestError> {
        self.d.comma(&mut self.first);
        // The type fixes the field order, so the name adds nothing to the
        // hash; it does to the JSON length ("key":).
        self.d.len += key.len() as u64 + 3;
        value.serialize(&mut *self.d)
    }
    fn end(self) -> Result<(), DigestError> {
        self.d.tag(tag::END);
        Ok(())
    }
}

/// The sequence-like compounds: each element is hashed in order, the same
/// way whatever serde calls the compound.
macro_rules! elements {
    ($($trait:ident :: $method:ident),+ $(,)?) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = DigestError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DigestError> {
                self.element(value)
            }
            fn end(self) -> Result<(), DigestError> {
                Compound::end(self)
            }
        }
    )+};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = DigestError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DigestError> {
        self.element(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), DigestError> {
        self.d.len += 1; // :
        value.serialize(&mut *self.d)
    }
    fn end(self) -> Result<(), DigestError> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = DigestError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), DigestError> {
        self.field(key, value)
    }
    fn skip_field(&mut self, _key: &'static str) -> Result<(), DigestError> {
        Ok(())
    }
    fn end(self) -> Result<(), DigestError> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = DigestError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), DigestError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), DigestError> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Sample {
        id: String,
        score: i64,
        note: Option<String>,
        list: Vec<String>,
        late: bool,
        port: Option<u16>,
    }

    fn sample() -> Sample {
        Sample {
            id: "mc-1".into(),
            score: -42,
            note: Some("a \"quoted\" word".into()),
            list: vec!["a".into(), "bc".into()],
            late: false,
            port: None,
        }
    }

    #[test]
    fn fnv_is_the_published_function() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn the_json_length_is_that_of_serde_json() {
        let mut s = sample();
        assert_eq!(digest(&s).json_len, serde_json::to_vec(&s).unwrap().len() as u64);
        s.note = Some("C:\\Users\\a\tb\u{1}\u{7f}é\n\"".into());
        s.list.clear();
        assert_eq!(digest(&s).json_len, serde_json::to_vec(&s).unwrap().len() as u64);
    }

    #[test]
    fn every_field_change_changes_the_hash() {
        let base = digest(&sample()).hash;
        assert_eq!(base, digest(&sample()).hash, "deterministic");
        let changes: [fn(&mut Sample); 9] = [
            (|s| s.id.push('x')),
            (|s| s.score = 42),
            (|s| s.note = None),
            (|s| s.note = Some(String::new())),
            (|s| s.list = vec!["ab".into(), "c".into()]),
            (|s| s.list = vec!["abc".into()]),
            (|s| s.list.push(String::new())),
            (|s| s.late = true),
            (|s| s.port = Some(0)),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut s = sample();
            change(&mut s);
            assert_ne!(digest(&s).hash, base, "change {i}");
        }
    }
}
