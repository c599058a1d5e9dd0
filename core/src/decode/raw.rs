//! `Raw`: every field any supported schema uses, as one borrowing, typed
//! struct. serde skips all other fields without materialising them (most
//! of a real event). The same struct is reused where schemas nest the same
//! names: Windows EventData at the top level (flat exports), under
//! `Event.EventData` (evtx_dump) and `winlog.event_data` (Winlogbeat), and
//! Defender rows at the top level or under a streaming record's
//! `properties`. Objects go through [`Obj`], so a key that is an object in
//! one schema and a string in another (`host`) never fails an event.

use crate::scalar::{Obj, Scalar};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

type F<'a> = Option<Scalar<'a>>;

#[derive(Deserialize, Default)]
pub(crate) struct Raw<'a> {
    // --- Windows event, System level (flat exports: top level) ---
    #[serde(rename = "EventID", borrow)]
    pub event_id: F<'a>,
    #[serde(rename = "Channel", borrow)]
    pub channel: F<'a>,
    #[serde(rename = "SourceName", borrow)]
    pub source_name: F<'a>,
    #[serde(rename = "Provider")]
    pub provider: Option<Element>,
    #[serde(rename = "Hostname", borrow)]
    pub hostname: F<'a>,
    #[serde(rename = "Computer", borrow)]
    pub computer: F<'a>,
    #[serde(rename = "TimeCreated")]
    pub time_created: Option<Element>,
    #[serde(rename = "TimeCreated_attributes", borrow)]
    pub time_created_attributes: Option<Obj<AttributeFields<'a>>>,
    #[serde(rename = "@timestamp", borrow)]
    pub timestamp: F<'a>,
    #[serde(rename = "EventTime", borrow)]
    pub event_time: F<'a>,

    // --- Sysmon EventData ---
    #[serde(rename = "UtcTime", borrow)]
    pub utc_time: F<'a>,
    #[serde(rename = "ProcessGuid", borrow)]
    pub process_guid: F<'a>,
    #[serde(rename = "ProcessId", borrow)]
    pub process_id: F<'a>,
    #[serde(rename = "Image", borrow)]
    pub image: F<'a>,
    #[serde(rename = "OriginalFileName", borrow)]
    pub original_file_name: F<'a>,
    #[serde(rename = "CommandLine", borrow)]
    pub command_line: F<'a>,
    #[serde(rename = "User", borrow)]
    pub user: F<'a>,
    #[serde(rename = "ParentProcessGuid", borrow)]
    pub parent_process_guid: F<'a>,
    #[serde(rename = "ParentProcessId", borrow)]
    pub parent_process_id: F<'a>,
    #[serde(rename = "ParentImage", borrow)]
    pub parent_image: F<'a>,
    #[serde(rename = "ParentCommandLine", borrow)]
    pub parent_command_line: F<'a>,
    #[serde(rename = "TargetFilename", borrow)]
    pub target_filename: F<'a>,
    #[serde(rename = "ImageLoaded", borrow)]
    pub image_loaded: F<'a>,
    #[serde(rename = "QueryName", borrow)]
    pub query_name: F<'a>,
    #[serde(rename = "Initiated", borrow)]
    pub initiated: F<'a>,
    #[serde(rename = "SourceIp", borrow)]
    pub source_ip: F<'a>,
    #[serde(rename = "SourcePort", borrow)]
    pub source_port: F<'a>,
    #[serde(rename = "DestinationIp", borrow)]
    pub destination_ip: F<'a>,
    #[serde(rename = "DestinationPort", borrow)]
    pub destination_port: F<'a>,
    #[serde(rename = "DestinationHostname", borrow)]
    pub destination_hostname: F<'a>,

    // --- Security auditing EventData (4688, 4689, 5156) ---
    #[serde(rename = "NewProcessId", borrow)]
    pub new_process_id: F<'a>,
    #[serde(rename = "NewProcessName", borrow)]
    pub new_process_name: F<'a>,
    #[serde(rename = "ParentProcessName", borrow)]
    pub parent_process_name: F<'a>,
    #[serde(rename = "ProcessName", borrow)]
    pub process_name: F<'a>,
    #[serde(rename = "SubjectUserName", borrow)]
    pub subject_user_name: F<'a>,
    #[serde(rename = "SubjectDomainName", borrow)]
    pub subject_domain_name: F<'a>,
    #[serde(rename = "TargetUserName", borrow)]
    pub target_user_name: F<'a>,
    #[serde(rename = "TargetDomainName", borrow)]
    pub target_domain_name: F<'a>,
    #[serde(rename = "ProcessID", borrow)]
    pub process_id_upper: F<'a>,
    #[serde(rename = "Application", borrow)]
    pub application: F<'a>,
    #[serde(rename = "Direction", borrow)]
    pub direction: F<'a>,
    #[serde(rename = "SourceAddress", borrow)]
    pub source_address: F<'a>,
    #[serde(rename = "DestAddress", borrow)]
    pub dest_address: F<'a>,
    #[serde(rename = "DestPort", borrow)]
    pub dest_port: F<'a>,

    // --- Containers of the other Windows shapes ---
    #[serde(rename = "Event", borrow)]
    pub event_xml: Option<Obj<Box<Nested<'a>>>>,
    #[serde(borrow)]
    pub winlog: Option<Obj<Box<Winlog<'a>>>>,

    // --- ECS ---
    #[serde(borrow)]
    pub event: Option<Obj<EcsEvent<'a>>>,
    #[serde(borrow)]
    pub process: Option<Obj<Box<ProcObj<'a>>>>,
    #[serde(borrow)]
    pub host: Option<Obj<HostObj<'a>>>,
    #[serde(borrow)]
    pub destination: Option<Obj<Endpoint<'a>>>,
    #[serde(borrow)]
    pub source: Option<Obj<Endpoint<'a>>>,
    #[serde(borrow)]
    pub network: Option<Obj<NetworkObj<'a>>>,
    #[serde(borrow)]
    pub dns: Option<Obj<DnsObj<'a>>>,
    #[serde(borrow)]
    pub file: Option<Obj<FileObj<'a>>>,
    #[serde(borrow)]
    pub dll: Option<Obj<FileObj<'a>>>,
    #[serde(rename = "user", borrow)]
    pub ecs_user: Option<Obj<UserObj<'a>>>,
    #[serde(borrow)]
    pub data_stream: Option<Obj<DataStream<'a>>>,
    #[serde(borrow)]
    pub agent: Option<Obj<AgentObj<'a>>>,

    // --- OCSF ---
    #[serde(borrow)]
    pub class_uid: F<'a>,
    #[serde(borrow)]
    pub activity_id: F<'a>,
    #[serde(borrow)]
    pub time: F<'a>,
    #[serde(borrow)]
    pub metadata: Option<Obj<Metadata<'a>>>,
    #[serde(borrow)]
    pub device: Option<Obj<HostObj<'a>>>,
    #[serde(borrow)]
    pub actor: Option<Obj<OcsfActor<'a>>>,
    #[serde(borrow)]
    pub src_endpoint: Option<Obj<Endpoint<'a>>>,
    #[serde(borrow)]
    pub dst_endpoint: Option<Obj<Endpoint<'a>>>,
    #[serde(borrow)]
    pub connection_info: Option<Obj<ConnectionInfo<'a>>>,
    #[serde(borrow)]
    pub query: Option<Obj<QueryObj<'a>>>,
    #[serde(borrow)]
    pub module: Option<Obj<ModuleObj<'a>>>,

    // --- Microsoft Defender XDR advanced hunting ---
    #[serde(rename = "Timestamp", borrow)]
    pub d_timestamp: F<'a>,
    #[serde(rename = "DeviceId", borrow)]
    pub d_device_id: F<'a>,
    #[serde(rename = "DeviceName", borrow)]
    pub d_device_name: F<'a>,
    #[serde(rename = "ActionType", borrow)]
    pub d_action_type: F<'a>,
    #[serde(rename = "ProcessCreationTime", borrow)]
    pub d_process_creation_time: F<'a>,
    #[serde(rename = "FileName", borrow)]
    pub d_file_name: F<'a>,
    #[serde(rename = "FolderPath", borrow)]
    pub d_folder_path: F<'a>,
    #[serde(rename = "ProcessCommandLine", borrow)]
    pub d_process_command_line: F<'a>,
    #[serde(rename = "ProcessVersionInfoOriginalFileName", borrow)]
    pub d_process_original_file_name: F<'a>,
    #[serde(rename = "AccountDomain", borrow)]
    pub d_account_domain: F<'a>,
    #[serde(rename = "AccountName", borrow)]
    pub d_account_name: F<'a>,
    #[serde(rename = "InitiatingProcessId", borrow)]
    pub d_ip_id: F<'a>,
    #[serde(rename = "InitiatingProcessCreationTime", borrow)]
    pub d_ip_creation_time: F<'a>,
    #[serde(rename = "InitiatingProcessFileName", borrow)]
    pub d_ip_file_name: F<'a>,
    #[serde(rename = "InitiatingProcessFolderPath", borrow)]
    pub d_ip_folder_path: F<'a>,
    #[serde(rename = "InitiatingProcessCommandLine", borrow)]
    pub d_ip_command_line: F<'a>,
    #[serde(rename = "RemoteIP", borrow)]
    pub d_remote_ip: F<'a>,
    #[serde(rename = "RemotePort", borrow)]
    pub d_remote_port: F<'a>,
    #[serde(rename = "RemoteUrl", borrow)]
    pub d_remote_url: F<'a>,
    #[serde(rename = "LocalIP", borrow)]
    pub d_local_ip: F<'a>,
    #[serde(rename = "LocalPort", borrow)]
    pub d_local_port: F<'a>,
    #[serde(rename = "AdditionalFields")]
    pub d_additional_fields: Option<AdditionalFields>,
    /// Streaming API: `{"records":[{"category":..,"properties":{..}}]}`.
    #[serde(borrow)]
    pub records: Option<Records<'a>>,
    #[serde(borrow)]
    pub category: F<'a>,
    #[serde(borrow)]
    pub properties: Option<Obj<Box<Raw<'a>>>>,
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
