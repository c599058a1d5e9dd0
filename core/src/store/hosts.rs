//! Hosts: their names (one id per host, the name shown independent of
//! arrival order), the newest event time per clock (watermarks), the
//! learned offset of an exporter's clock from UTC, which hosts have gone
//! quiet, and the horizons derived from all of that.

use super::{HostId, ProcRec, Store};
use crate::event::Clock;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Per clock: the time of a quarantined event far ahead of the
    /// watermark, waiting for a second event near it to confirm the jump.
    #[serde(default)]
    pub pending_jump: [Option<Millis>; 2],
    /// Events of this host quarantined as clock outliers and never
    /// confirmed by a second event near their time.
    #[serde(default)]
    pub outliers: u64,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Hosts {
    pub(super) list: Vec<HostInfo>,
    ids: BTreeMap<Box<str>, HostId>,
    /// Hosts whose newest event is more than a window plus the lateness
    /// behind the newest event of any host: gone quiet, their state is
    /// dropped. Derived (recomputed at each batch), so not snapshotted.
    quiet: Vec<bool>,
}

impl Hosts {
    /// The id of a host name, adding the host the first time.
    pub(super) fn intern(&mut self, name: &str) -> HostId {
        // Per event: look up without allocating when the name is already
        // in its key form (lower case, trimmed).
        let key = crate::names::lower(name.trim());
        if let Some(&id) = self.ids.get(key.as_ref()) {
            let info = &mut self.list[id as usize];
            if *name < *info.display {
                info.display = name.into();
            }
            return id;
        }
        let key: Box<str> = key.into();
        self.push(HostInfo { key, display: name.into(), ..HostInfo::default() })
    }

    /// Adds a host record (restoring keeps the snapshot's ids).
    pub(super) fn push(&mut self, info: HostInfo) -> HostId {
        let id = self.list.len() as HostId;
        self.ids.insert(info.key.clone(), id);
        self.list.push(info);
        id
    }

    /// Moves the host's watermark on `clock` up to `t`, unless `t` is a
    /// clock outlier: more than `jump` ahead of it. One such event (a
    /// forged or broken timestamp, year 9999) would otherwise make every
    /// later event of the host late, expire its evidence and make every
    /// other host look quiet. It is quarantined instead (kept, counted, not
    /// moving the clock) until a second event within `jump` of it confirms
    /// that the host's clock really moved (a machine back after a week off).
    pub(super) fn observe(&mut self, host: HostId, clock: Clock, t: Millis, jump: Millis) {
        let info = &mut self.list[host as usize];
        let c = clock as usize;
        match info.watermark[c] {
            Some(w) if t > w.saturating_add(jump) => match info.pending_jump[c] {
                Some(p) if (t - p).abs() <= jump => {
                    info.watermark[c] = Some(t.max(p));
                    info.pending_jump[c] = None;
                    // Confirmed: the host's clock really moved (a machine
                    // back after days off), so the first was no outlier.
                    info.outliers = info.outliers.saturating_sub(1);
                }
                _ => {
                    info.pending_jump[c] = Some(t);
                    info.outliers += 1;
                }
            },
            Some(w) => info.watermark[c] = Some(w.max(t)),
            None => info.watermark[c] = Some(t),
        }
    }

    /// Events quarantined as clock outliers, all hosts.
    pub(super) fn outliers(&self) -> u64 {
        self.list.iter().map(|h| h.outliers).sum()
    }

    /// One more sighting of an offset between the host's two clocks.
    pub(super) fn learn_offset(&mut self, host: HostId, offset: Millis) {
        *self.list[host as usize].offsets.entry(offset).or_default() += 1;
    }

    pub(super) fn watermark(&self, host: HostId, clock: Clock) -> Option<Millis> {
        self.list[host as usize].watermark[clock as usize]
    }

    /// The host's learned offset of its exporter clock from UTC: the most
    /// frequent candidate (ties: the smallest, then the negative one).
    pub(super) fn offset(&self, host: HostId) -> Millis {
        let offsets = &self.list[host as usize].offsets;
        offsets
            .iter()
            .max_by_key(|(off, n)| (**n, std::cmp::Reverse(off.abs()), std::cmp::Reverse(**off)))
            .map_or(0, |(o, _)| *o)
    }

    /// A time in the UTC domain.
    pub(super) fn utc(&self, host: HostId, clock: Clock, t: Millis) -> Millis {
        match clock {
            Clock::Utc => t,
            Clock::Exporter => t.saturating_add(self.offset(host)),
        }
    }

    pub(super) fn is_quiet(&self, host: HostId) -> bool {
        self.quiet.get(host as usize).copied().unwrap_or(false)
    }

    fn update_quiet(&mut self, window: Millis, lateness: Millis) {
        let newest: Vec<Option<Millis>> = (0..self.list.len() as HostId)
            .map(|h| {
                let utc = self.watermark(h, Clock::Utc);
                let exp = self.watermark(h, Clock::Exporter).map(|t| self.utc(h, Clock::Exporter, t));
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
}

impl Store {
    /// The id of a host name (added the first time it is seen).
    pub(crate) fn host(&mut self, name: &str) -> HostId {
        self.hosts.intern(name)
    }

    /// Hosts seen so far; ids are `0..host_count()`.
    pub(crate) fn host_count(&self) -> u32 {
        self.hosts.list.len() as u32
    }

    /// The host's name as shown in reports.
    pub(crate) fn host_display(&self, host: HostId) -> &str {
        &self.hosts.list[host as usize].display
    }

    /// The host's key: its name lower case and trimmed.
    pub(crate) fn host_key(&self, host: HostId) -> &str {
        &self.hosts.list[host as usize].key
    }

    /// The host's newest event time on `clock`.
    pub(crate) fn watermark(&self, host: HostId, clock: Clock) -> Option<Millis> {
        self.hosts.watermark(host, clock)
    }

    /// Recomputes which hosts have gone quiet.
    pub(crate) fn update_quiet(&mut self, window: Millis, lateness: Millis) {
        self.hosts.update_quiet(window, lateness);
    }

    pub(crate) fn is_quiet(&self, host: HostId) -> bool {
        self.hosts.is_quiet(host)
    }

    /// The host's newest event time on `clock` minus the lateness: events
    /// of that clock older than this can no longer be joined by in-bound
    /// events. Each clock has its own horizon, because an exporter's clock
    /// may be hours off UTC until the host's offset is learned.
    pub(crate) fn horizon(&self, host: HostId, clock: Clock, lateness: Millis) -> Option<Millis> {
        if self.is_quiet(host) {
            // Gone quiet: nothing more is expected from it.
            return Some(Millis::MAX / 4);
        }
        self.watermark(host, clock).map(|w| w - lateness)
    }

    /// The host's learned offset of its exporter clock from UTC.
    pub(crate) fn offset(&self, host: HostId) -> Millis {
        self.hosts.offset(host)
    }

    /// A time in the UTC domain.
    pub(crate) fn utc(&self, host: HostId, clock: Clock, t: Millis) -> Millis {
        self.hosts.utc(host, clock, t)
    }

    pub(crate) fn start_utc(&self, p: &ProcRec) -> Millis {
        self.utc(p.host, p.clock, p.start)
    }

    pub(crate) fn end_utc(&self, p: &ProcRec) -> Option<Millis> {
        p.end.map(|(t, c, _)| self.utc(p.host, c, t))
    }
}
