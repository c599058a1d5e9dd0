//! Correlation: from decoded events to mshta chains.
//!
//! Builds the process table (one entry per process, keyed by GUID, or by
//! host + pid within the process's lifetime when there is no GUID), links
//! children to parents, finds the mshta roots, and attributes every
//! follow-on event (file, network, DNS, image load) to the chain whose
//! process did it. Maps are `BTreeMap`s: attacker-chosen keys (GUIDs, host
//! names) cannot degrade them the way they can a hash map with fixed keys,
//! and their order is deterministic.

use crate::event::{Actor, Event, Kind, ProcessStart};
use crate::names::{basename, host_key, is_mshta, EntityId};
use crate::time::Millis;
use std::collections::BTreeMap;

/// Telemetry clocks disagree a little: real Sysmon data has network events
/// of a process stamped half a second before its own start event. An event
/// this close outside a lifetime still belongs to the process.
const LIFETIME_SLACK_MS: Millis = 2_000;

/// Ancestor walks stop after this many steps (bad data can hold cycles).
const MAX_ANCESTOR_STEPS: usize = 64;

/// One process, seen by its start event or inferred from references to it.
pub(crate) struct Proc<'e> {
    pub host: &'e str,
    host_key: Box<str>,
    pub pid: Option<u32>,
    pub guid: Option<EntityId>,
    pub image: Option<&'e str>,
    pub original_file_name: Option<&'e str>,
    pub command_line: Option<&'e str>,
    pub user: Option<&'e str>,
    /// `None` for inferred processes.
    pub start: Option<Millis>,
    /// The first time anything about the process was seen.
    pub seen: Millis,
    end: Option<Millis>,
    /// The start event, for seen processes.
    pub start_event: Option<&'e Event>,
    /// What the start event says about the parent.
    pub parent_info: Option<(&'e Actor, Option<&'e str>)>,
    /// The parent in the table, once linked.
    pub parent: Option<usize>,
}

impl Proc<'_> {
    pub(crate) fn is_mshta(&self) -> bool {
        is_mshta(self.image, self.original_file_name)
    }
}

/// A chain before scoring: indexes into the process table and the events.
pub(crate) struct ChainParts<'e> {
    pub root: usize,
    /// Descendants with their depth, in start order.
    pub members: Vec<(usize, u32)>,
    /// Follow-on events by the root or a member, with the process index.
    pub activity: Vec<(&'e Event, usize)>,
}

pub(crate) struct Correlation<'e> {
    pub procs: Vec<Proc<'e>>,
    pub chains: Vec<ChainParts<'e>>,
    pub mshta_processes: u64,
}

#[derive(Default)]
struct Table<'e> {
    procs: Vec<Proc<'e>>,
    by_guid: BTreeMap<(Box<str>, EntityId), usize>,
    /// Processes per host and pid, in start order.
    by_pid: BTreeMap<(Box<str>, u32), Vec<usize>>,
}

impl<'e> Table<'e> {
    fn insert(&mut self, p: Proc<'e>) -> usize {
        let i = self.procs.len();
        if let Some(g) = &p.guid {
            self.by_guid.insert((p.host_key.clone(), g.clone()), i);
        }
        if let Some(pid) = p.pid {
            self.by_pid.entry((p.host_key.clone(), pid)).or_default().push(i);
        }
        self.procs.push(p);
        i
    }

    /// The process an event refers to: by GUID, else by pid among the
    /// processes with that pid alive at `at`.
    fn resolve(&self, host: &str, pid: Option<u32>, guid: Option<&EntityId>, at: Millis) -> Option<usize> {
        if let Some(g) = guid {
            if let Some(&i) = self.by_guid.get(&(Box::from(host), g.clone())) {
                return Some(i);
            }
            // A GUID we have not seen may still be a process we know only by
            // pid (an inferred one, or a source without GUIDs).
        }
        let candidates = self.by_pid.get(&(Box::from(host), pid?))?;
        candidates.iter().rev().copied().find(|&i| {
            let p = &self.procs[i];
            let started = p.start.map_or(true, |s| s <= at + LIFETIME_SLACK_MS);
            let alive = p.end.map_or(true, |e| at <= e + LIFETIME_SLACK_MS);
            let same_guid = match (guid, &p.guid) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            started && alive && same_guid
        })
    }

    fn inferred(&mut self, host: &'e str, actor: &'e Actor, command_line: Option<&'e str>, seen: Millis) -> usize {
        self.insert(Proc {
            host,
            host_key: host_key(host),
            pid: actor.process.pid,
            guid: actor.process.guid.clone(),
            image: actor.image.as_deref(),
            original_file_name: None,
            command_line,
            user: None,
            start: None,
            seen,
            end: None,
            start_event: None,
            parent_info: None,
            parent: None,
        })
    }
}

