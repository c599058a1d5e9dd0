//! The triage checklist of each chain (`Chain::triage`) on real recorded
//! telemetry and on scenarios: what an analyst is told to examine next.
//! These are the expectations the JavaScript text report's tests held for
//! its own triage, now computed by the core.

use mshta_chain_core::{analyze, BaselineEntry, Chain, Config, Report};
use serde_json::Value;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn real(rel: &str) -> Report {
    let path = repo().join("tests/data/realdata").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    analyze(text.as_bytes(), &Config::default()).unwrap()
}

fn scenario_input(name: &str) -> String {
    let path = repo().join("tests/scenarios").join(format!("{name}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["events"].as_array().unwrap().iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}

fn scenario(name: &str) -> Report {
    analyze(scenario_input(name).as_bytes(), &Config::default()).unwrap()
}

fn only_chain(r: &Report) -> &Chain {
    assert_eq!(r.chains.len(), 1, "{:?}", r.chains.iter().map(|c| &c.id).collect::<Vec<_>>());
    &r.chains[0]
}

fn has(list: &[String], item: &str) -> bool {
    list.iter().any(|l| l == item)
}

fn has_prefix(list: &[String], prefix: &str) -> bool {
    list.iter().any(|l| l.starts_with(prefix))
}

#[test]
fn a_remote_scriptlet_its_parent_connection_lookup_and_cached_file() {
    let report = real("otrf/cmd_mshta_javascript_getobject_sct.jsonl");
    assert_eq!(
        only_chain(&report).triage,
        [
            "retrieve and inspect the content at https://raw.githubusercontent.com/redcanaryco/atomic-red-team/master/atomics/T1218.005/src/mshta.sct (in a sandbox: it is what mshta ran)",
            "decode and review the inline script in mshta's command line (what it creates, runs or downloads)",
            "check the parent cmd.exe pid 10196 (its command line and its own parent) for the script or document that launched mshta",
            "check what the other processes it started did: calc.exe pid 10264",
            "block or inspect connections to 151.101.248.133:443; look for other hosts talking to them",
            "search DNS and proxy logs for other hosts resolving raw.githubusercontent.com",
            "collect and hash the files it wrote: C:\\Users\\wardog\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\JCR0HU4M\\mshta[1].sct",
        ]
    );
}

#[test]
fn a_powershell_child_and_no_routine_files() {
    let report = real("otrf/cmd_mshta_vbscript_execute_psh.jsonl");
    let list = &only_chain(&report).triage;
    assert!(
        has(list, "review the PowerShell command line of pid 9572 (and its script block log, event 4104)"),
        "{list:#?}"
    );
    assert!(!list.iter().any(|l| l.contains("__PSScriptPolicyTest_")), "PowerShell's policy test files are noise");
    assert!(!list.iter().any(|l| l.contains("conhost")), "the console host is not worth a line");
    // The host's telemetry gaps belong to the coverage, not to a chain.
    assert!(!list.iter().any(|l| l.starts_with("no ")), "{list:#?}");
}

#[test]
fn a_dropped_hta_in_the_startup_folder() {
    let report = real("otrf/psh_mshta_html_application_execution.jsonl");
    let list = &only_chain(&report).triage;
    let startup =
        "C:\\Users\\wardog\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\T1218.005.hta";
    assert!(
        has(
            list,
            &format!(
                "collect and inspect the file mshta ran: {startup} (written by powershell.exe pid 10848 just before mshta ran it)"
            )
        ),
        "{list:#?}"
    );
    assert!(has(list, &format!("look for persistence in the Startup folder file {startup} (it runs at every logon)")));
    assert!(has(list, "review the command line of cmd.exe pid 7144"));
}

#[test]
fn an_office_parent_remote_hta_and_startup_executable() {
    let report = scenario("attack_office_mshta_powershell");
    let list = &report.chains[0].triage;
    let parent = list.iter().find(|l| l.starts_with("check the parent WINWORD.EXE pid ")).expect("the Office parent");
    assert!(parent.ends_with(" for the document or macro that launched mshta (and where it came from: mail, download)"));
    assert!(has_prefix(list, "retrieve and inspect the content at http://203.0.113.5/doc.hta"), "{list:#?}");
    assert!(
        list.iter()
            .any(|l| l.starts_with("look for persistence in the Startup folder file ")
                && l.contains("\\Startup\\upd.exe")),
        "{list:#?}"
    );
}

#[test]
fn a_dcom_launch_and_its_inbound_caller() {
    let report = scenario("attack_lethalhta_dcom");
    let list = &report.chains[0].triage;
    assert!(has_prefix(list, "find the remote caller: mshta was started through svchost.exe"), "{list:#?}");
    assert!(has_prefix(list, "find the host that connected in from 10.0.0.9"), "{list:#?}");
}

#[test]
fn a_vendor_hta_and_its_known_good_baseline() {
    let report = scenario("benign_sccm_splash");
    let list = &only_chain(&report).triage;
    assert!(has(list, "collect and inspect the file mshta ran: C:\\MEM_Configmgr_5\\splash.hta"), "{list:#?}");
    let confirm = "confirm this is still the known-good use the baseline or allowlist describes";
    assert!(!has(list, confirm));
    // Baselined from its own inventory: confirm it is still the known-good use.
    let config = Config {
        baseline: report
            .inventory
            .iter()
            .map(|g| BaselineEntry { shape: g.shape.clone(), parent: g.parent.clone(), count: g.count, hosts: g.hosts })
            .collect(),
        ..Config::default()
    };
    let known = analyze(scenario_input("benign_sccm_splash").as_bytes(), &config).unwrap();
    assert!(has(&only_chain(&known).triage, confirm), "{:#?}", only_chain(&known).triage);
}

#[test]
fn every_scenario_chain_has_a_checklist_of_distinct_items() {
    let dir = repo().join("tests/scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        for chain in &scenario(&name).chains {
            assert!(!chain.triage.is_empty(), "{name}: {}", chain.id);
            let mut items = chain.triage.clone();
            items.sort();
            items.dedup();
            assert_eq!(items.len(), chain.triage.len(), "{name}: repeated items");
        }
    }
}

#[test]
fn json_written_before_the_field_still_reads() {
    let report = scenario("attack_lethalhta_dcom");
    let mut json = serde_json::to_value(&report.chains[0]).unwrap();
    json.as_object_mut().unwrap().remove("triage");
    let old: Chain = serde_json::from_value(json).unwrap();
    assert!(old.triage.is_empty());
    assert_eq!(old.reasons, report.chains[0].reasons);
}

/// What scoring counts, triage acts on: a chain scored for a dropped
/// executable is told to collect files, one scored for a shell or LOLBin
/// child to review a command line, one scored for a Startup file to look
/// for persistence. (Both read the same tables of `knowledge.rs`.)
#[test]
fn triage_follows_what_scoring_counted() {
    use mshta_chain_telemetry::{to_jsonl, Corpus, CorpusConfig, RenderOptions, Schema};
    let cfg = CorpusConfig { seed: 11, hosts: 10, events: 8_000, mshta_rate: 100.0, ..CorpusConfig::default() };
    let events: Vec<_> = Corpus::new(cfg).collect();
    let (corpus, _) = to_jsonl(&events, Schema::SysmonFlat, &RenderOptions::default());
    let mut reports = vec![analyze(corpus.as_bytes(), &Config::default()).unwrap()];
    for entry in std::fs::read_dir(repo().join("tests/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        reports.push(scenario(&path.file_stem().unwrap().to_string_lossy()));
    }
    let rules: [(&str, &[&str]); 4] = [
        ("file_dropped_executable", &["collect and hash the files it wrote: "]),
        ("file_in_startup", &["look for persistence in the Startup folder file "]),
        ("child_shell_or_lolbin", &["review the command line of ", "review the PowerShell command line of "]),
        ("file_written_then_run", &["collect and inspect the file mshta ran: "]),
    ];
    let mut checked = 0;
    for chain in reports.iter().flat_map(|r| &r.chains) {
        for (reason, prefixes) in rules {
            if chain.reasons.iter().any(|r| r.id == reason) {
                checked += 1;
                assert!(
                    chain.triage.iter().any(|l| prefixes.iter().any(|p| l.starts_with(p))),
                    "{}: {reason} scored but triage does not act on it: {:#?}",
                    chain.id,
                    chain.triage
                );
            }
        }
    }
    assert!(checked > 50, "the corpus and scenarios exercise these reasons ({checked})");
}
