//! Damages real chunks at random and reads them, looking for panics (a
//! panic aborts the WebAssembly module): `cargo run --release -p
//! mshta-chain-evtx --example fuzz_chunks -- ROUNDS [SEED]`.

use mshta_chain_evtx::{Batch, EvtxStream, CHUNK_SIZE, FILE_HEADER_SIZE};

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut state: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5eed);
    let mut rng = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/realdata/evtx");
    let mut chunks = Vec::new();
    for name in ["sysmon.evtx", "security.evtx", "Security_short_selected.evtx"] {
        let file = std::fs::read(root.join(name)).unwrap();
        for c in file[FILE_HEADER_SIZE..].chunks_exact(CHUNK_SIZE) {
            if c.starts_with(b"ElfChnk\0") {
                chunks.push(c.to_vec());
            }
        }
    }
    let (mut records, mut errors) = (0u64, 0u64);
    for round in 0..rounds {
        let mut c = chunks[(rng() % chunks.len() as u64) as usize].clone();
        let n = 1 + rng() % 64;
        for _ in 0..n {
            let at = (rng() % CHUNK_SIZE as u64) as usize;
            // Mostly the header and the first records, where the tables are.
            let at = if rng() % 2 == 0 { at % 4096 } else { at };
            c[at] = rng() as u8;
        }
        let mut s = EvtxStream::new();
        let mut out = Batch::new();
        s.read_chunk(round, &c, &mut out);
        records += out.records;
        errors += out.errors.len() as u64;
    }
    println!("{rounds} damaged chunks: {records} records, {errors} errors, no panic");
}
