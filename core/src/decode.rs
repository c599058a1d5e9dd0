//! Decoding one input item: recognising its schema and shape, and mapping
//! its fields into the normalised [`Event`](crate::event::Event).
//!
//! One borrowing, typed struct ([`Raw`]) names every field any supported
//! shape uses; serde skips all other fields without building them, which is
//! most of a Sysmon record. The three Sysmon shapes put the same EventData
//! names at different depths, so `Raw` is reused for the top level, for
//! `Event.System`/`Event.EventData`, and for `winlog.event_data`.

use crate::event::{Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::names::EntityId;
use crate::scalar::{Obj, Scalar};
use crate::time::{self, Millis};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// What became of one item.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// An event correlation uses.
    Event(Event),
    /// A well-formed event of a known schema that carries nothing we use
    /// (another Sysmon event id, a Security event we do not read yet).
    Ignored(Schema),
}

/// Decodes one item; `Err` carries the reason it was rejected.
pub(crate) fn decode(bytes: &[u8], index: u64) -> Result<Decoded, String> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        _ => return Err("not a JSON object".into()),
    }
    let raw: Raw = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let (shape, system, data) = recognise(&raw).ok_or_else(|| "unrecognised schema".to_string())?;
    let event_id = event_id(shape, system)?;
    let sysmon = is_sysmon(system);
    let schema = match (shape, sysmon) {
        (Shape::Flat, true) => Schema::SysmonFlat,
        (Shape::Evtx, true) => Schema::SysmonEvtx,
        (Shape::Winlogbeat, true) => Schema::SysmonWinlogbeat,
        (Shape::Flat, false) => Schema::WindowsFlat,
        (Shape::Evtx, false) => Schema::WindowsEvtx,
        (Shape::Winlogbeat, false) => Schema::WindowsWinlogbeat,
    };
    if !sysmon || !matches!(event_id, 1 | 3 | 5 | 7 | 11 | 22) {
        return Ok(Decoded::Ignored(schema));
    }
    let host = host(shape, &raw, system).ok_or("missing field Computer/Hostname (the host)")?;
    let time = sysmon_time(shape, &raw, system, data)?;
    let kind = sysmon_kind(event_id, data)?;
    Ok(Decoded::Event(Event { index, host: host.to_string(), time, schema, kind }))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Flat,
    Evtx,
    Winlogbeat,
}

/// For each shape: where the System-level and the EventData-level fields
/// are. In the flat shape both are the top level.
fn recognise<'r, 'a>(raw: &'r Raw<'a>) -> Option<(Shape, System<'r, 'a>, &'r Raw<'a>)> {
    if let Some(Obj(Some(ev))) = &raw.event {
        if let Some(Obj(Some(sys))) = &ev.system {
            return Some((Shape::Evtx, System::Raw(sys), obj(&ev.event_data).unwrap_or(&EMPTY)));
        }
    }
    if let Some(Obj(Some(w))) = &raw.winlog {
        if w.event_id.is_some() || w.channel.is_some() {
            return Some((Shape::Winlogbeat, System::Winlog(w), obj(&w.event_data).unwrap_or(&EMPTY)));
        }
    }
    if raw.event_id.is_some() && (raw.channel.is_some() || raw.source_name.is_some()) {
        return Some((Shape::Flat, System::Raw(raw), raw));
    }
    None
}

static EMPTY: Raw<'static> = Raw::EMPTY;

#[derive(Clone, Copy)]
enum System<'r, 'a> {
    Raw(&'r Raw<'a>),
    Winlog(&'r Winlog<'a>),
}

fn event_id(shape: Shape, system: System) -> Result<u64, String> {
    let field = match system {
        System::Raw(r) => r.event_id.as_ref(),
        System::Winlog(w) => w.event_id.as_ref(),
    };
    let name = if shape == Shape::Winlogbeat { "winlog.event_id" } else { "EventID" };
    match field.map(Scalar::uint) {
        Some(Ok(Some(id))) => Ok(id),
        Some(Err(e)) => Err(format!("field {name}: {e}")),
        _ => Err(format!("missing field {name}")),
    }
}

