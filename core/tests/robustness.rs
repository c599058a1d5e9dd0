//! Untrusted input: no input makes the engine panic, and every item is
//! accounted for (accepted + rejected = events). Inputs are mutations of
//! real events from a seeded generator, so failures reproduce.

mod support;

use mshta_chain_core::{analyze, Config, Engine};
use support::Rng;

fn seed_lines() -> Vec<Vec<u8>> {
    let path = support::realdata().join("otrf/cmd_mshta_javascript_getobject_sct.jsonl");
    let text = std::fs::read(path).unwrap();
    let lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
    // Keep the interesting ones (mshta and its follow-ons) plus some noise.
    lines
        .iter()
        .filter(|l| l.windows(5).any(|w| w.eq_ignore_ascii_case(b"mshta")))
        .chain(lines.iter().step_by(50))
        .cloned()
        .collect()
}

fn mutate(rng: &mut Rng, line: &[u8]) -> Vec<u8> {
    let mut out = line.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(7) {
            0 => out.truncate(at),
            1 => out[at] = rng.next() as u8,
            2 => {
                let alphabet = b"{}[]\",:\\0x-\xff\xfe";
                out.insert(at, alphabet[rng.below(alphabet.len())]);
            }
            3 => {
                out.remove(at);
            }
            4 => {
                let end = (at + rng.below(40)).min(out.len());
                let chunk = out[at..end].to_vec();
                out.splice(at..at, chunk);
            }
            5 => out.splice(at..at, b"\"ProcessId\":\"0xffffffffff\",".iter().copied()).for_each(drop),
            _ => out.splice(at..at, b"\"UtcTime\":\"9999-99-99\",".iter().copied()).for_each(drop),
        }
    }
    out
}

