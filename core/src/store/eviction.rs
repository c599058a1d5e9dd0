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
        self.apply_caps(caps, keep_procs, keep_acts);
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

    /// Caps: the oldest go first, whatever their host.
    fn apply_caps(&mut self, caps: &Caps, keep_procs: &BTreeSet<ProcId>, keep_acts: &BTreeSet<u64>) {
        if self.procs.live() > caps.max_processes {
            let mut all: Vec<(Millis, u64, ProcId)> = self
                .procs
                .by_start
                .iter()
                .filter(|k| !keep_procs.contains(&k.3))
                .map(|k| (self.utc(k.0, k.1, k.2), self.proc(k.3).first_event(), k.3))
                .collect();
            all.sort_unstable();
            let excess = self.procs.live() - caps.max_processes;
            for &(_, _, id) in all.iter().take(excess) {
                self.procs.remove(id);
                self.evictions.processes_over_cap += 1;
            }
        }
        if self.acts.len() > caps.max_activity {
            let mut all: Vec<(Millis, u64)> = self
                .acts
                .iter()
                .filter(|a| !keep_acts.contains(&a.key))
                .map(|a| (self.utc(a.host, a.clock, a.time), a.key))
                .collect();
            all.sort_unstable();
            let excess = self.acts.len() - caps.max_activity;
            for &(_, i) in all.iter().take(excess) {
                self.acts.remove(i);
                self.evictions.activity_over_cap += 1;
            }
        }
    }

    /// Removes a closed chain's processes and activity.
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
