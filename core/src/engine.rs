//! The engine: takes input batches, keeps the decoded events and the
//! counts, and builds the report.

use crate::config::Config;
use crate::correlate::{correlate, Proc};
use crate::decode::{decode, Decoded};
use crate::event::{Event, Kind};
use crate::input;
use crate::report::{
    self, Chain, ChildProcess, DnsEvent, FileEvent, ItemError, NetworkEvent, Parent, Report, Root, Stats,
};
use crate::score::score;
use crate::time::format_rfc3339;

/// Correlates mshta chains over one or more input batches.
///
/// ```
/// use mshta_chain_core::{Config, Engine};
/// let mut engine = Engine::new(Config::default());
/// engine.push(br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1",
///   "UtcTime":"2024-05-01 10:00:00.000","ProcessId":"4242","Image":"C:\\Windows\\System32\\mshta.exe",
///   "CommandLine":"mshta.exe https://example.test/a.hta","ParentImage":"C:\\Windows\\explorer.exe"}"#);
/// let report = engine.finish();
/// assert_eq!(report.chains.len(), 1);
/// assert_eq!(report.chains[0].root.pid, 4242);
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    events: Vec<Event>,
    next_index: u64,
    stats: Stats,
    errors: Vec<ItemError>,
}

/// What one `push` did with its items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushSummary {
    /// Items in the batch.
    pub events: u64,
    /// Items decoded.
    pub accepted: u64,
    /// Items rejected.
    pub rejected: u64,
}

impl Engine {
    /// A new engine. The config is used as given: validate it first with
    /// [`Config::validate`] if it came from a user.
    pub fn new(config: Config) -> Engine {
        Engine { config, events: Vec::new(), next_index: 0, stats: Stats::default(), errors: Vec::new() }
    }

    /// Adds a batch: a JSON array, JSON Lines, or one or more JSON objects.
    /// Item indexes continue from the previous batch.
    pub fn push(&mut self, batch: &[u8]) -> PushSummary {
        let mut summary = PushSummary::default();
        for piece in input::split(batch) {
            let index = self.next_index;
            self.next_index += 1;
            summary.events += 1;
            match piece.and_then(|bytes| decode(bytes, index)) {
                Ok(Decoded::Event(ev)) => {
                    summary.accepted += 1;
                    *self.stats.by_schema.entry(ev.schema.name()).or_default() += 1;
                    self.events.push(ev);
                }
                Ok(Decoded::Ignored(schema)) => {
                    summary.accepted += 1;
                    self.stats.ignored += 1;
                    *self.stats.by_schema.entry(schema.name()).or_default() += 1;
                }
                Err(reason) => {
                    summary.rejected += 1;
                    if self.errors.len() < self.config.max_errors {
                        self.errors.push(ItemError { index, reason });
                    }
                }
            }
        }
        self.stats.events += summary.events;
        self.stats.accepted += summary.accepted;
        self.stats.rejected += summary.rejected;
        summary
    }

    /// Builds the report over everything pushed so far.
    pub fn finish(&self) -> Report {
        let mut events: Vec<&Event> = self.events.iter().collect();
        events.sort_by_key(|e| (e.time, e.kind.rank(), e.index));
        let sorted: Vec<Event> = events.into_iter().cloned().collect();
        let corr = correlate(&sorted);

        let mut stats = self.stats.clone();
        stats.processes = sorted.iter().filter(|e| matches!(e.kind, Kind::ProcessStart(_))).count() as u64;
        stats.mshta_processes = corr.mshta_processes;
        stats.chains = corr.chains.len() as u64;

        let window_ms = self.config.window_ms();
        let mut chains: Vec<Chain> = corr.chains.iter().map(|c| build_chain(&corr.procs, c, window_ms)).collect();
        let before = chains.len();
        chains.retain(|c| c.score >= self.config.min_score);
        stats.chains_below_min_score = (before - chains.len()) as u64;
        chains.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| a.root.time.cmp(&b.root.time)).then_with(|| a.id.cmp(&b.id))
        });

        let mut warnings = Vec::new();
        if stats.events == 0 {
            warnings.push("empty input: no events".to_string());
        } else if stats.accepted == 0 {
            warnings.push("no event could be read: see errors".to_string());
        }
        Report { chains, stats, errors: self.errors.clone(), warnings }
    }
}

