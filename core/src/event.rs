//! The normalised event model every input schema is decoded into, holding
//! only what correlation and scoring read.

use crate::names::EntityId;
use crate::time::Millis;

/// Which schema and shape an event came in, for `stats.by_schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Schema {
    SysmonFlat,
    SysmonEvtx,
    SysmonWinlogbeat,
    /// Windows events of other channels, recognised but not yet used.
    WindowsFlat,
    WindowsEvtx,
    WindowsWinlogbeat,
}

impl Schema {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Schema::SysmonFlat => "sysmon_flat",
            Schema::SysmonEvtx => "sysmon_evtx",
            Schema::SysmonWinlogbeat => "sysmon_winlogbeat",
            Schema::WindowsFlat => "windows_flat",
            Schema::WindowsEvtx => "windows_evtx",
            Schema::WindowsWinlogbeat => "windows_winlogbeat",
        }
    }
}

/// How a process is identified: a unique id where the source has one, and
/// the pid (unique on its host only while the process lives).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ProcessRef {
    pub pid: Option<u32>,
    pub guid: Option<EntityId>,
}

/// The process an event is about or was done by.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Actor {
    pub process: ProcessRef,
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcessStart {
    pub process: ProcessRef,
    pub image: String,
    pub original_file_name: Option<String>,
    pub command_line: Option<String>,
    pub user: Option<String>,
    pub parent: Actor,
    pub parent_command_line: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Outbound,
    Inbound,
    Unknown,
}

impl Direction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
            Direction::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Network {
    pub actor: Actor,
    pub dst_ip: Option<String>,
    pub dst_port: Option<u16>,
    pub dst_host: Option<String>,
    pub src_ip: Option<String>,
    pub src_port: Option<u16>,
    pub direction: Direction,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    ProcessStart(Box<ProcessStart>),
    ProcessEnd(Actor),
    Network(Box<Network>),
    Dns { actor: Actor, query: String },
    FileCreate { actor: Actor, path: String },
    ImageLoad { actor: Actor, path: String },
}

impl Kind {
    /// Process starts sort first among events with equal timestamps, ends
    /// last, so a child started in the same millisecond as its parent's
    /// activity still finds its parent.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Kind::ProcessStart(_) => 0,
            Kind::ImageLoad { .. } => 1,
            Kind::FileCreate { .. } => 2,
            Kind::Dns { .. } => 3,
            Kind::Network(_) => 4,
            Kind::ProcessEnd(_) => 5,
        }
    }
}

/// One accepted input item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Index of the item in the input, counted from 0 across all pushes.
    pub index: u64,
    pub host: String,
    pub time: Millis,
    pub schema: Schema,
    pub kind: Kind,
}
