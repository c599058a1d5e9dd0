//! The report: the output contract other tools depend on. Fields may be
//! added; none may be renamed or removed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything an analysis found, plus counts and the rejected items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// mshta execution chains, highest score first.
    pub chains: Vec<Chain>,
    /// Counts over the whole input.
    pub stats: Stats,
    /// Rejected items, capped at `Config::max_errors`; `stats.rejected` has
    /// the full count.
    pub errors: Vec<ItemError>,
    /// Notes about the input as a whole (an empty input, for one).
    pub warnings: Vec<String>,
    /// Can this telemetry show a chain at all? Per host and overall.
    pub coverage: crate::coverage::CoverageReport,
    /// Every mshta execution seen, grouped for baselining.
    pub inventory: Vec<crate::inventory::InventoryEntry>,
}

/// What one `Engine::push` changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Items in the batch.
    pub events: u64,
    /// Items decoded.
    pub accepted: u64,
    /// Items rejected (listed in the report's `errors`).
    pub rejected: u64,
    /// Chains created or changed by this batch, each with its new version
    /// (those scoring below `min_score` are left out).
    pub chains: Vec<VersionedChain>,
    /// Ids of chains announced before that no longer exist: a second
    /// sensor's report of the root merged them into another chain.
    pub retracted: Vec<String>,
}

/// A chain's lists in full: the per-chain caps (`max_chain_children`,
/// `max_chain_activity`) and `max_processes` bound what a chain lists; these
/// count everything seen, listed or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChainTotals {
    /// Members in all (`children` lists at most `max_chain_children`).
    pub children_total: u64,
    /// Files in all.
    pub files_total: u64,
    /// Connections in all.
    pub network_total: u64,
    /// DNS queries in all.
    pub dns_total: u64,
    /// Module loads in all.
    pub modules_total: u64,
    /// Whether some were left out: a list is then shorter than its total.
    pub truncated: bool,
}

/// A chain as of one update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionedChain {
    /// 1 when the chain first appears, then one more at each change.
    pub version: u32,
    /// The chain.
    #[serde(flatten)]
    pub chain: Chain,
}

/// One mshta process (the root) with its lineage and what followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    /// Stable for the same root process: a hash of host and root identity.
    pub id: String,
    /// The host the chain ran on.
    pub host: String,
    /// 0 to 100: the clamped sum of the reasons' points.
    pub score: i64,
    /// `informational` (<25), `low` (<50), `medium` (<70), `high` (<90) or
    /// `critical`.
    pub severity: Severity,
    /// Always `T1218.005`.
    pub technique: String,
    /// Always `AN1397`.
    pub analytic: String,
    /// `open` while activity may still join it, `closed` once the window
    /// and the allowed lateness have passed with nothing new.
    pub status: Status,
    /// The mshta process.
    pub root: Root,
    /// Ancestors above the root's parent, nearest first (up to 7 more).
    pub lineage: Vec<Ancestor>,
    /// All descendants of the root, in start order, and processes that ran
    /// a file the chain wrote.
    pub children: Vec<ChildProcess>,
    /// Files created by the root or a member, and the file the root's
    /// command line ran if another process wrote it shortly before.
    pub files: Vec<FileEvent>,
    /// Network connections by the root or a member.
    pub network: Vec<NetworkEvent>,
    /// DNS queries by the root or a member.
    pub dns: Vec<DnsEvent>,
    /// Script-engine and CLR modules loaded by the root or a member.
    pub modules: Vec<ModuleEvent>,
    /// Why the chain scored what it did.
    pub reasons: Vec<Reason>,
    /// What to examine next, derived from the chain's own evidence: short
    /// imperative lines naming the content mshta ran, who started it, what
    /// it started, where it connected and what it looked up, what it wrote
    /// to collect, and whether a baseline or allowlist applied. Empty in
    /// JSON written before the field existed.
    #[serde(default)]
    pub triage: Vec<String>,
    /// Totals of each list and whether caps left items out (flattened:
    /// `children_total`, `files_total`, ... `truncated` in the JSON).
    #[serde(flatten)]
    pub totals: ChainTotals,
}

/// The mshta process a chain is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Root {
    /// Process id (0 when the telemetry gave only a GUID).
    pub pid: u32,
    /// Process GUID (Sysmon, braced lower case) or the source's unique id.
    pub process_guid: Option<String>,
    /// Full image path.
    pub image: String,
    /// Command line, when the telemetry carries it.
    pub command_line: Option<String>,
    /// `DOMAIN\user` the process ran as.
    pub user: Option<String>,
    /// Start time (RFC 3339, UTC); for an inferred root, the first time it
    /// was seen.
    pub time: String,
    /// End time, when its end was seen.
    pub end_time: Option<String>,
    /// True when the root's own start event was not seen and the root was
    /// inferred from its children's parent fields or from its activity.
    pub inferred: bool,
    /// The process that started mshta, when known.
    pub parent: Option<Parent>,
    /// Input index of the root's (first) start event.
    pub event: Option<u64>,
    /// Input indexes of every start report merged into this process.
    pub events: Vec<u64>,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
    /// Sensors that reported the start (`sysmon`, `security`, ...).
    pub sources: Vec<String>,
}

