//! The engine's state: the processes, follow-on activity and recently
//! created files it retains, the lookups correlation needs over them, and
//! eviction that keeps all of it bounded by the time window and the caps.
//!
//! Everything here is a function of the *set* of events inserted (and the
//! watermarks), never of their order: merges prefer the richer sensor
//! whatever arrived first, lookups pick by time and input index, and
//! eviction only drops what an event arriving within the allowed lateness
//! can no longer need. Maps are `BTreeMap`s: keys come from the input
//! (GUIDs, hosts, paths), and a B-tree cannot be degraded by chosen keys
//! the way a hash map with fixed keys can; its order is also deterministic.

use crate::event::{Activity, Actor, Clock, Event, Kind, ProcessStart, Source};
use crate::names::{basename, is_mshta, EntityId};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) type ProcId = usize;
pub(crate) type HostId = u32;

/// Telemetry clocks disagree a little (real Sysmon data stamps a process's
/// network events half a second before its own start event): an event this
/// close outside a lifetime still belongs to the process.
pub(crate) const SLACK_MS: Millis = 2_000;

/// Two reports of one process from different sensors start within this.
const MERGE_TOLERANCE_MS: Millis = 3_000;

/// Exporters that write local time labelled UTC are off by whole quarter
/// hours (time zones), at most 14 hours.
const QUARTER_HOUR_MS: Millis = 15 * 60 * 1_000;
const MAX_ZONE_OFFSET_MS: Millis = 14 * 60 * 60 * 1_000;

/// One process: one or more start reports merged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProcRec {
    pub host: HostId,
    pub pid: Option<u32>,
    pub guid: Option<EntityId>,
    /// Ids of this process in other sensors' id spaces (merged reports).
    pub aliases: Vec<EntityId>,
    pub image: Box<str>,
    pub original_file_name: Option<Box<str>>,
    pub command_line: Option<Box<str>>,
    pub user: Option<Box<str>>,
    pub start: Millis,
    pub clock: Clock,
    pub parent: Actor,
    pub parent_command_line: Option<Box<str>>,
    /// Input indexes of the start reports merged here, ascending.
    pub events: Vec<u64>,
    pub sources: u8,
    /// Rank of the sensor whose fields lead.
    rank: u8,
    /// The end event applied: time, clock, input index.
    pub end: Option<(Millis, Clock, u64)>,
    /// Counted in the inventory (once its reports have all arrived).
    #[serde(default)]
    pub inventoried: bool,
}

impl ProcRec {
    pub(crate) fn is_mshta(&self) -> bool {
        is_mshta(Some(&self.image), self.original_file_name.as_deref())
    }
    pub(crate) fn first_event(&self) -> u64 {
        self.events.first().copied().unwrap_or(u64::MAX)
    }
    /// Whether an id names this process: one of its ids, or an id space in
    /// which it has no id (so the id cannot contradict it).
    pub(crate) fn may_be(&self, id: &EntityId) -> bool {
        let mut ids = self.guid.iter().chain(self.aliases.iter());
        self.guid.as_ref() == Some(id) || self.aliases.contains(id) || !ids.any(|g| g.namespace() == id.namespace())
    }

    pub(crate) fn source_names(&self) -> Vec<&'static str> {
        Source::ALL.iter().filter(|s| self.sources & s.bit() != 0).map(|s| s.name()).collect()
    }
}

/// One follow-on event, waiting to be attributed or attributed to a chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ActRec {
    pub index: u64,
    pub host: HostId,
    pub time: Millis,
    pub clock: Clock,
    pub source: Source,
    pub actor: Actor,
    pub what: Activity,
}

/// A process end whose process was not (yet) known.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EndRec {
    pub index: u64,
    pub host: HostId,
    pub time: Millis,
    pub clock: Clock,
    pub actor: Actor,
}

/// A recently created file, kept for a window so that a later mshta whose
/// command line names it can be linked to its writer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileRec {
    pub index: u64,
    pub time: Millis,
    pub clock: Clock,
    pub path: Box<str>,
    pub actor: Actor,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct HostInfo {
    pub key: Box<str>,
    /// The smallest spelling seen, so the name shown does not depend on
    /// which event came first.
    pub display: Box<str>,
    /// Highest event time seen, per clock.
    pub watermark: [Option<Millis>; 2],
    /// Candidate offsets (UTC minus exporter clock) and how often each was
    /// seen; the most frequent one is used.
    pub offsets: BTreeMap<i64, u32>,
}

