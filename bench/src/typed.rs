//! The baseline: a typed, borrowing serde_json parse of each line that reads the fields the
//! detector needs and skips the rest — what `docs/design-notes.md` ("Speed ceilings") calls "borrowed typed
//! struct (8 fields, rest skipped)", extended to every schema of the corpus.
//!
//! One recursive struct holds the field names of all schema families (Sysmon and Security in flat,
//! `evtx_dump` and Winlogbeat shapes, ECS, OCSF, Defender rows and streaming records); nested
//! objects that hold those fields (`Event.System`, `Event.EventData`, `winlog.event_data`,
//! `process.parent`, `actor.process`, `records[].properties`, ...) are read with the same struct,
//! so each event has about ten of its fields read, whatever its schema. Strings borrow from the
//! input unless they contain escapes. Every other key and value is skipped with `IgnoredAny`
//! (validated, not materialised). No correlation, no normalisation: this is the floor that any
//! detector reading these fields with serde_json pays.

use serde::de::{self, value::MapAccessDeserializer, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// Any JSON value where a scalar is expected: strings borrow when they can; arrays and objects
/// are skipped (ECS `event.category` is an array, for one).
#[derive(Debug, Default)]
pub enum Scalar<'a> {
    #[default]
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Skipped,
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(s)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(n as i64))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Float(n))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(b))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Skipped)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Skipped)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Scalar<'_> {
    pub fn text(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A nested object read with [`Typed`]; anything else (a string `host`, `null`) is skipped.
#[derive(Debug, Default)]
pub struct Nest<'a>(pub Option<Box<Typed<'a>>>);

