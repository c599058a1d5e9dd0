//! The report: the output contract other tools depend on. Fields may be
//! added; none may be renamed or removed.

use serde::Serialize;
use std::collections::BTreeMap;

/// Everything one analysis found, plus counts and the rejected items.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// One mshta process (the root) with its lineage and what followed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    /// Stable for the same root process: a hash of host and root identity.
    pub id: String,
    /// The host the chain ran on, as the root's event names it.
    pub host: String,
    /// 0 to 100: the clamped sum of the reasons' points.
    pub score: i64,
    /// `informational` (<25), `low` (<50), `medium` (<70), `high` (<90) or
    /// `critical`.
    pub severity: &'static str,
    /// Always `T1218.005`.
    pub technique: &'static str,
    /// Always `AN1397`.
    pub analytic: &'static str,
    /// The mshta process.
    pub root: Root,
    /// All descendants of the root, in start order.
    pub children: Vec<ChildProcess>,
    /// Files created by the root or a descendant.
    pub files: Vec<FileEvent>,
    /// Network connections by the root or a descendant.
    pub network: Vec<NetworkEvent>,
    /// DNS queries by the root or a descendant.
    pub dns: Vec<DnsEvent>,
    /// Why the chain scored what it did.
    pub reasons: Vec<Reason>,
}

/// The mshta process a chain is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Root {
    /// Process id (0 when the telemetry gave only a GUID).
    pub pid: u32,
    /// Sysmon ProcessGuid, braced and lower case.
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
    /// True when the root's own start event was not seen and the root was
    /// inferred from its children's parent fields or from its activity.
    pub inferred: bool,
    /// The process that started mshta, when known.
    pub parent: Option<Parent>,
    /// Input index of the root's start event.
    pub event: Option<u64>,
}

/// The parent of the root.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// A descendant process of the root.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Input index of its start event.
    pub event: u64,
}

/// A file created by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Input index.
    pub event: u64,
}

/// A network connection by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    pub direction: &'static str,
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
}

/// A DNS query by a chain member.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// One additive contribution to a chain's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Stable snake_case identifier.
    pub id: &'static str,
    /// Points added (negative lowers the score).
    pub points: i64,
    /// One line saying what was seen.
    pub detail: String,
    /// Input indexes of the evidence.
    pub events: Vec<u64>,
}

/// Counts over the whole input.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Items in the input.
    pub events: u64,
    /// Items that decoded (used or ignored).
    pub accepted: u64,
    /// Items rejected (see `errors`).
    pub rejected: u64,
    /// Accepted items of a known schema that carry nothing the detector uses.
    pub ignored: u64,
    /// Accepted items per schema and shape.
    pub by_schema: BTreeMap<&'static str, u64>,
    /// Process start events seen.
    pub processes: u64,
    /// mshta processes seen (roots and nested).
    pub mshta_processes: u64,
    /// Chains found, before `min_score` filtering.
    pub chains: u64,
    /// Chains left out of `chains` for scoring below `min_score`.
    pub chains_below_min_score: u64,
}

/// A rejected input item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemError {
    /// Index of the item (array element or non-blank JSON line), from 0.
    pub index: u64,
    /// Why it was rejected.
    pub reason: String,
}

/// The severity band of a score.
pub(crate) fn severity(score: i64) -> &'static str {
    match score {
        i64::MIN..=24 => "informational",
        25..=49 => "low",
        50..=69 => "medium",
        70..=89 => "high",
        _ => "critical",
    }
}
