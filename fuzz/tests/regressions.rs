//! Every input a fuzz run ever failed on (`tests/fuzz-regressions/<target>/`),
//! replayed through its target: each must now pass.

use std::path::Path;

#[test]
fn every_fuzz_regression_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-regressions");
    let mut replayed = 0;
    for &target in mshta_chain_fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else { continue };
        let mut files: Vec<_> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "bin")).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("read a regression input");
            mshta_chain_fuzz::run(target, &data);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "tests/fuzz-regressions holds at least one input");
}

#[test]
fn a_short_run_of_every_target_passes() {
    // A few hundred mutated inputs per target, deterministic: the loop and
    // the generator stay exercised by plain `cargo test`.
    let real: Vec<Vec<u8>> = Vec::new();
    for &target in mshta_chain_fuzz::TARGETS {
        let corpus = mshta_chain_fuzz::seeds(target, &real);
        let mut rng = mshta_chain_fuzz::Rng(3);
        for _ in 0..50 {
            let mut input = corpus[rng.below(corpus.len())].clone();
            let other = corpus[rng.below(corpus.len())].clone();
            mshta_chain_fuzz::mutate(&mut rng, &mut input, &other);
            mshta_chain_fuzz::run(target, &input);
        }
    }
}
