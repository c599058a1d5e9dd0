//! Processes: one record per process (several start reports merged, see
//! `merge`), the indexes over them (GUID, pid, parent, start and end
//! times, mshta roots and children), and the lookups correlation asks:
//! which process an actor reference means at a time, a process's parent
//! and children.

use super::{remove_from, HostId, ProcId, Store, SLACK_MS};
use crate::event::{Actor, Clock, Source};
use crate::names::{basename, is_mshta, EntityId};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    /// The log record number of the event at `events[0]` (`EventRecordID`).
    /// Persisted in the snapshot's record section (see `snapshot`), not
    /// with the record, so older snapshots stay readable.
    #[serde(skip)]
    pub record: Option<u64>,
    pub sources: u16,
    /// Rank of the sensor whose fields lead.
    pub(super) rank: u8,
    /// The end event applied: time, clock, input index.
    pub end: Option<(Millis, Clock, u64)>,
    /// Counted in the inventory (once its reports have all arrived).
    #[serde(default)]
    pub(super) inventoried: bool,
    /// FNV-1a of the command line (derived in `put`, not persisted): exact
    /// repeats are found by comparing it first, so a thousand starts that
    /// share a pid and a time with 30 KB command lines differing at the end
    /// cost a thousand integer comparisons each, not 30 KB ones.
    #[serde(skip)]
    pub(super) cmd_hash: u64,
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

/// The process records (slots reused after a drop) and their indexes.
#[derive(Debug, Clone, Default)]
pub(super) struct Procs {
    slots: Vec<Option<ProcRec>>,
    free: Vec<ProcId>,
    live: usize,
    pub(super) by_guid: BTreeMap<(HostId, EntityId), ProcId>,
    pub(super) by_pid: BTreeMap<(HostId, u32), BTreeSet<ProcId>>,
    by_parent_guid: BTreeMap<(HostId, EntityId), BTreeSet<ProcId>>,
    by_parent_pid: BTreeMap<(HostId, u32), BTreeSet<ProcId>>,
    /// Processes by (host, clock, start) for eviction.
    pub(super) by_start: BTreeSet<(HostId, Clock, Millis, ProcId)>,
    /// Ended processes by (host, clock of the end, end), so eviction finds
    /// them without scanning the live ones.
    pub(super) by_end: BTreeSet<(HostId, Clock, Millis, ProcId)>,
    pub(super) mshta: BTreeSet<ProcId>,
    /// mshta processes not yet counted in the inventory.
    pub(super) uninventoried: BTreeSet<ProcId>,
    /// Processes whose parent image is mshta (possible inferred roots).
    pub(super) mshta_children: BTreeSet<ProcId>,
}

impl Procs {
    pub(super) fn get(&self, id: ProcId) -> &ProcRec {
        self.slots[id].as_ref().expect("live process id")
    }

    pub(super) fn get_mut(&mut self, id: ProcId) -> Option<&mut ProcRec> {
        self.slots.get_mut(id).and_then(Option::as_mut)
    }

    pub(super) fn contains(&self, id: ProcId) -> bool {
        self.slots.get(id).is_some_and(Option::is_some)
    }

    pub(super) fn live(&self) -> usize {
        self.live
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &ProcRec> + '_ {
        self.slots.iter().flatten()
    }

