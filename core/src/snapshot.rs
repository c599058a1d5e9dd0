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
//! versions by a hash of their JSON).

use crate::hash::fnv1a;
use crate::state::{Persisted, State};
use crate::store::{Store, StoreContents, StoreContentsRef};
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 4] = b"MSHC";
/// Bump when the payload's layout changes; versions before it fail with
/// [`SnapshotError::NoLongerSupported`] (keep a fixture of each in
/// `tests/data/snapshots/`).
pub(crate) const FORMAT_VERSION: u16 = 2;
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
    let body = postcard::to_allocvec(&payload).unwrap_or_default();
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
    if (1..FORMAT_VERSION).contains(&version) {
        return Err(SnapshotError::NoLongerSupported(version));
    }
    if version != FORMAT_VERSION {
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
    let payload: Payload = postcard::from_bytes(body).map_err(|e| SnapshotError::Corrupted(e.to_string()))?;
    Ok(State {
        store: Store::from_contents(payload.store),
        p: payload.persisted,
        all_touched: true,
        ..State::default()
    })
}
