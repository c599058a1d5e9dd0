//! `max_chains`: the closed chains kept are the highest ranked (score, then
//! the newest root, then the id), whatever the batches and snapshots in
//! between. Eviction goes through an index kept beside the closed chains
//! and rebuilt after a restore; this checks it against the definition.

use mshta_chain_core::{Config, Engine, Report};

const T0_MINUTES: u64 = 10 * 60;

/// One Sysmon 1 line: an mshta start on one of three hosts, each an hour
/// after the last on its host (so every chain closes), with command lines
/// that score differently.
fn start(i: u64) -> String {
    let minutes = T0_MINUTES + i * 20;
    let (h, m) = (minutes / 60, minutes % 60);
    let cmd = match i % 4 {
        0 => format!("mshta https://h{i}.example/x.hta"),
        1 => format!("mshta C:\\\\Apps\\\\tool{i}.hta"),
        2 => format!(
            "mshta vbscript:Execute(\\\"CreateObject(\\\"\\\"WScript.Shell\\\"\\\").Run \\\"\\\"calc{i}\\\"\\\"\\\")"
        ),
        _ => format!("mshta http://198.51.100.{}/a.hta", i % 250),
    };
    format!(
        concat!(
            r#"{{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC{host}","#,
            r#""UtcTime":"2024-05-0{day} {h:02}:{m:02}:00.000","ProcessGuid":"{{11111111-0000-0000-0000-{i:012}}}","#,
            r#""ProcessId":"{pid}","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"{cmd}","#,
            r#""ParentProcessGuid":"{{22222222-0000-0000-0000-000000000001}}","ParentProcessId":"500","#,
            r#""ParentImage":"C:\\Windows\\explorer.exe"}}"#,
            "\n"
        ),
        host = i % 3,
        day = 1 + h / 24,
        h = h % 24,
        m = m,
        i = i,
        pid = 1000 + i,
        cmd = cmd,
    )
}

fn input(n: u64) -> String {
    (0..n).map(start).collect()
}

/// The ids of a report's chains, in report order.
fn ids(r: &Report) -> Vec<String> {
    r.chains.iter().map(|c| c.id.clone()).collect()
}

#[test]
fn the_kept_chains_are_the_top_ranked_whatever_the_cuts() {
    let n = 60;
    let all = {
        let mut e = Engine::new(Config { max_chains: 1_000, ..Config::default() }).expect("valid config");
        e.push(input(n).as_bytes());
        e.finish()
    };
    assert_eq!(all.chains.len() as u64, n, "every start is a chain");
    assert!(all.chains.iter().map(|c| c.score).collect::<std::collections::BTreeSet<_>>().len() >= 3, "scores differ");

    // The definition: evict the lowest score, then the oldest root, then
    // the lowest id; keep the rest. Only closed chains are evicted; the
    // last one of each host is still open at the end.
    let cap = 7;
    let closed: Vec<_> = all.chains.iter().filter(|c| c.status == mshta_chain_core::Status::Closed).collect();
    let open: Vec<_> = all.chains.iter().filter(|c| c.status != mshta_chain_core::Status::Closed).collect();
    let mut ranked: Vec<_> = closed.iter().map(|c| (c.score, c.root.time.clone(), c.id.clone())).collect();
    ranked.sort();
    let mut expected: Vec<String> = ranked[ranked.len() - cap..].iter().map(|(_, _, id)| id.clone()).collect();
    expected.extend(open.iter().map(|c| c.id.clone()));
    expected.sort();

    let text = input(n);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for batch in [1, 5, 13, 60] {
        for restore_each in [false, true] {
            let config = Config { max_chains: cap, ..Config::default() };
            let mut e = Engine::new(config).expect("valid config");
            for chunk in lines.chunks(batch) {
                e.push(chunk.concat().as_bytes());
                if restore_each {
                    e = Engine::restore_saved(&e.snapshot()).expect("a fresh snapshot restores");
                }
            }
            let r = e.finish();
            let mut got = ids(&r);
            got.sort();
            assert_eq!(got, expected, "batches of {batch}, restore after each: {restore_each}");
            assert_eq!(r.stats.chains_evicted, (closed.len() - cap) as u64);
        }
    }
}
