//! Every input a fuzz run ever failed on (`tests/fuzz-regressions/<target>/`,
//! any file but the README), replayed through its target: each must now pass.

use std::path::Path;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_fuzz_regression_passes() {
    let dir = root().join("tests/fuzz-regressions");
    let mut replayed = 0;
    for &target in mshta_chain_fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else { continue };
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
            .collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("read a regression input");
            eprintln!("replaying {target}/{}", f.file_name().unwrap_or_default().to_string_lossy());
            mshta_chain_fuzz::run(target, &data);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "tests/fuzz-regressions holds at least one input");
}

#[test]
fn every_target_passes_on_its_seeds() {
    // The seed corpora the fuzzers start from (the repository's test data
    // and generated inputs) are valid runs of each target: plain
    // `cargo test` keeps the targets and the generator exercised.
    let data = mshta_chain_fuzz::RepoData::read(&root());
    assert!(!data.telemetry.is_empty() && !data.snapshots.is_empty() && !data.configs.is_empty());
    for &target in mshta_chain_fuzz::TARGETS {
        let corpus = mshta_chain_fuzz::seeds(target, &data);
        assert!(!corpus.is_empty(), "{target} has seeds");
        for input in corpus.iter().step_by(3) {
            mshta_chain_fuzz::run(target, input);
        }
    }
}

#[test]
#[ignore = "known and open: see tests/fuzz-regressions/README.md"]
fn open_fuzz_findings_pass() {
    // Inputs a fuzz run failed on whose cause is not fixed yet
    // (`tests/fuzz-regressions/open/<target>/`): run with `--ignored`.
    let dir = root().join("tests/fuzz-regressions/open");
    for &target in mshta_chain_fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else { continue };
        for f in entries.flatten().map(|e| e.path()) {
            mshta_chain_fuzz::run(target, &std::fs::read(&f).expect("read an open input"));
        }
    }
}
