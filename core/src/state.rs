//! The engine's state: the correlation store, and everything else a
//! snapshot carries (counters, errors, closed chains, versions, the
//! inventory, coverage, an unfinished input line), plus what is derived
//! per batch and so not persisted (which hosts were touched).
//!
//! Persisted types are internal, not the report contract. Closed chains,
//! the one report-shaped thing kept, are persisted as the JSON text of the
//! report's `Chain` (see [`ClosedChain`]).

use crate::chains::Dropped;
use crate::config::Config;
use crate::coverage::Coverage;
use crate::event::{Clock, Event, Kind};
use crate::inventory::{self, GroupKey, Inventory};
use crate::report::{Chain, ItemError, Stats};
use crate::sources::Sources;
use crate::store::{ProcId, Store};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything a snapshot carries besides the store.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Persisted {
    pub next_index: u64,
    /// The end of the last batch when it stopped inside a JSON line.
    pub carry: Vec<u8>,
    /// The line being received was rejected as too long; skip to its end.
    pub skip_line: bool,
    /// The counts kept as events arrive (the other `Stats` fields are read
    /// off the state when a report is made). Report-contract types are kept
    /// as JSON text (see `json_text`).
    #[serde(with = "json_text")]
    pub counters: Stats,
    #[serde(with = "json_text")]
    pub errors: Vec<ItemError>,
    pub closed: BTreeMap<String, ClosedChain>,
    /// Per chain id: digest of its last rendering and its version.
    pub versions: BTreeMap<String, (u64, u32)>,
    /// Ids (and hosts) of the chains the caller was last told about (score
    /// at or above `min_score`) that still exist.
    pub announced: BTreeMap<String, u32>,
    /// The config the state was built with (used by `restore_saved`).
    #[serde(with = "json_text")]
    pub config: Option<Config>,
    pub inventory: Inventory,
    pub coverage: Coverage,
    /// Approximate bytes of the closed chains kept for the report.
    pub closed_bytes: u64,
    /// The stream is inside a top-level JSON array (its elements are items).
    pub in_array: bool,
    /// Per open chain id: what the per-chain caps (and `max_processes`)
    /// left out of it so far.
    pub dropped: BTreeMap<String, Dropped>,
    /// Items read after a repair (lone surrogate, out-of-range number),
    /// with what was repaired; capped at `max_errors`.
    #[serde(with = "json_text")]
    pub notes: Vec<ItemError>,
}

/// A closed chain, kept for the report. Closed chains are final: the
/// report shows them as they were when they closed, so they are kept as
/// rendered.
///
/// Persisted as the chain's JSON text, not as postcard of `Chain`: postcard
/// is not self-describing (fields are read by position), so one field added
/// to the report, which the contract allows, would make every older
/// snapshot unreadable, or worse, misread. JSON names its fields: a newer
/// engine reads an older chain whatever was added since (a field added to
/// the report needs `#[serde(default)]`, or to be an `Option`, to read
/// chains closed before it existed). It is also the report's own encoding,
/// so no second, internal copy of the report's shape has to be kept in
/// step with it. Closed chains are bounded by `max_chains`, so the larger
/// text costs little.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClosedChain {
    #[serde(with = "json_text")]
    pub chain: Chain,
    /// Its inventory group, computed once, when it closed.
    pub key: GroupKey,
    /// Its size: the length of its JSON text (for `stats.state_bytes`).
    pub bytes: u64,
}

impl ClosedChain {
    pub(crate) fn new(chain: Chain, bytes: u64) -> ClosedChain {
        let key = inventory::chain_key(&chain);
        ClosedChain { chain, key, bytes }
    }
}

