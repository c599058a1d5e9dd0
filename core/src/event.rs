//! The normalised event model every input schema is decoded into, holding
//! only what correlation and scoring read.

use crate::names::EntityId;
use crate::time::Millis;
use serde::{Deserialize, Serialize};

/// Which schema and shape an event came in, for `stats.by_schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Schema {
    SysmonFlat,
    SysmonEvtx,
    SysmonWinlogbeat,
    SecurityFlat,
    SecurityEvtx,
    SecurityWinlogbeat,
    EcsDefend,
    EcsSysmon,
    Ocsf,
    Defender,
    DefenderStream,
    /// Windows events of other channels, recognised but not used.
    WindowsFlat,
    WindowsEvtx,
    WindowsWinlogbeat,
    /// Sysmon, Security and other channels as Vector's `windows_event_log`
    /// source writes them.
    SysmonVector,
    SecurityVector,
    WindowsVector,
    CrowdStrike,
    SentinelOne,
    CarbonBlack,
    SplunkCim,
}

impl Schema {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Schema::SysmonFlat => "sysmon_flat",
            Schema::SysmonEvtx => "sysmon_evtx",
            Schema::SysmonWinlogbeat => "sysmon_winlogbeat",
            Schema::SecurityFlat => "security_flat",
            Schema::SecurityEvtx => "security_evtx",
            Schema::SecurityWinlogbeat => "security_winlogbeat",
            Schema::EcsDefend => "ecs_elastic_defend",
            Schema::EcsSysmon => "ecs_elastic_sysmon",
            Schema::Ocsf => "ocsf",
            Schema::Defender => "defender_xdr",
            Schema::DefenderStream => "defender_xdr_stream",
            Schema::WindowsFlat => "windows_other_flat",
            Schema::WindowsEvtx => "windows_other_evtx",
            Schema::WindowsWinlogbeat => "windows_other_winlogbeat",
            Schema::SysmonVector => "sysmon_vector",
            Schema::SecurityVector => "security_vector",
            Schema::WindowsVector => "windows_other_vector",
            Schema::CrowdStrike => "crowdstrike_falcon",
            Schema::SentinelOne => "sentinelone",
            Schema::CarbonBlack => "carbon_black_cloud",
            Schema::SplunkCim => "splunk_cim",
        }
    }

    /// The family of sensor the event came from.
    pub(crate) fn source(self) -> Source {
        match self {
            Schema::SysmonFlat
            | Schema::SysmonEvtx
            | Schema::SysmonWinlogbeat
            | Schema::EcsSysmon
            | Schema::SysmonVector => Source::Sysmon,
            Schema::SecurityFlat | Schema::SecurityEvtx | Schema::SecurityWinlogbeat | Schema::SecurityVector => {
                Source::Security
            }
            Schema::EcsDefend => Source::ElasticDefend,
            Schema::Ocsf => Source::Ocsf,
            Schema::Defender | Schema::DefenderStream => Source::Defender,
            Schema::WindowsFlat | Schema::WindowsEvtx | Schema::WindowsWinlogbeat | Schema::WindowsVector => {
                Source::Security
            }
            Schema::CrowdStrike => Source::CrowdStrike,
            Schema::SentinelOne => Source::SentinelOne,
            Schema::CarbonBlack => Source::CarbonBlack,
            // CIM rows are normalised by Splunk from whatever sensor fed
            // them; the row does not say which.
            Schema::SplunkCim => Source::SplunkCim,
        }
    }
}

/// The sensor family; two reports of one process from different families
/// are merged into one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Source {
    Sysmon,
    ElasticDefend,
    Ocsf,
    Defender,
    Security,
    // Later additions: after the first five, so that their bits (and
    // persisted `sources` masks) keep their values.
    CrowdStrike,
    SentinelOne,
    CarbonBlack,
    SplunkCim,
}