/// Counts of what eviction dropped, for `stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Evictions {
    pub processes_expired: u64,
    pub processes_over_cap: u64,
    pub activity_expired: u64,
    pub activity_over_cap: u64,
    pub files_expired: u64,
    pub ends_expired: u64,
    pub merged_starts: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    pub hosts: Vec<HostInfo>,
    host_ids: BTreeMap<Box<str>, HostId>,
    procs: Vec<Option<ProcRec>>,
    free: Vec<ProcId>,
    live: usize,
    by_guid: BTreeMap<(HostId, EntityId), ProcId>,
    by_pid: BTreeMap<(HostId, u32), Vec<ProcId>>,
    by_parent_guid: BTreeMap<(HostId, EntityId), Vec<ProcId>>,
    by_parent_pid: BTreeMap<(HostId, u32), Vec<ProcId>>,
    /// Processes by (host, clock, start) for eviction.
    by_start: BTreeSet<(HostId, Clock, Millis, ProcId)>,
    /// Ended processes by (host, clock of the end, end), so eviction finds
    /// them without scanning the live ones.
    by_end: BTreeSet<(HostId, Clock, Millis, ProcId)>,
    pub mshta: BTreeSet<ProcId>,
    /// mshta processes not yet counted in the inventory.
    pub uninventoried: BTreeSet<ProcId>,
    /// Processes whose parent image is mshta (possible inferred roots).
    pub mshta_children: BTreeSet<ProcId>,
    pub acts: BTreeMap<u64, ActRec>,
    acts_by_guid: BTreeMap<(HostId, EntityId), Vec<u64>>,
    acts_by_pid: BTreeMap<(HostId, u32), Vec<u64>>,
    acts_by_time: BTreeSet<(HostId, Clock, Millis, u64)>,
    /// Activity whose actor image is mshta (possible inferred roots).
    pub mshta_acts: BTreeSet<u64>,
    ends: BTreeMap<u64, EndRec>,
    ends_by_time: BTreeSet<(HostId, Clock, Millis, u64)>,
    /// Pending ends by (host, pid), so a new process finds its end fast.
    ends_by_pid: BTreeMap<(HostId, u32), Vec<u64>>,
    /// Pending ends with a GUID but no pid.
    ends_by_guid: BTreeMap<(HostId, EntityId), Vec<u64>>,
    files: BTreeMap<(HostId, Box<str>), Vec<FileRec>>,
    files_by_time: BTreeSet<(HostId, Clock, Millis, Box<str>, u64)>,
    pub evictions: Evictions,
    /// Hosts whose newest event is more than a window plus the lateness
    /// behind the newest event of any host: gone quiet, their state is
    /// dropped. Derived (recomputed at each batch), so not snapshotted.
    quiet: Vec<bool>,
}

impl Store {
    /// Recomputes which hosts have gone quiet.
    pub(crate) fn update_quiet(&mut self, window: Millis, lateness: Millis) {
        let newest: Vec<Option<Millis>> = (0..self.hosts.len() as HostId)
            .map(|h| {
                let w = &self.hosts[h as usize].watermark;
                let utc = w[Clock::Utc as usize];
                let exp = w[Clock::Exporter as usize].map(|t| self.utc(h, Clock::Exporter, t));
                utc.max(exp)
            })
            .collect();
        let global = newest.iter().flatten().max().copied();
        self.quiet = newest
            .iter()
            .map(|n| match (n, global) {
                (Some(n), Some(g)) => *n < g - window - lateness,
                _ => false,
            })
            .collect();
    }

    pub(crate) fn is_quiet(&self, host: HostId) -> bool {
        self.quiet.get(host as usize).copied().unwrap_or(false)
    }

    pub(crate) fn host(&mut self, name: &str) -> HostId {
        // Per event: look up without allocating when the name is already
        // in its key form (lower case, trimmed).
        let key = crate::names::lower(name.trim());
        if let Some(&id) = self.host_ids.get(key.as_ref()) {
            let info = &mut self.hosts[id as usize];
            if *name < *info.display {
                info.display = name.into();
            }
            return id;
        }
        let id = self.hosts.len() as HostId;
        let key: Box<str> = key.into();
        self.hosts.push(HostInfo { key: key.clone(), display: name.into(), ..HostInfo::default() });
        self.host_ids.insert(key, id);
        id
    }

    pub(crate) fn proc(&self, id: ProcId) -> &ProcRec {
        self.procs[id].as_ref().expect("live process id")
    }

    pub(crate) fn process_count(&self) -> usize {
        self.live
    }

    /// The host's learned offset of its exporter clock from UTC.
    pub(crate) fn offset(&self, host: HostId) -> Millis {
        let offsets = &self.hosts[host as usize].offsets;
        offsets
            .iter()
            .max_by_key(|(off, n)| (**n, std::cmp::Reverse(off.abs()), std::cmp::Reverse(**off)))
            .map_or(0, |(o, _)| *o)
    }

