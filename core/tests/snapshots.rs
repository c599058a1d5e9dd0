//! Snapshot fixtures: one committed snapshot per format version in
//! `tests/data/snapshots/` (`vN.snap`), each taken from the same small
//! input (`input.jsonl`, cut in the middle of its last line so that the
//! snapshot holds a closed chain, an open chain and an unfinished line).
//!
//! The current format's fixture, and every older one the engine still
//! reads (from [`OLDEST_READABLE`] on), must restore and, fed the rest of
//! the input, give the report committed beside it (`vN.report.json`); every
//! older one must fail with "snapshot format N is no longer supported",
//! never as corrupted.
//!
//! Regenerate the current format's files (only when `FORMAT_VERSION` is
//! bumped: an older fixture is never rewritten) with
//! `UPDATE_SNAPSHOT_FIXTURES=1 cargo test -p mshta-chain-core --test snapshots`.

use mshta_chain_core::{Config, Engine, RestoreError, SnapshotError};
use serde_json::Value;
use std::path::PathBuf;

/// The oldest format the engine reads (the core's `OLDEST_READABLE`).
/// Format 4 added a second section (record numbers, input files) after the
/// format 3 payload, so format 3 snapshots still restore.
const OLDEST_READABLE: u16 = 3;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("data").join("snapshots")
}

fn input() -> Vec<u8> {
    std::fs::read(dir().join("input.jsonl")).expect("tests/data/snapshots/input.jsonl")
}

/// In the middle of the last line: the snapshot carries an unfinished line.
fn cut(input: &[u8]) -> usize {
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    let last = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    last + (body.len() - last) / 2
}

/// The format version written in a snapshot's header.
fn version_of(snapshot: &[u8]) -> u16 {
    u16::from_le_bytes([snapshot[4], snapshot[5]])
}

fn take_snapshot(input: &[u8]) -> Vec<u8> {
    let mut engine = Engine::new(Config::default()).unwrap();
    engine.push(&input[..cut(input)]);
    engine.snapshot()
}

/// Restores a snapshot with the config it was taken with, feeds it the rest
/// of the input and ends the stream.
fn continue_from(snapshot: &[u8], input: &[u8]) -> Value {
    let mut engine = Engine::restore_saved(snapshot).expect("the current fixture restores");
    let before = engine.report();
    assert!(before.chains.iter().any(|c| c.status == "closed"), "the fixture holds a closed chain");
    assert!(before.chains.iter().any(|c| c.status == "open"), "the fixture holds an open chain");
    assert!(before.warnings.iter().any(|w| w.contains("unfinished JSON line")), "{:?}", before.warnings);
    engine.push(&input[cut(input)..]);
    serde_json::to_value(engine.finish()).expect("a report serialises")
}

/// Every field of `expected` is in `actual` with the same value. Fields
/// `actual` has beyond those are allowed: the report contract lets fields
/// be added, and a snapshot taken before a field existed still restores.
/// Keys in `skip` are not compared.
fn assert_contains_but(expected: &Value, actual: &Value, at: &str, skip: &[&str]) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                if skip.contains(&k.as_str()) {
                    continue;
                }
                let got = a.get(k).unwrap_or_else(|| panic!("{at}.{k} missing from the restored report"));
                assert_contains_but(v, got, &format!("{at}.{k}"), skip);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{at}: length");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                assert_contains_but(x, y, &format!("{at}[{i}]"), skip);
            }
        }
        _ => assert_eq!(expected, actual, "{at}"),
    }
}

fn assert_contains(expected: &Value, actual: &Value, at: &str) {
    assert_contains_but(expected, actual, at, &[])
}

#[test]
fn the_current_snapshot_fixture_restores_and_gives_its_report() {
    let input = input();
    let fresh = take_snapshot(&input);
    let version = version_of(&fresh);
    let snap_path = dir().join(format!("v{version}.snap"));
    let report_path = dir().join(format!("v{version}.report.json"));
    if std::env::var_os("UPDATE_SNAPSHOT_FIXTURES").is_some() {
        std::fs::write(&snap_path, &fresh).expect("write the fixture");
        let report = continue_from(&fresh, &input);
        let text = serde_json::to_string_pretty(&report).expect("json") + "\n";
        std::fs::write(&report_path, text).expect("write the fixture's report");
    }
    let fixture = std::fs::read(&snap_path).unwrap_or_else(|_| {
        panic!("no fixture for format {version}: UPDATE_SNAPSHOT_FIXTURES=1 cargo test -p mshta-chain-core --test snapshots")
    });
    assert_eq!(version_of(&fixture), version);
    let expected: Value =
        serde_json::from_slice(&std::fs::read(&report_path).expect("the fixture's report")).expect("report json");
    let actual = continue_from(&fixture, &input);
    assert_contains(&expected, &actual, "report");
    // A fresh snapshot of the same input gives the same report (the
    // fixture is not stale).
    assert_contains(&expected, &continue_from(&fresh, &input), "report");
}

#[test]
fn older_readable_fixtures_restore_and_give_their_report() {
    let input = input();
    let current = version_of(&take_snapshot(&input));
    let mut readable = 0;
    for version in OLDEST_READABLE..current {
        let Ok(bytes) = std::fs::read(dir().join(format!("v{version}.snap"))) else { continue };
        readable += 1;
        assert_eq!(version_of(&bytes), version);
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir().join(format!("v{version}.report.json"))).expect("the fixture's report"),
        )
        .expect("report json");
        // `state_bytes` is an estimate whose per-record constants change
        // with the records (format 4 added record numbers).
        assert_contains_but(&expected, &continue_from(&bytes, &input), &format!("v{version} report"), &["state_bytes"]);
    }
    assert!(readable > 0 || OLDEST_READABLE == current, "a fixture of an older readable format is committed");
}

#[test]
fn older_snapshot_fixtures_are_no_longer_supported() {
    let mut older = 0;
    for version in 1..OLDEST_READABLE {
        let path = dir().join(format!("v{version}.snap"));
        let Ok(bytes) = std::fs::read(&path) else { continue };
        older += 1;
        assert_eq!(version_of(&bytes), version, "{}", path.display());
        let message = format!("snapshot format {version} is no longer supported");
        let err = Engine::restore(&bytes, Config::default()).expect_err("an older format does not restore");
        assert_eq!(err, RestoreError::Snapshot(SnapshotError::NoLongerSupported(version)));
        assert_eq!(err.to_string(), message);
        let err = Engine::restore_saved(&bytes).expect_err("an older format does not restore");
        assert_eq!(err.to_string(), message);
    }
    assert!(older > 0, "a fixture of an older format is committed");
}

#[test]
fn damaged_fixtures_keep_their_errors() {
    let fixture = take_snapshot(&input());
    assert_eq!(
        Engine::restore_saved(b"not a snapshot").unwrap_err(),
        RestoreError::Snapshot(SnapshotError::NotASnapshot)
    );
    assert_eq!(
        Engine::restore_saved(&fixture[..fixture.len() - 1]).unwrap_err(),
        RestoreError::Snapshot(SnapshotError::Truncated)
    );
    let mut flipped = fixture.clone();
    let mid = fixture.len() / 2;
    flipped[mid] ^= 0x20;
    assert!(matches!(
        Engine::restore_saved(&flipped).unwrap_err(),
        RestoreError::Snapshot(SnapshotError::Corrupted(_))
    ));
    let mut newer = fixture;
    newer[4..6].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(matches!(
        Engine::restore_saved(&newer).unwrap_err(),
        RestoreError::Snapshot(SnapshotError::Version { found: u16::MAX, .. })
    ));
}
