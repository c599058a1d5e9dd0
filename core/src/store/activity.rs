//! Follow-on activity (network connections, DNS queries, file creations,
//! module loads), held until a chain claims it or its horizon passes, with
//! the indexes that find it by the GUID or pid of the process it names.

use super::{remove_from, HostId, ProcId, Store};
use crate::event::{Activity, Actor, Clock, Source};
use crate::names::{is_mshta, EntityId};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

/// Activity records by input index, and their indexes.
#[derive(Debug, Clone, Default)]
pub(super) struct Acts {
    acts: BTreeMap<u64, ActRec>,
    by_guid: BTreeMap<(HostId, EntityId), BTreeSet<u64>>,
    by_pid: BTreeMap<(HostId, u32), BTreeSet<u64>>,
    pub(super) by_time: BTreeSet<(HostId, Clock, Millis, u64)>,
    /// Activity whose actor image is mshta (possible inferred roots).
    pub(super) mshta: BTreeSet<u64>,
}

impl Acts {
    pub(super) fn insert(&mut self, rec: ActRec) {
        let h = rec.host;
        if let Some(g) = &rec.actor.process.guid {
            self.by_guid.entry((h, g.clone())).or_default().insert(rec.index);
        }
        if let Some(pid) = rec.actor.process.pid {
            self.by_pid.entry((h, pid)).or_default().insert(rec.index);
        }
        if is_mshta(rec.actor.image.as_deref(), None) {
            self.mshta.insert(rec.index);
        }
        self.by_time.insert((h, rec.clock, rec.time, rec.index));
        self.acts.insert(rec.index, rec);
    }

    pub(super) fn remove(&mut self, index: u64) {
        let Some(rec) = self.acts.remove(&index) else { return };
        let h = rec.host;
        if let Some(g) = &rec.actor.process.guid {
            remove_from(&mut self.by_guid, (h, g.clone()), &index);
        }
        if let Some(pid) = rec.actor.process.pid {
            remove_from(&mut self.by_pid, (h, pid), &index);
        }
        self.mshta.remove(&index);
        self.by_time.remove(&(h, rec.clock, rec.time, index));
    }

    pub(super) fn get(&self, index: u64) -> Option<&ActRec> {
        self.acts.get(&index)
    }

    pub(super) fn len(&self) -> usize {
        self.acts.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &ActRec> + '_ {
        self.acts.values()
    }

    pub(super) fn approx_bytes(&self) -> usize {
        self.acts.len() * (std::mem::size_of::<ActRec>() + 120)
    }
}

impl Store {
    /// Activity records that name this process (by GUID or pid); the
    /// caller checks attribution with `resolve`.
    pub(crate) fn activity_candidates(&self, host: HostId, guid: Option<&EntityId>, pid: Option<u32>) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        if let Some(g) = guid {
            out.extend(self.acts.by_guid.get(&(host, g.clone())).into_iter().flatten());
        }
        if let Some(pid) = pid {
            out.extend(self.acts.by_pid.get(&(host, pid)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The process an activity record is attributed to.
    pub(crate) fn actor_of(&self, a: &ActRec) -> Option<ProcId> {
        self.resolve(a.host, &a.actor, self.utc(a.host, a.clock, a.time), None)
    }
}