fn is_sysmon(system: System) -> bool {
    let (channel, provider) = match system {
        System::Raw(r) => {
            (text(&r.channel), text(&r.source_name).or_else(|| r.provider.as_ref().and_then(Element::name)))
        }
        System::Winlog(w) => (text(&w.channel), text(&w.provider_name)),
    };
    channel.is_some_and(|c| c.eq_ignore_ascii_case("Microsoft-Windows-Sysmon/Operational"))
        || provider.is_some_and(|p| p.eq_ignore_ascii_case("Microsoft-Windows-Sysmon"))
}

fn host<'r>(shape: Shape, raw: &'r Raw, system: System<'r, '_>) -> Option<&'r str> {
    match (shape, system) {
        (Shape::Winlogbeat, System::Winlog(w)) => {
            text(&w.computer_name).or_else(|| obj(&raw.host).and_then(|h| text(&h.name)))
        }
        (_, System::Raw(r)) => text(&r.computer).or_else(|| text(&r.hostname)),
        _ => None,
    }
}

/// Sysmon's `UtcTime` is the event's true UTC time; the record's own
/// timestamps are a fallback only (some exporters write local time into
/// fields labelled UTC).
fn sysmon_time(shape: Shape, raw: &Raw, system: System, data: &Raw) -> Result<Millis, String> {
    if let Some(s) = data.utc_time.as_ref() {
        if s.is_present() {
            return s
                .text()
                .and_then(time::parse_timestamp)
                .ok_or_else(|| "field UtcTime: not a timestamp".to_string());
        }
    }
    let fallback = match (shape, system) {
        (Shape::Evtx, System::Raw(sys)) => sys
            .time_created
            .as_ref()
            .and_then(Element::time)
            .or_else(|| obj(&sys.time_created_attributes).and_then(|a| text(&a.system_time))),
        _ => text(&raw.timestamp).or_else(|| raw.time_created.as_ref().and_then(Element::time)),
    };
    match fallback {
        Some(t) => time::parse_timestamp(t).ok_or_else(|| "event time: not a timestamp".to_string()),
        None => Err("missing field UtcTime (the event time)".into()),
    }
}

fn sysmon_kind(event_id: u64, d: &Raw) -> Result<Kind, String> {
    match event_id {
        1 => {
            let process = process_ref(&d.process_id, "ProcessId", &d.process_guid, "ProcessGuid")?;
            let image = text(&d.image).ok_or("missing field Image")?;
            let parent = Actor {
                process: ProcessRef {
                    pid: pid(&d.parent_process_id, "ParentProcessId")?,
                    guid: guid(&d.parent_process_guid),
                },
                image: owned(&d.parent_image),
            };
            Ok(Kind::ProcessStart(Box::new(ProcessStart {
                process,
                image: image.to_string(),
                original_file_name: owned(&d.original_file_name).filter(|o| o != "?"),
                command_line: owned(&d.command_line),
                user: owned(&d.user),
                parent,
                parent_command_line: owned(&d.parent_command_line),
            })))
        }
        5 => Ok(Kind::ProcessEnd(actor(d)?)),
        3 => {
            let initiated = d.initiated.as_ref().and_then(Scalar::boolean);
            Ok(Kind::Network(Box::new(Network {
                actor: actor(d)?,
                dst_ip: owned(&d.destination_ip),
                dst_port: port(&d.destination_port, "DestinationPort")?,
                dst_host: owned(&d.destination_hostname),
                src_ip: owned(&d.source_ip),
                src_port: port(&d.source_port, "SourcePort")?,
                direction: match initiated {
                    Some(true) => Direction::Outbound,
                    Some(false) => Direction::Inbound,
                    None => Direction::Unknown,
                },
            })))
        }
        22 => {
            Ok(Kind::Dns { actor: actor(d)?, query: text(&d.query_name).ok_or("missing field QueryName")?.to_string() })
        }
        11 => Ok(Kind::FileCreate {
            actor: actor(d)?,
            path: text(&d.target_filename).ok_or("missing field TargetFilename")?.to_string(),
        }),
        7 => Ok(Kind::ImageLoad {
            actor: actor(d)?,
            path: text(&d.image_loaded).ok_or("missing field ImageLoaded")?.to_string(),
        }),
        _ => Err(format!("unsupported Sysmon event id {event_id}")),
    }
}

/// The process that did something. `<unknown process>` (Sysmon could not
/// resolve the image) is an absent image, not a name.
fn actor(d: &Raw) -> Result<Actor, String> {
    Ok(Actor {
        process: process_ref(&d.process_id, "ProcessId", &d.process_guid, "ProcessGuid")?,
        image: owned(&d.image).filter(|i| !i.eq_ignore_ascii_case("<unknown process>")),
    })
}

