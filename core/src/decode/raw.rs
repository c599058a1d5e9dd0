//! `Raw`: every field any supported schema uses, as one borrowing, typed
//! struct. serde skips all other fields without materialising them (most
//! of a real event). The same struct is reused where schemas nest the same
//! names: Windows EventData at the top level (flat exports), under
//! `Event.EventData` (evtx_dump) and `winlog.event_data` (Winlogbeat), and
//! Defender rows at the top level or under a streaming record's
//! `properties`. Objects go through [`Obj`], so a key that is an object in
//! one schema and a string in another (`host`) never fails an event.
//!
//! For CrowdStrike, Carbon Black, SentinelOne and Splunk CIM `Raw` holds
//! only the keys that recognise them (`event_simpleName`, `type`,
//! `event.type`, a CIM data-model prefix, ...); their decoders read the
//! item again by key path (`paths`).

use crate::scalar::{Obj, Scalar};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

type F<'a> = Option<Scalar<'a>>;

/// Defines `Raw` from `field: Type = "JSON key"` lines, with a
/// `Deserialize` that finds each key's field in a hash table built at
/// compile time.
macro_rules! raw_struct {
    ($( $field:ident : $ty:ty = $name:literal ),* $(,)?) => {
        #[derive(Default)]
        pub(crate) struct Raw<'a> {
            $( pub $field: $ty, )*
        }

        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Fid {
            $( $field, )*
        }

        /// The JSON keys with their fields.
        const FIELDS: &[(&str, Fid)] = &[ $( ($name, Fid::$field), )* ];

        impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V<'a>(std::marker::PhantomData<&'a ()>);
                impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                    type Value = Raw<'a>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'a>, A::Error> {
                        let mut raw = Raw::default();
                        while let Some(Key(field)) = map.next_key::<Key>()? {
                            match field {
                                None => {
                                    map.next_value::<IgnoredAny>()?;
                                }
                                $( Some(Fid::$field) => raw.$field = map.next_value()?, )*
                            }
                        }
                        Ok(raw)
                    }
                }
                d.deserialize_map(V(std::marker::PhantomData))
            }
        }
    };
}

/// FNV-1a of a key: the slot a key starts probing from.
const fn key_hash(b: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < b.len() {
        h ^= b[i] as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    h
}

/// Slots of the key table: a power of two, four per key or more, so that
/// most lookups of an unknown key (most keys of a real event) end at an
/// empty slot and most known keys are found at the first.
const SLOTS: usize = 512;
const EMPTY: u8 = u8::MAX;

/// `FIELDS` indexes by slot (open addressing, linear probing), built by the
/// compiler. The table is fixed, so the longest probe is fixed too: no key
/// an attacker writes can make a lookup slower than the longest cluster.
const TABLE: [u8; SLOTS] = {
    assert!(FIELDS.len() < EMPTY as usize && FIELDS.len() * 4 <= SLOTS);
    let mut table = [EMPTY; SLOTS];
    let mut i = 0;
    while i < FIELDS.len() {
        let mut slot = key_hash(FIELDS[i].0.as_bytes()) as usize % SLOTS;
        while table[slot] != EMPTY {
            slot = (slot + 1) % SLOTS;
        }
        table[slot] = i as u8;
        i += 1;
    }
    table
};

/// The field of a JSON key, if a decoder reads it. Before this table a
/// binary search over the keys took a tenth of the native decoder's time
/// (a byte comparison per step); one hash and usually one comparison now.
fn field_of(key: &str) -> Option<Fid> {
    let key = key.as_bytes();
    let mut slot = key_hash(key) as usize % SLOTS;
    loop {
        let i = *TABLE.get(slot)?;
        let (name, fid) = *FIELDS.get(usize::from(i))?;
        if name.as_bytes() == key {
            return Some(fid);
        }
        slot = (slot + 1) % SLOTS;
    }
}

/// The Splunk CIM data-model prefixes a row's keys carry unless the search
/// dropped them (`drop_dm_object_name`).
pub(crate) const CIM_PREFIXES: &[&str] = &["Processes.", "Filesystem.", "All_Traffic.", "Network_Resolution.", "DNS."];

fn cim_prefixed(key: &str) -> bool {
    // Most keys start with none of the prefixes' first letters.
    matches!(key.as_bytes().first(), Some(b'P' | b'F' | b'A' | b'N' | b'D'))
        && CIM_PREFIXES.iter().any(|p| key.len() > p.len() && key.starts_with(p))
}

/// A key of `Raw`: its field, or `None` for a key no decoder reads.
struct Key(Option<Fid>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                let found = field_of(v);
                // Any key of a Splunk CIM data model (`Processes.process`,
                // `All_Traffic.dest_ip`, ...) marks a CIM row; the CIM decoder
                // reads the row itself.
                Ok(Key(found.or_else(|| cim_prefixed(v).then_some(Fid::cim_prefixed))))
            }
        }
        d.deserialize_identifier(V)
    }
}

