//! Rendering one model `Event` as one JSON record of a given schema, following
//! `docs/schemas.md` (field names, types, value spellings). This file owns the schema
//! list and the dispatch; each family lives in its own submodule:
//! `shape` (the three Windows-event shapes shared by Sysmon and Security), `sysmon`, `security`,
//! `ecs` (Elastic Defend and the Elastic Sysmon integration), `ocsf`, `defender`; `enrich` derives
//! the realistic detail (version info, hashes, SIDs…) every schema pads its records with.

mod defender;
mod ecs;
pub mod enrich;
mod ocsf;
mod security;
mod shape;
mod sysmon;
#[cfg(test)]
mod tests;

use crate::model::{Event, Kind};
use serde_json::Value;

/// Every output schema this crate can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schema {
    /// Sysmon, flat nxlog/OTRF export (variant A): System + EventData merged, every value a string.
    SysmonFlat,
    /// Sysmon, `evtx_dump -o jsonl` (evtx 0.15): typed EventData under `Event`.
    SysmonEvtx,
    /// Sysmon, raw Winlogbeat 8 / Elastic Agent `winlog.*` (before any ingest pipeline).
    SysmonWinlogbeat,
    /// Security auditing 4688 v2 / 4689 / 5156, flat export.
    SecurityFlat,
    /// Security auditing, `evtx_dump -o jsonl`.
    SecurityEvtx,
    /// Security auditing, raw Winlogbeat 8.
    SecurityWinlogbeat,
    /// Elastic Defend (endpoint package) documents.
    EcsDefend,
    /// Elastic Sysmon integration (`windows.sysmon_operational`) documents.
    EcsSysmon,
    /// OCSF 1.8.0 events (classes 1007, 4001, 4003, 1001, 1005).
    Ocsf,
    /// Microsoft Defender XDR advanced-hunting row (AH export / Graph).
    DefenderRow,
    /// Microsoft Defender XDR streaming API message: `{"records":[{…,"properties":{row}}]}`.
    DefenderStream,
}

impl Schema {
    pub const ALL: [Schema; 11] = [
        Schema::SysmonFlat,
        Schema::SysmonEvtx,
        Schema::SysmonWinlogbeat,
        Schema::SecurityFlat,
        Schema::SecurityEvtx,
        Schema::SecurityWinlogbeat,
        Schema::EcsDefend,
        Schema::EcsSysmon,
        Schema::Ocsf,
        Schema::DefenderRow,
        Schema::DefenderStream,
    ];

    /// snake_case name, used on the command line and in test messages.
    pub fn name(self) -> &'static str {
        match self {
            Schema::SysmonFlat => "sysmon_flat",
            Schema::SysmonEvtx => "sysmon_evtx",
            Schema::SysmonWinlogbeat => "sysmon_winlogbeat",
            Schema::SecurityFlat => "security_flat",
            Schema::SecurityEvtx => "security_evtx",
            Schema::SecurityWinlogbeat => "security_winlogbeat",
            Schema::EcsDefend => "ecs_defend",
            Schema::EcsSysmon => "ecs_sysmon",
            Schema::Ocsf => "ocsf",
            Schema::DefenderRow => "defender_row",
            Schema::DefenderStream => "defender_stream",
        }
    }

    pub fn from_name(name: &str) -> Option<Schema> {
        Schema::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether this schema has a record for this kind of event. Security auditing has no DNS, file
    /// or image-load event (4663 needs SACLs; out of scope); Defender has no process-end event.
    pub fn supports(self, kind: &Kind) -> bool {
        match self {
            Schema::SecurityFlat | Schema::SecurityEvtx | Schema::SecurityWinlogbeat => {
                matches!(kind, Kind::ProcessStart(_) | Kind::ProcessEnd(_) | Kind::Network { .. })
            }
            Schema::DefenderRow | Schema::DefenderStream => !matches!(kind, Kind::ProcessEnd(_)),
            _ => true,
        }
    }
}

/// Knobs that reproduce exporter quirks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// When set, the flat shapes (`SysmonFlat`, `SecurityFlat`) write `TimeCreated`/`@timestamp` in
    /// local time at this offset from UTC but still with a `Z` — the real OTRF export trap (e.g. `-240`
    /// for US Eastern daylight time). Sysmon's own `UtcTime` stays true UTC.
    pub local_offset_minutes: Option<i32>,
}

/// A scenario as JSON Lines in one schema (record ids 1, 2, …), for feeding a whole story to a
/// consumer. Events the schema cannot express are left out, so the second value maps each line
/// (the consumer's input index) back to its position in `events`.
pub fn to_jsonl(events: &[Event], schema: Schema, opts: &RenderOptions) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut origin = Vec::with_capacity(events.len());
    for (i, ev) in events.iter().enumerate() {
        if let Some(v) = render_with(ev, schema, i as u64 + 1, opts) {
            text.push_str(&v.to_string());
            text.push('\n');
            origin.push(i);
        }
    }
    (text, origin)
}

/// `render_with` with default options (all times true UTC).
pub fn render(ev: &Event, schema: Schema, record_id: u64) -> Option<Value> {
    render_with(ev, schema, record_id, &RenderOptions::default())
}

/// One event as one JSON record of `schema`; `None` when the schema cannot express this kind.
/// `record_id` becomes the record number where a schema has one (`EventRecordID`, `record_id`,
/// `ReportId`, OCSF `metadata.uid`) and seeds per-record jitter such as write delays.
pub fn render_with(ev: &Event, schema: Schema, record_id: u64, opts: &RenderOptions) -> Option<Value> {
    if !schema.supports(&ev.kind) {
        return None;
    }
    match schema {
        Schema::SysmonFlat => Some(shape::flat(&sysmon::record(ev, record_id), opts)),
        Schema::SysmonEvtx => Some(shape::evtx(&sysmon::record(ev, record_id))),
        Schema::SysmonWinlogbeat => Some(shape::winlogbeat(&sysmon::record(ev, record_id))),
        Schema::SecurityFlat => security::record(ev, record_id).map(|r| shape::flat(&r, opts)),
        Schema::SecurityEvtx => security::record(ev, record_id).map(|r| shape::evtx(&r)),
        Schema::SecurityWinlogbeat => security::record(ev, record_id).map(|r| shape::winlogbeat(&r)),
        Schema::EcsDefend => Some(ecs::defend(ev, record_id)),
        Schema::EcsSysmon => Some(ecs::sysmon(ev, record_id)),
        Schema::Ocsf => Some(ocsf::render(ev, record_id)),
        Schema::DefenderRow => defender::row(ev, record_id),
        Schema::DefenderStream => defender::stream(ev, record_id),
    }
}
