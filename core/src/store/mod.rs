//! The engine's correlation state: the processes, follow-on activity and
//! recently created files it retains, the lookups correlation needs over
//! them, and eviction that keeps all of it bounded by the time window and
//! the caps. This file is the facade: the one type the rest of the crate
//! holds ([`Store`]), what goes in ([`Store::insert`]) and the read-only
//! questions chain discovery, views and the engine ask. Each concern has
//! its own file:
//!
//! - `hosts`: host names, per-clock watermarks, learned clock offsets,
//!   quiet hosts and horizons;
//! - `processes`: process records, their indexes, and the lookups by GUID,
//!   pid, parent and time;
//! - `merge`: one process reported by several sensors becomes one record;
//! - `ends`: process ends that arrived before their start;
//! - `activity`: network, DNS, file and module events;
//! - `files`: recently created files, for links by path;
//! - `eviction`: what is dropped, when, and the counts of it;
//! - `persist`: the store's contents for snapshots, and rebuilding from them.
//!
//! Everything here is a function of the *set* of events inserted (and the
//! watermarks), never of their order: merges prefer the richer sensor
//! whatever arrived first, lookups pick by time and input index, and
//! eviction only drops what an event arriving within the allowed lateness
//! can no longer need. Maps are `BTreeMap`s: keys come from the input
//! (GUIDs, hosts, paths), and a B-tree cannot be degraded by chosen keys
//! the way a hash map with fixed keys can; its order is also deterministic.
//!
//! Fields are private to this module tree: outside it the store is read
//! through the methods below and changed only by `insert`, `forget`,
//! `evict` and `take_uninventoried`.

mod activity;
mod ends;
mod eviction;
mod files;
mod hosts;
mod merge;
mod persist;
mod processes;

pub(crate) use activity::ActRec;
pub(crate) use ends::EndRec;
pub(crate) use eviction::{Caps, Evictions};
pub(crate) use files::FileRec;
pub(crate) use hosts::HostInfo;
pub(crate) use persist::{StoreContents, StoreContentsRef};
pub(crate) use processes::ProcRec;

use crate::event::{Activity, Event, Kind};
use crate::time::Millis;
use activity::Acts;
use ends::PendingEnds;
use files::Files;
use hosts::Hosts;
use processes::Procs;
use std::collections::BTreeMap;

pub(crate) type ProcId = usize;
pub(crate) type HostId = u32;

/// Telemetry clocks disagree a little (real Sysmon data stamps a process's
/// network events half a second before its own start event): an event this
/// close outside a lifetime still belongs to the process.
pub(crate) const SLACK_MS: Millis = 2_000;

/// Fixed parts of a record in `stats.state_bytes`, an estimate: constants
/// (about their size on a 64-bit host) rather than `size_of`, so that the
/// figure is the same in WebAssembly (32-bit) and natively, and the report
/// of the npm and the native CLI agree byte for byte.
pub(super) const PROC_RECORD_BYTES: usize = 336;
pub(super) const FILE_RECORD_BYTES: usize = 112;
pub(super) const ACT_RECORD_BYTES: usize = 176;

#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    hosts: Hosts,
    procs: Procs,
    acts: Acts,
    ends: PendingEnds,
    files: Files,
    evictions: Evictions,
}

impl Store {
    /// Adds one decoded event; true when it started a new process record
    /// (not a second report of a known one).
    /// `record` numbers the events of one item (0 but for the records of a
    /// streaming wrapper); `jump`: how far ahead of the host's newest event
    /// an event may be before it is a clock outlier (see `hosts`).
    pub(crate) fn insert(&mut self, ev: &Event, record: u32, jump: Millis) -> bool {
        let host = self.hosts.intern(&ev.host);
        self.hosts.observe(host, ev.clock, ev.time, jump);
        let source = ev.schema.source();
        match &ev.kind {
            Kind::ProcessStart(ps) => return self.insert_start(host, ev, source, ps),
            Kind::ProcessEnd(actor) => {
                let rec = EndRec { index: ev.index, host, time: ev.time, clock: ev.clock, actor: actor.clone() };
                self.insert_end(rec);
            }
            Kind::Activity { actor, what } => {
                if let Activity::FileCreate { path } = what {
                    self.files.insert(host, ev, path, actor);
                }
                let rec = ActRec {
                    key: activity::act_key(ev.index, record),
                    index: ev.index,
                    record: ev.record,
                    host,
                    time: ev.time,
                    clock: ev.clock,
                    alt_time: ev.alt_time,
                    source,
                    actor: actor.clone(),
                    what: what.clone(),
                };
                self.acts.insert(rec);
            }
        }
        false
    }

    /// Processes tracked now.
    pub(crate) fn process_count(&self) -> usize {
        self.procs.live()
    }

    /// mshta processes tracked now (roots and nested).
    pub(crate) fn mshta_count(&self) -> usize {
        self.procs.mshta.len()
    }

    /// mshta processes, candidate chain roots.
    pub(crate) fn mshta_processes(&self) -> impl Iterator<Item = ProcId> + '_ {
        self.procs.mshta.iter().copied()
    }

    /// Processes whose parent image is mshta (possible inferred roots).
    pub(crate) fn mshta_children(&self) -> impl Iterator<Item = ProcId> + '_ {
        self.procs.mshta_children.iter().copied()
    }

    /// mshta processes not yet counted in the inventory.
    pub(crate) fn uninventoried(&self) -> impl Iterator<Item = ProcId> + '_ {
        self.procs.uninventoried.iter().copied()
    }

    /// One activity record, if it is still held.
    pub(crate) fn activity(&self, index: u64) -> Option<&ActRec> {
        self.acts.get(index)
    }

    /// Activity records held now.
    pub(crate) fn activity_count(&self) -> usize {
        self.acts.len()
    }

    /// Activity whose actor image is mshta (possible inferred roots).
    pub(crate) fn mshta_activity(&self) -> impl Iterator<Item = u64> + '_ {
        self.acts.mshta.iter().copied()
    }

    /// Events quarantined as clock outliers so far.
    pub(crate) fn clock_outliers(&self) -> u64 {
        self.hosts.outliers()
    }

    /// What eviction has dropped so far.
    pub(crate) fn evictions(&self) -> &Evictions {
        &self.evictions
    }

    /// Approximate heap bytes held, for the benchmark and `stats`.
    pub(crate) fn approx_bytes(&self) -> usize {
        self.procs.approx_bytes() + self.acts.approx_bytes() + self.files.approx_bytes()
    }
}

/// Removes one value from a multi-map entry, and the entry once empty.
/// Entries are sets: an attacker can make one key hold a million values
/// (one parent pid for every process), and removal stays O(log n).
fn remove_from<K: Ord, V: Ord>(map: &mut BTreeMap<K, std::collections::BTreeSet<V>>, key: K, value: &V) {
    if let Some(v) = map.get_mut(&key) {
        v.remove(value);
        if v.is_empty() {
            map.remove(&key);
        }
    }
}
