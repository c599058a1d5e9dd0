//! The engine: takes input batches, keeps the bounded correlation state,
//! reports which chains each batch created or changed, closes chains whose
//! window and lateness have passed, and builds the report.

use crate::chains::{self, ChainParts};
use crate::config::{BaselineEntry, Config, ConfigError};
use crate::decode::{decode, Decoded};
use crate::errors::RestoreError;
use crate::event::{Activity, Clock};
use crate::hash::digest;
use crate::input;
use crate::inventory::{self, GroupKey};
use crate::report::{
    self, Ancestor, Chain, ChildProcess, DnsEvent, FileEvent, ItemError, ModuleEvent, NetworkEvent, Parent, Relation,
    Report, Root, Severity, Stats, Status, Update, VersionedChain,
};
use crate::score::score;
use crate::snapshot;
use crate::state::{count_in_inventory, ClosedChain, State};
use crate::store::{Caps, Store};
use crate::tally::count;
use crate::time::{format_rfc3339, Millis};
use crate::tuning::Tuning;
use crate::view::{self, View};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Correlates mshta chains over a stream of input batches.
///
/// Events may arrive in any order within the allowed lateness and split
/// into batches any way: the report is the same. State is bounded by the
/// window, the lateness and the caps in [`Config`]; [`Engine::snapshot`]
/// and [`Engine::restore`] carry it between processes or runtimes.
///
/// ```
/// use mshta_chain_core::{Config, Engine};
/// let mut engine = Engine::new(Config::default()).unwrap();
/// let update = engine.push(br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1",
///   "UtcTime":"2024-05-01 10:00:00.000","ProcessId":"4242","Image":"C:\\Windows\\System32\\mshta.exe",
///   "CommandLine":"mshta.exe https://example.test/a.hta","ParentImage":"C:\\Windows\\explorer.exe"}"#);
/// assert_eq!(update.chains[0].version, 1);
/// let bytes = engine.snapshot();
/// let mut engine = Engine::restore(&bytes, Config::default()).unwrap();
/// let report = engine.finish();
/// assert_eq!(report.chains[0].root.pid, 4242);
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    config: Config,
    tuning: Tuning,
    state: State,
}