fn process_ref(
    pid_field: &Option<Scalar>,
    pid_name: &str,
    guid_field: &Option<Scalar>,
    guid_name: &str,
) -> Result<ProcessRef, String> {
    let r = ProcessRef { pid: pid(pid_field, pid_name)?, guid: guid(guid_field) };
    if r.pid.is_none() && r.guid.is_none() {
        return Err(format!("missing field {pid_name} and {guid_name}"));
    }
    Ok(r)
}

fn pid(field: &Option<Scalar>, name: &str) -> Result<Option<u32>, String> {
    match field.as_ref().map(Scalar::uint) {
        None | Some(Ok(None)) => Ok(None),
        Some(Ok(Some(n))) => u32::try_from(n).map(Some).map_err(|_| format!("field {name}: out of range")),
        Some(Err(e)) => Err(format!("field {name}: {e}")),
    }
}

fn port(field: &Option<Scalar>, name: &str) -> Result<Option<u16>, String> {
    match field.as_ref().map(Scalar::uint) {
        None | Some(Ok(None)) => Ok(None),
        Some(Ok(Some(n))) => u16::try_from(n).map(Some).map_err(|_| format!("field {name}: out of range")),
        Some(Err(e)) => Err(format!("field {name}: {e}")),
    }
}

fn guid(field: &Option<Scalar>) -> Option<EntityId> {
    text(field).and_then(EntityId::parse)
}

fn obj<T>(field: &Option<Obj<T>>) -> Option<&T> {
    field.as_ref().and_then(|o| o.0.as_ref())
}

fn text<'r>(field: &'r Option<Scalar>) -> Option<&'r str> {
    field.as_ref().and_then(Scalar::text)
}

fn owned(field: &Option<Scalar>) -> Option<String> {
    text(field).map(str::to_string)
}

/// Every field any supported shape uses, at any level. Unknown fields are
/// skipped by serde without being materialised.
#[derive(Deserialize, Default)]
struct Raw<'a> {
    // System level (flat: top level).
    #[serde(rename = "EventID", borrow)]
    event_id: Option<Scalar<'a>>,
    #[serde(rename = "Channel", borrow)]
    channel: Option<Scalar<'a>>,
    #[serde(rename = "SourceName", borrow)]
    source_name: Option<Scalar<'a>>,
    #[serde(rename = "Provider")]
    provider: Option<Element>,
    #[serde(rename = "Hostname", borrow)]
    hostname: Option<Scalar<'a>>,
    #[serde(rename = "Computer", borrow)]
    computer: Option<Scalar<'a>>,
    #[serde(rename = "TimeCreated")]
    time_created: Option<Element>,
    #[serde(rename = "TimeCreated_attributes", borrow)]
    time_created_attributes: Option<Obj<AttributeFields<'a>>>,
    #[serde(rename = "@timestamp", borrow)]
    timestamp: Option<Scalar<'a>>,
    // EventData level (flat: top level).
    #[serde(rename = "UtcTime", borrow)]
    utc_time: Option<Scalar<'a>>,
    #[serde(rename = "ProcessGuid", borrow)]
    process_guid: Option<Scalar<'a>>,
    #[serde(rename = "ProcessId", borrow)]
    process_id: Option<Scalar<'a>>,
    #[serde(rename = "Image", borrow)]
    image: Option<Scalar<'a>>,
    #[serde(rename = "OriginalFileName", borrow)]
    original_file_name: Option<Scalar<'a>>,
    #[serde(rename = "CommandLine", borrow)]
    command_line: Option<Scalar<'a>>,
    #[serde(rename = "User", borrow)]
    user: Option<Scalar<'a>>,
    #[serde(rename = "ParentProcessGuid", borrow)]
    parent_process_guid: Option<Scalar<'a>>,
    #[serde(rename = "ParentProcessId", borrow)]
    parent_process_id: Option<Scalar<'a>>,
    #[serde(rename = "ParentImage", borrow)]
    parent_image: Option<Scalar<'a>>,
    #[serde(rename = "ParentCommandLine", borrow)]
    parent_command_line: Option<Scalar<'a>>,
    #[serde(rename = "TargetFilename", borrow)]
    target_filename: Option<Scalar<'a>>,
    #[serde(rename = "ImageLoaded", borrow)]
    image_loaded: Option<Scalar<'a>>,
    #[serde(rename = "QueryName", borrow)]
    query_name: Option<Scalar<'a>>,
    #[serde(rename = "Initiated", borrow)]
    initiated: Option<Scalar<'a>>,
    #[serde(rename = "SourceIp", borrow)]
    source_ip: Option<Scalar<'a>>,
    #[serde(rename = "SourcePort", borrow)]
    source_port: Option<Scalar<'a>>,
    #[serde(rename = "DestinationIp", borrow)]
    destination_ip: Option<Scalar<'a>>,
    #[serde(rename = "DestinationPort", borrow)]
    destination_port: Option<Scalar<'a>>,
    #[serde(rename = "DestinationHostname", borrow)]
    destination_hostname: Option<Scalar<'a>>,
    // Containers of the other shapes.
    #[serde(rename = "Event", borrow)]
    event: Option<Obj<Box<Nested<'a>>>>,
    #[serde(borrow)]
    winlog: Option<Obj<Box<Winlog<'a>>>>,
    #[serde(borrow)]
    host: Option<Obj<HostObject<'a>>>,
}