    /// A time in the UTC domain.
    pub(crate) fn utc(&self, host: HostId, clock: Clock, t: Millis) -> Millis {
        match clock {
            Clock::Utc => t,
            Clock::Exporter => t.saturating_add(self.offset(host)),
        }
    }

    pub(crate) fn start_utc(&self, p: &ProcRec) -> Millis {
        self.utc(p.host, p.clock, p.start)
    }

    pub(crate) fn end_utc(&self, p: &ProcRec) -> Option<Millis> {
        p.end.map(|(t, c, _)| self.utc(p.host, c, t))
    }

    /// Adds one decoded event; true when it started a new process record
    /// (not a second report of a known one).
    pub(crate) fn insert(&mut self, ev: &Event) -> bool {
        let host = self.host(&ev.host);
        let wm = &mut self.hosts[host as usize].watermark[ev.clock as usize];
        *wm = Some(wm.map_or(ev.time, |w| w.max(ev.time)));
        let source = ev.schema.source();
        match &ev.kind {
            Kind::ProcessStart(ps) => return self.insert_start(host, ev, source, ps),
            Kind::ProcessEnd(actor) => {
                let rec = EndRec { index: ev.index, host, time: ev.time, clock: ev.clock, actor: actor.clone() };
                self.insert_end(rec);
            }
            Kind::Activity { actor, what } => {
                if let Activity::FileCreate { path } = what {
                    self.insert_file(host, ev, path, actor);
                }
                let rec = ActRec {
                    index: ev.index,
                    host,
                    time: ev.time,
                    clock: ev.clock,
                    source,
                    actor: actor.clone(),
                    what: what.clone(),
                };
                self.insert_act(rec);
            }
        }
        false
    }

    fn insert_start(&mut self, host: HostId, ev: &Event, source: Source, ps: &ProcessStart) -> bool {
        if let Some(existing) = self.find_same_process(host, ev, source, ps) {
            self.merge(existing, ev, source, ps);
            self.evictions.merged_starts += 1;
            return false;
        }
        let rec = ProcRec {
            host,
            pid: ps.process.pid,
            guid: ps.process.guid.clone(),
            aliases: Vec::new(),
            image: ps.image.clone(),
            original_file_name: ps.original_file_name.clone(),
            command_line: ps.command_line.clone(),
            user: ps.user.clone(),
            start: ev.time,
            clock: ev.clock,
            parent: ps.parent.clone(),
            parent_command_line: ps.parent_command_line.clone(),
            events: vec![ev.index],
            sources: source.bit(),
            rank: source.rank(),
            end: None,
            inventoried: false,
        };
        let id = self.add_proc(rec);
        self.claim_pending_end(id);
        true
    }

    /// The process another sensor already reported: same GUID, or same host,
    /// pid and image file name, started within a few seconds (or a whole
    /// number of quarter hours apart when one clock is an exporter's).
    fn find_same_process(&self, host: HostId, ev: &Event, source: Source, ps: &ProcessStart) -> Option<ProcId> {
        if let Some(g) = &ps.process.guid {
            if let Some(&id) = self.by_guid.get(&(host, g.clone())) {
                return Some(id);
            }
        }
        let pid = ps.process.pid?;
        let name = basename(&ps.image);
        self.by_pid
            .get(&(host, pid))?
            .iter()
            .copied()
            .filter_map(|id| {
                let p = self.proc(id);
                if !basename(&p.image).eq_ignore_ascii_case(name) {
                    return None;
                }
                // The same sensor twice is the same process only as an exact
                // repeat (at-least-once delivery); otherwise it is pid reuse.
                if p.sources & source.bit() != 0
                    && !(p.start == ev.time && p.clock == ev.clock && p.command_line == ps.command_line)
                {
                    return None;
                }
                if let Some(b) = &ps.process.guid {
                    if !p.may_be(b) {
                        return None;
                    }
                }
                clock_residual(p.start, p.clock, ev.time, ev.clock).map(|(r, _)| (r, p.first_event(), id))
            })
            .min()
            .map(|(_, _, id)| id)
    }

