//! `fuzz`: runs each fuzz target of `mshta-chain-fuzz` for a bounded time on
//! mutated seeds (real telemetry from `tests/data/realdata`, generated
//! events) and fresh structure-aware inputs. A failing input is written to
//! `tests/fuzz-regressions/<target>/<hash>.bin` (replayed by `cargo test`)
//! and the run exits 1.
//!
//! ```text
//! fuzz [--seconds S] [--target NAME] [--seed N]     # default: 60 s per target, every target
//! ```

use mshta_chain_fuzz::{events, mutate, run, seeds, Rng, TARGETS};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Up to 400 lines of each real recording, as seeds.
fn real_lines() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![repo().join("tests/data/realdata")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                if let Ok(text) = std::fs::read(&p) {
                    out.extend(text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).take(400).map(<[u8]>::to_vec));
                }
            }
        }
    }
    out
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 60u64;
    let mut only: Option<String> = None;
    let mut seed = 1u64;
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seconds" => seconds = value.parse().unwrap_or(60),
            "--target" => only = Some(value),
            "--seed" => seed = value.parse().unwrap_or(1),
            other => {
                eprintln!("fuzz: unknown option {other}");
                return std::process::ExitCode::from(2);
            }
        }
        i += 2;
    }
    // Failures are reported by the loop, once each, not by the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    let real = real_lines();
    let trace = std::env::var_os("FUZZ_TRACE").map(PathBuf::from);
    let mut failed = 0;
    for &target in TARGETS {
        if only.as_deref().is_some_and(|o| o != target) {
            continue;
        }
        let corpus = seeds(target, &real);
        let mut rng = Rng(seed ^ fnv(target.as_bytes()));
        let start = Instant::now();
        let (mut execs, mut failures) = (0u64, 0u64);
        while start.elapsed() < Duration::from_secs(seconds) {
            let mut input = if rng.chance(20) && target != "snapshot" && target != "config" {
                let n = 1 + rng.below(80);
                events(&mut rng, n)
            } else {
                corpus[rng.below(corpus.len())].clone()
            };
            let other = &corpus[rng.below(corpus.len())];
            if execs > 0 || rng.chance(50) {
                mutate(&mut rng, &mut input, other);
            }
            execs += 1;
            // A crash that aborts (stack overflow, allocation failure) cannot
            // be caught: with FUZZ_TRACE set, each input is written there first.
            if let Some(trace) = &trace {
                let _ = std::fs::write(trace, &input);
            }
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(target, &input)));
            if outcome.is_err() {
                failures += 1;
                let dir = repo().join("tests/fuzz-regressions").join(target);
                let _ = std::fs::create_dir_all(&dir);
                let path = dir.join(format!("{:016x}.bin", fnv(&input)));
                let _ = std::fs::write(&path, &input);
                println!("fuzz {target}: FAILURE, input written to {}", path.display());
                if failures >= 5 {
                    break;
                }
            }
        }
        println!("fuzz {target}: {execs} executions in {:.0} s, {failures} failures", start.elapsed().as_secs_f64());
        failed += failures;
    }
    if failed > 0 {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    }
}