impl Raw<'static> {
    const EMPTY: Raw<'static> = Raw {
        event_id: None,
        channel: None,
        source_name: None,
        provider: None,
        hostname: None,
        computer: None,
        time_created: None,
        time_created_attributes: None,
        timestamp: None,
        utc_time: None,
        process_guid: None,
        process_id: None,
        image: None,
        original_file_name: None,
        command_line: None,
        user: None,
        parent_process_guid: None,
        parent_process_id: None,
        parent_image: None,
        parent_command_line: None,
        target_filename: None,
        image_loaded: None,
        query_name: None,
        initiated: None,
        source_ip: None,
        source_port: None,
        destination_ip: None,
        destination_port: None,
        destination_hostname: None,
        event: None,
        winlog: None,
        host: None,
    };
}

/// `evtx_dump`: `{"Event":{"System":{..},"EventData":{..}}}`.
#[derive(Deserialize)]
struct Nested<'a> {
    #[serde(rename = "System", borrow)]
    system: Option<Obj<Raw<'a>>>,
    #[serde(rename = "EventData", borrow)]
    event_data: Option<Obj<Raw<'a>>>,
}

/// Winlogbeat: `{"winlog":{"event_id":..,"event_data":{..}}}`.
#[derive(Deserialize)]
struct Winlog<'a> {
    #[serde(borrow)]
    event_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    channel: Option<Scalar<'a>>,
    #[serde(borrow)]
    computer_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    provider_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    event_data: Option<Obj<Raw<'a>>>,
}

#[derive(Deserialize)]
struct HostObject<'a> {
    #[serde(borrow)]
    name: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct AttributeFields<'a> {
    #[serde(rename = "Name", borrow)]
    name: Option<Scalar<'a>>,
    #[serde(rename = "SystemTime", borrow)]
    system_time: Option<Scalar<'a>>,
}

/// An XML element as JSON converters write it: a plain string in flat
/// exports (`"Provider":"Microsoft-Windows-Sysmon"`), or
/// `{"#attributes":{"Name":..,"SystemTime":..},"#text":..}` from `evtx_dump`.
/// Any other type reads as empty rather than failing the event.
#[derive(Default)]
struct Element {
    text: Option<String>,
    name: Option<String>,
    system_time: Option<String>,
}

impl Element {
    fn name(&self) -> Option<&str> {
        self.name.as_deref().or(self.text.as_deref())
    }
    fn time(&self) -> Option<&str> {
        self.system_time.as_deref().or(self.text.as_deref())
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an element with attributes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Element, E> {
                Ok(Element { text: Some(v.to_string()), ..Element::default() })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Element, E> {
                Ok(Element::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Element, E> {
                Ok(Element::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Element, E> {
                Ok(Element::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Element, E> {
                Ok(Element::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Element, E> {
                Ok(Element::default())
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Element::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
                let mut out = Element::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "#attributes" => {
                            if let Obj(Some(a)) = map.next_value::<Obj<AttributeFields<'de>>>()? {
                                out.name = text(&a.name).map(str::to_string);
                                out.system_time = text(&a.system_time).map(str::to_string);
                            }
                        }
                        "#text" => out.text = map.next_value::<Scalar<'de>>()?.text().map(str::to_string),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}
