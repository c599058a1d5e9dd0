//! Test helpers shared by the integration tests: locating test data,
//! rendering one flat Sysmon event into the other shapes real pipelines
//! emit, and loading the data-driven scenarios of `tests/scenarios/`.
#![allow(dead_code)]

use mshta_chain_core::{Config, Report};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// The repository root (core/ is one level down).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The real recorded telemetry committed in the repository,
/// `tests/data/realdata/` (sources and licences: `tests/data/README.md`).
pub fn realdata() -> PathBuf {
    repo_root().join("tests").join("data").join("realdata")
}

/// The bytes of one real-data file (`rel` below `tests/data/realdata/`).
/// A missing file fails the test: nothing here is optional.
pub fn realdata_bytes(rel: &str) -> Vec<u8> {
    let path = realdata().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("real data {}: {e}", path.display()))
}

/// One real-data JSON Lines file, one value per non-empty line.
pub fn realdata_lines(rel: &str) -> Vec<Value> {
    let bytes = realdata_bytes(rel);
    let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("real data {rel}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("real data {rel}, line {}: {e}", i + 1)))
        .collect()
}

/// Keys that live in an event's System element; everything else is EventData.
const SYSTEM_KEYS: &[&str] = &[
    "EventID",
    "EventRecordID",
    "Channel",
    "Hostname",
    "Computer",
    "TimeCreated",
    "Provider",
    "SourceName",
    "Level",
    "Task",
    "Keywords",
    "@timestamp",
    "ProviderGuid",
    "EventRecordID",
    "Message",
    "Opcode",
    "Version",
    "ExecutionProcessID",
    "ExecutionThreadID",
    "EventTime",
    "EventReceivedTime",
    "SourceModuleType",
    "host",
];

/// Sysmon EventData fields the manifest types as integers or booleans:
/// `evtx_dump` writes them as JSON numbers and booleans.
const TYPED_INT: &[&str] = &["ProcessId", "ParentProcessId", "SourcePort", "DestinationPort", "TerminalSessionId"];
const TYPED_BOOL: &[&str] = &["Initiated", "SourceIsIpv6", "DestinationIsIpv6"];

fn split(flat: &Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    let (mut sys, mut data) = (Map::new(), Map::new());
    for (k, v) in flat {
        if SYSTEM_KEYS.contains(&k.as_str()) {
            sys.insert(k.clone(), v.clone());
        } else {
            data.insert(k.clone(), v.clone());
        }
    }
    (sys, data)
}

fn host_of(sys: &Map<String, Value>) -> Value {
    sys.get("Hostname").or_else(|| sys.get("Computer")).cloned().unwrap_or(Value::Null)
}

fn event_id(sys: &Map<String, Value>) -> u64 {
    match sys.get("EventID") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// The flat event as the Rust `evtx` crate's `evtx_dump -o jsonl` prints it.
pub fn to_evtx(flat: &Value) -> Value {
    let Some(obj) = flat.as_object() else { return flat.clone() };
    let (sys, data) = split(obj);
    let typed: Map<String, Value> = data
        .into_iter()
        .map(|(k, v)| {
            let v = match (&v, TYPED_INT.contains(&k.as_str()), TYPED_BOOL.contains(&k.as_str())) {
                (Value::String(s), true, _) => s.parse::<u64>().map(Value::from).unwrap_or(v),
                (Value::String(s), _, true) => match s.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => v,
                },
                _ => v,
            };
            (k, v)
        })
        .collect();
    let time = sys.get("TimeCreated").cloned().unwrap_or(Value::Null);
    json!({"Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"}},
            "EventID": event_id(&sys),
            "TimeCreated": {"#attributes": {"SystemTime": time}},
            "Channel": sys.get("Channel").cloned().unwrap_or(Value::Null),
            "Computer": host_of(&sys),
            "EventRecordID": sys.get("EventRecordID").cloned().unwrap_or(Value::Null),
            "Security": {"#attributes": {"UserID": "S-1-5-18"}}
        },
        "EventData": typed
    }})
}