impl<'de: 'a, 'a> Deserialize<'de> for Nest<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Nest<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(Nest(Some(Box::new(Typed::deserialize(MapAccessDeserializer::new(map))?))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Nest(None))
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Nest(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

type S<'a> = Option<Scalar<'a>>;
type N<'a> = Option<Nest<'a>>;

/// The fields a detector needs, by the names each schema family gives them.
#[derive(Debug, Default, Deserialize)]
pub struct Typed<'a> {
    // Windows System level (flat exports: top level; evtx_dump: `Event.System`; Winlogbeat: `winlog`).
    #[serde(rename = "EventID", borrow)]
    pub event_id: S<'a>,
    #[serde(rename = "Channel", alias = "channel", borrow)]
    pub channel: S<'a>,
    #[serde(rename = "Hostname", alias = "Computer", alias = "computer_name", borrow)]
    pub hostname: S<'a>,
    // Sysmon / Security EventData.
    #[serde(rename = "UtcTime", borrow)]
    pub utc_time: S<'a>,
    #[serde(rename = "ProcessGuid", borrow)]
    pub process_guid: S<'a>,
    #[serde(rename = "ProcessId", borrow)]
    pub process_id: S<'a>,
    #[serde(rename = "Image", alias = "NewProcessName", alias = "Application", borrow)]
    pub image: S<'a>,
    #[serde(rename = "CommandLine", borrow)]
    pub command_line: S<'a>,
    #[serde(rename = "ParentProcessGuid", borrow)]
    pub parent_process_guid: S<'a>,
    #[serde(rename = "ParentImage", alias = "ParentProcessName", borrow)]
    pub parent_image: S<'a>,
    #[serde(rename = "NewProcessId", borrow)]
    pub new_process_id: S<'a>,
    #[serde(rename = "TargetFilename", alias = "ImageLoaded", alias = "QueryName", borrow)]
    pub target: S<'a>,
    #[serde(rename = "DestinationIp", alias = "DestAddress", borrow)]
    pub destination_ip: S<'a>,
    // Containers of the Windows shapes.
    #[serde(rename = "Event", borrow)]
    pub event_xml: N<'a>,
    #[serde(rename = "System", borrow)]
    pub system: N<'a>,
    #[serde(rename = "EventData", alias = "event_data", borrow)]
    pub event_data: N<'a>,
    #[serde(borrow)]
    pub winlog: N<'a>,
    // ECS.
    #[serde(rename = "@timestamp", borrow)]
    pub timestamp: S<'a>,
    #[serde(borrow)]
    pub event: N<'a>,
    #[serde(borrow)]
    pub code: S<'a>,
    #[serde(borrow)]
    pub category: S<'a>,
    #[serde(borrow)]
    pub host: N<'a>,
    #[serde(borrow)]
    pub name: S<'a>,
    #[serde(borrow)]
    pub process: N<'a>,
    #[serde(borrow)]
    pub parent: N<'a>,
    #[serde(borrow)]
    pub entity_id: S<'a>,
    #[serde(borrow)]
    pub pid: S<'a>,
    #[serde(borrow)]
    pub executable: S<'a>,
    #[serde(rename = "command_line", alias = "cmd_line", borrow)]
    pub ecs_command_line: S<'a>,
    #[serde(borrow)]
    pub file: N<'a>,
    #[serde(borrow)]
    pub path: S<'a>,
    // OCSF.
    #[serde(borrow)]
    pub class_uid: S<'a>,
    #[serde(borrow)]
    pub activity_id: S<'a>,
    #[serde(borrow)]
    pub time: S<'a>,
    #[serde(borrow)]
    pub device: N<'a>,
    #[serde(borrow)]
    pub actor: N<'a>,
    #[serde(borrow)]
    pub uid: S<'a>,
    // Defender rows and streaming records.
    #[serde(rename = "ActionType", borrow)]
    pub action_type: S<'a>,
    #[serde(rename = "DeviceName", borrow)]
    pub device_name: S<'a>,
    #[serde(rename = "Timestamp", borrow)]
    pub defender_time: S<'a>,
    #[serde(rename = "FolderPath", borrow)]
    pub folder_path: S<'a>,
    #[serde(rename = "ProcessCommandLine", borrow)]
    pub process_command_line: S<'a>,
    #[serde(rename = "InitiatingProcessId", borrow)]
    pub initiating_process_id: S<'a>,
    #[serde(rename = "InitiatingProcessFolderPath", borrow)]
    pub initiating_process_folder_path: S<'a>,
    #[serde(borrow)]
    pub records: Option<Vec<Nest<'a>>>,
    #[serde(borrow)]
    pub properties: N<'a>,
}

impl Typed<'_> {
    /// A trivial use of what was read, so the parse cannot be optimised away: whether any image
    /// field (at any nesting) names mshta.exe.
    pub fn mentions_mshta(&self) -> bool {
        let hit = |s: &S| s.as_ref().and_then(Scalar::text).is_some_and(ends_with_mshta);
        let nested = |n: &N| n.as_ref().and_then(|n| n.0.as_deref()).is_some_and(Typed::mentions_mshta);
        hit(&self.image)
            || hit(&self.executable)
            || hit(&self.folder_path)
            || hit(&self.path)
            || nested(&self.event_xml)
            || nested(&self.event_data)
            || nested(&self.winlog)
            || nested(&self.process)
            || nested(&self.file)
            || nested(&self.actor)
            || nested(&self.properties)
            || self
                .records
                .as_ref()
                .is_some_and(|r| r.iter().any(|n| n.0.as_deref().is_some_and(Typed::mentions_mshta)))
    }
}

fn ends_with_mshta(s: &str) -> bool {
    s.len() >= 9 && s.as_bytes()[s.len() - 9..].eq_ignore_ascii_case(b"mshta.exe")
}

/// What the baseline saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Non-blank lines.
    pub lines: u64,
    /// Lines that parsed.
    pub ok: u64,
    /// Lines that parsed and name mshta.exe in an image field.
    pub mshta: u64,
}

/// Parses every non-blank line of JSON Lines `data` into [`Typed`].
pub fn parse_lines(data: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    for line in data.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.lines += 1;
        if let Ok(t) = serde_json::from_slice::<Typed>(line) {
            out.ok += 1;
            out.mshta += u64::from(t.mentions_mshta());
        }
    }
    out
}