/// A report-contract value (a `Chain`, the `Stats` counters, the
/// `Config`, item errors) as a string of JSON inside the snapshot's postcard
/// payload: those types gain fields over time, which postcard (read by
/// position) could not survive, while JSON (read by name) can.
mod json_text {
    use serde::de::DeserializeOwned;
    use serde::{de, ser, Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(value).map_err(ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(|e| de::Error::custom(format!("{}: {e}", std::any::type_name::<T>())))
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub store: Store,
    pub p: Persisted,
    /// Hosts that received events since the last settle: only their chains
    /// can have changed (derived, so not snapshotted).
    pub touched: BTreeSet<u32>,
    /// Every host counts as touched (after a restore).
    pub all_touched: bool,
    /// Which hosts were quiet at the last settle.
    pub was_quiet: Vec<bool>,
    /// Each open chain's last rendering (derived: rebuilt after a restore).
    pub render_cache: BTreeMap<String, crate::engine::Cached>,
    /// The input files items came from (persisted in the snapshot's
    /// record section, see `snapshot`).
    pub sources: Sources,
    /// The closed chains in eviction order (derived: built from `p.closed`
    /// when first needed, so a restore needs nothing).
    pub closed_rank: Option<BTreeSet<String>>,
}

/// Where a closed chain stands when `max_chains` evicts: the lowest score
/// first, then the oldest root, then the id, as one string that sorts so
/// (a set of strings adds no code to the .wasm; a set of tuples added
/// 13 KB). The score is shifted to sort unsigned and written at a fixed
/// width; NUL, which neither a time nor an id holds, separates the parts,
/// so a shorter time sorts first as in a tuple.
fn rank_of(c: &ClosedChain) -> String {
    rank_key(c.chain.score, &c.chain.root.time, &c.chain.id)
}

fn rank_key(score: i64, time: &str, id: &str) -> String {
    let score = (score as u64) ^ (1 << 63);
    format!("{score:020}\0{time}\0{id}")
}

impl State {
    /// Keeps a closed chain for the report.
    pub(crate) fn close(&mut self, closed: ClosedChain) {
        let new = self.closed_rank.is_some().then(|| rank_of(&closed));
        let old = self.p.closed.insert(closed.chain.id.clone(), closed);
        if let Some(rank) = &mut self.closed_rank {
            // Ids are unique among closed chains; keep the index exact
            // anyway (the old entry out first: it may equal the new one).
            if let Some(old) = old {
                rank.remove(&rank_of(&old));
            }
            rank.extend(new);
        }
    }

    /// Removes and returns the closed chain `max_chains` evicts first: an
    /// index kept beside the chains, so that a flood of chains costs a
    /// lookup per eviction instead of sorting every closed chain at every
    /// push (quadratic: 200,000 mshta starts took 98 s).
    pub(crate) fn evict_closed(&mut self) -> Option<ClosedChain> {
        let closed = &self.p.closed;
        let rank = self.closed_rank.get_or_insert_with(|| closed.values().map(rank_of).collect());
        let first = rank.pop_first()?;
        let id = first.rsplit('\0').next()?;
        self.p.closed.remove(id)
    }

    /// Stores one decoded event, counting it late when it is older than the
    /// allowed lateness behind its host's newest event.
    /// `record` numbers the events of one item (see `Store::insert`).
    pub(crate) fn accept(&mut self, ev: &Event, record: u32, lateness: Millis, jump: Millis) {
        if matches!(ev.kind, Kind::ProcessStart(_)) {
            self.p.counters.processes += 1;
        }
        let host = self.store.host(&ev.host);
        self.touched.insert(host);
        if let Some(wm) = self.store.watermark(host, ev.clock) {
            if ev.time < wm - lateness {
                self.p.counters.late_events += 1;
            }
        }
        self.p.coverage.add(ev);
        self.store.insert(ev, record, jump);
    }

    /// Counts mshta processes in the inventory once all their reports can
    /// have arrived (or all of them, at the end), so that merged reports
    /// count once and the UTC start is used.
    pub(crate) fn inventory_ready(&mut self, all: bool, lateness: Millis, max_groups: usize) {
        let store = &mut self.store;
        let horizons: Vec<[Option<Millis>; 2]> = (0..store.host_count())
            .map(|h| [store.horizon(h, Clock::Utc, lateness), store.horizon(h, Clock::Exporter, lateness)])
            .collect();
        let mut ready = store.take_uninventoried(all, |h, c| horizons.get(h as usize).and_then(|x| x[c as usize]));
        in_inventory_order(store, &mut ready);
        for id in ready {
            count_in_inventory(&mut self.p.inventory, store, id, max_groups);
        }
    }
}

/// The order mshta processes are counted in: arrival (the input index of
/// their first report), not their store slot, which a restore renumbers.
/// With `max_inventory` reached, the order decides which shapes get in.
pub(crate) fn in_inventory_order(store: &Store, ids: &mut [ProcId]) {
    ids.sort_by_cached_key(|&id| store.proc(id).first_event());
}

/// Counts one mshta process in an inventory.
pub(crate) fn count_in_inventory(inventory: &mut Inventory, store: &Store, id: ProcId, max_groups: usize) {
    let p = store.proc(id);
    inventory.add(
        max_groups,
        store.host_display(p.host),
        store.start_utc(p),
        p.command_line.as_deref(),
        &p.image,
        p.parent.image.as_deref(),
    );
}

#[cfg(test)]
mod tests {
    use super::rank_key;

    #[test]
    fn rank_keys_sort_as_score_time_id_tuples() {
        let scores = [i64::MIN, -100, -1, 0, 1, 9, 10, 99, 100, i64::MAX];
        let times = ["", "2024-05-01T08:00:00.000Z", "2024-05-01T08:00:00.000Zx", "2024-05-01T09:00:00.000Z"];
        let ids = ["mc-0", "mc-00", "mc-1"];
        let mut tuples = Vec::new();
        for s in scores {
            for t in times {
                for i in ids {
                    tuples.push((s, t, i));
                }
            }
        }
        let mut by_key = tuples.clone();
        by_key.sort_by_key(|&(s, t, i)| rank_key(s, t, i));
        tuples.sort();
        assert_eq!(by_key, tuples);
        assert_eq!(rank_key(5, "t", "mc-1").rsplit('\0').next(), Some("mc-1"));
    }
}
