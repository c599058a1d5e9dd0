//! The error of [`Engine::restore`](crate::Engine::restore): either the
//! snapshot or the config given with it could not be used.

use crate::config::ConfigError;
use crate::snapshot::SnapshotError;

/// Why an engine could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// The snapshot is not one this engine can read.
    Snapshot(SnapshotError),
    /// The config (given, or saved in the snapshot) is invalid.
    Config(ConfigError),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::Snapshot(e) => e.fmt(f),
            RestoreError::Config(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RestoreError {}

impl From<SnapshotError> for RestoreError {
    fn from(e: SnapshotError) -> Self {
        RestoreError::Snapshot(e)
    }
}

impl From<ConfigError> for RestoreError {
    fn from(e: ConfigError) -> Self {
        RestoreError::Config(e)
    }
}
