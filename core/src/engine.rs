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
use crate::prepared::{self, DecodedItems, Items, OutOfOrder};
use crate::report::{
    self, Ancestor, Chain, ChainTotals, ChildProcess, DnsEvent, FileEvent, ItemError, ModuleEvent, NetworkEvent,
    Parent, Relation, Report, Root, Severity, Stats, Status, Update, VersionedChain,
};
use crate::score::score;
use crate::snapshot;
use crate::sources::Sources;
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
    /// Batches cut by `split`, and pushed by `push_decoded`.
    split_seq: u64,
    push_seq: u64,
}

impl Engine {
    /// A new engine, or the first thing wrong with the config (a misspelt
    /// weight, a bad pattern, a value out of range): an invalid config is
    /// never run with defaults in its place.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        let tuning = config.compile()?;
        let mut state = State::default();
        state.p.config = Some(config.clone());
        Ok(Engine { config, tuning, state, split_seq: 0, push_seq: 0 })
    }

    /// Adds a batch: a JSON array, JSON Lines, or JSON objects one after
    /// another. A batch of JSON Lines may stop inside a line: the rest comes
    /// with the next push. Item indexes continue from the previous batch.
    /// Returns the chains this batch created or changed.
    pub fn push(&mut self, batch: &[u8]) -> Update {
        let mut acc = Accumulated::default();
        let (events, accepted, rejected) = self.ingest(batch, false, &mut acc);
        acc.absorb(self.settle());
        let (chains, retracted) = acc.into_parts();
        Update { events, accepted, rejected, chains, retracted }
    }

    /// The first half of [`Engine::push`], for callers that decode on
    /// several threads: cuts `batch` into its items (carrying an unfinished
    /// line to the next batch, as `push` does) without decoding them.
    /// Decode the [`Items`] anywhere with [`Items::decode`], then give each
    /// result to [`Engine::push_decoded`] in the order `split` made them:
    /// the engine ends in the state, and reports what, `push` of the same
    /// batches would. Until then the items are not in the engine: push
    /// every batch split before a snapshot, a report or `set_source`.
    ///
    /// ```
    /// use mshta_chain_core::{Config, Engine};
    /// let line = br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1","UtcTime":"2024-05-01 10:00:00.000","ProcessId":"4242","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta.exe https://example.test/a.hta"}"#;
    /// let mut engine = Engine::new(Config::default()).unwrap();
    /// // A batch cut inside a line: the rest of the line comes next.
    /// let items = engine.split(&line[..60]);
    /// assert!(items.is_empty());
    /// let decoded = std::thread::spawn(move || items.decode()).join().unwrap();
    /// engine.push_decoded(decoded).unwrap();
    /// let rest = engine.split(&line[60..]).decode();
    /// let update = engine.push_decoded(rest).unwrap();
    /// assert_eq!((update.events, update.accepted), (1, 1));
    /// assert_eq!(engine.finish().chains[0].root.pid, 4242);
    /// ```
    pub fn split(&mut self, batch: &[u8]) -> Items {
        let mut data = Vec::new();
        let pieces = self.cut(batch, false, &mut data);
        // Items as ranges of one owned buffer: their bytes, concatenated.
        let (mut bytes, mut ranges) = (Vec::new(), Vec::with_capacity(pieces.len()));
        for piece in pieces {
            ranges.push(piece.map(|b| {
                let at = bytes.len();
                bytes.extend_from_slice(b);
                at..bytes.len()
            }));
        }
        let seq = self.split_seq;
        self.split_seq += 1;
        Items { seq, bytes, pieces: ranges, limit: self.config.max_item_bytes }
    }

    /// The second half of [`Engine::push`]: stores items cut by
    /// [`Engine::split`] and decoded by [`Items::decode`]. Each must come
    /// once, in the order `split` made them, or nothing is stored and the
    /// error says which batch was expected.
    pub fn push_decoded(&mut self, items: DecodedItems) -> Result<Update, OutOfOrder> {
        if items.seq != self.push_seq {
            return Err(OutOfOrder { expected: self.push_seq, found: items.seq });
        }
        self.push_seq += 1;
        let mut acc = Accumulated::default();
        let base = self.state.p.next_index;
        let outcomes = items.outcomes.into_iter().zip(base..).map(|(o, index)| prepared::number(o, index));
        let (events, accepted, rejected) = self.accept_items(outcomes, &mut acc);
        acc.absorb(self.settle());
        let (chains, retracted) = acc.into_parts();
        Ok(Update { events, accepted, rejected, chains, retracted })
    }

    /// Names the input file the items pushed from now on come from (`None`:
    /// no named file). The report then gives each evidence item and error
    /// the `file` its item came from, beside its input index and its log
    /// record number (`record_id`), so that a user can find the record.
    /// A CLI or viewer calls it before pushing each file; a line split
    /// across two files' pushes belongs to the file it started in.
    /// Names are cut at 4,096 bytes; past 65,536 files, later items are
    /// reported without a file.
    pub fn set_source(&mut self, file: Option<&str>) {
        let next = self.state.p.next_index;
        self.state.sources.set(next, file);
    }

    /// Ends the stream: reads a JSON line still waiting for its end, and
    /// returns the report over everything (closed and open chains).
    pub fn finish(&mut self) -> Report {
        if !self.state.p.carry.is_empty() {
            self.ingest(&[], true, &mut Accumulated::default());
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
        let caps = self.chain_caps();
        let roots = chains::shared(&open);
        for mut parts in open {
            let mut dropped = s.p.dropped.get(&parts.id).copied().unwrap_or_default();
            dropped.add(&chains::trim(&s.store, &mut parts, caps, &roots).dropped);
            let chain = render(&s.store, &s.sources, &self.tuning, &parts, window, Status::Open, &dropped);
            note(inventory::chain_key(&chain), chain.score);
            chains.push(chain);
        }
        let found = chains.len() as u64;
        // The inventory as if every waiting mshta process were counted now
        // (without changing the state: only the inventory is copied).
        let mut inventory = s.p.inventory.clone();
        let mut waiting: Vec<_> = s.store.uninventoried().collect();
        crate::state::in_inventory_order(&s.store, &mut waiting);
        for id in waiting {
            count_in_inventory(&mut inventory, &s.store, id, self.config.max_inventory);
        }
        let inventory_overflow = inventory.overflow;
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
            state_bytes: (s.store.approx_bytes() + s.sources.approx_bytes()) as u64 + s.p.closed_bytes,
            inventory_overflow,
            clock_outliers: s.store.clock_outliers(),
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
        if stats.clock_outliers > 0 {
            warnings.push(format!(
                "{} events far ahead of their host's clock (more than max_clock_jump_seconds, {} s) were quarantined: they did not move the host's clock",
                stats.clock_outliers, self.config.max_clock_jump_seconds
            ));
        }
        if stats.inventory_overflow > 0 {
            warnings.push(format!(
                "the inventory reached max_inventory ({}) groups: {} mshta executions of new shapes were counted, not grouped",
                self.config.max_inventory, stats.inventory_overflow
            ));
        }
        if stats.chain_items_dropped > 0 {
            warnings.push(format!(
                "{} chain members or activity items were left out of their chains by the per-chain caps (see each chain's *_total and truncated)",
                stats.chain_items_dropped
            ));
        }
        warnings.extend(s.p.notes.iter().map(|n| format!("item {}: {}", n.index, n.reason)));
        let mut coverage = s.p.coverage.report();
        // Every host seen has a store id: those beyond the coverage's cap
        // are the hosts not listed (exactly, however many).
        coverage.hosts_not_listed =
            (s.store.host_count() as u64).saturating_sub(coverage.hosts.len() as u64).max(coverage.hosts_not_listed);
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
        Ok(Engine { config, tuning, state, split_seq: 0, push_seq: 0 })
    }

    /// An engine continuing from a snapshot with the config it was taken
    /// with.
    pub fn restore_saved(bytes: &[u8]) -> Result<Engine, RestoreError> {
        let mut state = snapshot::decode(bytes)?;
        state.all_touched = true;
        let config = state.p.config.clone().unwrap_or_default();
        let tuning = config.compile()?;
        Ok(Engine { config, tuning, state, split_seq: 0, push_seq: 0 })
    }

    /// Splits off a trailing partial line (carried to the next batch) and
    /// returns the batch's items in order, borrowing `batch` or `data` (the
    /// carried line joined to the batch). Updates the splitter's state.
    fn cut<'b>(&mut self, batch: &'b [u8], flush: bool, data: &'b mut Vec<u8>) -> Vec<input::Piece<'b>> {
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
        let bytes: &[u8] = if s.p.carry.is_empty() {
            batch
        } else {
            *data = std::mem::take(&mut s.p.carry);
            data.extend_from_slice(batch);
            &data[..]
        };
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
        pieces
    }

    /// Splits off a trailing partial line, decodes and stores every item.
    fn ingest(&mut self, batch: &[u8], flush: bool, acc: &mut Accumulated) -> (u64, u64, u64) {
        let mut data = Vec::new();
        let pieces = self.cut(batch, flush, &mut data);
        let limit = self.config.max_item_bytes;
        let base = self.state.p.next_index;
        let outcomes = pieces.into_iter().zip(base..).map(|(piece, index)| decode_piece(piece, limit, index));
        self.accept_items(outcomes, acc)
    }

    /// Stores the decoded items, in order, numbering them from
    /// `next_index` (the index each was decoded with).
    fn accept_items(&mut self, outcomes: impl Iterator<Item = Outcome>, acc: &mut Accumulated) -> (u64, u64, u64) {
        let mut counts = (0u64, 0u64, 0u64);
        let lateness = self.config.lateness_ms();
        let jump = self.config.clock_jump_ms();
        // Settle every so many items, so that tracked state stays within
        // the caps during one large push too (a push split into smaller
        // pushes gives the same report).
        let chunk = (self.config.max_processes.min(self.config.max_activity) / 4).clamp(64, 10_000);
        let mut in_chunk = 0;
        for decoded in outcomes {
            if in_chunk == chunk {
                in_chunk = 0;
                acc.absorb(self.settle());
            }
            in_chunk += 1;
            let s = &mut self.state;
            let index = s.p.next_index;
            s.p.next_index += 1;
            counts.0 += 1;
            if let Ok((_, notes)) = &decoded {
                if !notes.is_empty() {
                    s.p.counters.repaired_items += 1;
                    if s.p.notes.len() < self.config.max_errors {
                        s.p.notes.push(ItemError {
                            index,
                            reason: notes.join("; "),
                            file: s.sources.file_of(index).map(str::to_string),
                        });
                    }
                }
            }
            match decoded.map(|(d, _)| d) {
                Ok(Decoded::Event(ev)) => {
                    counts.1 += 1;
                    count(&mut s.p.counters.by_schema, ev.schema.name());
                    s.accept(&ev, 0, lateness, jump);
                }
                Ok(Decoded::Many(events, schema, record_errors, unattributable)) => {
                    counts.1 += 1;
                    s.p.counters.unattributable += unattributable;
                    count(&mut s.p.counters.by_schema, schema.name());
                    for (record, ev) in events.iter().enumerate() {
                        s.accept(ev, u32::try_from(record).unwrap_or(u32::MAX), lateness, jump);
                    }
                    for reason in record_errors {
                        if s.p.errors.len() < self.config.max_errors {
                            s.p.errors.push(ItemError {
                                index,
                                reason,
                                file: s.sources.file_of(index).map(str::to_string),
                            });
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
                        s.p.errors.push(ItemError {
                            index,
                            reason,
                            file: s.sources.file_of(index).map(str::to_string),
                        });
                    }
                }
            }
        }
        let s = &mut self.state;
        s.p.counters.events += counts.0;
        s.p.counters.accepted += counts.1;
        s.p.counters.rejected += counts.2;
        counts
    }

    /// The per-chain caps of the config.
    fn chain_caps(&self) -> chains::ChainCaps {
        chains::ChainCaps { children: self.config.max_chain_children, activity: self.config.max_chain_activity }
    }

    /// After a batch: closes chains whose time has passed, reports the
    /// chains that changed, and evicts what no longer matters.
    fn settle(&mut self) -> (Vec<VersionedChain>, Vec<String>) {
        let window = self.config.window_ms();
        let lateness = self.config.lateness_ms();
        let caps = self.chain_caps();
        self.state.store.update_quiet(window, lateness);
        let over_cap = self.state.store.process_count() > self.config.max_processes
            || self.state.store.activity_count() > self.config.max_activity;
        self.state.inventory_ready(over_cap, lateness, self.config.max_inventory);
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
        let mut open =
            chains::discover(&s.store, window, |id| closed.contains_key(id), (!everything).then_some(&dirty));
        // What the store holds now, to tell whether this settle removes
        // anything (per-chain caps, closing, expiry, eviction) after
        // discovery.
        let held = |st: &crate::store::Store| {
            let ev = st.evictions();
            (st.process_count(), st.activity_count(), ev.files_expired, ev.ends_expired)
        };
        let before = held(&s.store);
        // Per-chain caps: what a chain holds beyond them leaves the store,
        // counted in the chain's totals.
        let roots = chains::shared(&open);
        for parts in &mut open {
            let t = chains::trim(&s.store, parts, caps, &roots);
            if t.procs.is_empty() && t.acts.is_empty() {
                continue;
            }
            s.p.counters.chain_items_dropped += (t.procs.len() + t.acts.len()) as u64;
            s.p.dropped.entry(parts.id.clone()).or_default().add(&t.dropped);
            s.store.forget(&t.procs, &t.acts);
        }
        let mut changed = Vec::new();
        let mut keep_procs = BTreeSet::new();
        let mut keep_roots = BTreeSet::new();
        let mut keep_acts = BTreeSet::new();
        let mut to_close = Vec::new();
        let mut retracted = Vec::new();
        for parts in &open {
            let closing = quiet(&s.store, parts, lateness, window);
            let dropped = s.p.dropped.get(&parts.id).copied().unwrap_or_default();
            // Rendering (view, score, triage, digest) is what costs: reuse
            // the last one while nothing it reads has changed.
            let fp = chains::fingerprint(&s.store, parts, closing, &Default::default());
            let status = if closing { Status::Closed } else { Status::Open };
            let draw = || render(&s.store, &s.sources, &self.tuning, parts, window, status, &Default::default());
            // The rendering itself is kept only while it is needed: the cache
            // holds what decides whether the chain changed (a chain's
            // rendering is kilobytes, and open chains can number a hundred
            // thousand).
            let mut drawn: Option<Chain> = None;
            let cached = match s.render_cache.get(&parts.id) {
                Some(c) if c.fp == fp => *c,
                _ => {
                    let chain = draw();
                    let c = Cached {
                        host: parts.host,
                        fp,
                        base: digest(&chain),
                        score: chain.score,
                        listed: listed(&chain),
                    };
                    s.render_cache.insert(parts.id.clone(), c);
                    drawn = Some(chain);
                    c
                }
            };
            let totals = totals_of(cached.listed, &dropped);
            // Changed exactly when the report's content of the chain changed.
            let content = mix(cached.base.hash, &totals);
            let entry = s.p.versions.entry(parts.id.clone()).or_insert((0, 0));
            if entry.0 != content || entry.1 == 0 {
                entry.0 = content;
                entry.1 += 1;
                if cached.score >= self.config.min_score {
                    s.p.announced.insert(parts.id.clone(), parts.host);
                    let mut chain = drawn.get_or_insert_with(&draw).clone();
                    chain.totals = totals.clone();
                    changed.push(VersionedChain { version: entry.1, chain });
                } else if s.p.announced.remove(&parts.id).is_some() {
                    // Announced before, below the threshold now.
                    retracted.push(parts.id.clone());
                }
            }
            if closing {
                let bytes = cached.base.json_len + TOTALS_JSON_BYTES;
                s.p.closed_bytes += bytes;
                let mut chain = drawn.take().unwrap_or_else(draw);
                chain.totals = totals;
                to_close.push((parts.procs(), parts.acts.clone(), ClosedChain::new(chain, bytes)));
            } else {
                keep_procs.extend(parts.procs());
                if let chains::Root::Seen(r) = &parts.root {
                    keep_roots.insert(*r);
                }
                keep_acts.extend(parts.acts.iter().copied());
            }
        }
        if !to_close.is_empty() {
            // Closing drops the chain's processes: count them first.
            s.inventory_ready(true, lateness, self.config.max_inventory);
        }
        for (procs, acts, closed) in to_close {
            s.store.forget(&procs, &acts);
            s.p.counters.chains_closed += 1;
            // The inventory keeps the group's highest final score, so that
            // evicting the chain later cannot make the group look benign.
            s.p.inventory.note_score(&closed.key, closed.chain.score);
            s.render_cache.remove(&closed.chain.id);
            s.p.dropped.remove(&closed.chain.id);
            s.close(closed);
        }
        let caps = Caps { max_processes: self.config.max_processes, max_activity: self.config.max_activity };
        let evicted_members = s.store.evict(
            lateness,
            window,
            &caps,
            &keep_procs,
            &keep_roots,
            &keep_acts,
            (!everything).then_some(&dirty),
        );
        if !evicted_members.is_empty() {
            // Members of open chains evicted to respect max_processes:
            // counted in their chains' totals.
            let owner: BTreeMap<usize, &str> =
                open.iter().flat_map(|p| p.procs().into_iter().map(move |id| (id, p.id.as_str()))).collect();
            for id in &evicted_members {
                if let Some(chain) = owner.get(id) {
                    s.p.dropped.entry(chain.to_string()).or_default().children += 1;
                    s.p.counters.chain_items_dropped += 1;
                }
            }
        }
        while s.p.closed.len() > self.config.max_chains {
            let Some(c) = s.evict_closed() else { break };
            let id = &c.chain.id;
            s.p.closed_bytes = s.p.closed_bytes.saturating_sub(c.bytes);
            // Its id is free again: if its root is still in the store (the
            // same events delivered twice), discovery finds the chain once
            // more. Look at its host at the next settle, as a restored engine
            // (which looks at every host) would, rather than when the host
            // next gets events.
            let host = s.store.host(&c.chain.host);
            s.touched.insert(host);
            s.p.versions.remove(id);
            // A chain closed and evicted in this same settle is still
            // announced: it is final, not merged away (no retraction).
            s.p.announced.remove(id);
            s.p.counters.chains_evicted += 1;
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
        // What is kept per open chain goes with the chain.
        let looked_at = |host: u32| everything || dirty.contains(&host);
        s.render_cache.retain(|id, c| now_open.contains(id) || !looked_at(c.host));
        let cache = &s.render_cache;
        s.p.dropped.retain(|id, _| cache.contains_key(id));
        // Closed chains are final: the caller has their last version.
        let closed = &s.p.closed;
        s.p.announced.retain(|id, _| !closed.contains_key(id));
        // A removal after discovery can change the chains of the hosts it
        // touched (a process evicted by the caps or expired leaves its
        // children as roots of their own; eviction by the caps reaches any
        // host): look at those hosts again at the next settle, as a restored
        // engine (which looks at every host) would, instead of when they
        // next get events.
        if held(&s.store) != before {
            if everything {
                s.all_touched = true;
            } else {
                s.touched.extend(dirty.iter().copied());
            }
        }
        changed.sort_by(|a, b| a.chain.id.cmp(&b.chain.id));
        retracted.sort();
        (changed, retracted)
    }
}

/// What an open chain's last rendering decided, kept while its
/// fingerprint holds: whether the chain changed since, and its score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cached {
    host: u32,
    fp: u64,
    /// The digest of the chain as rendered without totals (they change
    /// without the rest changing).
    base: crate::hash::Digest,
    score: i64,
    /// How many children, files, connections, DNS queries and modules it
    /// lists (for its totals).
    listed: Listed,
}

type Listed = [u64; 5];

fn listed(chain: &Chain) -> Listed {
    [chain.children.len(), chain.files.len(), chain.network.len(), chain.dns.len(), chain.modules.len()]
        .map(|n| n as u64)
}

/// About the JSON length of a chain's totals, for `state_bytes`.
const TOTALS_JSON_BYTES: u64 = 110;

/// A chain's totals: what it lists plus what the caps left out.
fn totals(chain: &Chain, d: &chains::Dropped) -> ChainTotals {
    totals_of(listed(chain), d)
}

fn totals_of(listed: Listed, d: &chains::Dropped) -> ChainTotals {
    let [children, files, network, dns, modules] = listed;
    ChainTotals {
        children_total: children + d.children,
        files_total: files + d.files,
        network_total: network + d.network,
        dns_total: dns + d.dns,
        modules_total: modules + d.modules,
        truncated: d.any(),
    }
}

/// The content hash of a chain: its rendering's digest with its totals.
fn mix(base: u64, t: &ChainTotals) -> u64 {
    let mut h = base;
    for n in [t.children_total, t.files_total, t.network_total, t.dns_total, t.modules_total, u64::from(t.truncated)] {
        h = (h ^ n).wrapping_mul(0x0100_0000_01b3).rotate_left(17);
    }
    h
}

/// The chains and retractions of several settles within one push: the
/// latest version of each chain, and every retraction not undone later.
#[derive(Default)]
struct Accumulated {
    chains: BTreeMap<String, VersionedChain>,
    retracted: BTreeSet<String>,
}

impl Accumulated {
    fn absorb(&mut self, (changed, retracted): (Vec<VersionedChain>, Vec<String>)) {
        for id in retracted {
            self.chains.remove(&id);
            self.retracted.insert(id);
        }
        for c in changed {
            self.retracted.remove(&c.chain.id);
            self.chains.insert(c.chain.id.clone(), c);
        }
    }

    fn into_parts(self) -> (Vec<VersionedChain>, Vec<String>) {
        (self.chains.into_values().collect(), self.retracted.into_iter().collect())
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
fn render(
    store: &Store,
    sources: &Sources,
    tuning: &Tuning,
    parts: &ChainParts,
    window: Millis,
    status: Status,
    dropped: &chains::Dropped,
) -> Chain {
    let v = view::build(store, parts, window);
    let (score_value, reasons) = score(&v, tuning);
    let mut chain = to_chain(&v, score_value, reasons, status);
    chain.totals = totals(&chain, dropped);
    locate(&mut chain, sources);
    chain
}

/// Gives each evidence item the input file its event came from.
fn locate(chain: &mut Chain, sources: &Sources) {
    let file = |index: u64| sources.file_of(index).map(str::to_string);
    chain.root.file = chain.root.event.and_then(file);
    for c in &mut chain.children {
        c.file = file(c.event);
    }
    for f in &mut chain.files {
        f.file = file(f.event);
    }
    for n in &mut chain.network {
        n.file = file(n.event);
    }
    for d in &mut chain.dns {
        d.file = file(d.event);
    }
    for m in &mut chain.modules {
        m.file = file(m.event);
    }
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
        file: None,
        record_id: v.root.record,
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
            file: None,
            record_id: m.record,
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
            clock_skew: false,
            file: None,
            record_id: f.record,
        });
    }
    for a in &v.acts {
        let time = format_rfc3339(a.time);
        let (pid, image, late, event, clock_skew) =
            (a.pid, s(a.image), a.late, a.events.first().copied().unwrap_or(0), a.clock_skew);
        let (file, record_id) = (None, a.record);
        match a.what {
            Activity::FileCreate { path } => files.push(FileEvent {
                path: path.to_string(),
                time,
                pid,
                image,
                late,
                relation: Relation::Created,
                event,
                clock_skew,
                file,
                record_id,
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
                clock_skew,
                file,
                record_id,
            }),
            Activity::Dns { query } => dns.push(DnsEvent {
                query: query.to_string(),
                time,
                pid,
                image,
                late,
                event,
                clock_skew,
                file,
                record_id,
            }),
            Activity::ImageLoad { path } => modules.push(ModuleEvent {
                path: path.to_string(),
                time,
                pid,
                image,
                event,
                clock_skew,
                file,
                record_id,
            }),
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
        totals: ChainTotals::default(),
    };
    chain.triage = crate::triage::checklist(&chain);
    chain
}

/// One item decoded, or why it was rejected (see [`decode`]).
pub(crate) type Outcome = Result<(Decoded, Vec<String>), String>;

/// Decodes one item of a batch as input `index`.
pub(crate) fn decode_piece(piece: input::Piece<'_>, limit: usize, index: u64) -> Outcome {
    let bytes = piece?;
    if bytes.len() > limit {
        return Err(format!("item longer than max_item_bytes ({limit})"));
    }
    decode(bytes, index)
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
