//! Corpus properties: determinism, kind mix, realistic size, planted chains, bounded disorder,
//! pid reuse, process identity consistency.

use super::*;
use crate::model::ZERO_GUID;
use crate::render::{render, Schema};
use std::collections::{HashMap, HashSet};

fn cfg(seed: u64, events: usize) -> CorpusConfig {
    CorpusConfig { seed, events, hosts: 20, ..CorpusConfig::default() }
}

#[test]
fn same_seed_same_events() {
    let a: Vec<Event> = Corpus::new(cfg(11, 1_000)).collect();
    let b: Vec<Event> = Corpus::new(cfg(11, 1_000)).collect();
    assert_eq!(a.len(), 1_000);
    assert_eq!(a, b);
    // A longer run starts with the same events.
    let c: Vec<Event> = Corpus::new(cfg(11, 5_000)).take(900).collect();
    assert_eq!(a[..900], c[..]);
    let d: Vec<Event> = Corpus::new(cfg(12, 1_000)).collect();
    assert_ne!(a, d);
}

#[test]
fn kind_ratios_are_realistic() {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let n = 30_000;
    for ev in Corpus::new(cfg(5, n)) {
        *counts.entry(ev.kind.name()).or_default() += 1;
    }
    let share = |k: &str| *counts.get(k).unwrap_or(&0) as f64 / n as f64;
    let expect = [
        ("image_load", 0.30, 0.42),
        ("file_create", 0.12, 0.19),
        ("network", 0.12, 0.20),
        ("dns", 0.08, 0.14),
        ("process_start", 0.08, 0.13),
        ("process_end", 0.07, 0.13),
    ];
    for (k, lo, hi) in expect {
        assert!((lo..=hi).contains(&share(k)), "{k}: {:.3} not in {lo}..{hi} ({counts:?})", share(k));
    }
}

#[test]
fn sysmon_flat_size_is_realistic() {
    let mut bytes = 0usize;
    let n = 5_000;
    for (i, ev) in Corpus::new(cfg(6, n)).enumerate() {
        bytes += serde_json::to_string(&render(&ev, Schema::SysmonFlat, i as u64).unwrap()).unwrap().len() + 1;
    }
    let avg = bytes as f64 / n as f64;
    assert!((900.0..=1600.0).contains(&avg), "average {avg:.0} bytes");
}

#[test]
fn planted_chains_appear_with_follow_on() {
    let config = CorpusConfig { mshta_rate: 25.0, ..cfg(7, 20_000) };
    let mut corpus = Corpus::new(config);
    let events: Vec<Event> = corpus.by_ref().collect();
    let planted = corpus.planted().clone();
    assert!(planted.attacks >= 5 && planted.benign >= 5, "{} attacks, {} benign", planted.attacks, planted.benign);
    assert_eq!(planted.total() as usize, planted.chains.len());
    let starts: HashMap<&str, &Event> = events
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::ProcessStart(p) => Some((p.guid.as_str(), e)),
            _ => None,
        })
        .collect();
    let actors: HashSet<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            Kind::Network { actor, .. }
            | Kind::Dns { actor, .. }
            | Kind::FileCreate { actor, .. }
            | Kind::ImageLoad { actor, .. } => Some(actor.guid.as_str()),
            _ => None,
        })
        .collect();
    let mut attack_with_network = 0;
    for chain in &planted.chains {
        let ev = starts.get(chain.guid.as_str()).unwrap_or_else(|| panic!("root start of {chain:?}"));
        let Kind::ProcessStart(p) = &ev.kind else { unreachable!() };
        assert!(p.image.to_ascii_lowercase().ends_with(".exe"));
        assert_eq!(p.original_file_name, "MSHTA.EXE");
        assert!(actors.contains(chain.guid.as_str()), "chain root has follow-on: {chain:?}");
        if chain.attack
            && events.iter().any(|e| {
                matches!(&e.kind, Kind::Network { actor, outbound: true, dst_ip, .. }
                    if actor.guid == chain.guid && crate::render::enrich::ip_type(dst_ip) == "Public")
            })
        {
            attack_with_network += 1;
        }
    }
    assert!(attack_with_network > 0, "some attacks reach a public address from mshta");
    // Legitimate HTA use: no child processes, nothing public.
    for chain in planted.chains.iter().filter(|c| !c.attack) {
        for e in &events {
            match &e.kind {
                Kind::ProcessStart(p) => {
                    assert!(!matches!(&p.parent, Some(x) if x.guid == chain.guid), "benign {chain:?} has a child")
                }
                Kind::Network { actor, dst_ip, .. } if actor.guid == chain.guid => {
                    assert_ne!(crate::render::enrich::ip_type(dst_ip), "Public", "{chain:?}")
                }
                _ => {}
            }
        }
    }
    let variants: HashSet<&str> = planted.chains.iter().map(|c| c.variant).collect();
    assert!(variants.len() >= 5, "{variants:?}");
}

