//! Telemetry coverage: can this data even show an mshta chain? Per host,
//! which event kinds arrived and how complete process events are, and a
//! verdict for each of the five things a chain needs: process creation
//! with command lines, parent lineage, file creation, network, DNS.

use crate::event::{Activity, Event, Kind};
use crate::report::VerdictStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAX_HOSTS: usize = 10_000;

/// What each need of a chain is, what to ask for when a host lacks it (its
/// usual sensor), and every source the detector reads it from (shown in the
/// verdicts' details). The text report's "telemetry gaps" lines read it.
pub(crate) struct Need {
    /// The verdict's `need`.
    pub id: &'static str,
    /// What it is, as a noun phrase.
    pub what: &'static str,
    /// What to ask for when it is missing or partial.
    pub ask_for: &'static str,
    /// The schemas that provide it.
    pub sources: &'static str,
}

/// The needs, in verdict order.
pub(crate) const NEEDS: &[Need] = &[
    Need {
        id: "process_command_lines",
        what: "process command lines",
        ask_for: "Sysmon 1, or Security 4688 with command-line auditing",
        sources: "Sysmon 1 / 4688, ECS process, OCSF 1007, DeviceProcessEvents, CrowdStrike ProcessRollup2, SentinelOne Process Creation, Carbon Black procstart, CIM Processes",
    },
    Need {
        id: "parent_lineage",
        what: "parent processes",
        ask_for: "Sysmon 1 (ParentImage, ParentProcessGuid)",
        sources: "Sysmon 1 / 4688, ECS process.parent, OCSF 1007, DeviceProcessEvents, CrowdStrike ParentProcessId, SentinelOne src.process, Carbon Black procstart, CIM Processes",
    },
    Need {
        id: "file_creation",
        what: "file-creation telemetry",
        ask_for: "Sysmon 11",
        sources: "Sysmon 11, ECS file, OCSF 1001, DeviceFileEvents, CrowdStrike *FileWritten, SentinelOne File Creation, Carbon Black filemod, CIM Filesystem",
    },
    Need {
        id: "network",
        what: "network telemetry",
        ask_for: "Sysmon 3 (or Security 5156)",
        sources: "Sysmon 3, Security 5156, ECS network, OCSF 4001, DeviceNetworkEvents, CrowdStrike NetworkConnectIP4/IP6, SentinelOne IP Connect, Carbon Black netconn, CIM All_Traffic",
    },
    Need {
        id: "dns",
        what: "DNS telemetry",
        ask_for: "Sysmon 22",
        sources: "Sysmon 22, ECS dns, OCSF 4003, DeviceEvents DnsQueryResponse, CrowdStrike DnsRequest, SentinelOne DNS Resolved/Unresolved, CIM Network_Resolution; Carbon Black Cloud and Security auditing have none",
    },
];

/// The need a verdict is about, by its id.
pub(crate) fn need(id: &str) -> Option<&'static Need> {
    NEEDS.iter().find(|n| n.id == id)
}

/// The sources of a need, as the verdicts' details show them.
fn sources(id: &str) -> &'static str {
    need(id).map_or("", |n| n.sources)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Coverage {
    hosts: BTreeMap<String, Counts>,
    /// Events of hosts beyond the cap (counted overall only).
    overflow: Counts,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Counts {
    process_starts: u64,
    with_command_line: u64,
    with_parent: u64,
    with_guid: u64,
    process_ends: u64,
    file_creates: u64,
    network: u64,
    dns: u64,
    module_loads: u64,
    sources: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.process_starts += o.process_starts;
        self.with_command_line += o.with_command_line;
        self.with_parent += o.with_parent;
        self.with_guid += o.with_guid;
        self.process_ends += o.process_ends;
        self.file_creates += o.file_creates;
        self.network += o.network;
        self.dns += o.dns;
        self.module_loads += o.module_loads;
        for (k, v) in &o.sources {
            *self.sources.entry(k.clone()).or_default() += v;
        }
    }
}

/// Coverage of one host, or of all hosts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostCoverage {
    /// Host name (lower case), or `*` for all hosts.
    pub host: String,
    /// Process start events.
    pub process_starts: u64,
    /// Share (0..1) of process starts with an empty or missing command line.
    pub empty_command_line_share: f64,
    /// Share of process starts that name their parent.
    pub parent_share: f64,
    /// Share of process starts with a unique process id (GUID).
    pub guid_share: f64,
    /// Process end events.
    pub process_ends: u64,
    /// File creation events.
    pub file_creates: u64,
    /// Network connection events.
    pub network: u64,
    /// DNS query events.
    pub dns: u64,
    /// Script-engine and CLR module loads.
    pub module_loads: u64,
    /// Events per sensor schema.
    pub sources: BTreeMap<String, u64>,
    /// One verdict per telemetry need.
    pub verdicts: Vec<Verdict>,
}