impl Engine {
    /// A new engine, or the first thing wrong with the config (a misspelt
    /// weight, a bad pattern, a value out of range): an invalid config is
    /// never run with defaults in its place.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        let tuning = config.compile()?;
        let mut state = State::default();
        state.p.config = Some(config.clone());
        Ok(Engine { config, tuning, state })
    }

    /// Adds a batch: a JSON array, JSON Lines, or JSON objects one after
    /// another. A batch of JSON Lines may stop inside a line: the rest comes
    /// with the next push. Item indexes continue from the previous batch.
    /// Returns the chains this batch created or changed.
    pub fn push(&mut self, batch: &[u8]) -> Update {
        let (events, accepted, rejected) = self.ingest(batch, false);
        let (chains, retracted) = self.settle();
        Update { events, accepted, rejected, chains, retracted }
    }

    /// Ends the stream: reads a JSON line still waiting for its end, and
    /// returns the report over everything (closed and open chains).
    pub fn finish(&mut self) -> Report {
        if !self.state.p.carry.is_empty() {
            self.ingest(&[], true);
            let _ = self.settle();
        }
        self.report()
    }

    /// The report as of now, without ending the stream.
    pub fn report(&self) -> Report {
        let s = &self.state;
        let window = self.config.window_ms();
        let open = chains::discover(&s.store, window, |id| s.p.closed.contains_key(id), None);
        // The highest score per inventory group, in one pass: closed chains
        // carry their group, an open one's is computed once here.
        let mut scores: BTreeMap<GroupKey, i64> = BTreeMap::new();
        let mut note = |key: GroupKey, score: i64| {
            let best = scores.entry(key).or_insert(score);
            *best = (*best).max(score);
        };
        let mut chains: Vec<Chain> = Vec::with_capacity(s.p.closed.len() + open.len());
        for closed in s.p.closed.values() {
            note(closed.key.clone(), closed.chain.score);
            chains.push(closed.chain.clone());
        }
        for parts in &open {
            let chain = render(&s.store, &self.tuning, parts, window, Status::Open);
            note(inventory::chain_key(&chain), chain.score);
            chains.push(chain);
        }
        let found = chains.len() as u64;
        // The inventory as if every waiting mshta process were counted now
        // (without changing the state: only the inventory is copied).
        let mut inventory = s.p.inventory.clone();
        for id in s.store.uninventoried() {
            count_in_inventory(&mut inventory, &s.store, id);
        }
        let inventory = inventory.entries(&scores);
        chains.retain(|c| c.score >= self.config.min_score);
        chains.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| a.root.time.cmp(&b.root.time)).then_with(|| a.id.cmp(&b.id))
        });
        // Counted as events arrive; the rest is read off the state now.
        let ev = s.store.evictions();
        let stats = Stats {
            merged_starts: ev.merged_starts,
            mshta_processes: s.store.mshta_count() as u64,
            chains: found,
            chains_below_min_score: found - chains.len() as u64,
            processes_tracked: s.store.process_count() as u64,
            activity_tracked: s.store.activity_count() as u64,
            processes_expired: ev.processes_expired,
            processes_evicted: ev.processes_over_cap,
            activity_expired: ev.activity_expired,
            activity_evicted: ev.activity_over_cap,
            state_bytes: s.store.approx_bytes() as u64 + s.p.closed_bytes,
            ..s.p.counters.clone()
        };
        let mut warnings = Vec::new();
        if stats.events == 0 {
            warnings.push("empty input: no events".to_string());
        } else if stats.accepted == 0 {
            warnings.push("no event could be read: see errors".to_string());
        }
        if !s.p.carry.is_empty() {
            warnings.push(format!("{} bytes of an unfinished JSON line wait for the next push", s.p.carry.len()));
        }
        let coverage = s.p.coverage.report();
        Report { chains, stats, errors: s.p.errors.clone(), warnings, coverage, inventory }
    }

    /// The baseline for a config: the engine's own config entries plus the
    /// inventory groups whose chains all scored below `below` with this
    /// engine's tuning (weights, allowlists, baseline), i.e. known-good use.
    /// Scanning the same data with a config holding them marks those chains
    /// `baseline_known`. A group none of whose chains was scored (an mshta
    /// nested in another chain) has an unknown score and is never taken for
    /// known good: it is counted in [`Baseline::unknown`].
    pub fn baseline(&self, below: i64) -> Baseline {
        // The inventory's scores cover every chain, whatever `min_score`.
        let inventory = self.report().inventory;
        let mut entries: BTreeMap<(String, String), BaselineEntry> =
            self.config.baseline.iter().map(|e| ((e.parent.clone(), e.shape.clone()), e.clone())).collect();
        let mut unknown = 0;
        for e in inventory {
            match e.max_score {
                None => unknown += 1,
                Some(s) if s < below => {
                    let entry = BaselineEntry { shape: e.shape, parent: e.parent, count: e.count, hosts: e.hosts };
                    entries.insert((entry.parent.clone(), entry.shape.clone()), entry);
                }
                Some(_) => {}
            }
        }
        Baseline { entries: entries.into_values().collect(), unknown }
    }

    /// The state, as versioned bytes that [`Engine::restore`] reads on any
    /// platform (a snapshot taken in Node restores in a browser).
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&self.state)
    }

    /// An engine continuing from a snapshot, with the given config.
    pub fn restore(bytes: &[u8], config: Config) -> Result<Engine, RestoreError> {
        let tuning = config.compile()?;
        let mut state = snapshot::decode(bytes)?;
        state.p.config = Some(config.clone());
        state.all_touched = true;
        Ok(Engine { config, tuning, state })
    }

    /// An engine continuing from a snapshot with the config it was taken
    /// with.
    pub fn restore_saved(bytes: &[u8]) -> Result<Engine, RestoreError> {
        let mut state = snapshot::decode(bytes)?;
        state.all_touched = true;
        let config = state.p.config.clone().unwrap_or_default();
        let tuning = config.compile()?;
        Ok(Engine { config, tuning, state })
    }

    /// Splits off a trailing partial line, decodes and stores every item.
    fn ingest(&mut self, batch: &[u8], flush: bool) -> (u64, u64, u64) {
        let s = &mut self.state;
        // The rest of a line already rejected as too long: drop it, up to
        // its end, without a second error.
        let batch = if s.p.skip_line {
            match memchr::memchr2(b'\n', b'\r', batch) {
                Some(nl) => {
                    s.p.skip_line = false;
                    &batch[nl + 1..]
                }
                None => &[][..],
            }
        } else {
            batch
        };
        let mut data: Vec<u8>;
        let bytes: &[u8] = if s.p.carry.is_empty() {
            batch
        } else {
            data = std::mem::take(&mut s.p.carry);
            data.extend_from_slice(batch);
            &data[..]
        };
        let mut counts = (0u64, 0u64, 0u64);
        let split = input::split(bytes, &mut s.p.in_array, flush, self.config.max_item_bytes);
        let mut pieces = split.pieces;
        let rest = &bytes[split.consumed..];
        if rest.len() > self.config.max_item_bytes {
            pieces.push(Err(format!("item longer than max_item_bytes ({})", self.config.max_item_bytes)));
            s.p.skip_line = true;
        } else {
            s.p.carry = rest.to_vec();
            s.p.skip_line |= split.skip_rest;
        }
        if flush {
            s.p.in_array = false;
        }
        let lateness = self.config.lateness_ms();
        for piece in pieces {
            let index = s.p.next_index;
            s.p.next_index += 1;
            counts.0 += 1;
            let piece = piece.and_then(|b| {
                if b.len() > self.config.max_item_bytes {
                    Err(format!("item longer than max_item_bytes ({})", self.config.max_item_bytes))
                } else {
                    Ok(b)
                }
            });
            match piece.and_then(|b| decode(b, index)) {
                Ok(Decoded::Event(ev)) => {
                    counts.1 += 1;
                    count(&mut s.p.counters.by_schema, ev.schema.name());
                    s.accept(&ev, lateness);
                }
                Ok(Decoded::Many(events, schema, record_errors, unattributable)) => {
                    counts.1 += 1;
                    s.p.counters.unattributable += unattributable;
                    count(&mut s.p.counters.by_schema, schema.name());
                    for ev in &events {
                        s.accept(ev, lateness);
                    }
                    for reason in record_errors {
                        if s.p.errors.len() < self.config.max_errors {
                            s.p.errors.push(ItemError { index, reason });
                        }
                    }
                }
                Ok(Decoded::Unattributable(schema)) => {
                    counts.1 += 1;
                    s.p.counters.unattributable += 1;
                    count(&mut s.p.counters.by_schema, schema.name());
                }
                Ok(Decoded::Ignored(schema)) => {
                    counts.1 += 1;
                    s.p.counters.ignored += 1;
                    count(&mut s.p.counters.by_schema, schema.name());
                }
                Err(reason) => {
                    counts.2 += 1;
                    if s.p.errors.len() < self.config.max_errors {
                        s.p.errors.push(ItemError { index, reason });
                    }
                }
            }
        }
        s.p.counters.events += counts.0;
        s.p.counters.accepted += counts.1;
        s.p.counters.rejected += counts.2;
        counts
    }

    /// After a batch: closes chains whose time has passed, reports the
    /// chains that changed, and evicts what no longer matters.
    fn settle(&mut self) -> (Vec<VersionedChain>, Vec<String>) {
        let window = self.config.window_ms();
        let lateness = self.config.lateness_ms();
        self.state.store.update_quiet(window, lateness);
        let over_cap = self.state.store.process_count() > self.config.max_processes
            || self.state.store.activity_count() > self.config.max_activity;
        self.state.inventory_ready(over_cap, lateness);
        let s = &mut self.state;
        // Only chains of hosts that got events, or that just went quiet (or
        // woke), can change; the caps look at every host.
        let host_count = s.store.host_count();
        let quiet_now: Vec<bool> = (0..host_count).map(|h| s.store.is_quiet(h)).collect();
        let mut dirty = std::mem::take(&mut s.touched);
        for h in 0..host_count {
            if quiet_now[h as usize] != s.was_quiet.get(h as usize).copied().unwrap_or(false) {
                dirty.insert(h);
            }
        }
        s.was_quiet = quiet_now;
        let everything = std::mem::take(&mut s.all_touched) || over_cap;
        let closed = &s.p.closed;
        let open = chains::discover(&s.store, window, |id| closed.contains_key(id), (!everything).then_some(&dirty));
        let mut changed = Vec::new();
        let mut keep_procs = BTreeSet::new();
        let mut keep_acts = BTreeSet::new();
        let mut to_close = Vec::new();
        let mut retracted = Vec::new();
        for parts in &open {
            let closing = quiet(&s.store, parts, lateness, window);
            let chain =
                render(&s.store, &self.tuning, parts, window, if closing { Status::Closed } else { Status::Open });
            // Changed exactly when the report's content of the chain changed.
            let content = digest(&chain);
            let entry = s.p.versions.entry(chain.id.clone()).or_insert((0, 0));
            if entry.0 != content.hash || entry.1 == 0 {
                entry.0 = content.hash;
                entry.1 += 1;
                if chain.score >= self.config.min_score {
                    s.p.announced.insert(chain.id.clone(), parts.host);
                    changed.push(VersionedChain { version: entry.1, chain: chain.clone() });
                } else if s.p.announced.remove(&chain.id).is_some() {
                    // Announced before, below the threshold now.
                    retracted.push(chain.id.clone());
                }
            }
            if closing {
                s.p.closed_bytes += content.json_len;
                to_close.push((parts.procs(), parts.acts.clone(), ClosedChain::new(chain, content.json_len)));
            } else {
                keep_procs.extend(parts.procs());
                keep_acts.extend(parts.acts.iter().copied());
            }
        }
        if !to_close.is_empty() {
            // Closing drops the chain's processes: count them first.
            s.inventory_ready(true, lateness);
        }
        for (procs, acts, closed) in to_close {
            s.store.forget(&procs, &acts);
            s.p.counters.chains_closed += 1;
            // The inventory keeps the group's highest final score, so that
            // evicting the chain later cannot make the group look benign.
            s.p.inventory.note_score(&closed.key, closed.chain.score);
            s.p.closed.insert(closed.chain.id.clone(), closed);
        }
        let caps = Caps { max_processes: self.config.max_processes, max_activity: self.config.max_activity };
        s.store.evict(lateness, window, &caps, &keep_procs, &keep_acts, (!everything).then_some(&dirty));
        if s.p.closed.len() > self.config.max_chains {
            let mut by_rank: Vec<(i64, String, String)> =
                s.p.closed.values().map(|c| (c.chain.score, c.chain.root.time.clone(), c.chain.id.clone())).collect();
            by_rank.sort();
            let excess = s.p.closed.len() - self.config.max_chains;
            for (_, _, id) in by_rank.into_iter().take(excess) {
                if let Some(c) = s.p.closed.remove(&id) {
                    s.p.closed_bytes = s.p.closed_bytes.saturating_sub(c.bytes);
                }
                s.p.versions.remove(&id);
                s.p.counters.chains_evicted += 1;
            }
        }
        // Announced chains that are now neither open nor closed were merged
        // into another (a second sensor's report of the root gave it a
        // GUID): tell the caller to drop them.
        let now_open: BTreeSet<&String> = open.iter().map(|p| &p.id).collect();
        let gone: Vec<String> =
            s.p.announced
                .iter()
                .filter(|(id, host)| {
                    (everything || dirty.contains(*host)) && !now_open.contains(id) && !s.p.closed.contains_key(*id)
                })
                .map(|(id, _)| id.clone())
                .collect();
        for id in gone {
            s.p.announced.remove(&id);
            s.p.versions.remove(&id);
            retracted.push(id);
        }
        // Closed chains are final: the caller has their last version.
        let closed = &s.p.closed;
        s.p.announced.retain(|id, _| !closed.contains_key(id));
        changed.sort_by(|a, b| a.chain.id.cmp(&b.chain.id));
        retracted.sort();
        (changed, retracted)
    }
}

