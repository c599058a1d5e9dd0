//! A chain as plain data: root, lineage, members and activity with UTC
//! times, late flags and evidence indexes. Built once per chain from the
//! store, then scored and rendered, so scoring does not know the store.

use crate::chains::{ChainParts, Root, Via};
use crate::event::{Activity, Network};
use crate::store::{Store, SLACK_MS};
use crate::time::Millis;

pub(crate) struct View<'s> {
    pub id: String,
    pub host: &'s str,
    pub root: RootView<'s>,
    pub parent: Option<ProcView<'s>>,
    /// Ancestors above the parent, nearest first.
    pub lineage: Vec<ProcView<'s>>,
    pub members: Vec<MemberView<'s>>,
    pub acts: Vec<ActView<'s>>,
    pub dropped_file: Option<DroppedView>,
    pub window_ms: Millis,
}

pub(crate) struct RootView<'s> {
    pub pid: Option<u32>,
    pub guid: Option<String>,
    pub image: &'s str,
    pub original_file_name: Option<&'s str>,
    pub command_line: Option<&'s str>,
    pub user: Option<&'s str>,
    pub time: Millis,
    pub inferred: bool,
    pub events: Vec<u64>,
    /// The log record number of `events[0]`.
    pub record: Option<u64>,
    pub sources: Vec<&'static str>,
    pub end: Option<Millis>,
}

pub(crate) struct ProcView<'s> {
    pub pid: Option<u32>,
    pub guid: Option<String>,
    pub image: Option<&'s str>,
    pub command_line: Option<&'s str>,
}

pub(crate) struct MemberView<'s> {
    pub pid: Option<u32>,
    pub guid: Option<String>,
    pub image: &'s str,
    pub command_line: Option<&'s str>,
    pub time: Millis,
    pub depth: u32,
    pub parent_pid: Option<u32>,
    pub events: Vec<u64>,
    /// The log record number of `events[0]`.
    pub record: Option<u64>,
    pub late: bool,
    pub executed_file: bool,
}

pub(crate) struct ActView<'s> {
    pub time: Millis,
    /// Input indexes: one, or several when sensors reported the same thing.
    pub events: Vec<u64>,
    /// The log record number of `events[0]`.
    pub record: Option<u64>,
    pub pid: Option<u32>,
    pub image: Option<&'s str>,
    pub what: &'s Activity,
    pub late: bool,
    pub sources: Vec<&'static str>,
    /// The event's two clocks disagreed; `time` is the one consistent with
    /// the process's lifetime.
    pub clock_skew: bool,
}

pub(crate) struct DroppedView {
    pub path: String,
    pub time: Millis,
    pub event: u64,
    pub record: Option<u64>,
    pub writer_pid: Option<u32>,
    pub writer_image: Option<String>,
}