/// Correlates events sorted by time (see `Engine::finish`).
pub(crate) fn correlate(events: &[Event]) -> Correlation<'_> {
    let mut t = Table::default();

    // 1. One entry per process start; a repeated start of the same GUID is
    //    the same process reported twice.
    for ev in events {
        let Kind::ProcessStart(ps) = &ev.kind else { continue };
        let key = host_key(&ev.host);
        if let Some(g) = &ps.process.guid {
            if t.by_guid.contains_key(&(key.clone(), g.clone())) {
                continue;
            }
        }
        t.insert(started(ev, ps, key));
    }

    // 2. Ends close lifetimes, so a reused pid is not mistaken for its
    //    predecessor.
    for ev in events {
        let Kind::ProcessEnd(actor) = &ev.kind else { continue };
        let key = host_key(&ev.host);
        if let Some(i) = t.resolve(&key, actor.process.pid, actor.process.guid.as_ref(), ev.time) {
            let p = &mut t.procs[i];
            if p.end.is_none() && p.start.map_or(true, |s| s <= ev.time + LIFETIME_SLACK_MS) {
                p.end = Some(ev.time);
            }
        }
    }

    // 3. Link each started process to its parent; where the parent is an
    //    mshta whose start we never saw, infer it from the parent fields.
    for i in 0..t.procs.len() {
        let Some((parent, parent_cmd)) = t.procs[i].parent_info else { continue };
        let (key, start, host) = (t.procs[i].host_key.clone(), t.procs[i].seen, t.procs[i].host);
        let found = t.resolve(&key, parent.process.pid, parent.process.guid.as_ref(), start).filter(|&p| p != i);
        let linked = match found {
            Some(p) => Some(p),
            None if is_mshta(parent.image.as_deref(), None) => Some(t.inferred(host, parent, parent_cmd, start)),
            None => None,
        };
        t.procs[i].parent = linked;
    }

    // 4. Attribute follow-on activity; activity of an unseen mshta infers it.
    let mut activity: Vec<(&Event, usize)> = Vec::new();
    for ev in events {
        let actor = match &ev.kind {
            Kind::FileCreate { actor, .. } | Kind::Dns { actor, .. } | Kind::ImageLoad { actor, .. } => actor,
            Kind::Network(n) => &n.actor,
            Kind::ProcessStart(_) | Kind::ProcessEnd(_) => continue,
        };
        let key = host_key(&ev.host);
        let who = match t.resolve(&key, actor.process.pid, actor.process.guid.as_ref(), ev.time) {
            Some(i) => i,
            None if is_mshta(actor.image.as_deref(), None) => t.inferred(&ev.host, actor, None, ev.time),
            None => continue,
        };
        activity.push((ev, who));
    }

    let procs = t.procs;
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); procs.len()];
    for (i, p) in procs.iter().enumerate() {
        if let Some(parent) = p.parent {
            children[parent].push(i);
        }
    }

    // 5. Roots: mshta processes with no earlier mshta among their ancestors
    //    (an mshta started inside a chain belongs to that chain).
    let mshta: Vec<usize> = (0..procs.len()).filter(|&i| procs[i].is_mshta()).collect();
    let mut owner: Vec<Option<u32>> = vec![None; procs.len()];
    let mut chains = Vec::new();
    let mut roots: Vec<usize> = mshta.iter().copied().filter(|&i| !has_mshta_ancestor(&procs, i)).collect();
    roots.sort_by_key(|&i| (procs[i].seen, i));
    for root in roots {
        let chain_no = chains.len() as u32;
        owner[root] = Some(chain_no);
        let mut members = Vec::new();
        let mut queue = std::collections::VecDeque::from([(root, 0u32)]);
        while let Some((p, depth)) = queue.pop_front() {
            for &c in &children[p] {
                if owner[c].is_none() {
                    owner[c] = Some(chain_no);
                    members.push((c, depth + 1));
                    queue.push_back((c, depth + 1));
                }
            }
        }
        members.sort_by_key(|&(i, d)| (procs[i].seen, d, i));
        chains.push(ChainParts { root, members, activity: Vec::new() });
    }
    for (ev, who) in activity {
        if let Some(c) = owner[who] {
            chains[c as usize].activity.push((ev, who));
        }
    }
    Correlation { mshta_processes: mshta.len() as u64, procs, chains }
}

fn started<'e>(ev: &'e Event, ps: &'e ProcessStart, key: Box<str>) -> Proc<'e> {
    Proc {
        host: &ev.host,
        host_key: key,
        pid: ps.process.pid,
        guid: ps.process.guid.clone(),
        image: Some(&ps.image),
        original_file_name: ps.original_file_name.as_deref(),
        command_line: ps.command_line.as_deref(),
        user: ps.user.as_deref(),
        start: Some(ev.time),
        seen: ev.time,
        end: None,
        start_event: Some(ev),
        parent_info: Some((&ps.parent, ps.parent_command_line.as_deref())),
        parent: None,
    }
}

/// Whether an ancestor of `i` is an mshta. When bad data makes `i` part of
/// a parent cycle, only an mshta of the cycle that started earlier counts,
/// so the earliest mshta of a cycle is its root.
fn has_mshta_ancestor(procs: &[Proc], i: usize) -> bool {
    let me = &procs[i];
    let mut ancestors = Vec::new();
    let mut cur = me.parent;
    let mut cycle = false;
    while let Some(a) = cur {
        if a == i {
            cycle = true;
            break;
        }
        if ancestors.len() == MAX_ANCESTOR_STEPS {
            break;
        }
        ancestors.push(a);
        cur = procs[a].parent;
    }
    ancestors.iter().any(|&a| procs[a].is_mshta() && (!cycle || (procs[a].seen, a) < (me.seen, i)))
}

/// The image file name of a process, for scoring.
pub(crate) fn image_name<'a>(p: &Proc<'a>) -> &'a str {
    p.image.map(basename).unwrap_or("")
}
