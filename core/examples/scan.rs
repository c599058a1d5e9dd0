//! Scans files of JSON events and prints the report as JSON:
//! `cargo run --release --example scan -- FILE...`
use mshta_chain_core::{Config, Engine};

fn main() {
    let mut engine = Engine::new(Config::default()).unwrap();
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(bytes) => {
                engine.push(&bytes);
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        }
    }
    println!("{}", serde_json::to_string_pretty(&engine.finish()).unwrap_or_default());
}