#[test]
fn disorder_is_bounded_and_present() {
    let config = CorpusConfig { disorder_ms: 2_000, ..cfg(8, 10_000) };
    let mut max_seen = i64::MIN;
    let mut out_of_order = 0;
    for ev in Corpus::new(config) {
        assert!(
            ev.time_ms >= max_seen.saturating_sub(2_000),
            "event {} ms behind",
            max_seen.saturating_sub(ev.time_ms)
        );
        if ev.time_ms < max_seen {
            out_of_order += 1;
        }
        max_seen = max_seen.max(ev.time_ms);
    }
    assert!(out_of_order > 100, "{out_of_order} out-of-order events");
    // disorder 0: in order.
    let mut last = i64::MIN;
    for ev in Corpus::new(CorpusConfig { disorder_ms: 0, ..cfg(8, 3_000) }) {
        assert!(ev.time_ms >= last);
        last = ev.time_ms;
    }
}

#[test]
fn identities_are_consistent_and_pids_get_reused() {
    let events: Vec<Event> = Corpus::new(CorpusConfig { hosts: 4, ..cfg(9, 30_000) }).collect();
    // Every GUID belongs to one (host, pid); a (host, pid) is reused by several GUIDs over time.
    let mut by_guid: HashMap<&str, (&str, u32)> = HashMap::new();
    let mut guids_per_pid: HashMap<(&str, u32), HashSet<&str>> = HashMap::new();
    for e in &events {
        let (pid, guid) = match &e.kind {
            Kind::ProcessStart(p) => (p.pid, p.guid.as_str()),
            Kind::ProcessEnd(a)
            | Kind::Network { actor: a, .. }
            | Kind::Dns { actor: a, .. }
            | Kind::FileCreate { actor: a, .. }
            | Kind::ImageLoad { actor: a, .. } => (a.pid, a.guid.as_str()),
        };
        assert_ne!(guid, ZERO_GUID);
        assert!(guid.starts_with('{') && guid.ends_with('}') && guid.len() == 38, "{guid}");
        let prev = by_guid.insert(guid, (e.host.as_str(), pid));
        assert!(prev.is_none() || prev == Some((e.host.as_str(), pid)), "{guid} changed identity");
        guids_per_pid.entry((e.host.as_str(), pid)).or_default().insert(guid);
    }
    let reused = guids_per_pid.values().filter(|g| g.len() > 1).count();
    assert!(reused > 10, "{reused} reused pids");
    // Most started processes end, and never before they start.
    let mut started: HashMap<&str, i64> = HashMap::new();
    let mut ended = 0;
    for e in &events {
        match &e.kind {
            Kind::ProcessStart(p) => {
                started.insert(p.guid.as_str(), p.start_ms);
            }
            Kind::ProcessEnd(a) => {
                if let Some(s) = started.get(a.guid.as_str()) {
                    assert!(e.time_ms >= *s);
                    ended += 1;
                }
            }
            _ => {}
        }
    }
    assert!(ended * 10 >= started.len() * 6, "{ended} of {} started processes ended", started.len());
}

#[test]
fn every_event_renders_in_every_schema_that_supports_it() {
    for (i, ev) in Corpus::new(CorpusConfig { mshta_rate: 50.0, ..cfg(10, 2_000) }).enumerate() {
        for schema in Schema::ALL {
            assert_eq!(render(&ev, schema, i as u64).is_some(), schema.supports(&ev.kind));
        }
    }
}
