//! Helpers shared by the integration tests: the sample files, reading them
//! in pieces, and the parts of the core's report the parity tests compare.
#![allow(dead_code)]

use mshta_chain_core::{analyze, Config, Report};
use mshta_chain_evtx::{Batch, RawReader};
use std::path::PathBuf;

pub fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A small deterministic generator (xorshift), for cut sizes and mutations.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Reads `bytes` pushed in pieces of the sizes `cut` gives.
pub fn read_cut(bytes: &[u8], mut cut: impl FnMut() -> usize) -> Batch {
    let mut reader = RawReader::new();
    let mut all = Batch::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = cut().clamp(1, rest.len());
        let mut b = Batch::new();
        reader.push(&rest[..n], &mut b);
        merge(&mut all, b);
        rest = &rest[n..];
    }
    let mut b = Batch::new();
    reader.finish(&mut b);
    merge(&mut all, b);
    all
}

pub fn read_whole(bytes: &[u8]) -> Batch {
    read_cut(bytes, || usize::MAX)
}

fn merge(all: &mut Batch, b: Batch) {
    all.lines.extend_from_slice(&b.lines);
    all.records += b.records;
    all.errors.extend(b.errors);
}

pub fn report(lines: &[u8]) -> Report {
    analyze(lines, &Config::default()).unwrap()
}

/// What the parity tests compare: the counts of events accepted, ignored
/// and used, the chains, the coverage and the inventory, as JSON.
pub fn essentials(r: &Report) -> serde_json::Value {
    let v = serde_json::to_value(r).unwrap();
    let s = &v["stats"];
    // The same events in another shape carry another schema name
    // (`sysmon_flat`, `sysmon_evtx`): compare the log, not the shape.
    let coverage = serde_json::to_string(&v["coverage"]).unwrap().replace("_flat\"", "_*\"").replace("_evtx\"", "_*\"");
    let coverage: serde_json::Value = serde_json::from_str(&coverage).unwrap();
    serde_json::json!({
        "accepted": s["accepted"],
        "ignored": s["ignored"],
        "rejected": s["rejected"],
        "processes": s["processes"],
        "mshta_processes": s["mshta_processes"],
        "chains": v["chains"],
        "coverage": coverage,
        "inventory": v["inventory"],
    })
}

/// A record with every scalar as text (XML has no types: `1` and `"1"`,
/// `true` and `"true"`, `null` and `""` are the same value there).
pub fn as_text(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value::*;
    match v {
        Null => String(std::string::String::new()),
        Bool(b) => String(b.to_string()),
        Number(n) => String(n.to_string()),
        String(s) => String(s.clone()),
        Array(a) => Array(a.iter().map(as_text).collect()),
        Object(o) => Object(o.iter().map(|(k, v)| (k.clone(), as_text(v))).collect()),
    }
}

pub fn records(batch: &Batch) -> Vec<serde_json::Value> {
    batch.records().map(|l| serde_json::from_slice(l).expect("a record is JSON")).collect()
}
