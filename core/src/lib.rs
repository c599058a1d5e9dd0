//! # mshta-chain-core
//!
//! Finds **mshta.exe execution chains** (MITRE ATT&CK T1218.005, analytic
//! AN1397) in Windows endpoint telemetry and scores them with reasons.
//!
//! A single "mshta ran" event is weak evidence. This crate correlates the
//! chain around it: the command line that references script content, the
//! parent that launched it, and the processes, files, network connections
//! and DNS queries of mshta and all its descendants within a time window.
//!
//! The crate does no IO, reads no clock and uses no randomness: it takes
//! JSON bytes (a JSON array, JSON Lines, or objects one after another) and
//! returns a [`Report`]. It never panics on input; each item it cannot read
//! is listed in [`Report::errors`] with its index and the reason, and every
//! other item is still used.
//!
//! ```
//! use mshta_chain_core::{analyze, Config};
//!
//! let events = br#"[
//!   {"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1",
//!    "UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{11111111-0000-0000-0000-000000000001}",
//!    "ProcessId":"100","Image":"C:\\Windows\\System32\\mshta.exe",
//!    "CommandLine":"mshta vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"powershell\"\"\")",
//!    "ParentImage":"C:\\Windows\\System32\\cmd.exe","ParentProcessId":"99"},
//!   {"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1",
//!    "UtcTime":"2024-05-01 10:00:01.000","ProcessGuid":"{11111111-0000-0000-0000-000000000002}",
//!    "ProcessId":"200","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
//!    "ParentProcessGuid":"{11111111-0000-0000-0000-000000000001}","ParentProcessId":"100"},
//!   "not an event"
//! ]"#;
//! let report = analyze(events, &Config::default()).unwrap();
//! let chain = &report.chains[0];
//! assert_eq!(chain.children[0].pid, 200);
//! assert!(chain.score >= 70, "{}", chain.score);
//! assert_eq!(report.errors[0].index, 2);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod chains;
mod config;
mod coverage;
mod decode;
mod engine;
mod errors;
mod event;
mod format;
mod hash;
mod input;
mod inventory;
mod knowledge;
mod names;
mod prepared;
mod reasons;
mod report;
mod route;
mod scalar;
mod score;
mod snapshot;
mod sources;
mod state;
mod store;
mod tally;
mod time;
mod triage;
mod tuning;
mod view;

pub use config::{Allow, BaselineEntry, Config, ConfigError};
pub use coverage::{CoverageReport, HostCoverage, Verdict};
pub use format::{
    format_chains, format_json, format_report, format_update, image_name, json_text, ocsf_severity_id, severity_rank,
    triage, triage_json, FormatOptions, InvalidInput, OutputFormat, TextOptions, UnknownFormat, ECS_VERSION,
    OCSF_VERSION, PRODUCT_VERSION,
};
pub use inventory::InventoryEntry;
pub use reasons::{Axis, Evidence, ReasonInfo, ONE_KIND_CAP, REASONS, SUSPICION_CAP};

/// The scoring-reason reference page (Markdown), generated from [`REASONS`].
pub fn reasons_markdown() -> String {
    reasons::markdown()
}
pub use engine::{analyze, Baseline, Engine};
pub use errors::RestoreError;
pub use prepared::{DecodedItems, Items, OutOfOrder};
pub use report::{
    Ancestor, Chain, ChainTotals, ChildProcess, Direction, DnsEvent, FileEvent, ItemError, ModuleEvent, NetworkEvent,
    Parent, Reason, Relation, Report, Root, Severity, Stats, Status, Update, VerdictStatus, VersionedChain,
};
pub use route::host_of;
pub use snapshot::SnapshotError;
