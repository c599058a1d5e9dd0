//! Tuning to the estate: a baseline made from the inventory lowers the
//! known-good chains to informational, visibly (a `baseline_known` reason),
//! while an attack in the same data still scores high. Allowlists and
//! weights show as reasons too.

use mshta_chain_core::{analyze, Config, Engine};
use serde_json::Value;

fn scenario_events(name: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios").join(format!("{name}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["events"].as_array().unwrap().iter().map(|e| e.to_string()).collect()
}

fn mixed() -> String {
    let mut lines = Vec::new();
    for name in [
        "benign_sccm_splash",
        "benign_sccm_ccmcache_autorun",
        "benign_hp_support_assistant",
        "benign_vendor_hta_explorer",
        "attack_clickfix_runmru",
        "attack_office_mshta_powershell",
    ] {
        lines.extend(scenario_events(name));
    }
    lines.join("\n")
}

#[test]
fn baseline_drops_known_good_to_informational_and_keeps_attacks_high() {
    let input = mixed();
    let mut engine = Engine::new(Config::default()).unwrap();
    engine.push(input.as_bytes());
    let before = engine.finish();
    assert_eq!(before.chains.len(), 6);
    assert_eq!(before.inventory.len(), 6, "one inventory group per invocation shape and parent");
    let benign_ids: Vec<String> = before.chains.iter().filter(|c| c.score < 50).map(|c| c.id.clone()).collect();
    assert_eq!(benign_ids.len(), 4);

    let baseline = engine.baseline(50).entries;
    assert_eq!(baseline.len(), 4, "only the low-scoring groups: {baseline:?}");
    let config = Config { baseline, ..Config::default() };
    // The config round-trips through JSON, as `mshta-chain baseline` writes it.
    let json = serde_json::to_string(&config).unwrap();
    let config = Config::from_json(&json).unwrap();

    let after = analyze(input.as_bytes(), &config).unwrap();
    for c in &after.chains {
        if benign_ids.contains(&c.id) {
            assert_eq!(c.severity, "informational", "{} {}", c.id, c.score);
            assert!(c.reasons.iter().any(|r| r.id == "baseline_known" && r.points < 0));
        } else {
            assert!(c.score >= 70, "attack {} still scores high: {}", c.id, c.score);
            assert!(!c.reasons.iter().any(|r| r.id == "baseline_known"));
        }
    }
}

#[test]
fn allowlists_and_weights_are_visible_reasons() {
    let input = scenario_events("attack_clickfix_runmru").join("\n");
    let config = Config::from_json(
        r#"{"allow": {"domains": ["verify-human.example"], "parent_images": ["explorer.exe"], "networks": ["203.0.113.0/24"]},
            "weights": {"child_shell_or_lolbin": 40}}"#,
    )
    .unwrap();
    let plain = analyze(input.as_bytes(), &Config::default()).unwrap();
    let tuned = analyze(input.as_bytes(), &config).unwrap();
    let ids =
        |r: &mshta_chain_core::Report| r.chains[0].reasons.iter().map(|x| (x.id.clone(), x.points)).collect::<Vec<_>>();
    let t = ids(&tuned);
    assert!(t.contains(&("allowlisted_domain".into(), -20)), "{t:?}");
    assert!(t.contains(&("allowlisted_parent".into(), -30)), "{t:?}");
    assert!(t.iter().any(|(id, _)| id == "allowlisted_network"), "{t:?}");
    assert!(t.contains(&("child_shell_or_lolbin".into(), 40)), "{t:?}");
    assert!(!t.iter().any(|(id, _)| id == "network_public"), "allowlisted network is not public: {t:?}");
    assert!(ids(&plain).iter().any(|(id, _)| id == "network_public"));
    assert!(tuned.chains[0].score < plain.chains[0].score);
    assert_eq!(tuned.chains.len(), 1, "an allowlist never hides a chain");
}

#[test]
fn reference_page_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reasons.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == mshta_chain_core::reasons_markdown(),
        "docs/reasons.md is stale: run `cargo run -q -p mshta-chain-core --example reasons > docs/reasons.md`"
    );
    for r in mshta_chain_core::REASONS {
        assert!(!r.why.is_empty() && !r.references.is_empty(), "{} is documented", r.id);
    }
}

#[test]
fn a_chain_that_falls_below_min_score_is_retracted() {
    let config = Config::from_json(
        r#"{"min_score": 40, "allow": {"networks": ["10.9.0.0/16"]}, "weights": {"allowlisted_network": -60}}"#,
    )
    .unwrap();
    let start = r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{00000000-0000-0000-0000-000000000001}","ProcessId":"10","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta vbscript:Execute(\"x\")","ParentImage":"C:\\Windows\\System32\\cmd.exe"}"#;
    let net = r#"{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:01.000","ProcessGuid":"{00000000-0000-0000-0000-000000000001}","ProcessId":"10","Image":"C:\\Windows\\System32\\mshta.exe","Initiated":"true","DestinationIp":"10.9.1.1","DestinationPort":"443"}"#;
    let mut engine = Engine::new(config).unwrap();
    let first = engine.push(format!("{start}\n").as_bytes());
    assert_eq!(first.chains.len(), 1, "announced at {}", first.chains.first().map_or(0, |c| c.chain.score));
    let id = first.chains[0].chain.id.clone();
    let second = engine.push(format!("{net}\n").as_bytes());
    assert!(second.chains.is_empty());
    assert_eq!(second.retracted, vec![id], "the caller is told to drop it");
    let third = engine.push(b"");
    assert!(third.retracted.is_empty(), "only once");
}