    pub(super) fn add(&mut self, rec: ProcRec) -> ProcId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.put(id, rec);
        self.live += 1;
        id
    }

    /// Puts a record (back) into its slot, indexed.
    pub(super) fn put(&mut self, id: ProcId, mut rec: ProcRec) {
        rec.cmd_hash = command_hash(rec.command_line.as_deref());
        let h = rec.host;
        for g in rec.guid.iter().chain(rec.aliases.iter()) {
            self.by_guid.insert((h, g.clone()), id);
        }
        if let Some(pid) = rec.pid {
            self.by_pid.entry((h, pid)).or_default().insert(id);
        }
        if let Some(g) = &rec.parent.process.guid {
            self.by_parent_guid.entry((h, g.clone())).or_default().insert(id);
        }
        if let Some(pid) = rec.parent.process.pid {
            self.by_parent_pid.entry((h, pid)).or_default().insert(id);
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
        self.slots[id] = Some(rec);
    }

    /// Takes a record out of its slot and its indexes (the slot stays
    /// reserved: `put` it back, or `release` it).
    pub(super) fn take(&mut self, id: ProcId) -> Option<ProcRec> {
        let rec = self.slots.get_mut(id)?.take()?;
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

    /// Drops a process; false when the id was not live.
    pub(super) fn remove(&mut self, id: ProcId) -> bool {
        if self.take(id).is_some() {
            self.free.push(id);
            self.live -= 1;
            true
        } else {
            false
        }
    }

    pub(super) fn set_end(&mut self, id: ProcId, end: (Millis, Clock, u64)) {
        if let Some(p) = self.slots[id].as_mut() {
            p.end = Some(end);
            self.by_end.insert((p.host, end.1, end.0, id));
        }
    }

    /// Children candidates by the parent keys they name (unchecked).
    fn named_children(&self, p: &ProcRec) -> Vec<ProcId> {
        let mut out: Vec<ProcId> = Vec::new();
        // Its other sensors' ids too: a CrowdStrike child names a merged
        // parent by its UPID alone.
        for g in p.guid.iter().chain(p.aliases.iter()) {
            out.extend(self.by_parent_guid.get(&(p.host, g.clone())).into_iter().flatten());
        }
        if let Some(pid) = p.pid {
            out.extend(self.by_parent_pid.get(&(p.host, pid)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub(super) fn approx_bytes(&self) -> usize {
        let s = |o: &Option<Box<str>>| o.as_ref().map_or(0, |b| b.len());
        self.iter()
            .map(|p| {
                super::PROC_RECORD_BYTES
                    + p.image.len()
                    + s(&p.command_line)
                    + s(&p.user)
                    + s(&p.original_file_name)
                    + s(&p.parent.image)
                    + s(&p.parent_command_line)
                    + p.events.len() * 8
                    + 160 // index entries
            })
            .sum()
    }
}

impl Store {
    pub(crate) fn proc(&self, id: ProcId) -> &ProcRec {
        self.procs.get(id)
    }

    /// The process an actor reference means at UTC time `t`: by GUID, else
    /// the process with that pid alive at `t` (latest start wins).
    pub(crate) fn resolve(&self, host: HostId, actor: &Actor, t: Millis, exclude: Option<ProcId>) -> Option<ProcId> {
        if let Some(g) = &actor.process.guid {
            if let Some(&id) = self.procs.by_guid.get(&(host, g.clone())) {
                if Some(id) != exclude {
                    return Some(id);
                }
            }
        }
        let pid = actor.process.pid?;
        self.procs
            .by_pid
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
        let mut out = self.procs.named_children(self.proc(id));
        out.retain(|&c| self.parent_of(c) == Some(id));
        out
    }

    /// Processes on a host, for path links (rare).
    pub(crate) fn host_processes(&self, host: HostId) -> impl Iterator<Item = ProcId> + '_ {
        self.procs
            .by_start
            .range((host, Clock::Utc, Millis::MIN, 0)..(host + 1, Clock::Utc, Millis::MIN, 0))
            .map(|k| k.3)
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
            .procs
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
            self.procs.uninventoried.remove(&id);
            if let Some(p) = self.procs.get_mut(id) {
                p.inventoried = true;
            }
        }
        ready
    }
}

/// The hash `ProcRec::cmd_hash` holds.
pub(super) fn command_hash(cmd: Option<&str>) -> u64 {
    cmd.map_or(0, |c| crate::hash::fnv1a(c.as_bytes()))
}

/// Whether an event's image (if given) can be this process's image: equal
/// file names, or either side unknown.
pub(super) fn image_compatible(image: &str, other: Option<&str>) -> bool {
    other.is_none_or(|o| basename(o).eq_ignore_ascii_case(basename(image)))
}
