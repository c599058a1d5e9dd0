//! The three JSON shapes of a Windows event-log record, shared by Sysmon and Security auditing:
//! flat (nxlog/OTRF variant A: System + EventData merged, all strings), `evtx_dump -o jsonl`
//! (typed EventData, 7-digit SystemTime) and raw Winlogbeat 8 (`winlog.*`, all strings).
//! A `Record` holds the channel-independent facts; this module only decides spelling and nesting.

use super::enrich;
use super::RenderOptions;
use crate::timefmt;
use serde_json::{json, Map, Value};

/// One EventData value with its manifest type, so each shape can spell it its own way.
pub enum V {
    /// UnicodeString, SID, GUID: a string everywhere.
    S(String),
    /// UInt16/32/64: decimal string in flat/Winlogbeat, number in evtx.
    N(u64),
    /// Boolean: `"true"` / `true`.
    B(bool),
    /// HexInt64 / Pointer: `"0x898"` everywhere (evtx keeps hex as text); upper-case in messages.
    H(u64),
}

impl V {
    fn string(&self) -> String {
        match self {
            V::S(s) => s.clone(),
            V::N(n) => n.to_string(),
            V::B(b) => b.to_string(),
            V::H(h) => format!("0x{h:x}"),
        }
    }

    fn typed(&self) -> Value {
        match self {
            V::S(s) => Value::String(s.clone()),
            V::N(n) => Value::from(*n),
            V::B(b) => Value::Bool(*b),
            V::H(h) => Value::String(format!("0x{h:x}")),
        }
    }
}

/// The event-log provider a record comes from.
pub struct Provider {
    pub name: &'static str,
    pub guid: &'static str,
    pub channel: &'static str,
    pub keywords: &'static str,
    pub level: u8,
    /// Winlogbeat `winlog.keywords` text (Security: "Audit Success").
    pub keyword_names: &'static [&'static str],
    /// Security events carry no System UserID; Sysmon's is the service's S-1-5-18.
    pub system_user: Option<&'static str>,
    /// Base for the writing service's pid (Sysmon service / lsass).
    pub writer_pid_base: u64,
}

pub const SYSMON: Provider = Provider {
    name: "Microsoft-Windows-Sysmon",
    guid: "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
    channel: "Microsoft-Windows-Sysmon/Operational",
    keywords: "0x8000000000000000",
    level: 4,
    keyword_names: &[],
    system_user: Some("S-1-5-18"),
    writer_pid_base: 2800,
};

pub const SECURITY: Provider = Provider {
    name: "Microsoft-Windows-Security-Auditing",
    guid: "{54849625-5478-4994-a5ba-3e3b0328c30d}",
    channel: "Security",
    keywords: "0x8020000000000000",
    level: 0,
    keyword_names: &["Audit Success"],
    system_user: None,
    writer_pid_base: 640,
};

/// A Windows event record before it is given a shape.
pub struct Record<'a> {
    pub provider: &'static Provider,
    pub host: &'a str,
    pub event_id: u32,
    pub version: u8,
    pub task: u32,
    /// Task display name (Winlogbeat `event.action` / `winlog.task`).
    pub task_name: &'static str,
    /// When the record was written (System TimeCreated), epoch ms UTC.
    pub written_ms: i64,
    /// 100 ns ticks inside the millisecond, for the 7-digit SystemTime.
    pub written_sub: u32,
    pub record_id: u64,
    /// Rendered `Message` text.
    pub message: String,
    pub data: Vec<(&'static str, V)>,
}

impl Record<'_> {
    fn writer_pid(&self) -> u64 {
        self.provider.writer_pid_base + 4 * enrich::small(self.host, 200)
    }

    fn writer_tid(&self) -> u64 {
        self.writer_pid() + 4 + 4 * (self.record_id % 7)
    }
}

/// Flat nxlog/OTRF variant A: `{"EventID":1,"Channel":…,"Hostname":…,"TimeCreated":…,<EventData>…}`.
pub fn flat(r: &Record, opts: &RenderOptions) -> Value {
    let shown_ms = r.written_ms + opts.local_offset_minutes.unwrap_or(0) as i64 * 60_000;
    let stamp = timefmt::iso_ms(shown_ms);
    let mut m = Map::new();
    m.insert("EventID".into(), Value::from(r.event_id));
    m.insert("Channel".into(), Value::from(r.provider.channel));
    m.insert("SourceName".into(), Value::from(r.provider.name));
    m.insert("ProviderGuid".into(), Value::from(r.provider.guid));
    m.insert("Hostname".into(), Value::from(r.host));
    m.insert("TimeCreated".into(), Value::from(stamp.clone()));
    m.insert("@timestamp".into(), Value::from(stamp));
    m.insert("Level".into(), Value::from(r.provider.level.to_string()));
    m.insert("Task".into(), Value::from(r.task.to_string()));
    m.insert("Keywords".into(), Value::from(r.provider.keywords));
    for (k, v) in &r.data {
        m.insert((*k).into(), Value::String(v.string()));
    }
    m.insert("Message".into(), Value::from(r.message.as_str()));
    Value::Object(m)
}

