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
    // On a shared machine the wall clock counts other processes' time too:
    // the process's own CPU time (Linux) is the steadier figure.
    if let Some(cpu) = cpu_seconds() {
        println!("cpu {cpu:.2} s: {:.0} records per CPU second", records as f64 / cpu);
    }
}

/// User + system CPU time of this process, from /proc/self/stat.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