/// Whether the data can show one part of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `process_command_lines`, `parent_lineage`, `file_creation`,
    /// `network`, `dns`.
    pub need: String,
    /// `ok`, `partial` or `missing`.
    pub status: VerdictStatus,
    /// One line saying what the data can and cannot show.
    pub detail: String,
}

/// The report's `coverage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// All hosts together.
    pub overall: HostCoverage,
    /// Per host, by name.
    pub hosts: Vec<HostCoverage>,
    /// Hosts beyond the per-host cap, counted in `overall` only.
    pub hosts_not_listed: u64,
}

impl Coverage {
    pub(crate) fn add(&mut self, ev: &Event) {
        // Per event: no allocation unless the host or schema is new.
        let key = crate::names::lower(ev.host.trim());
        if !self.hosts.contains_key(key.as_ref()) && self.hosts.len() < MAX_HOSTS {
            self.hosts.insert(key.to_string(), Counts::default());
        }
        let c = match self.hosts.get_mut(key.as_ref()) {
            Some(c) => c,
            None => &mut self.overflow,
        };
        crate::tally::count(&mut c.sources, ev.schema.name());
        match &ev.kind {
            Kind::ProcessStart(ps) => {
                c.process_starts += 1;
                if ps.command_line.as_deref().is_some_and(|s| !s.trim().is_empty()) {
                    c.with_command_line += 1;
                }
                if ps.parent.image.is_some() || ps.parent.process.pid.is_some() || ps.parent.process.guid.is_some() {
                    c.with_parent += 1;
                }
                if ps.process.guid.is_some() {
                    c.with_guid += 1;
                }
            }
            Kind::ProcessEnd(_) => c.process_ends += 1,
            Kind::Activity { what, .. } => match what {
                Activity::FileCreate { .. } => c.file_creates += 1,
                Activity::Network(_) => c.network += 1,
                Activity::Dns { .. } => c.dns += 1,
                Activity::ImageLoad { .. } => c.module_loads += 1,
            },
        }
    }

    /// Restore's check of counts read from a snapshot (see `snapshot`):
    /// at most the per-host cap of hosts, no more starts with a command
    /// line (parent, GUID) than starts, and every total over all hosts
    /// within `max`, so the report's sums and shares hold.
    pub(crate) fn check(&self, max: u64) -> Result<(), String> {
        if self.hosts.len() > MAX_HOSTS {
            return Err(format!("coverage: {} hosts, more than {MAX_HOSTS}", self.hosts.len()));
        }
        let mut totals = [0u64; 10];
        for (host, c) in self.hosts.iter().map(|(h, c)| (h.as_str(), c)).chain([("*", &self.overflow)]) {
            if c.with_command_line.max(c.with_parent).max(c.with_guid) > c.process_starts {
                return Err(format!("coverage of host {host}: more starts with a field than starts"));
            }
            let sources = c.sources.values().try_fold(0u64, |a, &n| a.checked_add(n)).unwrap_or(u64::MAX);
            let counts = [
                c.process_starts,
                c.with_command_line,
                c.with_parent,
                c.with_guid,
                c.process_ends,
                c.file_creates,
                c.network,
                c.dns,
                c.module_loads,
                sources,
            ];
            for (t, n) in totals.iter_mut().zip(counts) {
                *t = t.saturating_add(n);
            }
        }
        if totals.iter().any(|&t| t > max) {
            return Err("coverage counts exceed 2^53".into());
        }
        Ok(())
    }

    pub(crate) fn report(&self) -> CoverageReport {
        let mut all = self.overflow.clone();
        for c in self.hosts.values() {
            all.add(c);
        }
        let hosts: Vec<HostCoverage> = self.hosts.iter().map(|(h, c)| view(h, c)).collect();
        let hosts_not_listed = u64::from(self.overflow != Counts::default());
        let mut overall = view("*", &all);
        // Overall verdicts also say which hosts lack what.
        for v in &mut overall.verdicts {
            let missing: Vec<&str> = hosts
                .iter()
                .filter(|h| h.verdicts.iter().any(|x| x.need == v.need && x.status == VerdictStatus::Missing))
                .map(|h| h.host.as_str())
                .collect();
            if !missing.is_empty() && missing.len() < hosts.len() {
                v.status = VerdictStatus::Partial;
                let shown: Vec<&str> = missing.iter().take(10).copied().collect();
                v.detail = format!(
                    "{} of {} hosts lack it ({}{})",
                    missing.len(),
                    hosts.len(),
                    shown.join(", "),
                    if missing.len() > 10 { ", ..." } else { "" }
                );
            }
        }
        CoverageReport { overall, hosts, hosts_not_listed }
    }
}

fn share(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        (n as f64 / d as f64 * 1000.0).round() / 1000.0
    }
}