// Every field any supported schema uses, at any level, with its JSON key,
// listed by key length, then bytes (for the reader: the lookup is a hash
// table and needs no order). serde's derive would compare each key against
// every name in turn, a fifth of the decoder's time for a struct this wide.
raw_struct! {
    dll: Option<Obj<FileObj<'a>>> = "dll",
    dns: Option<Obj<DnsObj<'a>>> = "dns",
    s1_src: Option<IgnoredAny> = "src",
    s1_tgt: Option<IgnoredAny> = "tgt",
    user: F<'a> = "User",
    cim_dest: Option<IgnoredAny> = "dest",
    file: Option<Obj<FileObj<'a>>> = "file",
    host: Option<Obj<HostObj<'a>>> = "host",
    time: F<'a> = "time",
    cb_type: F<'a> = "type",
    ecs_user: Option<Obj<UserObj<'a>>> = "user",
    event_xml: Option<Obj<Box<Nested<'a>>>> = "Event",
    image: F<'a> = "Image",
    cim_time: Option<IgnoredAny> = "_time",
    actor: Option<Obj<OcsfActor<'a>>> = "actor",
    agent: Option<Obj<AgentObj<'a>>> = "agent",
    event: Option<Obj<EcsEvent<'a>>> = "event",
    query: Option<Obj<QueryObj<'a>>> = "query",
    device: Option<Obj<HostObj<'a>>> = "device",
    module: Option<Obj<ModuleObj<'a>>> = "module",
    source: Option<Obj<Endpoint<'a>>> = "source",
    winlog: Option<Obj<Box<Winlog<'a>>>> = "winlog",
    channel: F<'a> = "Channel",
    event_id: F<'a> = "EventID",
    d_local_ip: F<'a> = "LocalIP",
    utc_time: F<'a> = "UtcTime",
    v_channel: F<'a> = "channel",
    cim_dest_ip: Option<IgnoredAny> = "dest_ip",
    network: Option<Obj<NetworkObj<'a>>> = "network",
    process: Option<Obj<Box<ProcObj<'a>>>> = "process",
    records: Option<Records<'a>> = "records",
    computer: F<'a> = "Computer",
    dest_port: F<'a> = "DestPort",
    d_device_id: F<'a> = "DeviceId",
    d_file_name: F<'a> = "FileName",
    hostname: F<'a> = "Hostname",
    provider: Option<Element> = "Provider",
    d_remote_ip: F<'a> = "RemoteIP",
    source_ip: F<'a> = "SourceIp",
    category: F<'a> = "category",
    v_computer: F<'a> = "computer",
    s1_endpoint: Option<IgnoredAny> = "endpoint",
    v_event_id: F<'a> = "event_id",
    metadata: Option<Obj<Metadata<'a>>> = "metadata",
    direction: F<'a> = "Direction",
    event_time: F<'a> = "EventTime",
    initiated: F<'a> = "Initiated",
    d_local_port: F<'a> = "LocalPort",
    process_id_upper: F<'a> = "ProcessID",
    process_id: F<'a> = "ProcessId",
    query_name: F<'a> = "QueryName",
    d_remote_url: F<'a> = "RemoteUrl",
    d_timestamp: F<'a> = "Timestamp",
    class_uid: F<'a> = "class_uid",
    cim_dest_port: Option<IgnoredAny> = "dest_port",
    cim_file_path: Option<IgnoredAny> = "file_path",
    v_record_id: F<'a> = "record_id",
    v_timestamp: F<'a> = "timestamp",
    timestamp: F<'a> = "@timestamp",
    d_action_type: F<'a> = "ActionType",
    d_device_name: F<'a> = "DeviceName",
    d_folder_path: F<'a> = "FolderPath",
    cim_prefixed: Option<IgnoredAny> = "Processes.",
    d_remote_port: F<'a> = "RemotePort",
    source_name: F<'a> = "SourceName",
    source_port: F<'a> = "SourcePort",
    s1_event_type: F<'a> = "event.type",
    v_event_data: Option<Obj<Box<Raw<'a>>>> = "event_data",
    properties: Option<Obj<Box<Raw<'a>>>> = "properties",
    d_account_name: F<'a> = "AccountName",
    application: F<'a> = "Application",
    command_line: F<'a> = "CommandLine",
    dest_address: F<'a> = "DestAddress",
    image_loaded: F<'a> = "ImageLoaded",
    parent_image: F<'a> = "ParentImage",
    process_guid: F<'a> = "ProcessGuid",
    process_name: F<'a> = "ProcessName",
    time_created: Option<Element> = "TimeCreated",
    activity_id: F<'a> = "activity_id",
    data_stream: Option<Obj<DataStream<'a>>> = "data_stream",
    destination: Option<Obj<Endpoint<'a>>> = "destination",
    new_process_id: F<'a> = "NewProcessId",
    dst_endpoint: Option<Obj<Endpoint<'a>>> = "dst_endpoint",
    cim_process_path: Option<IgnoredAny> = "process_path",
    src_endpoint: Option<Obj<Endpoint<'a>>> = "src_endpoint",
    d_account_domain: F<'a> = "AccountDomain",
    destination_ip: F<'a> = "DestinationIp",
    record_id: F<'a> = "EventRecordID",
    source_address: F<'a> = "SourceAddress",
    s1_endpoint_name: F<'a> = "endpoint.name",
    v_provider_name: F<'a> = "provider_name",
    new_process_name: F<'a> = "NewProcessName",
    target_filename: F<'a> = "TargetFilename",
    target_user_name: F<'a> = "TargetUserName",
    cim_parent_process: Option<IgnoredAny> = "parent_process",
    destination_port: F<'a> = "DestinationPort",
    parent_process_id: F<'a> = "ParentProcessId",
    subject_user_name: F<'a> = "SubjectUserName",
    connection_info: Option<Obj<ConnectionInfo<'a>>> = "connection_info",
    d_additional_fields: Option<AdditionalFields> = "AdditionalFields",
    original_file_name: F<'a> = "OriginalFileName",
    target_domain_name: F<'a> = "TargetDomainName",
    cs_simple_name: F<'a> = "event_simpleName",
    parent_command_line: F<'a> = "ParentCommandLine",
    parent_process_guid: F<'a> = "ParentProcessGuid",
    parent_process_name: F<'a> = "ParentProcessName",
    subject_domain_name: F<'a> = "SubjectDomainName",
    d_process_command_line: F<'a> = "ProcessCommandLine",
    destination_hostname: F<'a> = "DestinationHostname",
    d_ip_id: F<'a> = "InitiatingProcessId",
    d_process_creation_time: F<'a> = "ProcessCreationTime",
    time_created_attributes: Option<Obj<AttributeFields<'a>>> = "TimeCreated_attributes",
    d_ip_file_name: F<'a> = "InitiatingProcessFileName",
    d_ip_folder_path: F<'a> = "InitiatingProcessFolderPath",
    d_ip_command_line: F<'a> = "InitiatingProcessCommandLine",
    d_ip_creation_time: F<'a> = "InitiatingProcessCreationTime",
    d_process_original_file_name: F<'a> = "ProcessVersionInfoOriginalFileName",
}