/// Analyses one complete input, or says what is wrong with the config.
///
/// ```
/// let report = mshta_chain_core::analyze(b"[]", &mshta_chain_core::Config::default()).unwrap();
/// assert!(report.chains.is_empty());
/// ```
pub fn analyze(input: &[u8], config: &Config) -> Result<Report, ConfigError> {
    let mut engine = Engine::new(config.clone())?;
    engine.push(input);
    Ok(engine.finish())
}

/// The result of [`Engine::baseline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The config's own entries and the new known-good groups, sorted by
    /// parent, then shape.
    pub entries: Vec<BaselineEntry>,
    /// Inventory groups left out because their score is unknown.
    pub unknown: u64,
}

/// Whether a chain can close: on every clock its events use, the newest
/// event of its host is past the chain's last event by a window plus the
/// lateness. After that no event within the allowed lateness can join it.
fn quiet(store: &Store, parts: &ChainParts, lateness: Millis, window: Millis) -> bool {
    let mut last: [Option<Millis>; 2] = [None, None];
    let mut note = |clock: Clock, t: Millis| {
        let slot = &mut last[clock as usize];
        *slot = Some(slot.map_or(t, |l| l.max(t)));
    };
    for id in parts.procs() {
        let p = store.proc(id);
        note(p.clock, p.start);
        if let Some((t, c, _)) = p.end {
            note(c, t);
        }
    }
    for &i in &parts.acts {
        if let Some(a) = store.activity(i) {
            note(a.clock, a.time);
        }
    }
    if parts.procs().is_empty() && parts.acts.is_empty() {
        note(Clock::Utc, parts.seen);
    }
    [Clock::Utc, Clock::Exporter].iter().all(|&c| match last[c as usize] {
        None => true,
        Some(t) => store.horizon(parts.host, c, lateness).is_some_and(|h| h > t + window),
    })
}

