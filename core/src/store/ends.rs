//! Process ends: applied to the process they name when it is known, kept
//! as pending otherwise (events arrive in any order), and claimed by the
//! process when its start arrives.

use super::processes::image_compatible;
use super::{remove_from, HostId, ProcId, Store, SLACK_MS};
use crate::event::{Actor, Clock};
use crate::names::EntityId;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A process end whose process was not (yet) known.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EndRec {
    pub index: u64,
    pub host: HostId,
    pub time: Millis,
    pub clock: Clock,
    pub actor: Actor,
}

/// Pending ends and their indexes.
#[derive(Debug, Clone, Default)]
pub(super) struct PendingEnds {
    ends: BTreeMap<u64, EndRec>,
    pub(super) by_time: BTreeSet<(HostId, Clock, Millis, u64)>,
    /// Pending ends by (host, pid), so a new process finds its end fast.
    by_pid: BTreeMap<(HostId, u32), BTreeSet<u64>>,
    /// Pending ends with a GUID but no pid.
    by_guid: BTreeMap<(HostId, EntityId), BTreeSet<u64>>,
}

impl PendingEnds {
    pub(super) fn add(&mut self, rec: EndRec) {
        self.by_time.insert((rec.host, rec.clock, rec.time, rec.index));
        match (rec.actor.process.pid, &rec.actor.process.guid) {
            (Some(pid), _) => {
                self.by_pid.entry((rec.host, pid)).or_default().insert(rec.index);
            }
            (None, Some(g)) => {
                self.by_guid.entry((rec.host, g.clone())).or_default().insert(rec.index);
            }
            (None, None) => {}
        }
        self.ends.insert(rec.index, rec);
    }

    pub(super) fn remove(&mut self, index: u64) -> Option<EndRec> {
        let e = self.ends.remove(&index)?;
        self.by_time.remove(&(e.host, e.clock, e.time, e.index));
        match (e.actor.process.pid, &e.actor.process.guid) {
            (Some(pid), _) => remove_from(&mut self.by_pid, (e.host, pid), &index),
            (None, Some(g)) => remove_from(&mut self.by_guid, (e.host, g.clone()), &index),
            (None, None) => {}
        }
        Some(e)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &EndRec> + '_ {
        self.ends.values()
    }
}

impl Store {
    /// An end: applied to its process, or kept until the process arrives.
    pub(super) fn insert_end(&mut self, rec: EndRec) -> Option<ProcId> {
        let t = self.utc(rec.host, rec.clock, rec.time);
        let target = self.resolve(rec.host, &rec.actor, t, None).filter(|&id| {
            let p = self.proc(id);
            p.end.is_none() && image_compatible(&p.image, rec.actor.image.as_deref())
        });
        match target {
            Some(id) => {
                self.procs.set_end(id, (rec.time, rec.clock, rec.index));
                Some(id)
            }
            None => {
                self.ends.add(rec);
                None
            }
        }
    }

    /// An end that arrived before its start.
    pub(super) fn claim_pending_end(&mut self, id: ProcId) {
        let p = self.proc(id);
        let start = self.start_utc(p);
        let mut candidates: Vec<u64> = Vec::new();
        if let Some(pid) = p.pid {
            candidates.extend(self.ends.by_pid.get(&(p.host, pid)).into_iter().flatten());
        }
        for g in p.guid.iter().chain(p.aliases.iter()) {
            candidates.extend(self.ends.by_guid.get(&(p.host, g.clone())).into_iter().flatten());
        }
        let found = candidates
            .iter()
            .filter_map(|i| self.ends.ends.get(i))
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
            if let Some(e) = self.ends.remove(index) {
                self.procs.set_end(id, (e.time, e.clock, e.index));
            }
        }
    }
}
