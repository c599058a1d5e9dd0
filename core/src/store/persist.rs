//! The store's contents for snapshots: the records only (borrowed, so a
//! snapshot does not copy the state first), never the indexes, which are
//! rebuilt on restore. Derived state (quiet hosts) is recomputed at the
//! next batch.

use super::{ActRec, EndRec, Evictions, FileRec, HostId, HostInfo, ProcRec, Store};
use serde::{Deserialize, Serialize};

/// The borrowed twin of [`StoreContents`]: it serialises to the same bytes.
#[derive(Serialize)]
pub(crate) struct StoreContentsRef<'s> {
    pub hosts: &'s [HostInfo],
    pub procs: Vec<&'s ProcRec>,
    pub acts: Vec<&'s ActRec>,
    pub ends: Vec<&'s EndRec>,
    pub files: Vec<(HostId, &'s FileRec)>,
    pub evictions: &'s Evictions,
}

/// Everything the store holds, as a snapshot carries it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoreContents {
    pub hosts: Vec<HostInfo>,
    pub procs: Vec<ProcRec>,
    pub acts: Vec<ActRec>,
    pub ends: Vec<EndRec>,
    pub files: Vec<(HostId, FileRec)>,
    pub evictions: Evictions,
}

impl Store {
    /// Borrows everything, for encoding without copying the records.
    pub(crate) fn contents(&self) -> StoreContentsRef<'_> {
        StoreContentsRef {
            hosts: &self.hosts.list,
            procs: self.procs.iter().collect(),
            acts: self.acts.iter().collect(),
            ends: self.ends.iter().collect(),
            files: self.files.iter().collect(),
            evictions: &self.evictions,
        }
    }

    /// Rebuilds a store (and its indexes) from snapshot contents.
    pub(crate) fn from_contents(c: StoreContents) -> Store {
        let mut s = Store::default();
        for h in c.hosts {
            s.hosts.push(h);
        }
        for p in c.procs {
            s.procs.add(p);
        }
        for a in c.acts {
            s.acts.insert(a);
        }
        for e in c.ends {
            s.ends.add(e);
        }
        for (h, f) in c.files {
            s.files.add(h, f);
        }
        s.evictions = c.evictions;
        s
    }
}
