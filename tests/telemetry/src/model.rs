//! The schema-neutral telemetry model: what happened on a Windows host, with no opinion about how
//! any product writes it down. Renderers (`render`) turn one `Event` into each schema's JSON; the
//! generator (`corpus`) and hand-written scenarios (`sample`) only ever produce these types.
//!
//! Conventions, chosen so one value renders correctly everywhere:
//! - times are epoch milliseconds, true UTC;
//! - `guid` is the braced lower-case Sysmon form `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`; schemas
//!   without a process GUID (Security, Defender) identify a process by host + pid + `start_ms`;
//! - paths are full Windows paths as the process sees them (`C:\...`);
//! - `user` is `DOMAIN\name` (`NT AUTHORITY\SYSTEM` for services).

/// The GUID Sysmon writes when it does not know the process.
pub const ZERO_GUID: &str = "{00000000-0000-0000-0000-000000000000}";

/// A process start: the new process and, when known, its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub host: String,
    pub pid: u32,
    /// Braced lower-case Sysmon-style GUID.
    pub guid: String,
    /// Full image path.
    pub image: String,
    pub command_line: String,
    /// `DOMAIN\user`.
    pub user: String,
    /// PE `OriginalFileName` (`MSHTA.EXE` for mshta, also when the file was renamed); `"?"` when absent.
    pub original_file_name: String,
    /// Process creation, epoch ms UTC.
    pub start_ms: i64,
    pub parent: Option<ParentInfo>,
}

/// What a process-start record says about the parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentInfo {
    pub pid: u32,
    pub guid: String,
    pub image: String,
    pub command_line: String,
    pub start_ms: i64,
}

/// The process an activity event is attributed to (the "actor"). Carries exactly what every schema
/// needs to identify it: GUID for Sysmon/ECS/OCSF, pid + start time for Security/Defender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRef {
    pub pid: u32,
    pub guid: String,
    pub image: String,
    pub start_ms: i64,
    pub command_line: String,
}

/// One observation on one host at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event time, epoch ms UTC (Sysmon `UtcTime`).
    pub time_ms: i64,
    pub host: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    ProcessStart(Process),
    ProcessEnd(ActorRef),
    /// A connection. `src_*` is the **local** end and `dst_*` the **remote** end whatever the direction;
    /// renderers whose schema puts the initiator in "source" (Sysmon, 5156, ECS, OCSF) swap them for
    /// inbound connections. `dst_hostname` is the remote's name when known.
    Network {
        actor: ActorRef,
        src_ip: String,
        src_port: u16,
        dst_ip: String,
        dst_port: u16,
        dst_hostname: Option<String>,
        /// true = initiated by this host (Sysmon `Initiated`, 5156 `%%14593`, ECS `egress`).
        outbound: bool,
        /// `"tcp"` or `"udp"`.
        protocol: String,
    },
    /// A DNS lookup by `actor`. `answers` are in resolution order: IP addresses (v4 or v6, plain form)
    /// and CNAME targets (anything that does not parse as an IP). Empty = no answer (NXDOMAIN).
    Dns {
        actor: ActorRef,
        query: String,
        answers: Vec<String>,
    },
    FileCreate {
        actor: ActorRef,
        path: String,
    },
    /// `path` is the loaded module (DLL).
    ImageLoad {
        actor: ActorRef,
        path: String,
    },
}

impl Kind {
    /// The actor for activity events, the process itself for starts and ends.
    pub fn pid(&self) -> u32 {
        match self {
            Kind::ProcessStart(p) => p.pid,
            Kind::ProcessEnd(a)
            | Kind::Network { actor: a, .. }
            | Kind::Dns { actor: a, .. }
            | Kind::FileCreate { actor: a, .. }
            | Kind::ImageLoad { actor: a, .. } => a.pid,
        }
    }

    /// Short stable name, used in statistics and test messages.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::ProcessStart(_) => "process_start",
            Kind::ProcessEnd(_) => "process_end",
            Kind::Network { .. } => "network",
            Kind::Dns { .. } => "dns",
            Kind::FileCreate { .. } => "file_create",
            Kind::ImageLoad { .. } => "image_load",
        }
    }
}

impl Process {
    /// This process as the actor of later events.
    pub fn actor(&self) -> ActorRef {
        self.as_parent().actor()
    }

    /// This process as the parent of a later start.
    pub fn as_parent(&self) -> ParentInfo {
        ParentInfo {
            pid: self.pid,
            guid: self.guid.clone(),
            image: self.image.clone(),
            command_line: self.command_line.clone(),
            start_ms: self.start_ms,
        }
    }
}

impl ParentInfo {
    /// The parent as an actor (OCSF `actor.process`, Defender `InitiatingProcess*`).
    pub fn actor(&self) -> ActorRef {
        ActorRef {
            pid: self.pid,
            guid: self.guid.clone(),
            image: self.image.clone(),
            start_ms: self.start_ms,
            command_line: self.command_line.clone(),
        }
    }
}

/// File name part of a Windows path (after the last `\` or `/`).
pub fn basename(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}
