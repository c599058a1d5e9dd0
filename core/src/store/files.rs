//! Recently created files, by host and lower-case file name, kept for a
//! window so that a later mshta whose command line names one can be
//! linked to the process that wrote it.

use super::{HostId, Store};
use crate::event::{Actor, Clock, Event};
use crate::names::basename;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A recently created file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FileRec {
    pub index: u64,
    /// The log record number of the event at `index` (`EventRecordID`).
    /// Persisted in the snapshot's record section (see `snapshot`), not
    /// with the record, so older snapshots stay readable.
    #[serde(skip)]
    pub record: Option<u64>,

    pub time: Millis,
    pub clock: Clock,
    pub path: Box<str>,
    pub actor: Actor,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Files {
    by_name: BTreeMap<(HostId, Box<str>), Vec<FileRec>>,
    by_time: BTreeSet<(HostId, Clock, Millis, Box<str>, u64)>,
}

impl Files {
    pub(super) fn insert(&mut self, host: HostId, ev: &Event, path: &str, actor: &Actor) {
        let rec = FileRec {
            index: ev.index,
            record: ev.record,
            time: ev.time,
            clock: ev.clock,
            path: path.into(),
            actor: actor.clone(),
        };
        self.add(host, rec);
    }

    /// Adds a record (also used when restoring).
    pub(super) fn add(&mut self, host: HostId, rec: FileRec) {
        let name: Box<str> = basename(&rec.path).to_ascii_lowercase().into();
        self.by_time.insert((host, rec.clock, rec.time, name.clone(), rec.index));
        self.by_name.entry((host, name)).or_default().push(rec);
    }

    /// Drops the host's files on `clock` older than `horizon`; returns how
    /// many.
    pub(super) fn expire(&mut self, host: HostId, clock: Clock, horizon: Millis) -> u64 {
        let old: Vec<(HostId, Clock, Millis, Box<str>, u64)> = self
            .by_time
            .range((host, clock, Millis::MIN, Box::<str>::from(""), 0)..(host, clock, horizon, Box::<str>::from(""), 0))
            .cloned()
            .collect();
        for k in &old {
            self.by_time.remove(k);
            let key = (k.0, k.3.clone());
            if let Some(v) = self.by_name.get_mut(&key) {
                v.retain(|f| f.index != k.4);
                if v.is_empty() {
                    self.by_name.remove(&key);
                }
            }
        }
        old.len() as u64
    }

    /// Every file with its host, for snapshots.
    pub(super) fn iter(&self) -> impl Iterator<Item = (HostId, &FileRec)> + '_ {
        self.by_name.iter().flat_map(|((h, _), v)| v.iter().map(move |f| (*h, f)))
    }

    pub(super) fn approx_bytes(&self) -> usize {
        self.by_time.len() * (super::FILE_RECORD_BYTES + 160)
    }
}

impl Store {
    /// Files named `file_name` created on `host`.
    pub(crate) fn files_named(&self, host: HostId, file_name: &str) -> &[FileRec] {
        self.files.by_name.get(&(host, file_name.to_ascii_lowercase().into_boxed_str())).map_or(&[], Vec::as_slice)
    }
}