/// Renders a chain for the report.
fn render(store: &Store, tuning: &Tuning, parts: &ChainParts, window: Millis, status: Status) -> Chain {
    let v = view::build(store, parts, window);
    let (score_value, reasons) = score(&v, tuning);
    to_chain(&v, score_value, reasons, status)
}

fn to_chain(v: &View, score_value: i64, reasons: Vec<report::Reason>, status: Status) -> Chain {
    let s = |o: Option<&str>| o.map(str::to_string);
    let root = Root {
        pid: v.root.pid.unwrap_or(0),
        process_guid: v.root.guid.clone(),
        image: v.root.image.to_string(),
        command_line: s(v.root.command_line),
        user: s(v.root.user),
        time: format_rfc3339(v.root.time),
        end_time: v.root.end.map(format_rfc3339),
        inferred: v.root.inferred,
        parent: v.parent.as_ref().map(|p| Parent {
            pid: p.pid,
            process_guid: p.guid.clone(),
            image: s(p.image),
            command_line: s(p.command_line),
        }),
        event: v.root.events.first().copied(),
        events: v.root.events.clone(),
        sources: v.root.sources.iter().map(|x| x.to_string()).collect(),
    };
    let lineage = v
        .lineage
        .iter()
        .map(|a| Ancestor {
            pid: a.pid,
            process_guid: a.guid.clone(),
            image: s(a.image),
            command_line: s(a.command_line),
        })
        .collect();
    let children = v
        .members
        .iter()
        .map(|m| ChildProcess {
            pid: m.pid.unwrap_or(0),
            process_guid: m.guid.clone(),
            image: m.image.to_string(),
            command_line: s(m.command_line),
            time: format_rfc3339(m.time),
            depth: m.depth,
            parent_pid: m.parent_pid,
            late: m.late,
            executed_file: m.executed_file,
            event: m.events.first().copied().unwrap_or(0),
            events: m.events.clone(),
        })
        .collect();
    let (mut files, mut network, mut dns, mut modules) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Some(f) = &v.dropped_file {
        files.push(FileEvent {
            path: f.path.clone(),
            time: format_rfc3339(f.time),
            pid: f.writer_pid,
            image: f.writer_image.clone(),
            late: false,
            relation: Relation::RunByRoot,
            event: f.event,
        });
    }
    for a in &v.acts {
        let time = format_rfc3339(a.time);
        let (pid, image, late, event) = (a.pid, s(a.image), a.late, a.events[0]);
        match a.what {
            Activity::FileCreate { path } => files.push(FileEvent {
                path: path.to_string(),
                time,
                pid,
                image,
                late,
                relation: Relation::Created,
                event,
            }),
            Activity::Network(n) => network.push(NetworkEvent {
                dst_ip: n.dst_ip.as_deref().map(str::to_string),
                dst_port: n.dst_port,
                dst_host: n.dst_host.as_deref().map(str::to_string),
                src_ip: n.src_ip.as_deref().map(str::to_string),
                src_port: n.src_port,
                direction: n.direction,
                time,
                pid,
                image,
                late,
                event,
                events: a.events.clone(),
                sources: a.sources.iter().map(|x| x.to_string()).collect(),
            }),
            Activity::Dns { query } => dns.push(DnsEvent { query: query.to_string(), time, pid, image, late, event }),
            Activity::ImageLoad { path } => {
                modules.push(ModuleEvent { path: path.to_string(), time, pid, image, event })
            }
        }
    }
    let mut chain = Chain {
        id: v.id.clone(),
        host: v.host.to_string(),
        score: score_value,
        severity: Severity::of_score(score_value),
        technique: "T1218.005".into(),
        analytic: "AN1397".into(),
        status,
        root,
        lineage,
        children,
        files,
        network,
        dns,
        modules,
        reasons,
        triage: Vec::new(),
    };
    chain.triage = crate::triage::checklist(&chain);
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_lines_are_carried_to_the_next_push() {
        let line = r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1","UtcTime":"2024-05-01 10:00:00.000","ProcessId":"4242","Image":"C:\\Windows\\System32\\mshta.exe"}"#;
        let whole = crate::analyze(format!("{line}\n{line}\n").as_bytes(), &Config::default()).unwrap();
        for cut in [1, 40, line.len(), line.len() + 1, line.len() + 30] {
            let text = format!("{line}\n{line}\n");
            let (a, b) = text.as_bytes().split_at(cut);
            let mut e = Engine::new(Config::default()).unwrap();
            e.push(a);
            e.push(b);
            assert_eq!(e.finish(), whole, "cut at {cut}");
        }
    }
}