/// `evtx_dump -o jsonl` (evtx 0.15.x): typed EventData, lower-case braced GUIDs, 7-digit SystemTime.
pub fn evtx(r: &Record) -> Value {
    let mut data = Map::new();
    for (k, v) in &r.data {
        data.insert((*k).into(), v.typed());
    }
    let security = match r.provider.system_user {
        Some(sid) => json!({"#attributes": {"UserID": sid}}),
        None => Value::Null,
    };
    json!({"Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": r.provider.name, "Guid": r.provider.guid}},
            "EventID": r.event_id,
            "Version": r.version,
            "Level": r.provider.level,
            "Task": r.task,
            "Opcode": 0,
            "Keywords": r.provider.keywords,
            "TimeCreated": {"#attributes": {"SystemTime": timefmt::iso_7(r.written_ms, r.written_sub)}},
            "EventRecordID": r.record_id,
            "Correlation": null,
            "Execution": {"#attributes": {"ProcessID": r.writer_pid(), "ThreadID": r.writer_tid()}},
            "Channel": r.provider.channel,
            "Computer": r.host,
            "Security": security,
        },
        "EventData": Value::Object(data),
    }})
}

/// Raw Winlogbeat 8 / Elastic Agent: `winlog.event_data` all strings, `winlog.event_id` a string,
/// `@timestamp` = record TimeCreated (UTC).
pub fn winlogbeat(r: &Record) -> Value {
    let mut data = Map::new();
    for (k, v) in &r.data {
        data.insert((*k).into(), Value::String(v.string()));
    }
    let code = r.event_id.to_string();
    let short = enrich::short_host(r.host).to_ascii_lowercase();
    let agent_seed = enrich::host_hash(r.host);
    let mut winlog = json!({
        "api": "wineventlog",
        "channel": r.provider.channel,
        "computer_name": r.host,
        "event_id": code,
        "provider_name": r.provider.name,
        "provider_guid": r.provider.guid,
        "record_id": r.record_id,
        "task": r.task_name,
        "opcode": "Info",
        "version": r.version,
        "process": {"pid": r.writer_pid(), "thread": {"id": r.writer_tid()}},
        "event_data": Value::Object(data),
    });
    if let Some(sid) = r.provider.system_user {
        winlog["user"] = json!({"identifier": sid, "domain": "NT AUTHORITY", "name": "SYSTEM", "type": "User"});
    }
    if !r.provider.keyword_names.is_empty() {
        winlog["keywords"] = json!(r.provider.keyword_names);
    }
    let mut event = json!({
        "code": code,
        "kind": "event",
        "provider": r.provider.name,
        "action": r.task_name,
        "created": timefmt::iso_ms(r.written_ms + 350 + (r.record_id % 900) as i64),
    });
    if r.provider.system_user.is_none() {
        event["outcome"] = json!("success");
    }
    json!({
        "@timestamp": timefmt::iso_ms(r.written_ms),
        "agent": {
            "type": "winlogbeat",
            "version": "8.12.2",
            "name": short,
            "hostname": short,
            "id": enrich::uuid(agent_seed),
            "ephemeral_id": enrich::uuid(agent_seed ^ 0x55),
        },
        "ecs": {"version": "8.0.0"},
        "event": event,
        "host": {"name": r.host},
        "log": {"level": "information"},
        "message": r.message,
        "winlog": winlog,
    })
}

/// Vector's `windows_event_log` source: System fields at the top level in snake case, `event_data`
/// with every value a string, `timestamp` = TimeCreated (UTC), `record_id` a number.
pub fn vector(r: &Record) -> Value {
    let mut data = Map::new();
    for (k, v) in &r.data {
        data.insert((*k).into(), Value::String(v.string()));
    }
    json!({
        "timestamp": timefmt::iso_7(r.written_ms, r.written_sub),
        "event_id": r.event_id,
        "channel": r.provider.channel,
        "provider_name": r.provider.name,
        "provider_guid": r.provider.guid,
        "computer": r.host,
        "record_id": r.record_id,
        "level": if r.provider.level == 0 { "Information".to_string() } else { format!("Level{}", r.provider.level) },
        "level_value": r.provider.level,
        "task": r.task,
        "opcode": 0,
        "keywords": r.provider.keyword_names,
        "process_id": r.writer_pid(),
        "thread_id": r.writer_tid(),
        "event_data": Value::Object(data),
        "message": r.message,
    })
}