impl Source {
    /// Preference when merged reports disagree: the richer sensor wins.
    /// The three EDRs rank with OCSF and CIM rows with Security auditing
    /// (equal ranks: the first report leads); the first five keep the
    /// values persisted states hold.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Source::Sysmon => 5,
            Source::ElasticDefend => 4,
            Source::Ocsf | Source::CrowdStrike | Source::SentinelOne | Source::CarbonBlack => 3,
            Source::Defender => 2,
            Source::Security | Source::SplunkCim => 1,
        }
    }

    pub(crate) fn bit(self) -> u16 {
        1 << (self as u8)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::Sysmon => "sysmon",
            Source::ElasticDefend => "elastic_defend",
            Source::Ocsf => "ocsf",
            Source::Defender => "defender",
            Source::Security => "security",
            Source::CrowdStrike => "crowdstrike",
            Source::SentinelOne => "sentinelone",
            Source::CarbonBlack => "carbon_black",
            Source::SplunkCim => "splunk_cim",
        }
    }

    pub(crate) const ALL: [Source; 9] = [
        Source::Sysmon,
        Source::ElasticDefend,
        Source::Ocsf,
        Source::Defender,
        Source::Security,
        Source::CrowdStrike,
        Source::SentinelOne,
        Source::CarbonBlack,
        Source::SplunkCim,
    ];
}

/// Where an event's time came from. `Exporter` times (a flat export's
/// `TimeCreated`/`@timestamp`) are sometimes local time labelled UTC; the
/// engine learns a host's offset from processes both clocks report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Clock {
    Utc,
    Exporter,
}

/// How a process is identified: a unique id where the source has one, and
/// the pid (unique on its host only while the process lives).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProcessRef {
    pub pid: Option<u32>,
    pub guid: Option<EntityId>,
}

/// The process an event is about or was done by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Actor {
    pub process: ProcessRef,
    pub image: Option<Box<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProcessStart {
    pub process: ProcessRef,
    pub image: Box<str>,
    pub original_file_name: Option<Box<str>>,
    pub command_line: Option<Box<str>>,
    pub user: Option<Box<str>>,
    pub parent: Actor,
    pub parent_command_line: Option<Box<str>>,
}

/// Connection direction: the report's closed set, used as is.
pub(crate) use crate::report::Direction;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Network {
    pub dst_ip: Option<Box<str>>,
    pub dst_port: Option<u16>,
    pub dst_host: Option<Box<str>>,
    pub src_ip: Option<Box<str>>,
    pub src_port: Option<u16>,
    pub direction: Direction,
}

impl Network {
    /// The far end: the destination of an outbound connection, the source
    /// of an inbound one.
    pub(crate) fn remote_ip(&self) -> Option<&str> {
        match self.direction {
            Direction::Inbound => self.src_ip.as_deref(),
            _ => self.dst_ip.as_deref(),
        }
    }
}

/// Follow-on activity: what a process did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Activity {
    Network(Box<Network>),
    Dns { query: Box<str> },
    FileCreate { path: Box<str> },
    ImageLoad { path: Box<str> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    ProcessStart(Box<ProcessStart>),
    ProcessEnd(Actor),
    Activity { actor: Actor, what: Activity },
}

/// One accepted input item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Index of the item in the input, counted from 0 across all pushes.
    pub index: u64,
    /// The record's number in its log (`EventRecordID`), when it has one:
    /// with the input's file (`Engine::set_source`), where to find it.
    pub record: Option<u64>,
    pub host: String,
    pub time: Millis,
    pub clock: Clock,
    /// The record's other clock, when it has two that may disagree (Sysmon:
    /// `UtcTime` is `time`, the record's `TimeCreated` is this). Real Sysmon
    /// network events carry a `UtcTime` hours before their record's time;
    /// attribution falls back to this one when `time` contradicts the
    /// process's lifetime (see `Store::act_time`).
    pub alt_time: Option<(Millis, Clock)>,
    pub schema: Schema,
    pub kind: Kind,
}

impl Event {
    /// An event of a schema with one clock, UTC, and no record number (the
    /// EDR schemas, OCSF, Defender): what most decoders build.
    pub(crate) fn utc(index: u64, host: &str, time: Millis, schema: Schema, kind: Kind) -> Event {
        Event { index, record: None, host: host.to_string(), time, clock: Clock::Utc, alt_time: None, schema, kind }
    }
}
