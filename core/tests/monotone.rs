//! The scoring model is monotone in follow-on evidence (issue 11): removing
//! any follow-on item from a chain never raises its score, and adding one
//! never lowers it. Over every scenario of `tests/scenarios/`: a chain's
//! follow-on items are the input items its reasons cite other than the
//! root's own start (children, files, connections, lookups, module loads,
//! the file mshta ran). Each is removed alone, then all of them one after
//! another; read backwards, each step adds one item to the smaller input,
//! so "never lowers when added" is the same comparison.

mod support;

use mshta_chain_core::{analyze, Config, Report};
use serde_json::Value;

/// The score of the chain rooted at (host, pid), if it is still there.
fn score_of(report: &Report, host: &str, pid: u32) -> Option<i64> {
    report.chains.iter().find(|c| c.host == host && c.root.pid == pid).map(|c| c.score)
}

fn analyze_without(sc: &support::Scenario, removed: &[u64]) -> Report {
    let events: Vec<Value> =
        sc.events.iter().enumerate().filter(|(i, _)| !removed.contains(&(*i as u64))).map(|(_, e)| e.clone()).collect();
    let reduced = support::Scenario { events, ..clone_of(sc) };
    analyze(&reduced.render_first(), &reduced.config).unwrap()
}

fn clone_of(sc: &support::Scenario) -> support::Scenario {
    support::Scenario {
        path: sc.path.clone(),
        name: sc.name.clone(),
        config: sc.config.clone(),
        events: Vec::new(),
        shapes: sc.shapes.clone(),
        expect: Value::Null,
    }
}

#[test]
fn follow_on_evidence_only_ever_raises_a_score() {
    let mut checked = 0;
    for sc in support::scenarios() {
        // Raw lines (bad items) may hold several items each: the indexes
        // would not be positions in `events`.
        if sc.events.iter().any(Value::is_string) {
            continue;
        }
        let full = analyze(&sc.render_first(), &sc.config).unwrap();
        for chain in &full.chains {
            let root: Vec<u64> =
                chain.reasons.iter().filter(|r| r.id == "mshta_execution").flat_map(|r| r.events.clone()).collect();
            let mut items: Vec<u64> = chain
                .reasons
                .iter()
                .flat_map(|r| r.events.iter().copied())
                .filter(|i| !root.contains(i) && (*i as usize) < sc.events.len())
                .collect();
            items.sort_unstable();
            items.dedup();
            if items.is_empty() {
                continue;
            }
            let (host, pid) = (chain.host.as_str(), chain.root.pid);
            for &item in &items {
                let without = analyze_without(&sc, &[item]);
                if let Some(s) = score_of(&without, host, pid) {
                    assert!(
                        s <= chain.score,
                        "{}: removing item {item} raised the score of {host}/{pid} from {} to {s}",
                        sc.name,
                        chain.score
                    );
                    checked += 1;
                }
            }
            // All of them, one after another: the scores never rise.
            let mut previous = chain.score;
            for n in 1..=items.len() {
                let without = analyze_without(&sc, &items[..n]);
                if let Some(s) = score_of(&without, host, pid) {
                    assert!(
                        s <= previous,
                        "{}: removing items {:?} raised the score of {host}/{pid} from {previous} to {s}",
                        sc.name,
                        &items[..n]
                    );
                    previous = s;
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50, "too few comparisons ({checked}): the scenarios lost their follow-on evidence?");
}

/// The same with a config that changes every weight: the caps hold whatever
/// the points (tuning and caps aside).
#[test]
fn monotone_with_other_weights() {
    let mut weights = std::collections::BTreeMap::new();
    for r in mshta_chain_core::REASONS {
        if r.axis != mshta_chain_core::Axis::Cap && r.points > 0 {
            weights.insert(r.id.to_string(), (r.points * 3).min(100));
        }
    }
    let config = Config { weights, ..Config::default() };
    let mut checked = 0;
    for mut sc in support::scenarios().into_iter().filter(|s| s.name.starts_with("attack_")) {
        sc.config = config.clone();
        let full = analyze(&sc.render_first(), &sc.config).unwrap();
        for chain in &full.chains {
            for (i, e) in sc.events.iter().enumerate() {
                let is_root_start = e.get("ProcessId").and_then(Value::as_str) == Some(&chain.root.pid.to_string())
                    && e.get("EventID").and_then(Value::as_u64) == Some(1);
                if is_root_start {
                    continue;
                }
                let without = analyze_without(&sc, &[i as u64]);
                if let Some(s) = score_of(&without, &chain.host, chain.root.pid) {
                    let cites = chain.reasons.iter().any(|r| r.events.contains(&(i as u64)));
                    if cites {
                        assert!(s <= chain.score, "{}: removing item {i} raised {} to {s}", sc.name, chain.score);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 20, "too few comparisons ({checked})");
}
