//! Which input file each item came from. The engine reads bytes, not
//! files: the host program (a CLI, the viewer) names the file before it
//! pushes the file's items ([`crate::Engine::set_source`]), and the report
//! gives each evidence item and error the file its index falls in. Kept as
//! ranges of item indexes (one entry per file, not per item), so the table
//! costs nothing per event.

use serde::{Deserialize, Serialize};

/// Entries kept: one per file named. A scan of a folder of 65,536 files is
/// far past any real case; past it, later items are reported without a
/// file rather than with a wrong one.
pub(crate) const MAX_SOURCES: usize = 65_536;
/// A name longer than this (bytes) is cut at a character boundary: file
/// paths are far shorter, and the name is repeated in every item it labels.
pub(crate) const MAX_NAME_BYTES: usize = 4_096;

/// Ranges of item indexes and the file each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sources {
    /// `(first index, file)`, ascending by index; `None` ends the previous
    /// file's range without starting another.
    ranges: Vec<(u64, Option<Box<str>>)>,
    /// The table reached [`MAX_SOURCES`]: later names were not recorded.
    full: bool,
}

impl Sources {
    /// Items from `next_index` on come from `name` (or from no named file).
    pub(crate) fn set(&mut self, next_index: u64, name: Option<&str>) {
        let name: Option<Box<str>> = name.map(|n| cut(n, MAX_NAME_BYTES).into());
        if let Some((first, current)) = self.ranges.last_mut() {
            if *current == name {
                return;
            }
            // No item came in under the last name: replace it.
            if *first == next_index {
                *current = name;
                self.merge_last();
                return;
            }
        } else if name.is_none() {
            return;
        }
        if self.full {
            return;
        }
        if self.ranges.len() + 1 >= MAX_SOURCES {
            // Keep one slot to end the last range, so that no item is ever
            // labelled with a file it did not come from.
            self.full = true;
            self.ranges.push((next_index, None));
            return;
        }
        self.ranges.push((next_index, name));
    }

    /// After replacing the last entry, it may repeat the one before it.
    fn merge_last(&mut self) {
        let n = self.ranges.len();
        if n >= 2 && self.ranges[n - 1].1 == self.ranges[n - 2].1 {
            self.ranges.pop();
        }
        if self.ranges.len() == 1 && self.ranges[0].1.is_none() {
            self.ranges.clear();
        }
    }

    /// The file the item at `index` came from.
    pub(crate) fn file_of(&self, index: u64) -> Option<&str> {
        let at = self.ranges.partition_point(|(first, _)| *first <= index);
        at.checked_sub(1).and_then(|i| self.ranges[i].1.as_deref())
    }

    /// Approximate bytes held (for `stats.state_bytes`).
    pub(crate) fn approx_bytes(&self) -> usize {
        self.ranges.iter().map(|(_, n)| 32 + n.as_ref().map_or(0, |n| n.len())).sum()
    }

    /// Checks a restored table: ascending indexes below `next`, names
    /// within bounds.
    pub(crate) fn validate(&self, next: u64) -> Result<(), String> {
        if self.ranges.len() > MAX_SOURCES {
            return Err(format!("{} source files exceed the cap of {MAX_SOURCES}", self.ranges.len()));
        }
        let mut last = None;
        for (first, name) in &self.ranges {
            if last.is_some_and(|l| *first <= l) || *first > next {
                return Err(format!("source file range at item {first} out of order"));
            }
            if name.as_ref().is_some_and(|n| n.len() > MAX_NAME_BYTES) {
                return Err(format!("source file name at item {first} longer than {MAX_NAME_BYTES} bytes"));
            }
            last = Some(*first);
        }
        Ok(())
    }
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_take_the_file_named_before_them() {
        let mut s = Sources::default();
        assert_eq!(s.file_of(0), None);
        s.set(0, Some("a.evtx"));
        s.set(10, Some("b.evtx"));
        s.set(10, Some("c.evtx")); // b had no items
        s.set(25, None);
        s.set(30, Some("d.jsonl"));
        assert_eq!(s.file_of(0), Some("a.evtx"));
        assert_eq!(s.file_of(9), Some("a.evtx"));
        assert_eq!(s.file_of(10), Some("c.evtx"));
        assert_eq!(s.file_of(24), Some("c.evtx"));
        assert_eq!(s.file_of(25), None);
        assert_eq!(s.file_of(1_000), Some("d.jsonl"));
        assert_eq!(s.ranges.len(), 4);
        s.validate(31).unwrap();
    }

    #[test]
    fn renaming_to_the_same_file_adds_nothing() {
        let mut s = Sources::default();
        s.set(0, None);
        assert!(s.ranges.is_empty());
        s.set(0, Some("a"));
        s.set(5, Some("a"));
        s.set(7, Some("b"));
        s.set(7, Some("a"));
        assert_eq!(s.ranges, vec![(0, Some("a".into()))]);
    }

    #[test]
    fn the_table_is_capped_without_mislabelling() {
        let mut s = Sources::default();
        for i in 0..(MAX_SOURCES as u64 + 10) {
            s.set(i, Some(&format!("f{i}")));
        }
        assert!(s.ranges.len() <= MAX_SOURCES);
        assert_eq!(s.file_of(3), Some("f3"));
        assert_eq!(s.file_of(MAX_SOURCES as u64 + 5), None);
        let long = "é".repeat(MAX_NAME_BYTES);
        let mut t = Sources::default();
        t.set(0, Some(&long));
        assert!(t.file_of(0).unwrap().len() <= MAX_NAME_BYTES);
    }
}
