//! Snapshots: the engine's state as versioned, checksummed bytes.
//!
//! Layout: magic `MSHC`, format version (u16 LE), payload length (u64 LE),
//! the payload (postcard, a compact varint encoding of the serde data
//! model), FNV-1a-64 of the payload (u64 LE). Indexes are not stored: they
//! are rebuilt on restore.
//!
//! The payload holds internal state types (`state`, `store::persist`),
//! not the report: closed chains travel as their JSON text, so fields added
//! to the report do not change the layout. Format 2: closed chains as JSON
//! text with their inventory group and size, and chain versions keyed by a
//! content digest (format 1 held them as postcard of the report's `Chain`,
//! versions by a hash of their JSON). Format 3: the splitter's array
//! state, per-chain counts of what the caps left out, repair notes, and per
//! host the clock-outlier quarantine. Format 4: the format 3 payload
//! followed by a second postcard section, [`Locations`] (each record's log
//! record number, and which input file each item came from), so that a
//! format 3 snapshot still restores (without them).
//!
//! A snapshot is trusted input (the host program's own state, from its own
//! store): the checksum catches accidental damage, not forgery (an unkeyed
//! hash can be recomputed). Restore still checks every value a report or
//! an index will use (host ids in range, input indexes and counters that a
//! JavaScript number can hold, times within the representable range), so a
//! forged or damaged snapshot that passes the checksum fails at restore
//! with a clear error, never later in `report()`.

use crate::hash::fnv1a;
use crate::sources::Sources;
use crate::state::{Persisted, State};
use crate::store::{Store, StoreContents, StoreContentsRef};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"MSHC";
/// Bump when the payload's layout changes; versions before it fail with
/// [`SnapshotError::NoLongerSupported`] (keep a fixture of each in
/// `tests/data/snapshots/`).
pub(crate) const FORMAT_VERSION: u16 = 4;
/// The oldest format this engine still reads.
pub(crate) const OLDEST_READABLE: u16 = 3;
const HEADER: usize = 4 + 2 + 8;

/// Why a snapshot could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// The bytes do not start with the snapshot magic.
    NotASnapshot,
    /// Written by an older format this engine no longer reads (take a
    /// new snapshot with the engine version that wrote it, or start over).
    NoLongerSupported(u16),
    /// Written by another format version (a newer one, or none known).
    Version {
        /// The snapshot's format version.
        found: u16,
        /// The version this engine reads.
        supported: u16,
    },
    /// Shorter than its header says.
    Truncated,
    /// The checksum or the payload is wrong.
    Corrupted(String),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not an mshta-chain snapshot"),
            SnapshotError::NoLongerSupported(version) => write!(f, "snapshot format {version} is no longer supported"),
            SnapshotError::Version { found, supported } => {
                write!(f, "snapshot format version {found}; this engine reads version {supported}")
            }
            SnapshotError::Truncated => write!(f, "snapshot truncated"),
            SnapshotError::Corrupted(why) => write!(f, "snapshot corrupted: {why}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

#[derive(Deserialize)]
struct Payload {
    persisted: Persisted,
    store: StoreContents,
}

/// What `encode` writes: the same layout as `Payload`, borrowed, so a
/// snapshot does not copy the state first.
#[derive(Serialize)]
struct PayloadRef<'s> {
    persisted: &'s Persisted,
    store: StoreContentsRef<'s>,
}