/// The parent of the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parent {
    /// Process id.
    pub pid: Option<u32>,
    /// Process GUID.
    pub process_guid: Option<String>,
    /// Full image path.
    pub image: Option<String>,
    /// Command line.
    pub command_line: Option<String>,
}

/// An ancestor of the root above its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ancestor {
    /// Process id.
    pub pid: Option<u32>,
    /// Process GUID.
    pub process_guid: Option<String>,
    /// Full image path.
    pub image: Option<String>,
    /// Command line.
    pub command_line: Option<String>,
}

/// A descendant process of the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildProcess {
    /// Process id.
    pub pid: u32,
    /// Process GUID.
    pub process_guid: Option<String>,
    /// Full image path.
    pub image: String,
    /// Command line.
    pub command_line: Option<String>,
    /// Start time (RFC 3339, UTC).
    pub time: String,
    /// 1 for a child of the root, 2 for a grandchild, and so on.
    pub depth: u32,
    /// Process id of its parent.
    pub parent_pid: Option<u32>,
    /// Started after the correlation window closed.
    pub late: bool,
    /// Joined because it runs a file a chain member wrote.
    pub executed_file: bool,
    /// Input index of its (first) start event.
    pub event: u64,
    /// Input indexes of every start report merged into this process.
    pub events: Vec<u64>,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
}

/// A file created by a chain member (or dropped for the root to run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEvent {
    /// Full path of the file.
    pub path: String,
    /// Event time (RFC 3339, UTC).
    pub time: String,
    /// Process id of the creator.
    pub pid: Option<u32>,
    /// Image of the creator.
    pub image: Option<String>,
    /// After the correlation window closed.
    pub late: bool,
    /// `created` by a member, or `run_by_root`: written by another process
    /// shortly before the root's command line ran it.
    pub relation: Relation,
    /// Input index.
    pub event: u64,
    /// The event's two clocks (Sysmon `UtcTime` and the record's time)
    /// disagreed beyond the host's learned offset; `time` is the one
    /// consistent with the process's lifetime. Present only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock_skew: bool,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
}

/// A network connection by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkEvent {
    /// Destination address.
    pub dst_ip: Option<String>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// Destination host name, as the telemetry resolved it.
    pub dst_host: Option<String>,
    /// Source address.
    pub src_ip: Option<String>,
    /// Source port.
    pub src_port: Option<u16>,
    /// `outbound`, `inbound` or `unknown`.
    pub direction: Direction,
    /// Event time (RFC 3339, UTC).
    pub time: String,
    /// Process id of the member.
    pub pid: Option<u32>,
    /// Image of the member.
    pub image: Option<String>,
    /// After the correlation window closed.
    pub late: bool,
    /// Input index (the first, when several sensors reported it).
    pub event: u64,
    /// The event's two clocks (Sysmon `UtcTime` and the record's time)
    /// disagreed beyond the host's learned offset; `time` is the one
    /// consistent with the process's lifetime. Present only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock_skew: bool,
    /// Input indexes of every report of this connection.
    pub events: Vec<u64>,
    /// Sensors that reported it.
    pub sources: Vec<String>,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
}

/// A DNS query by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsEvent {
    /// The name queried.
    pub query: String,
    /// Event time (RFC 3339, UTC).
    pub time: String,
    /// Process id of the member.
    pub pid: Option<u32>,
    /// Image of the member.
    pub image: Option<String>,
    /// After the correlation window closed.
    pub late: bool,
    /// Input index.
    pub event: u64,
    /// The event's two clocks (Sysmon `UtcTime` and the record's time)
    /// disagreed beyond the host's learned offset; `time` is the one
    /// consistent with the process's lifetime. Present only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock_skew: bool,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
}

/// A script-engine or CLR module loaded by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleEvent {
    /// Full path of the module.
    pub path: String,
    /// Event time (RFC 3339, UTC).
    pub time: String,
    /// Process id of the member.
    pub pid: Option<u32>,
    /// Image of the member.
    pub image: Option<String>,
    /// Input index.
    pub event: u64,
    /// The event's two clocks (Sysmon `UtcTime` and the record's time)
    /// disagreed beyond the host's learned offset; `time` is the one
    /// consistent with the process's lifetime. Present only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock_skew: bool,
    /// The input file of the event at `event`, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The log record number (`EventRecordID`, `winlog.record_id`) of the
    /// event at `event`: with `file`, where to find the record. Left out
    /// when the event carries none (EDR schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<u64>,
}

/// One additive contribution to a chain's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable snake_case identifier.
    pub id: String,
    /// Points added (negative lowers the score).
    pub points: i64,
    /// One line saying what was seen.
    pub detail: String,
    /// Input indexes of the evidence.
    pub events: Vec<u64>,
    /// Where the reason matched the root's command line, for highlighting:
    /// `[start, end)` pairs of UTF-16 code-unit offsets into
    /// `root.command_line` (what JavaScript's `String.prototype.slice`
    /// takes), sorted, not overlapping. Left out of the JSON when empty
    /// (reasons that did not match the command line, and JSON written
    /// before the field existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<[u32; 2]>,
}

