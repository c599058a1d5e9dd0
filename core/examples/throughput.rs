//! Quick native throughput over a JSON Lines file, in 1,000-line batches:
//! `cargo run --release -p mshta-chain-core --example throughput -- FILE`.
//! (The full benchmark is `bash scripts/bench.sh`.)
use mshta_chain_core::{Config, Engine};
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: throughput FILE");
        std::process::exit(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let start = Instant::now();
    let mut engine = Engine::new(Config::default()).unwrap();
    for batch in lines.chunks(1_000) {
        let mut buf = Vec::with_capacity(batch.iter().map(|l| l.len() + 1).sum());
        for l in batch {
            buf.extend_from_slice(l);
            buf.push(b'\n');
        }
        engine.push(&buf);
    }
    let report = engine.finish();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} events, {:.1} MB in {:.2}s: {:.0} events/s, {:.1} MB/s; {} chains",
        lines.len(),
        data.len() as f64 / 1e6,
        secs,
        lines.len() as f64 / secs,
        data.len() as f64 / 1e6 / secs,
        report.chains.len()
    );
}