/// Encodes the state (whose `p.config` the engine keeps current).
pub(crate) fn encode(state: &State) -> Vec<u8> {
    let payload = PayloadRef { persisted: &state.p, store: state.store.contents() };
    // Serialising plain data into a Vec cannot fail; an empty payload would
    // be caught by the checksum on restore.
    let mut body = postcard::to_allocvec(&payload).unwrap_or_default();
    body.extend(postcard::to_allocvec(&Locations::of(state)).unwrap_or_default());
    let mut out = Vec::with_capacity(HEADER + body.len() + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&fnv1a(&body).to_le_bytes());
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Result<State, SnapshotError> {
    if bytes.len() < 4 || &bytes[..4] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    let version = u16::from_le_bytes(
        bytes.get(4..6).ok_or(SnapshotError::Truncated)?.try_into().map_err(|_| SnapshotError::Truncated)?,
    );
    if (1..OLDEST_READABLE).contains(&version) {
        return Err(SnapshotError::NoLongerSupported(version));
    }
    if !(OLDEST_READABLE..=FORMAT_VERSION).contains(&version) {
        return Err(SnapshotError::Version { found: version, supported: FORMAT_VERSION });
    }
    let len = u64::from_le_bytes(
        bytes.get(6..14).ok_or(SnapshotError::Truncated)?.try_into().map_err(|_| SnapshotError::Truncated)?,
    );
    let len = usize::try_from(len).map_err(|_| SnapshotError::Truncated)?;
    let end = HEADER.checked_add(len).ok_or(SnapshotError::Truncated)?;
    let body = bytes.get(HEADER..end).ok_or(SnapshotError::Truncated)?;
    let sum = bytes.get(end..end + 8).ok_or(SnapshotError::Truncated)?;
    if bytes.len() != end + 8 {
        return Err(SnapshotError::Corrupted("trailing bytes after the checksum".into()));
    }
    if u64::from_le_bytes(sum.try_into().map_err(|_| SnapshotError::Truncated)?) != fnv1a(body) {
        return Err(SnapshotError::Corrupted("checksum mismatch".into()));
    }
    let (mut payload, rest): (Payload, &[u8]) =
        postcard::take_from_bytes(body).map_err(|e| SnapshotError::Corrupted(e.to_string()))?;
    let locations = if version >= 4 {
        let (l, rest): (Locations, &[u8]) =
            postcard::take_from_bytes(rest).map_err(|e| SnapshotError::Corrupted(e.to_string()))?;
        if !rest.is_empty() {
            return Err(SnapshotError::Corrupted("trailing bytes after the payload".into()));
        }
        l
    } else {
        Locations::default()
    };
    validate(&payload).map_err(SnapshotError::Corrupted)?;
    let sources =
        locations.apply(&mut payload.store, payload.persisted.next_index).map_err(SnapshotError::Corrupted)?;
    Ok(State {
        store: Store::from_contents(payload.store),
        p: payload.persisted,
        all_touched: true,
        sources,
        ..State::default()
    })
}

/// The second section of a format 4 payload: each record's log record
/// number (by its position in the payload's record lists; only those that
/// have one), and the input files (`Engine::set_source`).
#[derive(Default, Serialize, Deserialize)]
struct Locations {
    procs: Vec<(u32, u64)>,
    acts: Vec<(u32, u64)>,
    files: Vec<(u32, u64)>,
    sources: Sources,
}

impl Locations {
    fn of(state: &State) -> Locations {
        fn numbered<'a>(records: impl Iterator<Item = Option<u64>> + 'a) -> Vec<(u32, u64)> {
            records.enumerate().filter_map(|(i, r)| Some((u32::try_from(i).ok()?, r?))).collect()
        }
        let c = state.store.contents();
        Locations {
            procs: numbered(c.procs.iter().map(|p| p.record)),
            acts: numbered(c.acts.iter().map(|a| a.record)),
            files: numbered(c.files.iter().map(|(_, f)| f.record)),
            sources: state.sources.clone(),
        }
    }

    /// Puts the record numbers back on their records; returns the files.
    fn apply(self, store: &mut StoreContents, next_index: u64) -> Result<Sources, String> {
        fn put<T>(
            what: &str,
            numbers: Vec<(u32, u64)>,
            records: &mut [T],
            slot: fn(&mut T) -> &mut Option<u64>,
        ) -> Result<(), String> {
            for (i, n) in numbers {
                if n > MAX_SAFE {
                    return Err(format!("{what} {i}: record number {n} exceeds 2^53"));
                }
                let record = records
                    .get_mut(i as usize)
                    .ok_or_else(|| format!("{what} {i}: record number for a record not in the snapshot"))?;
                *slot(record) = Some(n);
            }
            Ok(())
        }
        put("process", self.procs, &mut store.procs, |p| &mut p.record)?;
        put("activity", self.acts, &mut store.acts, |a| &mut a.record)?;
        put("file", self.files, &mut store.files, |(_, f)| &mut f.record)?;
        self.sources.validate(next_index)?;
        Ok(self.sources)
    }
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1): every
/// count and index of a report must fit, or the report cannot cross into JS.
const MAX_SAFE: u64 = (1 << 53) - 1;
/// Times within ±100,000 days of 1970 (JavaScript's `Date` range).
const MAX_TIME: i64 = 8_640_000_000_000_000;