    fn merge(&mut self, id: ProcId, ev: &Event, source: Source, ps: &ProcessStart) {
        let host;
        let learned;
        {
            let p = self.procs[id].as_mut().expect("live process id");
            host = p.host;
            learned = match (p.clock, ev.clock) {
                (Clock::Utc, Clock::Exporter) => Some(snap_offset(p.start - ev.time)),
                (Clock::Exporter, Clock::Utc) => Some(snap_offset(ev.time - p.start)),
                _ => None,
            };
            let lead = source.rank() > p.rank;
            fn pick<T: Clone>(slot: &mut Option<T>, new: &Option<T>, lead: bool) {
                if new.is_some() && (lead || slot.is_none()) {
                    *slot = new.clone();
                }
            }
            pick(&mut p.original_file_name, &ps.original_file_name, lead);
            pick(&mut p.command_line, &ps.command_line, lead);
            pick(&mut p.user, &ps.user, lead);
            pick(&mut p.parent_command_line, &ps.parent_command_line, lead);
            pick(&mut p.parent.image, &ps.parent.image, lead);
            pick(&mut p.parent.process.pid, &ps.parent.process.pid, lead);
            pick(&mut p.parent.process.guid, &ps.parent.process.guid, lead);
            match (&p.guid, &ps.process.guid) {
                (None, Some(_)) => p.guid = ps.process.guid.clone(),
                (Some(a), Some(b)) if a != b && !p.aliases.contains(b) => p.aliases.push(b.clone()),
                _ => {}
            }
            if lead {
                p.image = ps.image.clone();
                p.rank = source.rank();
            }
            p.sources |= source.bit();
            if let Err(at) = p.events.binary_search(&ev.index) {
                p.events.insert(at, ev.index);
            }
        }
        // Re-index: the GUID, parent keys or start may have changed.
        let rec = self.remove_proc_indexes(id);
        let rec = match rec {
            Some(mut r) => {
                if ev.clock == Clock::Utc && r.clock == Clock::Exporter {
                    r.start = ev.time;
                    r.clock = Clock::Utc;
                }
                r
            }
            None => return,
        };
        self.index_proc(id, &rec);
        self.procs[id] = Some(rec);
        if let Some(Some(off)) = learned {
            *self.hosts[host as usize].offsets.entry(off).or_default() += 1;
        }
    }