pub(crate) fn build<'s>(store: &'s Store, parts: &'s ChainParts, window_ms: Millis) -> View<'s> {
    let host = store.host_display(parts.host);
    let deadline = parts.seen.saturating_add(window_ms);
    let (root, parent) = match &parts.root {
        Root::Seen(id) => {
            let p = store.proc(*id);
            let parent_rec = store.parent_of(*id).map(|q| store.proc(q));
            let parent = ProcView {
                pid: p.parent.process.pid.or(parent_rec.and_then(|q| q.pid)),
                guid: p.parent.process.guid.as_ref().or(parent_rec.and_then(|q| q.guid.as_ref())).map(|g| g.display()),
                image: p.parent.image.as_deref().or(parent_rec.map(|q| &*q.image)),
                command_line: p.parent_command_line.as_deref().or(parent_rec.and_then(|q| q.command_line.as_deref())),
            };
            let has_parent = parent.pid.is_some() || parent.guid.is_some() || parent.image.is_some();
            (
                RootView {
                    pid: p.pid,
                    guid: p.guid.as_ref().map(|g| g.display()),
                    image: &p.image,
                    original_file_name: p.original_file_name.as_deref(),
                    command_line: p.command_line.as_deref(),
                    user: p.user.as_deref(),
                    time: parts.seen,
                    inferred: false,
                    events: p.events.clone(),
                    record: p.record,
                    sources: p.source_names(),
                    end: store.end_utc(p),
                },
                has_parent.then_some(parent),
            )
        }
        Root::Inferred(inf) => (
            RootView {
                pid: inf.pid,
                guid: inf.guid.as_ref().map(|g| g.display()),
                image: &inf.image,
                original_file_name: None,
                command_line: inf.command_line.as_deref(),
                user: None,
                time: parts.seen,
                inferred: true,
                events: Vec::new(),
                record: None,
                sources: Vec::new(),
                end: None,
            },
            None,
        ),
    };
    let mut lineage: Vec<ProcView> = parts
        .lineage
        .iter()
        .skip(1)
        .map(|&a| {
            let p = store.proc(a);
            ProcView {
                pid: p.pid,
                guid: p.guid.as_ref().map(|g| g.display()),
                image: Some(&p.image),
                command_line: p.command_line.as_deref(),
            }
        })
        .collect();
    // The oldest known ancestor may still name its own parent.
    if let Some(&last) = parts.lineage.last() {
        let p = store.proc(last);
        if lineage.len() + 1 < crate::chains::LINEAGE_DEPTH
            && store.parent_of(last).is_none()
            && p.parent.image.is_some()
        {
            lineage.push(ProcView {
                pid: p.parent.process.pid,
                guid: p.parent.process.guid.as_ref().map(|g| g.display()),
                image: p.parent.image.as_deref(),
                command_line: p.parent_command_line.as_deref(),
            });
        }
    }
    let members = parts
        .members
        .iter()
        .map(|m| {
            let p = store.proc(m.proc);
            let time = store.start_utc(p);
            MemberView {
                pid: p.pid,
                guid: p.guid.as_ref().map(|g| g.display()),
                image: &p.image,
                command_line: p.command_line.as_deref(),
                time,
                depth: m.depth,
                parent_pid: p.parent.process.pid,
                events: p.events.clone(),
                record: p.record,
                late: time > deadline,
                executed_file: m.via == Via::ExecutedFile,
            }
        })
        .collect();
    let mut acts: Vec<ActView> = parts
        .acts
        .iter()
        .filter_map(|&i| store.activity(i))
        .map(|a| {
            let actor = store.actor_of(a);
            let (time, clock_skew) = store.act_time(a, actor);
            let who = actor.map(|p| store.proc(p));
            ActView {
                time,
                events: vec![a.index],
                record: a.record,
                pid: who.and_then(|p| p.pid).or(a.actor.process.pid),
                image: who.map(|p| &*p.image).or(a.actor.image.as_deref()),
                what: &a.what,
                late: time > deadline,
                sources: vec![a.source.name()],
                clock_skew,
            }
        })
        .collect();
    // Ties broken by content, not input index, so that the order does not
    // depend on the order events arrived in.
    acts.sort_by_cached_key(|a| (a.time, a.pid, format!("{:?}", a.what)));
    let acts = merge_duplicate_connections(acts);
    let dropped_file = parts.dropped_file.as_ref().map(|f| DroppedView {
        path: f.path.to_string(),
        time: f.time,
        event: f.index,
        record: f.record,
        writer_pid: f.writer.process.pid,
        writer_image: f.writer.image.as_deref().map(str::to_string),
    });
    View { id: parts.id.clone(), host, root, parent, lineage, members, acts, dropped_file, window_ms }
}

/// One connection seen by two sensors (Sysmon 3 and Security 5156) is one
/// entry: same process, same far end and port, within a couple of seconds.
fn merge_duplicate_connections(acts: Vec<ActView<'_>>) -> Vec<ActView<'_>> {
    let mut out: Vec<ActView<'_>> = Vec::with_capacity(acts.len());
    for a in acts {
        if let Activity::Network(n) = a.what {
            if let Some(prev) = out.iter_mut().rev().take(16).find(|p| same_connection(p, &a, n)) {
                if a.events.first() < prev.events.first() {
                    prev.record = a.record;
                }
                prev.events.extend(a.events);
                prev.clock_skew |= a.clock_skew;
                prev.events.sort_unstable();
                for s in a.sources {
                    if !prev.sources.contains(&s) {
                        prev.sources.push(s);
                    }
                }
                // Sensor order, not arrival order.
                prev.sources.sort_by_key(|s| crate::event::Source::ALL.iter().position(|x| x.name() == *s));
                continue;
            }
        }
        out.push(a);
    }
    out
}

fn same_connection(p: &ActView, a: &ActView, n: &Network) -> bool {
    let Activity::Network(m) = p.what else { return false };
    (a.time - p.time).abs() <= SLACK_MS
        && p.pid == a.pid
        && m.remote_ip() == n.remote_ip()
        && remote_port(m) == remote_port(n)
        && p.sources != a.sources
}

fn remote_port(n: &Network) -> Option<u16> {
    match n.direction {
        crate::event::Direction::Inbound => n.src_port,
        _ => n.dst_port,
    }
}