#[test]
fn mutated_real_events_never_panic_and_are_all_accounted_for() {
    let seeds = seed_lines();
    assert!(seeds.len() > 20);
    let mut rng = Rng(0x5eed);
    for round in 0..300 {
        let mut input = Vec::new();
        let n = 1 + rng.below(30);
        for _ in 0..n {
            let line = &seeds[rng.below(seeds.len())];
            let l = if rng.below(3) == 0 { line.clone() } else { mutate(&mut rng, line) };
            input.extend_from_slice(&l);
            input.push(b'\n');
        }
        // Occasionally wrap as a (possibly broken) JSON array instead.
        if round % 5 == 0 {
            let body = input.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect::<Vec<_>>().join(&b","[..]);
            input = [b"[".to_vec(), body, b"]".to_vec()].concat();
        }
        let report = analyze(&input, &Config::default()).unwrap();
        assert_eq!(report.stats.accepted + report.stats.rejected, report.stats.events, "round {round}");
        for c in &report.chains {
            assert!((0..=100).contains(&c.score));
        }
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..2_000 {
        let len = rng.below(200);
        let alphabet = b"{}[]\":,\\ \nab0x1-\xff";
        let bytes: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let report = analyze(&bytes, &Config::default()).unwrap();
        assert_eq!(report.stats.accepted + report.stats.rejected, report.stats.events);
    }
}

#[test]
fn errors_list_is_capped_but_counts_are_complete() {
    let input = "x\n".repeat(500);
    let config = Config { max_errors: 10, ..Config::default() };
    let report = analyze(input.as_bytes(), &config).unwrap();
    assert_eq!(report.errors.len(), 10);
    assert_eq!(report.stats.rejected, 500);
    assert_eq!(report.errors[9].index, 9);
}

#[test]
fn batches_continue_the_index() {
    let mut engine = Engine::new(Config::default()).unwrap();
    let first = engine.push(b"{\"a\":1}\n{\"b\":2}\n");
    assert_eq!(first.rejected, 2);
    engine.push(b"nope\n");
    let report = engine.finish();
    let idx: Vec<u64> = report.errors.iter().map(|e| e.index).collect();
    assert_eq!(idx, vec![0, 1, 2]);
}

#[test]
fn non_utf8_inside_a_string_rejects_only_that_item() {
    let mut input = b"{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"H\",\"UtcTime\":\"2024-01-01 00:00:00.000\",\"ProcessId\":\"5\",\"Image\":\"C:\\\\Windows\\\\System32\\\\mshta.exe\",\"CommandLine\":\"".to_vec();
    input.extend_from_slice(b"\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"H\",\"UtcTime\":\"2024-01-01 00:00:01.000\",\"ProcessId\":\"6\",\"Image\":\"C:\\\\Windows\\\\System32\\\\mshta.exe\"}\n");
    let report = analyze(&input, &Config::default()).unwrap();
    assert_eq!(report.stats.rejected, 1);
    assert_eq!(report.errors[0].index, 0);
    assert_eq!(report.chains.len(), 1);
    assert_eq!(report.chains[0].root.pid, 6);
}

#[test]
fn an_overlong_line_split_across_pushes_is_one_error() {
    let config = Config { max_item_bytes: 2_048, ..Config::default() };
    let mut engine = Engine::new(config).unwrap();
    let long = format!("{{\"x\":\"{}\"}}\n", "a".repeat(5_000));
    engine.push(&long.as_bytes()[..3_000]);
    engine.push(&long.as_bytes()[3_000..4_000]);
    engine.push(&long.as_bytes()[4_000..]);
    engine.push(b"{\"y\":1}\n");
    let report = engine.finish();
    assert_eq!(report.stats.events, 2, "{:?}", report.errors);
    assert_eq!(report.stats.rejected, 2, "the long line and the unrecognised object");
    assert!(report.errors[0].reason.contains("max_item_bytes"));
    assert_eq!(report.errors[1].index, 1);
}

#[test]
fn a_broken_first_line_does_not_swallow_the_input() {
    let good = r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-01-01 00:00:01.000","ProcessId":"6","Image":"C:\\Windows\\System32\\mshta.exe"}"#;
    let input = format!("{{broken\n{good}\n{good}\n");
    let report = analyze(input.as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.stats.events, 3);
    assert_eq!(report.stats.rejected, 1);
    assert_eq!(report.chains.len(), 1);
    // Streamed in small pieces, the same.
    let mut engine = Engine::new(Config::default()).unwrap();
    for chunk in input.as_bytes().chunks(7) {
        engine.push(chunk);
    }
    assert_eq!(engine.finish(), report);
}

#[test]
fn a_snapshot_keeps_its_config() {
    let config = Config { window_seconds: 60, min_score: 10, ..Config::default() };
    let mut engine = Engine::new(config.clone()).unwrap();
    engine.push(b"{}\n");
    let restored = Engine::restore_saved(&engine.snapshot()).unwrap();
    assert_eq!(restored.report(), engine.report());
}

#[test]
fn any_command_line_scores_without_panicking() {
    // Command lines are attacker-controlled: multi-byte characters next to
    // quotes, colons, slashes, URLs and GUIDs must not break scoring, the
    // inventory's shapes or path extraction.
    let alphabet: Vec<&str> = vec![
        "€",
        "é",
        "😀",
        "\"",
        ":",
        "\\",
        "/",
        " ",
        "a",
        ".",
        "hta",
        "http://",
        "https://x.example/",
        "{",
        "}",
        "0",
        "9",
        "-",
        "javascript:",
        "vbscript:",
        "\\users\\",
        "c:",
        "%20",
        "^",
        "\\\\",
        "@ssl",
        "#",
        "1e460bd7-f1c3-4b2e-88bf-4e770a288af5",
    ];
    let mut rng = Rng(99);
    for i in 0..3_000 {
        let cmd: String = (0..rng.below(40)).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let parent: String = (0..rng.below(6)).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let line = serde_json::json!({
            "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Hostname": "H",
            "UtcTime": "2024-01-01 00:00:00.000", "ProcessId": (i % 50).to_string(),
            "Image": "C:\\Windows\\System32\\mshta.exe", "CommandLine": cmd,
            "ParentImage": parent, "ParentCommandLine": cmd,
        });
        let report = analyze(line.to_string().as_bytes(), &Config::default()).unwrap();
        assert_eq!(report.chains.len(), 1, "{line}");
        assert_eq!(report.inventory.len(), 1);
    }
}

#[test]
fn random_objects_over_every_schemas_keys_never_panic() {
    use serde_json::{json, Map, Value};
    // Keys every decoder reads, at the levels they read them.
    let top = [
        "EventID",
        "Channel",
        "Hostname",
        "Computer",
        "UtcTime",
        "TimeCreated",
        "@timestamp",
        "ProcessGuid",
        "ProcessId",
        "ProcessID",
        "Image",
        "OriginalFileName",
        "CommandLine",
        "ParentProcessId",
        "ParentProcessGuid",
        "ParentImage",
        "TargetFilename",
        "ImageLoaded",
        "QueryName",
        "Initiated",
        "DestinationIp",
        "DestinationPort",
        "SourcePort",
        "NewProcessId",
        "NewProcessName",
        "Direction",
        "Application",
        "DestAddress",
        "DestPort",
        "class_uid",
        "activity_id",
        "time",
        "metadata",
        "device",
        "actor",
        "process",
        "query",
        "file",
        "dst_endpoint",
        "connection_info",
        "module",
        "event",
        "host",
        "destination",
        "source",
        "network",
        "dns",
        "dll",
        "user",
        "data_stream",
        "agent",
        "winlog",
        "Event",
        "Timestamp",
        "DeviceId",
        "DeviceName",
        "ActionType",
        "ProcessCreationTime",
        "FolderPath",
        "FileName",
        "InitiatingProcessId",
        "InitiatingProcessCreationTime",
        "RemoteIP",
        "RemotePort",
        "AdditionalFields",
        "records",
        "category",
        "properties",
    ];
    let mut rng = Rng(2024);
    fn value(rng: &mut Rng, depth: u32, keys: &[&str]) -> Value {
        match rng.below(if depth > 2 { 7 } else { 10 }) {
            0 => json!(rng.next() as i64),
            1 => json!(-(rng.below(10) as i64)),
            2 => json!(1.5e300),
            3 => json!(rng.chance(50)),
            4 => Value::Null,
            5 => json!(["x", 1, null]),
            6 => json!(
                [
                    "1",
                    "4688",
                    "Microsoft-Windows-Sysmon/Operational",
                    "0x1f",
                    "2024-01-01 00:00:00.000",
                    "€😀",
                    "{00000000-0000-0000-0000-000000000000}",
                    "mshta.exe",
                    "AdvancedHunting-DeviceProcessEvents",
                    "process",
                    "start"
                ][rng.below(11)]
            ),
            _ => {
                let mut m = Map::new();
                for _ in 0..rng.below(6) {
                    let k = keys[rng.below(keys.len())];
                    m.insert(k.to_string(), value(rng, depth + 1, keys));
                }
                Value::Object(m)
            }
        }
    }
    let mut nested_keys: Vec<&str> = top.to_vec();
    nested_keys.extend([
        "System",
        "EventData",
        "event_id",
        "channel",
        "computer_name",
        "event_data",
        "entity_id",
        "pid",
        "executable",
        "command_line",
        "pe",
        "parent",
        "uid",
        "cmd_line",
        "created_time",
        "parent_process",
        "path",
        "name",
        "hostname",
        "ip",
        "port",
        "direction",
        "question",
        "direction_id",
        "#attributes",
        "#text",
        "SystemTime",
        "dataset",
        "module",
        "code",
        "type",
        "action",
        "version",
        "DnsQueryString",
    ]);
    for _ in 0..5_000 {
        let mut m = Map::new();
        for _ in 0..rng.below(12) {
            let k = top[rng.below(top.len())];
            m.insert(k.to_string(), value(&mut rng, 0, &nested_keys));
        }
        let line = Value::Object(m).to_string();
        let report = analyze(line.as_bytes(), &Config::default()).unwrap();
        assert_eq!(report.stats.accepted + report.stats.rejected, 1, "{line}");
    }
}

#[test]
fn events_that_name_no_process_are_unattributable_not_errors() {
    // Real Sysmon exports have network and DNS events of `<unknown
    // process>` with an all-zero ProcessGuid and no ProcessId: valid events
    // that nothing can be attributed to. Likewise an ECS network event with
    // no process, and a Defender row with no initiating process.
    let lines = [
        r#"{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{00000000-0000-0000-0000-000000000000}","Image":"<unknown process>","DestinationIp":"203.0.113.5","DestinationPort":"443","Initiated":"true"}"#,
        r#"{"EventID":22,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{00000000-0000-0000-0000-000000000000}","Image":"<unknown process>","QueryName":"example.test"}"#,
        r#"{"@timestamp":"2024-05-01T10:00:00Z","event":{"module":"endpoint","category":["network"],"type":["start"]},"host":{"name":"h"},"destination":{"ip":"203.0.113.5","port":443}}"#,
        r#"{"Timestamp":"2024-05-01T10:00:00Z","DeviceId":"d1","DeviceName":"h","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.5","RemotePort":443}"#,
        // A process start without any id is still bad input.
        r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:00.000","Image":"C:\\Windows\\System32\\mshta.exe"}"#,
    ];
    let report = analyze(lines.join("\n").as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.stats.unattributable, 4, "{:?}", report.errors);
    assert_eq!(report.stats.rejected, 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].index, 4);
    assert!(report.errors[0].reason.contains("ProcessId"), "{}", report.errors[0].reason);
    assert_eq!(report.stats.accepted, 4);
}
