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
    /// Its key in the store: see [`act_key`].
    pub key: u64,
    /// The input index of the item it came in (reported as its `event`).
    pub index: u64,
    /// The log record number of the event at `index` (`EventRecordID`).
    /// Persisted in the snapshot's record section (see `snapshot`), not
    /// with the record, so older snapshots stay readable.
    #[serde(skip)]
    pub record: Option<u64>,
    pub host: HostId,
    pub time: Millis,
    pub clock: Clock,
    /// The record's other clock (see `Event::alt_time`).
    pub alt_time: Option<(Millis, Clock)>,
    pub source: Source,
    pub actor: Actor,
    pub what: Activity,
}

/// Two clocks of one event that differ by more than this (after the host's
/// learned offset) disagree: more than any delivery delay, less than the
/// hours seen in real Sysmon network events.
const CLOCK_SKEW_MS: Millis = 60_000;

/// Bits of an activity key that number the records of one item.
const RECORD_BITS: u32 = 20;

/// The store key of an activity record: its input index and its record
/// number within the item. One item may hold many records (a Defender
/// streaming-API `{"records":[...]}` line): keyed by the input index alone,
/// they overwrote one another. Keys order as the input does, so tie-breaks
/// stay deterministic. Records past 2^20 in one item (impossible within
/// `max_item_bytes`) share the last number.
pub(crate) fn act_key(index: u64, record: u32) -> u64 {
    (index << RECORD_BITS) | u64::from(record.min((1 << RECORD_BITS) - 1))
}

/// Activity records by key, and their indexes.
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
            self.by_guid.entry((h, g.clone())).or_default().insert(rec.key);
        }
        if let Some(pid) = rec.actor.process.pid {
            self.by_pid.entry((h, pid)).or_default().insert(rec.key);
        }
        if is_mshta(rec.actor.image.as_deref(), None) {
            self.mshta.insert(rec.key);
        }
        self.by_time.insert((h, rec.clock, rec.time, rec.key));
        self.acts.insert(rec.key, rec);
    }

    pub(super) fn remove(&mut self, key: u64) {
        let Some(rec) = self.acts.remove(&key) else { return };
        let h = rec.host;
        if let Some(g) = &rec.actor.process.guid {
            remove_from(&mut self.by_guid, (h, g.clone()), &key);
        }
        if let Some(pid) = rec.actor.process.pid {
            remove_from(&mut self.by_pid, (h, pid), &key);
        }
        self.mshta.remove(&key);
        self.by_time.remove(&(h, rec.clock, rec.time, key));
    }

    pub(super) fn get(&self, key: u64) -> Option<&ActRec> {
        self.acts.get(&key)
    }

    pub(super) fn len(&self) -> usize {
        self.acts.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &ActRec> + '_ {
        self.acts.values()
    }

    pub(super) fn approx_bytes(&self) -> usize {
        self.acts.len() * (super::ACT_RECORD_BYTES + 120)
    }
}

impl Store {
    /// Activity records that name this process (by any of its ids, or its
    /// pid); the caller checks attribution with `resolve`.
    pub(crate) fn activity_candidates<'g>(
        &self,
        host: HostId,
        guids: impl Iterator<Item = &'g EntityId>,
        pid: Option<u32>,
    ) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        for g in guids {
            out.extend(self.acts.by_guid.get(&(host, g.clone())).into_iter().flatten());
        }
        if let Some(pid) = pid {
            out.extend(self.acts.by_pid.get(&(host, pid)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The process an activity record is attributed to: at its time, or,
    /// when its two clocks disagree and only the other one falls in a
    /// lifetime of the process it names, at that one.
    pub(crate) fn actor_of(&self, a: &ActRec) -> Option<ProcId> {
        self.resolve(a.host, &a.actor, self.utc(a.host, a.clock, a.time), None)
            .or_else(|| self.resolve(a.host, &a.actor, self.skewed_time(a)?, None))
    }

    /// The record's other clock in UTC, when it disagrees with its time by
    /// more than [`CLOCK_SKEW_MS`] once the host's learned offset is applied.
    fn skewed_time(&self, a: &ActRec) -> Option<Millis> {
        let (t, clock) = a.alt_time?;
        let alt = self.utc(a.host, clock, t);
        (alt.abs_diff(self.utc(a.host, a.clock, a.time)) > CLOCK_SKEW_MS.unsigned_abs()).then_some(alt)
    }

    /// The time of an activity record in UTC for the report, and whether its
    /// clocks disagreed: its time, unless that falls outside the lifetime of
    /// the process it is attributed to while its other clock falls inside
    /// (then that one, flagged), rather than trusting one field blindly.
    pub(crate) fn act_time(&self, a: &ActRec, actor: Option<ProcId>) -> (Millis, bool) {
        let primary = self.utc(a.host, a.clock, a.time);
        let (Some(id), Some(alt)) = (actor, self.skewed_time(a)) else { return (primary, false) };
        let p = self.proc(id);
        let alive = |t: Millis| {
            self.start_utc(p) <= t + super::SLACK_MS && self.end_utc(p).is_none_or(|e| t <= e + super::SLACK_MS)
        };
        if !alive(primary) && alive(alt) {
            (alt, true)
        } else {
            (primary, false)
        }
    }
}