/// `evtx_dump`: `{"Event":{"System":{..},"EventData":{..}}}`.
#[derive(Deserialize)]
pub(crate) struct Nested<'a> {
    #[serde(rename = "System", borrow)]
    pub system: Option<Obj<Raw<'a>>>,
    #[serde(rename = "EventData", borrow)]
    pub event_data: Option<Obj<Raw<'a>>>,
}

/// Winlogbeat: `{"winlog":{"event_id":..,"event_data":{..}}}`.
#[derive(Deserialize)]
pub(crate) struct Winlog<'a> {
    #[serde(borrow)]
    pub event_id: F<'a>,
    #[serde(borrow)]
    pub channel: F<'a>,
    #[serde(borrow)]
    pub computer_name: F<'a>,
    #[serde(borrow)]
    pub provider_name: F<'a>,
    #[serde(borrow)]
    pub record_id: F<'a>,
    #[serde(borrow)]
    pub event_data: Option<Obj<Raw<'a>>>,
}

#[derive(Deserialize)]
pub(crate) struct EcsEvent<'a> {
    #[serde(default)]
    pub category: Strs,
    #[serde(rename = "type", default)]
    pub kind: Strs,
    #[serde(borrow)]
    pub action: F<'a>,
    #[serde(borrow)]
    pub module: F<'a>,
    #[serde(borrow)]
    pub code: F<'a>,
    #[serde(borrow)]
    pub dataset: F<'a>,
}

