//! Eviction: what the store drops, when, and the counts of it for `stats`.
//! Expiry drops only what no event within the allowed lateness can need
//! (activity and pending ends past the horizon, files older than a window
//! more, ended processes, a quiet host's everything); the caps then drop
//! the oldest, whatever their host. Closed chains are forgotten whole.

use super::{HostId, ProcId, Store, SLACK_MS};
use crate::event::Clock;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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

/// Caps on retained state.
#[derive(Debug, Clone)]
pub(crate) struct Caps {
    pub max_processes: usize,
    pub max_activity: usize,
}

impl Store {
    /// Drops what no event within the allowed lateness can need any more:
    /// activity older than the horizon that no open chain holds, ended
    /// processes, files older than the window, pending ends; then applies
    /// the caps, oldest first. `keep_procs` and `keep_acts` are what open
    /// chains hold (`keep_roots` their roots). Returns the members of open
    /// chains the process cap had to evict (only when the chains alone hold
    /// more than `max_processes`), so their chains can count them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn evict(
        &mut self,
        lateness: Millis,
        window: Millis,
        caps: &Caps,
        keep_procs: &BTreeSet<ProcId>,
        keep_roots: &BTreeSet<ProcId>,
        keep_acts: &BTreeSet<u64>,
        hosts: Option<&BTreeSet<HostId>>,
    ) -> Vec<ProcId> {
        // Only hosts whose horizon moved (or all); `keep_*` covers their chains.
        for h in 0..self.host_count() {
            if hosts.is_some_and(|set| !set.contains(&h)) {
                continue;
            }
            let quiet = self.is_quiet(h);
            for clock in [Clock::Utc, Clock::Exporter] {
                let Some(wm) = self.watermark(h, clock) else { continue };
                // A quiet host's state goes whole, alive processes too.
                let horizon = if quiet { Millis::MAX / 4 } else { wm - lateness - SLACK_MS };
                self.expire(h, clock, horizon, window, quiet, keep_procs, keep_acts);
            }
        }
        self.apply_caps(caps, keep_procs, keep_roots, keep_acts)
    }

    /// Expiry on one host and clock.
    #[allow(clippy::too_many_arguments)]
    fn expire(
        &mut self,
        h: HostId,
        clock: Clock,
        horizon: Millis,
        window: Millis,
        quiet: bool,
        keep_procs: &BTreeSet<ProcId>,
        keep_acts: &BTreeSet<u64>,
    ) {
        let old: Vec<u64> = self
            .acts
            .by_time
            .range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0))
            .map(|k| k.3)
            .filter(|i| !keep_acts.contains(i))
            .collect();
        self.evictions.activity_expired += old.len() as u64;
        for i in old {
            self.acts.remove(i);
        }
        let old_ends: Vec<u64> =
            self.ends.by_time.range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0)).map(|k| k.3).collect();
        self.evictions.ends_expired += old_ends.len() as u64;
        for i in old_ends {
            self.ends.remove(i);
        }
        self.evictions.files_expired += self.files.expire(h, clock, horizon - window);
        // Ended processes: gone once their end is past the horizon (on a
        // quiet host, every process).
        let ended: Vec<ProcId> = if quiet {
            self.procs
                .by_start
                .range((h, clock, Millis::MIN, 0)..(h, clock, Millis::MAX, usize::MAX))
                .map(|k| k.3)
                .filter(|id| !keep_procs.contains(id))
                .collect()
        } else {
            self.procs
                .by_end
                .range((h, clock, Millis::MIN, 0)..(h, clock, horizon, 0))
                .map(|k| k.3)
                .filter(|id| !keep_procs.contains(id))
                .collect()
        };
        self.evictions.processes_expired += ended.len() as u64;
        for id in ended {
            self.procs.remove(id);
        }
    }

    /// Caps: the oldest go first, whatever their host. Each (host, clock)
    /// index is already in time order, so the oldest overall come from a
    /// merge of those indexes: evicting `k` records costs about `k` steps
    /// (plus what open chains hold, skipped), never a sort of everything,
    /// so eviction stays amortised O(1) per event however far past the cap
    /// a host runs. What open chains hold goes last: their members, then
    /// (only if the roots alone exceed the cap) their roots, so that
    /// tracked processes never exceed `max_processes`.
    fn apply_caps(
        &mut self,
        caps: &Caps,
        keep_procs: &BTreeSet<ProcId>,
        keep_roots: &BTreeSet<ProcId>,
        keep_acts: &BTreeSet<u64>,
    ) -> Vec<ProcId> {
        let mut evicted_kept = Vec::new();
        if self.procs.live() > caps.max_processes {
            for pass in 0..3 {
                let excess = self.procs.live().saturating_sub(caps.max_processes);
                if excess == 0 {
                    break;
                }
                let evictable = |id: &ProcId| match pass {
                    0 => !keep_procs.contains(id),
                    1 => !keep_roots.contains(id),
                    _ => true,
                };
                let ranges: Vec<_> = streams(&self.procs.by_start)
                    .into_iter()
                    .map(|(h, c)| {
                        let off = self.utc(h, c, 0);
                        self.procs
                            .by_start
                            .range((h, c, Millis::MIN, 0)..=(h, c, Millis::MAX, usize::MAX))
                            .filter(|k| evictable(&k.3))
                            .map(move |k| (k.2.saturating_add(off), k.3))
                    })
                    .collect();
                let victims = oldest(self, ranges, excess, |s, id| s.proc(id).first_event());
                for id in victims {
                    if pass > 0 {
                        evicted_kept.push(id);
                    }
                    self.procs.remove(id);
                    self.evictions.processes_over_cap += 1;
                }
            }
        }
        if self.acts.len() > caps.max_activity {
            for pass in 0..2 {
                let excess = self.acts.len().saturating_sub(caps.max_activity);
                if excess == 0 {
                    break;
                }
                let ranges: Vec<_> = streams(&self.acts.by_time)
                    .into_iter()
                    .map(|(h, c)| {
                        let off = self.utc(h, c, 0);
                        self.acts
                            .by_time
                            .range((h, c, Millis::MIN, 0)..=(h, c, Millis::MAX, u64::MAX))
                            .filter(move |k| pass == 1 || !keep_acts.contains(&k.3))
                            .map(move |k| (k.2.saturating_add(off), k.3 as usize))
                    })
                    .collect();
                let victims = oldest(self, ranges, excess, |_, i| i as u64);
                for i in victims {
                    self.acts.remove(i as u64);
                    self.evictions.activity_over_cap += 1;
                }
            }
        }
        evicted_kept
    }

    /// Removes a closed chain's processes and activity (or what per-chain
    /// caps left out of an open one).
    pub(crate) fn forget(&mut self, procs: &[ProcId], acts: &[u64]) {
        for &id in procs {
            if self.procs.contains(id) {
                self.procs.remove(id);
            }
        }
        for &i in acts {
            self.acts.remove(i);
        }
    }
}

