//! The inventory of every mshta execution, for baselining (ATT&CK's first
//! mitigation advice: compare with prior history of known-good arguments).
//! Executions are grouped by a normalised command-line shape and the
//! parent's image file name, with counts, hosts and first/last seen. Kept
//! for the whole stream (it does not expire with the window), bounded by a
//! cap on groups (`max_inventory`), new shapes beyond it counted.

use crate::names::{basename, lower};
use crate::report::Chain;
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const MAX_HOST_NAMES: usize = 50;
const MAX_SHAPE: usize = 240;

/// An inventory group: the command line's shape and the parent's image
/// file name, lower case (empty when unknown).
pub(crate) type GroupKey = (String, String);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Inventory {
    groups: BTreeMap<GroupKey, Group>,
    /// Executions not grouped because the cap was reached.
    pub overflow: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Group {
    count: u64,
    /// Highest final score of a closed chain of the group.
    max_score: Option<i64>,
    hosts: BTreeSet<String>,
    more_hosts: bool,
    first: Millis,
    last: Millis,
    /// The earliest example (ties: smallest text), so it does not depend on
    /// arrival order.
    example: (Millis, String),
}

/// One row of the report's `inventory`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryEntry {
    /// Normalised command line: lower case, the executable as `mshta`,
    /// user names as `*`, GUIDs as `{guid}`, digit runs as `#`.
    pub shape: String,
    /// Parent image file name, lower case (empty when unknown).
    pub parent: String,
    /// Executions seen.
    pub count: u64,
    /// Distinct hosts (counted exactly up to 50 names, then at least).
    pub hosts: u64,
    /// Up to 50 host names.
    pub host_names: Vec<String>,
    /// First execution (RFC 3339, UTC).
    pub first_seen: String,
    /// Last execution (RFC 3339, UTC).
    pub last_seen: String,
    /// One real command line of the group.
    pub example: String,
    /// Highest score of a chain of this group in the report; `null` when
    /// none of its chains is in the report (left out or evicted).
    pub max_score: Option<i64>,
}

impl Inventory {
    pub(crate) fn add(
        &mut self,
        max_groups: usize,
        host: &str,
        time: Millis,
        command_line: Option<&str>,
        image: &str,
        parent: Option<&str>,
    ) {
        let cmd = command_line.unwrap_or(image);
        let key = group_key(cmd, parent);
        if !self.groups.contains_key(&key) && self.groups.len() >= max_groups {
            self.overflow += 1;
            return;
        }
        let g = self.groups.entry(key).or_insert_with(|| Group {
            first: time,
            last: time,
            example: (time, cmd.to_string()),
            ..Group::default()
        });
        g.count += 1;
        g.first = g.first.min(time);
        g.last = g.last.max(time);
        let candidate = (time, cmd.to_string());
        if candidate < g.example {
            g.example = candidate;
        }
        let h = host.to_ascii_lowercase();
        if g.hosts.len() < MAX_HOST_NAMES || g.hosts.contains(&h) {
            g.hosts.insert(h);
        } else {
            g.more_hosts = true;
        }
    }

    /// Checks a restored inventory: counts JavaScript can hold, times in
    /// range, scores in 0..=100.
    pub(crate) fn check(&self, max_count: u64, max_time: i64) -> Result<(), String> {
        if self.overflow > max_count {
            return Err("inventory overflow count exceeds 2^53".into());
        }
        for (key, g) in &self.groups {
            let bad = g.count > max_count
                || [g.first, g.last, g.example.0].iter().any(|t| t.abs() > max_time)
                || g.max_score.is_some_and(|s| !(0..=100).contains(&s));
            if bad {
                return Err(format!("inventory group {:?}: count, time or score out of range", key.0));
            }
        }
        Ok(())
    }

    /// Records a closed chain's score in its group.
    pub(crate) fn note_score(&mut self, key: &GroupKey, score: i64) {
        if let Some(g) = self.groups.get_mut(key) {
            g.max_score = Some(g.max_score.map_or(score, |m| m.max(score)));
        }
    }