/// ECS `process` and OCSF `process`/`actor.process` in one: the two
/// schemas use different names, so their fields do not collide.
#[derive(Deserialize, Default)]
pub(crate) struct ProcObj<'a> {
    // ECS
    #[serde(borrow)]
    pub entity_id: F<'a>,
    #[serde(borrow)]
    pub pid: F<'a>,
    #[serde(borrow)]
    pub executable: F<'a>,
    #[serde(borrow)]
    pub name: F<'a>,
    #[serde(borrow)]
    pub command_line: F<'a>,
    #[serde(borrow)]
    pub pe: Option<Obj<PeObj<'a>>>,
    #[serde(borrow)]
    pub parent: Option<Obj<Box<ProcObj<'a>>>>,
    // OCSF
    #[serde(borrow)]
    pub uid: F<'a>,
    #[serde(borrow)]
    pub cmd_line: F<'a>,
    #[serde(borrow)]
    pub created_time: F<'a>,
    #[serde(borrow)]
    pub file: Option<Obj<FileObj<'a>>>,
    #[serde(borrow)]
    pub parent_process: Option<Obj<Box<ProcObj<'a>>>>,
    #[serde(borrow)]
    pub user: Option<Obj<UserObj<'a>>>,
}

#[derive(Deserialize)]
pub(crate) struct PeObj<'a> {
    #[serde(borrow)]
    pub original_file_name: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct HostObj<'a> {
    #[serde(borrow)]
    pub name: F<'a>,
    #[serde(borrow)]
    pub hostname: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct Endpoint<'a> {
    #[serde(borrow)]
    pub ip: F<'a>,
    #[serde(borrow)]
    pub port: F<'a>,
    #[serde(borrow)]
    pub domain: F<'a>,
    #[serde(borrow)]
    pub hostname: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct NetworkObj<'a> {
    #[serde(borrow)]
    pub direction: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct DnsObj<'a> {
    #[serde(borrow)]
    pub question: Option<Obj<QueryObj<'a>>>,
}

/// ECS `dns.question` (`name`) and OCSF `query` (`hostname`).
#[derive(Deserialize)]
pub(crate) struct QueryObj<'a> {
    #[serde(borrow)]
    pub name: F<'a>,
    #[serde(borrow)]
    pub hostname: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct FileObj<'a> {
    #[serde(borrow)]
    pub path: F<'a>,
    #[serde(borrow)]
    pub name: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct UserObj<'a> {
    #[serde(borrow)]
    pub name: F<'a>,
    #[serde(borrow)]
    pub domain: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct DataStream<'a> {
    #[serde(borrow)]
    pub dataset: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct AgentObj<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct Metadata<'a> {
    #[serde(borrow)]
    pub version: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct OcsfActor<'a> {
    #[serde(borrow)]
    pub process: Option<Obj<Box<ProcObj<'a>>>>,
}

#[derive(Deserialize)]
pub(crate) struct ConnectionInfo<'a> {
    #[serde(borrow)]
    pub direction_id: F<'a>,
}

#[derive(Deserialize)]
pub(crate) struct ModuleObj<'a> {
    #[serde(borrow)]
    pub file: Option<Obj<FileObj<'a>>>,
}

#[derive(Deserialize)]
pub(crate) struct AttributeFields<'a> {
    #[serde(rename = "Name", borrow)]
    pub name: F<'a>,
    #[serde(rename = "SystemTime", borrow)]
    pub system_time: F<'a>,
}

/// The streaming API's `records`: an array of records, each with a
/// `category` and the row in `properties`. Anything else reads as empty.
#[derive(Default)]
pub(crate) struct Records<'a>(pub Vec<StreamRecord<'a>>);