/// Checks every value of a decoded payload that indexes, reports or time
/// arithmetic use.
fn validate(p: &Payload) -> Result<(), String> {
    let hosts = p.store.hosts.len();
    let host = |h: u32, what: &str| {
        if (h as usize) < hosts {
            Ok(())
        } else {
            Err(format!("{what}: host id {h} out of range ({hosts} hosts)"))
        }
    };
    let next = p.persisted.next_index;
    if next > MAX_SAFE {
        return Err(format!("next item index {next} exceeds 2^53"));
    }
    let index = |i: u64, what: &str| {
        if i < next {
            Ok(())
        } else {
            Err(format!("{what}: input index {i} not below the next index {next}"))
        }
    };
    let time = |t: i64, what: &str| {
        if t.abs() <= MAX_TIME {
            Ok(())
        } else {
            Err(format!("{what}: time {t} out of range"))
        }
    };
    for (i, h) in p.store.hosts.iter().enumerate() {
        for w in h.watermark.iter().chain(h.pending_jump.iter()).flatten() {
            time(*w, &format!("host {i}"))?;
        }
        for off in h.offsets.keys() {
            time(*off, &format!("host {i} offset"))?;
        }
        if h.outliers > MAX_SAFE {
            return Err(format!("host {i}: outlier count exceeds 2^53"));
        }
    }
    for p in &p.store.procs {
        host(p.host, "process")?;
        time(p.start, "process start")?;
        if p.events.is_empty() {
            return Err("process without a start event".into());
        }
        for &e in &p.events {
            index(e, "process")?;
        }
        if let Some((t, _, e)) = p.end {
            time(t, "process end")?;
            index(e, "process end")?;
        }
    }
    for a in &p.store.acts {
        host(a.host, "activity")?;
        time(a.time, "activity")?;
        index(a.index, "activity")?;
    }
    for e in &p.store.ends {
        host(e.host, "process end")?;
        time(e.time, "process end")?;
        index(e.index, "process end")?;
    }
    for (h, f) in &p.store.files {
        host(*h, "file")?;
        time(f.time, "file")?;
        index(f.index, "file")?;
    }
    for (id, h) in &p.persisted.announced {
        host(*h, &format!("announced chain {id}"))?;
    }
    // Report-contract values (counters, errors, closed chains, inventory):
    // every number must be one JavaScript can hold. They are checked on
    // their JSON text, the encoding the report (and the snapshot) uses.
    let safe = |text: Result<String, serde_json::Error>, what: &str| {
        let text = text.map_err(|e| format!("{what}: {e}"))?;
        match unsafe_number(&text) {
            Some(n) => Err(format!("{what}: number {n} exceeds 2^53")),
            None => Ok(()),
        }
    };
    safe(serde_json::to_string(&p.persisted.counters), "counters")?;
    safe(serde_json::to_string(&p.persisted.errors), "errors")?;
    safe(serde_json::to_string(&p.persisted.notes), "notes")?;
    p.persisted.inventory.check(MAX_SAFE, MAX_TIME)?;
    p.persisted.coverage.check(MAX_SAFE)?;
    let ev = &p.store.evictions;
    let counts = [
        ev.processes_expired,
        ev.processes_over_cap,
        ev.activity_expired,
        ev.activity_over_cap,
        ev.files_expired,
        ev.ends_expired,
        ev.merged_starts,
    ];
    if counts.iter().any(|&n| n > MAX_SAFE) {
        return Err("eviction counts exceed 2^53".into());
    }
    for (id, c) in &p.persisted.closed {
        if &c.chain.id != id {
            return Err(format!("closed chain {id} holds chain {}", c.chain.id));
        }
        if !(0..=100).contains(&c.chain.score) {
            return Err(format!("closed chain {id}: score {} out of 0..100", c.chain.score));
        }
        safe(serde_json::to_string(&c.chain), &format!("closed chain {id}"))?;
    }
    for (id, d) in &p.persisted.dropped {
        if [d.children, d.files, d.network, d.dns, d.modules].iter().any(|&n| n > MAX_SAFE) {
            return Err(format!("chain {id}: counts exceed 2^53"));
        }
    }
    Ok(())
}

/// The first integer in a JSON text that JavaScript cannot hold exactly.
fn unsafe_number(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let tok = &text[start..i];
                let integer = !tok.contains(['.', 'e', 'E']);
                let big = tok.trim_start_matches('-').parse::<u128>().map_or(true, |n| n > u128::from(MAX_SAFE));
                if integer && big {
                    return Some(tok.to_string());
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    fn roundtrip(state: &State) -> Result<State, SnapshotError> {
        decode(&encode(state))
    }

    #[test]
    fn forged_values_fail_at_restore() {
        let mut state = State::default();
        state.p.next_index = 10;
        assert!(roundtrip(&state).is_ok());
        state.p.counters.events = u64::MAX;
        let e = roundtrip(&state).expect_err("a counter JS cannot hold");
        assert!(e.to_string().contains("exceeds 2^53"), "{e}");
        let mut state = State::default();
        state.p.next_index = u64::MAX;
        assert!(roundtrip(&state).is_err());
        let mut state = State::default();
        state.p.announced.insert("mc-x".into(), 7);
        let e = roundtrip(&state).expect_err("a host id out of range");
        assert!(e.to_string().contains("host id 7"), "{e}");
    }

    #[test]
    fn numbers_javascript_cannot_hold() {
        assert_eq!(unsafe_number(r#"{"a":9007199254740991,"b":"99999999999999999999"}"#), None);
        assert_eq!(unsafe_number(r#"{"a":[1,18446744073709551615]}"#).as_deref(), Some("18446744073709551615"));
        assert_eq!(unsafe_number(r#"{"a":1.5e300}"#), None);
    }
}