    fn add_proc(&mut self, rec: ProcRec) -> ProcId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.procs.push(None);
                self.procs.len() - 1
            }
        };
        self.index_proc(id, &rec);
        self.procs[id] = Some(rec);
        self.live += 1;
        id
    }

    fn index_proc(&mut self, id: ProcId, rec: &ProcRec) {
        let h = rec.host;
        for g in rec.guid.iter().chain(rec.aliases.iter()) {
            self.by_guid.insert((h, g.clone()), id);
        }
        if let Some(pid) = rec.pid {
            self.by_pid.entry((h, pid)).or_default().push(id);
        }
        if let Some(g) = &rec.parent.process.guid {
            self.by_parent_guid.entry((h, g.clone())).or_default().push(id);
        }
        if let Some(pid) = rec.parent.process.pid {
            self.by_parent_pid.entry((h, pid)).or_default().push(id);
        }
        self.by_start.insert((h, rec.clock, rec.start, id));
        if let Some((t, c, _)) = rec.end {
            self.by_end.insert((h, c, t, id));
        }
        if rec.is_mshta() {
            self.mshta.insert(id);
            if !rec.inventoried {
                self.uninventoried.insert(id);
            }
        }
        if is_mshta(rec.parent.image.as_deref(), None) {
            self.mshta_children.insert(id);
        }
    }

    fn remove_proc_indexes(&mut self, id: ProcId) -> Option<ProcRec> {
        let rec = self.procs[id].take()?;
        let h = rec.host;
        for g in rec.guid.iter().chain(rec.aliases.iter()) {
            if self.by_guid.get(&(h, g.clone())) == Some(&id) {
                self.by_guid.remove(&(h, g.clone()));
            }
        }
        if let Some(pid) = rec.pid {
            remove_from(&mut self.by_pid, (h, pid), &id);
        }
        if let Some(g) = &rec.parent.process.guid {
            remove_from(&mut self.by_parent_guid, (h, g.clone()), &id);
        }
        if let Some(pid) = rec.parent.process.pid {
            remove_from(&mut self.by_parent_pid, (h, pid), &id);
        }
        self.by_start.remove(&(h, rec.clock, rec.start, id));
        if let Some((t, c, _)) = rec.end {
            self.by_end.remove(&(h, c, t, id));
        }
        self.mshta.remove(&id);
        self.uninventoried.remove(&id);
        self.mshta_children.remove(&id);
        Some(rec)
    }

    fn drop_proc(&mut self, id: ProcId) {
        if self.remove_proc_indexes(id).is_some() {
            self.free.push(id);
            self.live -= 1;
        }
    }

    fn insert_end(&mut self, rec: EndRec) -> Option<ProcId> {
        let t = self.utc(rec.host, rec.clock, rec.time);
        let target = self.resolve(rec.host, &rec.actor, t, None).filter(|&id| {
            let p = self.proc(id);
            p.end.is_none() && image_compatible(&p.image, rec.actor.image.as_deref())
        });
        match target {
            Some(id) => {
                self.set_end(id, (rec.time, rec.clock, rec.index));
                Some(id)
            }
            None => {
                self.add_pending_end(rec);
                None
            }
        }
    }

    fn add_pending_end(&mut self, rec: EndRec) {
        self.ends_by_time.insert((rec.host, rec.clock, rec.time, rec.index));
        match (rec.actor.process.pid, &rec.actor.process.guid) {
            (Some(pid), _) => self.ends_by_pid.entry((rec.host, pid)).or_default().push(rec.index),
            (None, Some(g)) => self.ends_by_guid.entry((rec.host, g.clone())).or_default().push(rec.index),
            (None, None) => {}
        }
        self.ends.insert(rec.index, rec);
    }

    fn remove_pending_end(&mut self, index: u64) -> Option<EndRec> {
        let e = self.ends.remove(&index)?;
        self.ends_by_time.remove(&(e.host, e.clock, e.time, e.index));
        match (e.actor.process.pid, &e.actor.process.guid) {
            (Some(pid), _) => remove_from(&mut self.ends_by_pid, (e.host, pid), &index),
            (None, Some(g)) => remove_from(&mut self.ends_by_guid, (e.host, g.clone()), &index),
            (None, None) => {}
        }
        Some(e)
    }

    /// An end that arrived before its start.
    fn claim_pending_end(&mut self, id: ProcId) {
        let p = self.proc(id);
        let start = self.start_utc(p);
        let mut candidates: Vec<u64> = Vec::new();
        if let Some(pid) = p.pid {
            candidates.extend(self.ends_by_pid.get(&(p.host, pid)).into_iter().flatten());
        }
        for g in p.guid.iter().chain(p.aliases.iter()) {
            candidates.extend(self.ends_by_guid.get(&(p.host, g.clone())).into_iter().flatten());
        }
        let found = candidates
            .iter()
            .filter_map(|i| self.ends.get(i))
            .filter(|e| image_compatible(&p.image, e.actor.image.as_deref()))
            .filter(|e| match &e.actor.process.guid {
                Some(g) if p.guid.as_ref() == Some(g) || p.aliases.contains(g) => true,
                Some(g) if !p.may_be(g) => false,
                _ => e.actor.process.pid.is_some() && e.actor.process.pid == p.pid,
            })
            .filter(|e| self.utc(e.host, e.clock, e.time) >= start - SLACK_MS)
            .min_by_key(|e| (self.utc(e.host, e.clock, e.time), e.index))
            .map(|e| e.index);
        if let Some(index) = found {
            if let Some(e) = self.remove_pending_end(index) {
                self.set_end(id, (e.time, e.clock, e.index));
            }
        }
    }

    fn set_end(&mut self, id: ProcId, end: (Millis, Clock, u64)) {
        if let Some(p) = self.procs[id].as_mut() {
            p.end = Some(end);
            self.by_end.insert((p.host, end.1, end.0, id));
        }
    }

    fn insert_act(&mut self, rec: ActRec) {
        let h = rec.host;
        if let Some(g) = &rec.actor.process.guid {
            self.acts_by_guid.entry((h, g.clone())).or_default().push(rec.index);
        }
        if let Some(pid) = rec.actor.process.pid {
            self.acts_by_pid.entry((h, pid)).or_default().push(rec.index);
        }
        if is_mshta(rec.actor.image.as_deref(), None) {
            self.mshta_acts.insert(rec.index);
        }
        self.acts_by_time.insert((h, rec.clock, rec.time, rec.index));
        self.acts.insert(rec.index, rec);
    }

    fn drop_act(&mut self, index: u64) {
        let Some(rec) = self.acts.remove(&index) else { return };
        let h = rec.host;
        if let Some(g) = &rec.actor.process.guid {
            remove_from(&mut self.acts_by_guid, (h, g.clone()), &index);
        }
        if let Some(pid) = rec.actor.process.pid {
            remove_from(&mut self.acts_by_pid, (h, pid), &index);
        }
        self.mshta_acts.remove(&index);
        self.acts_by_time.remove(&(h, rec.clock, rec.time, index));
    }

    fn insert_file(&mut self, host: HostId, ev: &Event, path: &str, actor: &Actor) {
        let name: Box<str> = basename(path).to_ascii_lowercase().into();
        let rec = FileRec { index: ev.index, time: ev.time, clock: ev.clock, path: path.into(), actor: actor.clone() };
        self.files_by_time.insert((host, ev.clock, ev.time, name.clone(), ev.index));
        self.files.entry((host, name)).or_default().push(rec);
    }

    /// Files named `file_name` created on `host`.
    pub(crate) fn files_named(&self, host: HostId, file_name: &str) -> &[FileRec] {
        self.files.get(&(host, file_name.to_ascii_lowercase().into_boxed_str())).map_or(&[], Vec::as_slice)
    }

    /// The process an actor reference means at UTC time `t`: by GUID, else
    /// the process with that pid alive at `t` (latest start wins).
    pub(crate) fn resolve(&self, host: HostId, actor: &Actor, t: Millis, exclude: Option<ProcId>) -> Option<ProcId> {
        if let Some(g) = &actor.process.guid {
            if let Some(&id) = self.by_guid.get(&(host, g.clone())) {
                if Some(id) != exclude {
                    return Some(id);
                }
            }
        }
        let pid = actor.process.pid?;
        self.by_pid
            .get(&(host, pid))?
            .iter()
            .copied()
            .filter(|&id| Some(id) != exclude)
            .filter(|&id| {
                let p = self.proc(id);
                let started = self.start_utc(p) <= t + SLACK_MS;
                let alive = self.end_utc(p).is_none_or(|e| t <= e + SLACK_MS);
                let same = actor.process.guid.as_ref().is_none_or(|g| p.may_be(g));
                started && alive && same && image_compatible(&p.image, actor.image.as_deref())
            })
            .max_by_key(|&id| {
                let p = self.proc(id);
                (self.start_utc(p), std::cmp::Reverse(p.first_event()))
            })
    }

    /// The parent of a process, if it is in the store.
    pub(crate) fn parent_of(&self, id: ProcId) -> Option<ProcId> {
        let p = self.proc(id);
        if p.parent.process.pid.is_none() && p.parent.process.guid.is_none() {
            return None;
        }
        let parent = Actor { process: p.parent.process.clone(), image: None };
        self.resolve(p.host, &parent, self.start_utc(p), Some(id))
    }

    /// The children of a process that are in the store.
    pub(crate) fn children_of(&self, id: ProcId) -> Vec<ProcId> {
        let p = self.proc(id);
        let mut out: Vec<ProcId> = Vec::new();
        if let Some(g) = &p.guid {
            out.extend(self.by_parent_guid.get(&(p.host, g.clone())).into_iter().flatten());
        }
        if let Some(pid) = p.pid {
            out.extend(self.by_parent_pid.get(&(p.host, pid)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&c| self.parent_of(c) == Some(id));
        out
    }

    /// Activity records that name this process (by GUID or pid); the
    /// caller checks attribution with `resolve`.
    pub(crate) fn activity_candidates(&self, host: HostId, guid: Option<&EntityId>, pid: Option<u32>) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        if let Some(g) = guid {
            out.extend(self.acts_by_guid.get(&(host, g.clone())).into_iter().flatten());
        }
        if let Some(pid) = pid {
            out.extend(self.acts_by_pid.get(&(host, pid)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The process an activity record is attributed to.
    pub(crate) fn actor_of(&self, a: &ActRec) -> Option<ProcId> {
        self.resolve(a.host, &a.actor, self.utc(a.host, a.clock, a.time), None)
    }

    /// mshta processes to count in the inventory now: those whose start
    /// is older than `horizon(host)` (so every report of them has arrived),
    /// or all with `all`. Marks them counted.
    pub(crate) fn take_uninventoried(
        &mut self,
        all: bool,
        horizon: impl Fn(HostId, Clock) -> Option<Millis>,
    ) -> Vec<ProcId> {
        let ready: Vec<ProcId> = self
            .uninventoried
            .iter()
            .copied()
            .filter(|&id| {
                let p = self.proc(id);
                // Every report of the process is in when both clocks' horizons
                // have passed its start (a report on the other clock may
                // still come otherwise).
                all || [Clock::Utc, Clock::Exporter].iter().all(|&c| {
                    let start = if c == p.clock { p.start } else { p.start - self.offset(p.host) };
                    horizon(p.host, c).is_none_or(|h| start + SLACK_MS < h)
                })
            })
            .collect();
        for &id in &ready {
            self.uninventoried.remove(&id);
            if let Some(p) = self.procs[id].as_mut() {
                p.inventoried = true;
            }
        }
        ready
    }

    /// Processes on a host, for path links (rare).
    pub(crate) fn host_processes(&self, host: HostId) -> impl Iterator<Item = ProcId> + '_ {
        self.by_start.range((host, Clock::Utc, Millis::MIN, 0)..(host + 1, Clock::Utc, Millis::MIN, 0)).map(|k| k.3)
    }

    /// Drops what no event within the allowed lateness can need any more:
    /// activity older than the horizon that no open chain holds, ended
    /// processes, files older than the window, pending ends; then applies
    /// the caps, oldest first. `keep_procs` and `keep_acts` are what open
    /// chains hold.
    pub(crate) fn evict(
        &mut self,
        lateness: Millis,
        window: Millis,
        caps: &Caps,
        keep_procs: &BTreeSet<ProcId>,
        keep_acts: &BTreeSet<u64>,
        hosts: Option<&BTreeSet<HostId>>,
    ) {
        // Only hosts whose horizon moved (or all); `keep_*` covers their chains.
        for h in 0..self.hosts.len() as HostId {
            if hosts.is_some_and(|set| !set.contains(&h)) {
                continue;
            }
            let quiet = self.is_quiet(h);
            for clock in [Clock::Utc, Clock::Exporter] {
                let Some(wm) = self.hosts[h as usize].watermark[clock as usize] else { continue };
                // A quiet host's state goes whole, alive processes too.
                let horizon = if quiet { Millis::MAX / 4 } else { wm - lateness - SLACK_MS };
                let old: Vec<u64> = self
                    .acts_by_time
                    .range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0))
                    .map(|k| k.3)
                    .filter(|i| !keep_acts.contains(i))
                    .collect();
                self.evictions.activity_expired += old.len() as u64;
                for i in old {
                    self.drop_act(i);
                }
                let old_ends: Vec<u64> =
                    self.ends_by_time.range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0)).map(|k| k.3).collect();
                self.evictions.ends_expired += old_ends.len() as u64;
                for i in old_ends {
                    self.remove_pending_end(i);
                }
                let file_horizon = horizon - window;
                let old_files: Vec<(HostId, Clock, Millis, Box<str>, u64)> = self
                    .files_by_time
                    .range(
                        (h, clock, Millis::MIN, Box::<str>::from(""), 0)
                            ..(h, clock, file_horizon, Box::<str>::from(""), 0),
                    )
                    .cloned()
                    .collect();
                self.evictions.files_expired += old_files.len() as u64;
                for k in old_files {
                    self.files_by_time.remove(&k);
                    let key = (k.0, k.3.clone());
                    if let Some(v) = self.files.get_mut(&key) {
                        v.retain(|f| f.index != k.4);
                        if v.is_empty() {
                            self.files.remove(&key);
                        }
                    }
                }
                // Ended processes: gone once their end is past the horizon
                // (on a quiet host, every process).
                let ended: Vec<ProcId> = if quiet {
                    self.by_start
                        .range((h, clock, Millis::MIN, 0)..(h, clock, Millis::MAX, usize::MAX))
                        .map(|k| k.3)
                        .filter(|id| !keep_procs.contains(id))
                        .collect()
                } else {
                    self.by_end
                        .range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0))
                        .map(|k| k.3)
                        .filter(|id| !keep_procs.contains(id))
                        .collect()
                };
                self.evictions.processes_expired += ended.len() as u64;
                for id in ended {
                    self.drop_proc(id);
                }
            }
        }
        // Caps: the oldest go first, whatever their host.
        if self.live > caps.max_processes {
            let mut all: Vec<(Millis, u64, ProcId)> = self
                .by_start
                .iter()
                .filter(|k| !keep_procs.contains(&k.3))
                .map(|k| (self.utc(k.0, k.1, k.2), self.proc(k.3).first_event(), k.3))
                .collect();
            all.sort_unstable();
            let excess = self.live - caps.max_processes;
            for &(_, _, id) in all.iter().take(excess) {
                self.drop_proc(id);
                self.evictions.processes_over_cap += 1;
            }
        }
        if self.acts.len() > caps.max_activity {
            let mut all: Vec<(Millis, u64)> = self
                .acts
                .values()
                .filter(|a| !keep_acts.contains(&a.index))
                .map(|a| (self.utc(a.host, a.clock, a.time), a.index))
                .collect();
            all.sort_unstable();
            let excess = self.acts.len() - caps.max_activity;
            for &(_, i) in all.iter().take(excess) {
                self.drop_act(i);
                self.evictions.activity_over_cap += 1;
            }
        }
    }

    /// Removes a closed chain's processes and activity.
    pub(crate) fn forget(&mut self, procs: &[ProcId], acts: &[u64]) {
        for &id in procs {
            if self.procs.get(id).is_some_and(Option::is_some) {
                self.drop_proc(id);
            }
        }
        for &i in acts {
            self.drop_act(i);
        }
    }

    /// Everything the store holds, for snapshots.
    /// Borrows everything, for encoding without copying the records.
    pub(crate) fn contents(&self) -> StoreContentsRef<'_> {
        StoreContentsRef {
            hosts: &self.hosts,
            procs: self.procs.iter().flatten().collect(),
            acts: self.acts.values().collect(),
            ends: self.ends.values().collect(),
            files: self.files.iter().flat_map(|((h, _), v)| v.iter().map(move |f| (*h, f))).collect(),
            evictions: &self.evictions,
        }
    }

    /// Rebuilds a store (and its indexes) from snapshot contents.
    pub(crate) fn from_contents(c: StoreContents) -> Store {
        let mut s = Store::default();
        for (i, h) in c.hosts.into_iter().enumerate() {
            s.host_ids.insert(h.key.clone(), i as HostId);
            s.hosts.push(h);
        }
        for p in c.procs {
            s.add_proc(p);
        }
        for a in c.acts {
            s.insert_act(a);
        }
        for e in c.ends {
            s.add_pending_end(e);
        }
        for (h, f) in c.files {
            let name: Box<str> = basename(&f.path).to_ascii_lowercase().into();
            s.files_by_time.insert((h, f.clock, f.time, name.clone(), f.index));
            s.files.entry((h, name)).or_default().push(f);
        }
        s.evictions = c.evictions;
        s
    }

    /// Approximate heap bytes held, for the benchmark and `stats`.
    pub(crate) fn approx_bytes(&self) -> usize {
        let s = |o: &Option<Box<str>>| o.as_ref().map_or(0, |b| b.len());
        let procs: usize = self
            .procs
            .iter()
            .flatten()
            .map(|p| {
                std::mem::size_of::<ProcRec>()
                    + p.image.len()
                    + s(&p.command_line)
                    + s(&p.user)
                    + s(&p.original_file_name)
                    + s(&p.parent.image)
                    + s(&p.parent_command_line)
                    + p.events.len() * 8
                    + 160 // index entries
            })
            .sum();
        let acts: usize = self.acts.len() * (std::mem::size_of::<ActRec>() + 120);
        let files: usize = self.files_by_time.len() * (std::mem::size_of::<FileRec>() + 160);
        procs + acts + files
    }
}

