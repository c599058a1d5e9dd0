//! `fuzz-seeds`: writes the starting corpus of each fuzz target, made of the
//! repository's test data (`tests/data`, `tests/scenarios`, the snapshot
//! fixtures) and generated inputs, to `<dir>/<target>/`. Generated at run
//! time rather than committed: the test data stays the one source.
//!
//! ```text
//! fuzz-seeds DIR      # e.g. fuzz/libfuzzer/corpus (what scripts/test-fuzz.sh uses)
//! ```

use mshta_chain_fuzz::{seeds, RepoData, TARGETS};
use std::path::{Path, PathBuf};

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz-seeds DIR");
        return std::process::ExitCode::from(2);
    };
    let data = RepoData::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    for &target in TARGETS {
        let out = dir.join(target);
        if let Err(e) = std::fs::create_dir_all(&out) {
            eprintln!("fuzz-seeds: {}: {e}", out.display());
            return std::process::ExitCode::FAILURE;
        }
        let corpus = seeds(target, &data);
        for (i, input) in corpus.iter().enumerate() {
            if let Err(e) = std::fs::write(out.join(format!("seed-{i:03}")), input) {
                eprintln!("fuzz-seeds: {}: {e}", out.display());
                return std::process::ExitCode::FAILURE;
            }
        }
        println!("fuzz-seeds {target}: {} inputs", corpus.len());
    }
    std::process::ExitCode::SUCCESS
}