    /// The rows; `scores` holds the highest score of the report's chains
    /// per group (a group's row takes the higher of that and its closed
    /// chains' highest, kept even after they were evicted).
    pub(crate) fn entries(&self, scores: &BTreeMap<GroupKey, i64>) -> Vec<InventoryEntry> {
        let mut out: Vec<InventoryEntry> = self
            .groups
            .iter()
            .map(|(key, g)| InventoryEntry {
                shape: key.0.clone(),
                parent: key.1.clone(),
                count: g.count,
                hosts: g.hosts.len() as u64 + u64::from(g.more_hosts),
                host_names: g.hosts.iter().cloned().collect(),
                first_seen: crate::time::format_rfc3339(g.first),
                last_seen: crate::time::format_rfc3339(g.last),
                example: g.example.1.clone(),
                max_score: scores.get(key).copied().max(g.max_score),
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.shape, &a.parent).cmp(&(&b.shape, &b.parent))));
        out
    }
}

/// The group of an execution: its command line (or image when there is
/// none) and its parent's image.
pub(crate) fn group_key(cmd: &str, parent: Option<&str>) -> GroupKey {
    (command_shape(cmd), parent.map(|p| lower(basename(p)).into_owned()).unwrap_or_default())
}

/// The group of a chain's root, as the report shows it.
pub(crate) fn chain_key(chain: &Chain) -> GroupKey {
    let cmd = chain.root.command_line.as_deref().unwrap_or(&chain.root.image);
    group_key(cmd, chain.root.parent.as_ref().and_then(|p| p.image.as_deref()))
}

/// The normalised shape of a command line, so that the same invocation on
/// different machines, users and days groups together.
pub(crate) fn command_shape(cmd: &str) -> String {
    let l = cmd.trim().to_ascii_lowercase();
    // The executable: whatever path or quoting, it is `mshta`.
    let rest = if let Some(q) = l.strip_prefix('"') {
        q.find('"').map_or("", |i| &q[i + 1..])
    } else {
        l.find(char::is_whitespace).map_or("", |i| &l[i..])
    };
    let mut out = String::from("mshta");
    let rest = collapse_ws(rest.trim());
    if !rest.is_empty() {
        out.push(' ');
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < MAX_SHAPE {
        if let Some(n) = guid_at(b, i) {
            out.push_str("{guid}");
            i += n;
        } else if b[i].is_ascii_digit() {
            out.push('#');
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else if rest[i..].starts_with("\\users\\") {
            out.push_str("\\users\\*");
            i += "\\users\\".len();
            while i < b.len() && b[i] != b'\\' && b[i] != b'"' {
                i += 1;
            }
        } else {
            let ch = rest[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Length of a GUID (optionally braced) at `i`.
fn guid_at(b: &[u8], i: usize) -> Option<usize> {
    let braced = b.get(i) == Some(&b'{');
    let start = i + usize::from(braced);
    let body = b.get(start..start + 36)?;
    let ok = body.iter().enumerate().all(|(k, c)| match k {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    if !ok {
        return None;
    }
    if braced {
        (b.get(start + 36) == Some(&b'}')).then_some(38)
    } else {
        Some(36)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_group_the_same_invocation() {
        let a = command_shape(
            r#""C:\Windows\System32\mshta.exe" "C:\Users\alice\Downloads\a.hta" {1E460BD7-F1C3-4B2E-88BF-4E770A288AF5}"#,
        );
        let b = command_shape(
            r#"C:\WINDOWS\system32\MSHTA.EXE  "C:\Users\bob\Downloads\a.hta" {1e460bd7-f1c3-4b2e-88bf-4e770a288af5}"#,
        );
        assert_eq!(a, b);
        assert_eq!(a, r#"mshta "c:\users\*\downloads\a.hta" {guid}"#);
        assert_eq!(command_shape("mshta http://10.0.0.5:8080/x.hta"), "mshta http://#.#.#.#:#/x.hta");
        assert_eq!(command_shape("mshta.exe"), "mshta");
    }
}