#[test]
fn inventory_keeps_a_groups_highest_score_after_eviction() {
    // Two chains of one group (same shape and parent) on different hosts;
    // with room for one closed chain, the lower one is evicted, but the
    // group's max_score still reflects the higher.
    let line = |host: &str, t: &str, pid: u32, child: bool| {
        let mut s = format!(
            r#"{{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"{host}","UtcTime":"2024-05-01 {t}","ProcessId":"{pid}","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta \"C:\\Program Files\\V\\a.hta\"","ParentImage":"C:\\Windows\\explorer.exe"}}"#
        );
        if child {
            s.push('\n');
            s.push_str(&format!(
                r#"{{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"{host}","UtcTime":"2024-05-01 {t}","ProcessId":"{}","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell -enc AAAA","ParentProcessId":"{pid}","ParentImage":"C:\\Windows\\System32\\mshta.exe"}}"#,
                pid + 1
            ));
        }
        s
    };
    let config = Config { max_chains: 1, ..Config::default() };
    let mut engine = Engine::new(config).unwrap();
    engine.push(
        format!("{}\n{}\n", line("A", "10:00:00.000", 10, true), line("B", "10:00:00.000", 20, false)).as_bytes(),
    );
    // Much later events on both hosts close both chains.
    engine.push(
        format!("{}\n{}\n", line("A", "13:00:00.000", 30, false), line("B", "13:00:00.000", 40, false)).as_bytes(),
    );
    let report = engine.finish();
    assert!(report.stats.chains_evicted >= 1);
    let group = &report.inventory[0];
    let best = report.chains.iter().map(|c| c.score).max().unwrap_or(0);
    assert!(group.max_score.unwrap_or(0) >= 30, "{group:?}, best in report {best}");
}

#[test]
fn the_baseline_uses_the_engines_own_tuning_and_keeps_its_entries() {
    // An attack that scores high by default, on a host the config
    // allowlists (and with the allowlist weighted down to informational):
    // with the engine's tuning its chain is low, so its group is known good;
    // without that tuning it would be left out. The config's own entries
    // are kept, sorted with the new ones.
    let input = scenario_events("attack_office_mshta_powershell").join("\n");
    let plain = analyze(input.as_bytes(), &Config::default()).unwrap();
    assert!(plain.chains[0].score >= 50, "the attack scores high by default: {}", plain.chains[0].score);
    let host = plain.chains[0].host.clone();
    let config = Config::from_json(&format!(
        r#"{{"allow": {{"hosts": ["{host}"]}}, "weights": {{"allowlisted_host": -100}},
            "baseline": [{{"shape": "mshta zzz", "parent": "zzz.exe"}}]}}"#
    ))
    .unwrap();
    let mut engine = Engine::new(config).unwrap();
    engine.push(input.as_bytes());
    let tuned = engine.finish();
    assert!(tuned.chains[0].score < 50, "allowlisted: {}", tuned.chains[0].score);
    let baseline = engine.baseline(50);
    assert_eq!(baseline.unknown, 0);
    let keys: Vec<(&str, &str)> = baseline.entries.iter().map(|e| (e.parent.as_str(), e.shape.as_str())).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.contains(&("zzz.exe", "mshta zzz")), "the config's entry is kept: {keys:?}");
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted by parent, then shape: {keys:?}");
    // The same input with the default tuning baselines nothing.
    let mut default = Engine::new(Config::default()).unwrap();
    default.push(input.as_bytes());
    assert!(default.baseline(50).entries.is_empty());
}

#[test]
fn an_invalid_config_is_an_error_not_a_silent_default() {
    let bad_weight = Config { weights: [("no_such_reason".to_string(), 5)].into_iter().collect(), ..Config::default() };
    let e = Engine::new(bad_weight.clone()).unwrap_err();
    assert!(e.to_string().contains("no_such_reason"), "{e}");
    let out_of_range =
        Config { weights: [("parent_explorer".to_string(), 500)].into_iter().collect(), ..Config::default() };
    assert!(Engine::new(out_of_range).unwrap_err().to_string().contains("parent_explorer"));
    assert!(analyze(b"[]", &Config { window_seconds: 0, ..Config::default() }).is_err());
    let snapshot = Engine::new(Config::default()).unwrap().snapshot();
    let e = Engine::restore(&snapshot, bad_weight).unwrap_err();
    assert!(matches!(e, mshta_chain_core::RestoreError::Config(_)), "{e:?}");
}
