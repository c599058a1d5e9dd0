//! Records per second of `RawReader` on the given files, pushed in 64 KB
//! pieces, over `ROUNDS` passes (default 20):
//! `cargo run --release -p mshta-chain-evtx --example throughput -- FILE...`.

use mshta_chain_evtx::{Batch, RawReader};
use std::time::Instant;

fn main() {
    let files: Vec<Vec<u8>> = std::env::args().skip(1).map(|p| std::fs::read(&p).expect("readable file")).collect();
    let rounds: u32 = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let (mut records, mut bytes) = (0u64, 0u64);
    let start = Instant::now();
    let mut batch = Batch::new();
    for _ in 0..rounds {
        for file in &files {
            let mut reader = RawReader::new();
            for piece in file.chunks(65536) {
                reader.push(piece, &mut batch);
                records += batch.records;
                batch.clear();
            }
            reader.finish(&mut batch);
            records += batch.records;
            batch.clear();
            bytes += file.len() as u64;
        }
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "{records} records, {:.1} MB in {s:.2} s: {:.0} records/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        records as f64 / s,
        bytes as f64 / 1e6 / s
    );
}