#[derive(Deserialize)]
pub(crate) struct StreamRecord<'a> {
    #[serde(borrow)]
    pub category: F<'a>,
    #[serde(borrow)]
    pub properties: Option<Obj<Box<Raw<'a>>>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Records<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Records<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(Obj(item)) = seq.next_element::<Obj<StreamRecord<'de>>>()? {
                    if let Some(r) = item {
                        out.push(r);
                    }
                }
                Ok(Records(out))
            }
            crate::scalar::scalars_as_default!(with_str);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Records<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Records(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A string or an array of strings (ECS `event.category`, `event.type`).
#[derive(Default)]
pub(crate) struct Strs(pub Vec<Box<str>>);

impl Strs {
    pub(crate) fn has(&self, s: &str) -> bool {
        self.0.iter().any(|x| x.eq_ignore_ascii_case(s))
    }
}

impl<'de> Deserialize<'de> for Strs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Strs, E> {
                Ok(Strs(vec![v.into()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strs, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<Scalar<'de>>()? {
                    if let Some(t) = s.text() {
                        out.push(t.into());
                    }
                }
                Ok(Strs(out))
            }
            crate::scalar::scalars_as_default!();
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strs, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Strs::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// An XML element as JSON converters write it: a plain string in flat
/// exports (`"Provider":"Microsoft-Windows-Sysmon"`), or
/// `{"#attributes":{"Name":..,"SystemTime":..},"#text":..}` from `evtx_dump`.
/// Any other type reads as empty rather than failing the event.
#[derive(Default)]
pub(crate) struct Element {
    pub text: Option<String>,
    pub name: Option<String>,
    pub system_time: Option<String>,
}

impl Element {
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().or(self.text.as_deref())
    }
    pub(crate) fn time(&self) -> Option<&str> {
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
            crate::scalar::scalars_as_default!();
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Element::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
                let mut out = Element::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "#attributes" => {
                            if let Obj(Some(a)) = map.next_value::<Obj<AttributeFields<'de>>>()? {
                                out.name = a.name.as_ref().and_then(Scalar::text).map(str::to_string);
                                out.system_time = a.system_time.as_ref().and_then(Scalar::text).map(str::to_string);
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

/// Defender's `AdditionalFields`: a JSON object encoded as a string in
/// advanced hunting and the streaming API, a real object in Sentinel. Only
/// the DNS query name is read.
#[derive(Default)]
pub(crate) struct AdditionalFields {
    pub dns_query: Option<String>,
}

#[derive(Deserialize)]
struct AdditionalFieldsObj<'a> {
    #[serde(rename = "DnsQueryString", borrow)]
    dns_query_string: F<'a>,
    #[serde(rename = "QueryName", borrow)]
    query_name: F<'a>,
}

impl AdditionalFieldsObj<'_> {
    fn into_fields(self) -> AdditionalFields {
        let q = self
            .dns_query_string
            .as_ref()
            .and_then(Scalar::text)
            .or_else(|| self.query_name.as_ref().and_then(Scalar::text));
        AdditionalFields { dns_query: q.map(str::to_string) }
    }
}

impl<'de> Deserialize<'de> for AdditionalFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AdditionalFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or a JSON-encoded object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AdditionalFields, E> {
                Ok(serde_json::from_str::<Obj<AdditionalFieldsObj>>(v)
                    .ok()
                    .and_then(|o| o.0)
                    .map(AdditionalFieldsObj::into_fields)
                    .unwrap_or_default())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AdditionalFields, A::Error> {
                let o = AdditionalFieldsObj::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(o.into_fields())
            }
            crate::scalar::scalars_as_default!();
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AdditionalFields, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(AdditionalFields::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_finds_its_field_and_no_other() {
        let mut names: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len(), "a JSON key is listed twice");
        for (name, fid) in FIELDS {
            assert_eq!(field_of(name), Some(*fid), "{name}");
            // Near misses: a prefix, an extension, another case.
            assert_eq!(field_of(&name[..name.len() - 1]).filter(|f| f == fid), None, "{name}");
            assert_eq!(field_of(&format!("{name}_")), None, "{name}");
            if name.to_lowercase() != *name && name.to_uppercase() != *name {
                assert_eq!(field_of(&name.to_uppercase()), None, "{name}");
            }
        }
        assert_eq!(field_of(""), None);
        let longest_probe = (0..SLOTS).map(|s| (s..s + SLOTS).take_while(|&t| TABLE[t % SLOTS] != EMPTY).count()).max();
        assert!(longest_probe.is_some_and(|n| n <= 8), "longest probe {longest_probe:?}");
        let raw: Raw = serde_json::from_str(r#"{"EventID":1,"zzz":[1,{"a":2}],"Channel":"x","EventID_":3}"#).unwrap();
        assert_eq!(raw.event_id.and_then(|s| s.uint().ok().flatten()), Some(1));
        assert_eq!(raw.channel.as_ref().and_then(Scalar::text), Some("x"));
    }
}