/// Caps on retained state.
#[derive(Debug, Clone)]
pub(crate) struct Caps {
    pub max_processes: usize,
    pub max_activity: usize,
}

/// The borrowed twin of [`StoreContents`]: it serialises to the same bytes.
#[derive(Serialize)]
pub(crate) struct StoreContentsRef<'s> {
    pub hosts: &'s [HostInfo],
    pub procs: Vec<&'s ProcRec>,
    pub acts: Vec<&'s ActRec>,
    pub ends: Vec<&'s EndRec>,
    pub files: Vec<(HostId, &'s FileRec)>,
    pub evictions: &'s Evictions,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoreContents {
    pub hosts: Vec<HostInfo>,
    pub procs: Vec<ProcRec>,
    pub acts: Vec<ActRec>,
    pub ends: Vec<EndRec>,
    pub files: Vec<(HostId, FileRec)>,
    pub evictions: Evictions,
}

fn remove_from<K: Ord, V: PartialEq>(map: &mut BTreeMap<K, Vec<V>>, key: K, value: &V) {
    if let Some(v) = map.get_mut(&key) {
        v.retain(|x| x != value);
        if v.is_empty() {
            map.remove(&key);
        }
    }
}

/// Whether an event's image (if given) can be this process's image: equal
/// file names, or either side unknown.
fn image_compatible(image: &str, other: Option<&str>) -> bool {
    other.is_none_or(|o| basename(o).eq_ignore_ascii_case(basename(image)))
}

