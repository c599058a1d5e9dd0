//! Cross-sensor merging: a process start reported by several sensors
//! (Sysmon, Security 4688, an EDR) is one process. Finds the record a new
//! start report belongs to, merges it field by field with the richer
//! sensor leading (whatever arrived first), and learns the host's clock
//! offset when the two reports are on different clocks.

use super::{HostId, ProcId, ProcRec, Store};
use crate::event::{Clock, Event, ProcessStart, Source};
use crate::names::basename;
use crate::time::Millis;

/// Two reports of one process from different sensors start within this.
const MERGE_TOLERANCE_MS: Millis = 3_000;

/// Exporters that write local time labelled UTC are off by whole quarter
/// hours (time zones), at most 14 hours.
const QUARTER_HOUR_MS: Millis = 15 * 60 * 1_000;
const MAX_ZONE_OFFSET_MS: Millis = 14 * 60 * 60 * 1_000;

impl Store {
    /// A process start: merged into the process another sensor already
    /// reported, or a new record (which may claim an end that came first).
    /// True for a new record.
    pub(super) fn insert_start(&mut self, host: HostId, ev: &Event, source: Source, ps: &ProcessStart) -> bool {
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
            record: ev.record,
            sources: source.bit(),
            rank: source.rank(),
            end: None,
            inventoried: false,
            cmd_hash: 0,
        };
        let id = self.procs.add(rec);
        self.claim_pending_end(id);
        true
    }

    /// The process another sensor already reported: same GUID, or same host,
    /// pid and image file name, started within a few seconds (or a whole
    /// number of quarter hours apart when one clock is an exporter's).
    fn find_same_process(&self, host: HostId, ev: &Event, source: Source, ps: &ProcessStart) -> Option<ProcId> {
        if let Some(g) = &ps.process.guid {
            if let Some(&id) = self.procs.by_guid.get(&(host, g.clone())) {
                return Some(id);
            }
        }
        let pid = ps.process.pid?;
        let name = basename(&ps.image);
        let cmd_hash = super::processes::command_hash(ps.command_line.as_deref());
        self.procs
            .by_pid
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
                    && !(p.start == ev.time
                        && p.clock == ev.clock
                        && p.cmd_hash == cmd_hash
                        && p.command_line == ps.command_line)
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
        // Out of its indexes while it changes (its GUID, parent keys or
        // start may), back in after.
        let Some(mut p) = self.procs.take(id) else { return };
        let learned = match (p.clock, ev.clock) {
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
        if ev.index < p.first_event() {
            p.record = ev.record;
        }
        if let Err(at) = p.events.binary_search(&ev.index) {
            p.events.insert(at, ev.index);
        }
        // A UTC report's start wins over an exporter's local one.
        if ev.clock == Clock::Utc && p.clock == Clock::Exporter {
            p.start = ev.time;
            p.clock = Clock::Utc;
        }
        let host = p.host;
        self.procs.put(id, p);
        if let Some(Some(off)) = learned {
            self.hosts.learn_offset(host, off);
        }
    }
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