/// The flat event as Winlogbeat ships it (raw, without ECS processing).
pub fn to_winlogbeat(flat: &Value) -> Value {
    let Some(obj) = flat.as_object() else { return flat.clone() };
    let (sys, data) = split(obj);
    json!({
        "@timestamp": sys.get("TimeCreated").cloned().unwrap_or(Value::Null),
        "agent": {"type": "winlogbeat", "version": "7.17.0"},
        "host": {"name": "collector.example"},
        "winlog": {
            "channel": sys.get("Channel").cloned().unwrap_or(Value::Null),
            "event_id": event_id(&sys).to_string(),
            "computer_name": host_of(&sys),
            "provider_name": "Microsoft-Windows-Sysmon",
            // The record number the flat export carried, as Winlogbeat
            // ships it (a string), or none.
            "record_id": sys.get("EventRecordID").map(|v| Value::String(v.to_string())).unwrap_or(Value::Null),
            "event_data": data
        },
        "event": {"code": event_id(&sys).to_string(), "kind": "event", "provider": "Microsoft-Windows-Sysmon"}
    })
}

/// Whether a flat event is a Sysmon event (others are left as they are).
pub fn is_sysmon(flat: &Value) -> bool {
    flat.get("Channel")
        .and_then(Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("Microsoft-Windows-Sysmon/Operational"))
}

/// Renders each Sysmon event of a flat JSON Lines input in `shape`
/// (`flat`, `evtx` or `winlogbeat`), one JSON line per input line.
pub fn render_lines(lines: &[Value], shape: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for v in lines {
        let rendered = match shape {
            "evtx" if is_sysmon(v) => to_evtx(v),
            "winlogbeat" if is_sysmon(v) => to_winlogbeat(v),
            _ => v.clone(),
        };
        out.extend_from_slice(serde_json::to_string(&rendered).unwrap().as_bytes());
        out.push(b'\n');
    }
    out
}

/// The report without what legitimately differs between input shapes of
/// the same events: the per-schema counts.
pub fn without_schema_counts(mut r: Report) -> Report {
    r.stats.by_schema.clear();
    r.coverage.overall.sources.clear();
    for h in &mut r.coverage.hosts {
        h.sources.clear();
    }
    r
}

/// One data-driven scenario, `tests/scenarios/<name>.json` (format in
/// `core/tests/scenarios.rs`).
pub struct Scenario {
    /// Its file.
    pub path: PathBuf,
    /// Its `name` (the file name without `.json`).
    pub name: String,
    /// Its `config`, or the default.
    pub config: Config,
    /// Its `events`: flat Sysmon objects, or raw lines passed verbatim.
    pub events: Vec<Value>,
    /// The shapes it runs in, the first being the reference.
    pub shapes: Vec<String>,
    /// Its `expect` block (Null when absent).
    pub expect: Value,
}

impl Scenario {
    fn load(path: &Path) -> Scenario {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let sc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = sc.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
        let config = match sc.get("config") {
            Some(c) => Config::from_json(&c.to_string()).unwrap_or_else(|e| panic!("{name}: {e}")),
            None => Config::default(),
        };
        let events = sc.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
        let shapes: Vec<String> = match sc.get("shapes").and_then(Value::as_array) {
            Some(a) => a.iter().filter_map(Value::as_str).map(String::from).collect(),
            None => vec!["flat".into(), "evtx".into(), "winlogbeat".into()],
        };
        assert!(!shapes.is_empty(), "{name}: empty \"shapes\"");
        let expect = sc.get("expect").cloned().unwrap_or(Value::Null);
        Scenario { path: path.to_path_buf(), name, config, events, shapes, expect }
    }

    /// The scenario's events as input bytes in `shape`.
    pub fn render(&self, shape: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for e in &self.events {
            match e {
                Value::String(raw) => {
                    out.extend_from_slice(raw.as_bytes());
                    out.push(b'\n');
                }
                other => out.extend_from_slice(&render_lines(std::slice::from_ref(other), shape)),
            }
        }
        out
    }

    /// The scenario's events in its first (reference) shape.
    pub fn render_first(&self) -> Vec<u8> {
        self.render(&self.shapes[0])
    }
}

/// Every scenario of `tests/scenarios/*.json`, in file-name order. Fails
/// when there are none: an empty folder would make the tests vacuous.
pub fn scenarios() -> Vec<Scenario> {
    let dir = repo_root().join("tests").join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files in {}", dir.display());
    files.iter().map(|p| Scenario::load(p)).collect()
}

/// SplitMix64: a tiny seeded generator, so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}