/// How far two start times are from agreeing, allowing a zone offset when
/// the clocks differ: `Some((residual, offset))` when they agree within
/// the merge tolerance.
fn clock_residual(a: Millis, a_clock: Clock, b: Millis, b_clock: Clock) -> Option<(Millis, Millis)> {
    let d = a - b;
    if a_clock == b_clock {
        return (d.abs() <= MERGE_TOLERANCE_MS).then_some((d.abs(), 0));
    }
    if d.abs() > MAX_ZONE_OFFSET_MS + MERGE_TOLERANCE_MS {
        return None;
    }
    let off = snap(d);
    let r = (d - off).abs();
    (r <= MERGE_TOLERANCE_MS).then_some((r, off))
}

fn snap(d: Millis) -> Millis {
    (d as f64 / QUARTER_HOUR_MS as f64).round() as Millis * QUARTER_HOUR_MS
}

/// A whole-quarter-hour offset, if `d` is within tolerance of one.
fn snap_offset(d: Millis) -> Option<Millis> {
    let off = snap(d);
    ((d - off).abs() <= MERGE_TOLERANCE_MS && off.abs() <= MAX_ZONE_OFFSET_MS).then_some(off)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residuals_allow_zone_offsets_only_across_clocks() {
        assert_eq!(clock_residual(10_000, Clock::Utc, 9_000, Clock::Utc), Some((1_000, 0)));
        assert_eq!(clock_residual(10_000, Clock::Utc, 0, Clock::Utc), None);
        let four_hours = 4 * 3_600_000;
        assert_eq!(clock_residual(four_hours + 5, Clock::Utc, 6, Clock::Exporter), Some((1, four_hours)));
        assert_eq!(clock_residual(four_hours + 5, Clock::Utc, 6, Clock::Utc), None);
        assert_eq!(clock_residual(7 * 60_000, Clock::Utc, 0, Clock::Exporter), None);
        assert_eq!(snap_offset(-(4 * 3_600_000) + 900), Some(-4 * 3_600_000));
    }
}
