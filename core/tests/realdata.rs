//! Real recorded telemetry (`tests/data/realdata/`, OTRF Security-Datasets
//! and a benign desktop log; see `tests/data/README.md`): each export must give its mshta chain with the
//! descendants named, identically in all three Sysmon JSON shapes.

mod support;

use mshta_chain_core::{analyze, Config};
use serde_json::Value;

struct Case {
    file: &'static str,
    root_pid: u32,
    children: &'static [&'static str],
    network: usize,
    dns: usize,
    min_score: i64,
}

const CASES: &[Case] = &[
    Case {
        file: "otrf/cmd_mshta_javascript_getobject_sct.jsonl",
        root_pid: 10076,
        children: &["calc.exe"],
        network: 1,
        dns: 1,
        // Retrieval evidence only (the calc child is no more): high.
        min_score: 70,
    },
    Case {
        file: "otrf/cmd_mshta_vbscript_execute_psh.jsonl",
        root_pid: 10980,
        children: &["conhost.exe", "powershell.exe"],
        network: 0,
        dns: 0,
        // Execution evidence only (PowerShell given a command): high.
        min_score: 70,
    },
    Case {
        file: "otrf/psh_mshta_html_application_execution.jsonl",
        root_pid: 9160,
        children: &["calc.exe", "cmd.exe", "conhost.exe"],
        network: 0,
        dns: 0,
        min_score: 70,
    },
];

fn load(rel: &str) -> Vec<Value> {
    support::realdata_lines(rel)
}

#[test]
fn each_export_gives_its_chain_in_every_shape() {
    for case in CASES {
        let lines = load(case.file);
        let flat = analyze(&support::render_lines(&lines, "flat"), &Config::default()).unwrap();
        assert_eq!(flat.stats.rejected, 0, "{}: {:?}", case.file, flat.errors);
        assert_eq!(flat.chains.len(), 1, "{}: one chain per mshta process", case.file);
        let chain = &flat.chains[0];
        assert_eq!(chain.root.pid, case.root_pid, "{}", case.file);
        assert!(!chain.root.inferred, "{}", case.file);
        assert!(chain.root.image.to_ascii_lowercase().ends_with("mshta.exe"));
        let mut kids: Vec<String> =
            chain.children.iter().map(|c| c.image.rsplit('\\').next().unwrap_or("").to_ascii_lowercase()).collect();
        kids.sort();
        assert_eq!(kids, case.children, "{}", case.file);
        assert_eq!(chain.network.len(), case.network, "{}", case.file);
        assert_eq!(chain.dns.len(), case.dns, "{}", case.file);
        assert!(chain.score >= case.min_score, "{}: score {}", case.file, chain.score);
        let flat = support::without_schema_counts(flat);
        for shape in ["evtx", "winlogbeat"] {
            let other = analyze(&support::render_lines(&lines, shape), &Config::default()).unwrap();
            assert_eq!(support::without_schema_counts(other), flat, "{} as {shape}", case.file);
        }
    }
}

#[test]
fn getobject_download_by_unknown_process_is_attributed_to_mshta() {
    let lines = load("otrf/cmd_mshta_javascript_getobject_sct.jsonl");
    let report = analyze(&support::render_lines(&lines, "flat"), &Config::default()).unwrap();
    let chain = &report.chains[0];
    assert_eq!(chain.network[0].dst_ip.as_deref(), Some("151.101.248.133"));
    assert_eq!(chain.network[0].dst_port, Some(443));
    assert_eq!(chain.dns[0].query, "raw.githubusercontent.com");
    assert!(chain.files.iter().any(|f| f.path.ends_with("mshta[1].sct")));
}

#[test]
fn benign_desktop_log_has_no_chain() {
    let lines = load("benign/sysmon_desktop_2017.jsonl");
    let report = analyze(&support::render_lines(&lines, "flat"), &Config::default()).unwrap();
    assert_eq!(report.stats.rejected, 0, "{:?}", report.errors);
    assert!(report.stats.processes > 100);
    assert!(report.chains.is_empty());
}

#[test]
fn all_exports_together_give_three_chains() {
    let mut input = Vec::new();
    for case in CASES {
        input.extend(support::render_lines(&load(case.file), "flat"));
    }
    input.extend(support::render_lines(&load("benign/sysmon_desktop_2017.jsonl"), "flat"));
    let report = analyze(&input, &Config::default()).unwrap();
    let mut pids: Vec<u32> = report.chains.iter().map(|c| c.root.pid).collect();
    pids.sort();
    assert_eq!(pids, vec![9160, 10076, 10980]);
}

#[test]
fn batch_cuts_do_not_change_the_report_when_sysmon_and_security_merge() {
    // The Security 4688 of mshta comes long before its Sysmon 1 in the file,
    // on an exporter clock four hours off: cutting the stream between them
    // must not close a Security-only chain early.
    let mut all = Vec::new();
    for case in CASES {
        all.extend(support::render_lines(&load(case.file), "flat"));
    }
    let whole = analyze(&all, &Config::default()).unwrap();
    assert_eq!(whole.chains.len(), 3);
    for size in [4_096usize, 32_768, 65_536, 1_000_000] {
        let mut engine = mshta_chain_core::Engine::new(Config::default()).unwrap();
        let mut announced = std::collections::BTreeSet::new();
        for chunk in all.chunks(size) {
            let update = engine.push(chunk);
            for c in update.chains {
                announced.insert(c.chain.id.clone());
            }
            for id in update.retracted {
                announced.remove(&id);
            }
        }
        let report = engine.finish();
        let mut a = report.clone();
        let mut b = whole.clone();
        for r in [&mut a, &mut b] {
            r.stats = Default::default();
        }
        assert_eq!(a, b, "cut every {size} bytes");
        let ids: std::collections::BTreeSet<String> = report.chains.iter().map(|c| c.id.clone()).collect();
        assert_eq!(announced, ids, "updates minus retractions are the final chains (cut every {size} bytes)");
    }
}

#[test]
fn every_file_under_tests_data_is_documented_in_its_readme() {
    // tests/data/README.md says what each file is, where it came from and
    // under which licence: a file added without that is caught here.
    let dir = support::repo_root().join("tests").join("data");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("tests/data/README.md");
    let mut stack = vec![dir.clone()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
            if rel != "README.md" {
                files += 1;
                assert!(
                    readme.contains(&format!("`{rel}`")),
                    "tests/data/{rel} is not described in tests/data/README.md"
                );
            }
        }
    }
    assert!(files > 0, "no data files found under {}", dir.display());
}
