//! Golden files: each scenario of `tests/scenarios/*.json`, rendered in its
//! first shape and analysed with its config, must give exactly the committed
//! output `tests/golden/<scenario name>.<suffix>` for every rendering in
//! [`RENDERINGS`]. The scenario tests check what a chain must contain; these
//! catch every other change to the report (a field, an order, a text), so a
//! reviewer sees it in the diff of the golden files.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test -p mshta-chain-core
//! --test golden` rewrites the files (and deletes those no scenario makes
//! any more); review and commit them.

mod support;

use mshta_chain_core::{analyze, Report};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const UPDATE: &str = "UPDATE_GOLDEN=1 cargo test -p mshta-chain-core --test golden";

/// One output made from a report.
type Render = fn(&Report) -> String;

/// Every rendering that has golden files, as (file suffix, render fn):
/// scenario `x` gives `tests/golden/x.<suffix>`. The single place to plug in
/// new ones, e.g. `("ocsf.json", |r| pretty_json(&to_ocsf(r)))`,
/// `("ecs.json", …)`, `("text.txt", …)`; run the update command once to
/// create their files.
const RENDERINGS: &[(&str, Render)] = &[("report.json", report_json)];

/// The whole report, as the library's JSON.
fn report_json(report: &Report) -> String {
    pretty_json(report)
}

/// Pretty-printed JSON with a trailing newline (what the files hold).
fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("serialisable");
    text.push('\n');
    text
}

fn golden_dir() -> PathBuf {
    support::repo_root().join("tests").join("golden")
}

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The first differing lines (`-` golden, `+` now) with a little context,
/// numbered from 1.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(w.len().min(g.len()));
    let mut out =
        format!("  first difference at line {} (golden: {} lines, now: {} lines)\n", at + 1, w.len(), g.len());
    for (i, line) in w.iter().enumerate().take(at).skip(at.saturating_sub(2)) {
        out.push_str(&format!("    {:>5}   {line}\n", i + 1));
    }
    for i in at..at + 6 {
        match (w.get(i), g.get(i)) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => {
                out.push_str(&format!("    {:>5}   {a}\n", i + 1));
                break;
            }
            (a, b) => {
                for (sign, line) in [("-", a), ("+", b)] {
                    match line {
                        Some(l) => out.push_str(&format!("    {:>5} {sign} {l}\n", i + 1)),
                        None => out.push_str(&format!("          {sign} (end of file)\n")),
                    }
                }
            }
        }
    }
    out
}

/// Compares (or, when updating, writes) one golden file; a failure message
/// when it does not match.
fn check(path: &Path, got: &str, update: bool) -> Option<String> {
    let rel = path.strip_prefix(support::repo_root()).unwrap_or(path).display().to_string();
    // A checkout that turned line ends into CRLF is not a change of output.
    let want = std::fs::read_to_string(path).ok().map(|t| t.replace("\r\n", "\n"));
    if want.as_deref() == Some(got) {
        return None;
    }
    if update {
        std::fs::write(path, got).unwrap_or_else(|e| panic!("{rel}: {e}"));
        eprintln!("golden: wrote {rel}");
        return None;
    }
    Some(match want {
        None => format!("{rel}: missing"),
        Some(want) => format!("{rel}: differs\n{}", first_difference(&want, got)),
    })
}

#[test]
fn scenario_outputs_match_their_golden_files() {
    let update = updating();
    let dir = golden_dir();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut failures = Vec::new();
    let mut expected = BTreeSet::new();
    for sc in support::scenarios() {
        assert!(
            !sc.name.is_empty() && sc.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{}: the scenario name {:?} must be a plain file name",
            sc.path.display(),
            sc.name
        );
        let report = analyze(&sc.render_first(), &sc.config).unwrap();
        for (suffix, render) in RENDERINGS {
            let file = format!("{}.{suffix}", sc.name);
            assert!(expected.insert(file.clone()), "two scenarios make {file}");
            failures.extend(check(&dir.join(&file), &render(&report), update));
        }
    }
    // A golden file no scenario makes any more would go stale unnoticed.
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e} (create it with {UPDATE})", dir.display()))
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Sub-folders hold other golden sets, each with its own test
        // (formats/: core/tests/formats.rs).
        if name == "README.md" || expected.contains(&name) || path.is_dir() {
            continue;
        }
        if update {
            std::fs::remove_file(&path).unwrap();
            eprintln!("golden: deleted tests/golden/{name} (no scenario makes it)");
        } else {
            failures.push(format!("tests/golden/{name}: no scenario makes this file"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) out of date:\n{}\nIf the change is intended, update them with\n    {UPDATE}\nand review the diff before committing.",
        failures.len(),
        failures.join("\n")
    );
}
