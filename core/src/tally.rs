//! Named counters (per schema, per source): the one helper the engine and
//! the coverage report share, kept apart so that neither imports the other.

use std::collections::BTreeMap;

/// Adds one to a named counter, allocating the name only the first time
/// (this runs for every event).
pub(crate) fn count(map: &mut BTreeMap<String, u64>, name: &str) {
    match map.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            map.insert(name.to_string(), 1);
        }
    }
}