fn view(host: &str, c: &Counts) -> HostCoverage {
    let who = if host == "*" { "any host".to_string() } else { format!("host {host}") };
    let mut verdicts = Vec::new();
    let mut add = |need: &str, status: VerdictStatus, detail: String| {
        verdicts.push(Verdict { need: need.into(), status, detail });
    };
    let empty = c.process_starts - c.with_command_line;
    if c.process_starts == 0 {
        add(
            "process_command_lines",
            VerdictStatus::Missing,
            format!(
                "no process start events from {who}: cannot see mshta or what it spawns ({})",
                sources("process_command_lines")
            ),
        );
    } else if share(empty, c.process_starts) > 0.5 {
        add("process_command_lines", VerdictStatus::Partial, format!("{:.0}% of process starts from {who} have no command line: cannot judge what mshta ran (enable command lines in 4688 auditing)", share(empty, c.process_starts) * 100.0));
    } else {
        add(
            "process_command_lines",
            VerdictStatus::Ok,
            format!(
                "{} process starts, {:.0}% with command lines",
                c.process_starts,
                share(c.with_command_line, c.process_starts) * 100.0
            ),
        );
    }
    if c.process_starts == 0 {
        add("parent_lineage", VerdictStatus::Missing, format!("no process start events from {who}: no lineage"));
    } else if share(c.with_parent, c.process_starts) < 0.5 {
        add(
            "parent_lineage",
            VerdictStatus::Partial,
            format!(
                "only {:.0}% of process starts from {who} name their parent",
                share(c.with_parent, c.process_starts) * 100.0
            ),
        );
    } else if c.with_guid == 0 {
        add(
            "parent_lineage",
            VerdictStatus::Ok,
            format!("parents by pid and time only (no process GUIDs) from {who}: pid reuse is resolved by lifetimes"),
        );
    } else {
        add(
            "parent_lineage",
            VerdictStatus::Ok,
            format!("{:.0}% of process starts name their parent", share(c.with_parent, c.process_starts) * 100.0),
        );
    }
    let need = |n: u64, name: &str, what: &str, src: &str| -> (String, VerdictStatus, String) {
        if n == 0 {
            (
                name.into(),
                VerdictStatus::Missing,
                format!(
                    "no {what} events from {who}: cannot show {} ({src})",
                    match name {
                        "file_creation" => "dropped files",
                        "network" => "retrieval or command and control",
                        _ => "name lookups",
                    }
                ),
            )
        } else {
            (name.into(), VerdictStatus::Ok, format!("{n} {what} events"))
        }
    };
    for (n, name, what) in
        [(c.file_creates, "file_creation", "file creation"), (c.network, "network", "network"), (c.dns, "dns", "DNS")]
    {
        let (need, status, detail) = need(n, name, what, sources(name));
        add(&need, status, detail);
    }
    // Without parent command lines (Security 4688, CrowdStrike: only the
    // parent's image), a root inferred from its children has no command
    // line and a parent's own arguments (svchost -k DcomLaunch) are unseen.
    // Read off the schemas seen (`Counts` is persisted in snapshots as is:
    // a new count would change their format).
    let without_parent_command_lines = |schema: &str| {
        schema.starts_with("security_") || schema.starts_with("windows_other_") || schema == "crowdstrike_falcon"
    };
    if c.process_starts > 0 && c.with_parent > 0 && c.sources.keys().all(|k| without_parent_command_lines(k)) {
        if let Some(v) = verdicts.iter_mut().find(|v| v.need == "parent_lineage") {
            v.detail.push_str(
                "; no parent command lines (Security 4688 and CrowdStrike give only the parent's image): \
                 an mshta parent known only from its children shows no command line",
            );
        }
    }
    HostCoverage {
        host: host.to_string(),
        process_starts: c.process_starts,
        empty_command_line_share: share(empty, c.process_starts),
        parent_share: share(c.with_parent, c.process_starts),
        guid_share: share(c.with_guid, c.process_starts),
        process_ends: c.process_ends,
        file_creates: c.file_creates,
        network: c.network,
        dns: c.dns,
        module_loads: c.module_loads,
        sources: c.sources.clone(),
        verdicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_has_its_need_described() {
        let verdicts = Coverage::default().report().overall.verdicts;
        let ids: Vec<&str> = verdicts.iter().map(|v| v.need.as_str()).collect();
        assert_eq!(ids, NEEDS.iter().map(|n| n.id).collect::<Vec<_>>());
        for v in &verdicts {
            let n = need(&v.need).unwrap();
            assert!(!n.what.is_empty() && !n.ask_for.is_empty());
            // A missing need says where it would come from (lineage comes
            // with process starts, said by process_command_lines).
            if v.need != "parent_lineage" {
                assert!(v.detail.contains(n.sources), "{}: {}", v.need, v.detail);
            }
        }
    }
}