/// Counts over the whole input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Items in the input.
    pub events: u64,
    /// Items that decoded (used or ignored).
    pub accepted: u64,
    /// Items rejected (see `errors`).
    pub rejected: u64,
    /// Accepted items of a known schema that carry nothing the detector uses.
    pub ignored: u64,
    /// Accepted activity events (or streaming records) that name no process
    /// (no pid, no process id): valid, but nothing to attribute them to.
    pub unattributable: u64,
    /// Accepted items per schema and shape.
    pub by_schema: BTreeMap<String, u64>,
    /// Process start reports seen.
    pub processes: u64,
    /// Start reports merged into a process another sensor reported.
    pub merged_starts: u64,
    /// mshta processes seen (roots and nested) among retained processes.
    pub mshta_processes: u64,
    /// Chains found, before `min_score` filtering.
    pub chains: u64,
    /// Chains left out of `chains` for scoring below `min_score`.
    pub chains_below_min_score: u64,
    /// Chains closed (final) so far.
    pub chains_closed: u64,
    /// Closed chains dropped to respect `max_chains` (lowest score first).
    pub chains_evicted: u64,
    /// Events older than the allowed lateness when they arrived: results
    /// that depend on them may depend on arrival order.
    pub late_events: u64,
    /// Processes tracked now.
    pub processes_tracked: u64,
    /// Activity records held now.
    pub activity_tracked: u64,
    /// Processes dropped after their end passed the horizon.
    pub processes_expired: u64,
    /// Processes dropped to respect `max_processes` (oldest first).
    pub processes_evicted: u64,
    /// Activity records dropped after the horizon (not part of a chain).
    pub activity_expired: u64,
    /// Activity records dropped to respect `max_activity` (oldest first).
    pub activity_evicted: u64,
    /// Approximate bytes of retained state, closed chains kept for the
    /// report included (those are bounded by `max_chains`).
    pub state_bytes: u64,
    /// Chain members and activity left out of chains by the per-chain caps
    /// (`max_chain_children`, `max_chain_activity`) or evicted from open
    /// chains by `max_processes`.
    pub chain_items_dropped: u64,
    /// mshta executions not grouped in the inventory because it reached
    /// `max_inventory` groups.
    pub inventory_overflow: u64,
    /// Events far ahead of their host's clock (`max_clock_jump_seconds`),
    /// quarantined and never confirmed by a second event near their time:
    /// they did not move the host's clock.
    pub clock_outliers: u64,
    /// Items read after a repair (a lone UTF-16 surrogate read as U+FFFD,
    /// an out-of-range number read as null); each is listed in `warnings`
    /// (up to `max_errors`).
    pub repaired_items: u64,
}

/// A rejected input item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemError {
    /// Index of the item (array element or non-blank JSON line), from 0.
    pub index: u64,
    /// Why it was rejected.
    pub reason: String,
    /// The input file the item came from, as the host program named it
    /// ([`crate::Engine::set_source`]). Left out when none was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// Defines a closed set of report values: a Rust enum serialised as the
/// same lower-case strings the report has always carried, comparable with
/// those strings so that callers and tests can keep reading them as text.
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// The value as the report writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}

closed_set! {
    /// The severity band of a chain's score.
    Severity {
        /// Below 25.
        Informational => "informational",
        /// 25 to 49.
        Low => "low",
        /// 50 to 69.
        Medium => "medium",
        /// 70 to 89.
        High => "high",
        /// 90 and above.
        Critical => "critical",
    }
}

impl Severity {
    /// The band a score falls in.
    pub fn of_score(score: i64) -> Severity {
        match score {
            i64::MIN..=24 => Severity::Informational,
            25..=49 => Severity::Low,
            50..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }
}

closed_set! {
    /// Whether a chain can still change.
    Status {
        /// Activity may still join it.
        Open => "open",
        /// The window and the allowed lateness have passed with nothing new.
        Closed => "closed",
    }
}

closed_set! {
    /// Which side started a connection.
    Direction {
        /// The chain's process connected out.
        Outbound => "outbound",
        /// Another host connected in to the chain's process.
        Inbound => "inbound",
        /// The telemetry does not say.
        Unknown => "unknown",
    }
}

closed_set! {
    /// How a file belongs to a chain.
    Relation {
        /// The root or a member created it.
        Created => "created",
        /// Another process wrote it shortly before mshta's command line ran it.
        RunByRoot => "run_by_root",
    }
}

closed_set! {
    /// Whether the telemetry can show one part of a chain.
    VerdictStatus {
        /// It can.
        Ok => "ok",
        /// Some hosts or events lack it.
        Partial => "partial",
        /// Nothing shows it.
        Missing => "missing",
    }
}

/// For `skip_serializing_if`: a flag written only when set.
fn is_false(b: &bool) -> bool {
    !*b
}