/// Analyses one complete input.
///
/// ```
/// let report = mshta_chain_core::analyze(b"[]", &mshta_chain_core::Config::default());
/// assert!(report.chains.is_empty());
/// ```
pub fn analyze(input: &[u8], config: &Config) -> Report {
    let mut engine = Engine::new(config.clone());
    engine.push(input);
    engine.finish()
}

fn build_chain(procs: &[Proc], parts: &crate::correlate::ChainParts, window_ms: i64) -> Chain {
    let root = &procs[parts.root];
    let deadline = root.seen.saturating_add(window_ms);
    let (score_value, reasons) = score(procs, parts, window_ms);
    let parent = root.parent.map(|p| &procs[p]);
    let parent_info = root.parent_info.map(|(a, _)| a);
    let parent = if parent.is_some() || parent_info.is_some() {
        Some(Parent {
            pid: parent.and_then(|p| p.pid).or_else(|| parent_info.and_then(|a| a.process.pid)),
            process_guid: parent
                .and_then(|p| p.guid.as_ref())
                .or_else(|| parent_info.and_then(|a| a.process.guid.as_ref()))
                .map(|g| g.display()),
            image: parent
                .and_then(|p| p.image)
                .or_else(|| parent_info.and_then(|a| a.image.as_deref()))
                .map(str::to_string),
            command_line: root
                .parent_info
                .and_then(|(_, c)| c)
                .or_else(|| parent.and_then(|p| p.command_line))
                .map(str::to_string),
        })
    } else {
        None
    };
    let identity = match &root.guid {
        Some(g) => g.as_str().to_string(),
        None => format!("{}@{}", root.pid.unwrap_or(0), root.seen),
    };
    let id = format!("mc-{:016x}", fnv1a(format!("{}|{}", crate::names::host_key(root.host), identity).as_bytes()));

    let children = parts
        .members
        .iter()
        .filter_map(|&(m, depth)| {
            let p = &procs[m];
            let ev = p.start_event?;
            Some(ChildProcess {
                pid: p.pid.unwrap_or(0),
                process_guid: p.guid.as_ref().map(|g| g.display()),
                image: p.image.unwrap_or("").to_string(),
                command_line: p.command_line.map(str::to_string),
                time: format_rfc3339(ev.time),
                depth,
                parent_pid: p.parent.and_then(|q| procs[q].pid),
                late: ev.time > deadline,
                event: ev.index,
            })
        })
        .collect();

    let (mut files, mut network, mut dns) = (Vec::new(), Vec::new(), Vec::new());
    for &(ev, who) in &parts.activity {
        let p = &procs[who];
        let pid = p.pid;
        let image = p.image.map(str::to_string);
        let time = format_rfc3339(ev.time);
        let late = ev.time > deadline;
        match &ev.kind {
            Kind::FileCreate { path, .. } => {
                files.push(FileEvent { path: path.clone(), time, pid, image, late, event: ev.index })
            }
            Kind::Network(n) => network.push(NetworkEvent {
                dst_ip: n.dst_ip.clone(),
                dst_port: n.dst_port,
                dst_host: n.dst_host.clone(),
                src_ip: n.src_ip.clone(),
                src_port: n.src_port,
                direction: n.direction.name(),
                time,
                pid,
                image,
                late,
                event: ev.index,
            }),
            Kind::Dns { query, .. } => {
                dns.push(DnsEvent { query: query.clone(), time, pid, image, late, event: ev.index })
            }
            _ => {}
        }
    }

    Chain {
        id,
        host: root.host.to_string(),
        score: score_value,
        severity: report::severity(score_value),
        technique: "T1218.005",
        analytic: "AN1397",
        root: Root {
            pid: root.pid.unwrap_or(0),
            process_guid: root.guid.as_ref().map(|g| g.display()),
            image: root.image.unwrap_or("mshta.exe").to_string(),
            command_line: root.command_line.map(str::to_string),
            user: root.user.map(str::to_string),
            time: format_rfc3339(root.seen),
            inferred: root.start.is_none(),
            parent,
            event: root.start_event.map(|e| e.index),
        },
        children,
        files,
        network,
        dns,
        reasons,
    }
}

/// FNV-1a, 64 bits: a fixed, portable hash for stable chain ids.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