/// The (host, clock) pairs present in an index keyed by them first: one
/// tree step per pair, not a scan of the index.
fn streams<T: Ord + Copy + Bounded>(index: &BTreeSet<(HostId, Clock, Millis, T)>) -> Vec<(HostId, Clock)> {
    let mut out = Vec::new();
    let mut next = index.iter().next().map(|k| (k.0, k.1));
    while let Some((h, c)) = next {
        out.push((h, c));
        next = index.range((h, c, Millis::MAX, T::MAX)..).find(|k| (k.0, k.1) != (h, c)).map(|k| (k.0, k.1));
    }
    out
}

/// The largest value of an index's last key part.
trait Bounded {
    const MAX: Self;
}
impl Bounded for usize {
    const MAX: usize = usize::MAX;
}
impl Bounded for u64 {
    const MAX: u64 = u64::MAX;
}

/// The `n` oldest records over several time-ordered streams (one per host
/// and clock), by UTC time, then `tie`: a k-way merge.
fn oldest<'a, I>(store: &Store, streams: Vec<I>, n: usize, tie: impl Fn(&Store, usize) -> u64) -> Vec<usize>
where
    I: Iterator<Item = (Millis, usize)> + 'a,
{
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let _ = &store;
    let mut streams = streams;
    let mut heap = BinaryHeap::new();
    for (k, s) in streams.iter_mut().enumerate() {
        if let Some((t, id)) = s.next() {
            heap.push(Reverse((t, tie(store, id), id, k)));
        }
    }
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let Some(Reverse((_, _, id, k))) = heap.pop() else { break };
        out.push(id);
        if let Some((t, id)) = streams[k].next() {
            heap.push(Reverse((t, tie(store, id), id, k)));
        }
    }
    out
}
