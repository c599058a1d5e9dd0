//! Where each piece of evidence can be found: every evidence item of the
//! report carries the input file its event came from (`Engine::set_source`)
//! and the event's log record number (`EventRecordID`), checked against the
//! input itself, and both survive snapshots and any cut of the input.

use mshta_chain_core::{Config, Engine, Report};
use serde_json::Value;

/// The bundled sample, every Windows event given a record number (its
/// attack events carry none; its benign ones keep theirs).
fn sample() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sample.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/sample.jsonl");
    let mut out = String::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let mut v: Value = serde_json::from_str(line).expect("sample lines are JSON");
        if let Some(o) = v.as_object_mut() {
            if o.contains_key("Channel") && !o.contains_key("EventRecordID") {
                o.insert("EventRecordID".into(), Value::from(90_000 + i as u64));
            }
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out.into_bytes()
}

/// The sample as two files, cut at a line boundary near its middle.
fn two_files(input: &[u8]) -> (&[u8], &[u8]) {
    let mid = input.len() / 2;
    let cut = input[mid..].iter().position(|&b| b == b'\n').map_or(input.len(), |i| mid + i + 1);
    input.split_at(cut)
}

fn scan(files: &[(&str, &[u8])]) -> Report {
    let mut engine = Engine::new(Config::default()).unwrap();
    for (name, bytes) in files {
        engine.set_source(Some(name));
        engine.push(bytes);
    }
    engine.finish()
}

/// (input index, file, record id) of every evidence item of every chain.
fn locations(report: &Report) -> Vec<(u64, Option<String>, Option<u64>)> {
    let mut out = Vec::new();
    for c in &report.chains {
        if let Some(i) = c.root.event {
            out.push((i, c.root.file.clone(), c.root.record_id));
        }
        out.extend(c.children.iter().map(|x| (x.event, x.file.clone(), x.record_id)));
        out.extend(c.files.iter().map(|x| (x.event, x.file.clone(), x.record_id)));
        out.extend(c.network.iter().map(|x| (x.event, x.file.clone(), x.record_id)));
        out.extend(c.dns.iter().map(|x| (x.event, x.file.clone(), x.record_id)));
        out.extend(c.modules.iter().map(|x| (x.event, x.file.clone(), x.record_id)));
    }
    out
}

#[test]
fn evidence_names_its_file_and_record() {
    let input = sample();
    let (a, b) = two_files(&input);
    let report = scan(&[("first.jsonl", a), ("second.jsonl", b)]);
    let lines: Vec<Value> = input
        .split(|&c| c == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| serde_json::from_slice(l).expect("sample lines are JSON"))
        .collect();
    let in_first = a.split(|&c| c == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count() as u64;
    let found = locations(&report);
    assert!(found.len() > 10, "the sample's chains have evidence: {}", found.len());
    let mut with_record = 0;
    for (index, file, record) in found {
        let line = &lines[index as usize];
        let expected_file = if index < in_first { "first.jsonl" } else { "second.jsonl" };
        assert_eq!(file.as_deref(), Some(expected_file), "item {index}");
        assert_eq!(record, line.get("EventRecordID").and_then(Value::as_u64), "item {index}: {line}");
        with_record += usize::from(record.is_some());
    }
    assert!(with_record > 0, "the sample carries EventRecordID");
}

#[test]
fn without_a_source_no_file_is_given_and_errors_name_theirs() {
    let input = sample();
    let plain = Engine::new(Config::default()).map(|mut e| {
        e.push(&input);
        e.finish()
    });
    assert!(locations(&plain.unwrap()).iter().all(|(_, f, _)| f.is_none()));
    let mut engine = Engine::new(Config::default()).unwrap();
    engine.set_source(Some("good.jsonl"));
    engine.push(&input);
    engine.set_source(Some("bad.jsonl"));
    engine.push(b"not json\n");
    engine.set_source(None);
    engine.push(b"{\"neither\": 1}\n");
    let report = engine.finish();
    let files: Vec<Option<&str>> = report.errors.iter().map(|e| e.file.as_deref()).collect();
    assert_eq!(files, vec![Some("bad.jsonl"), None], "{:?}", report.errors);
    let json = serde_json::to_value(&report.errors).unwrap();
    assert_eq!(json[0]["file"], "bad.jsonl");
    assert!(json[1].get("file").is_none(), "no file: the key is left out");
}

#[test]
fn locations_survive_snapshots_and_cuts() {
    let input = sample();
    let (a, b) = two_files(&input);
    let files = [("first.jsonl", a), ("second.jsonl", b)];
    let whole = scan(&files);
    // A cut anywhere in the stream (inside a line too), with the state
    // carried across it by a snapshot.
    for cut in [1, a.len() / 3, a.len() - 1, a.len(), a.len() + 7, a.len() + b.len() / 2] {
        let mut engine = Engine::new(Config::default()).unwrap();
        let mut at = 0;
        let mut restored = false;
        for (name, bytes) in files {
            engine.set_source(Some(name));
            let end = at + bytes.len();
            if !restored && cut < end {
                let (head, tail) = bytes.split_at(cut - at);
                engine.push(head);
                engine = Engine::restore(&engine.snapshot(), Config::default()).expect("restores");
                engine.push(tail);
                restored = true;
            } else {
                engine.push(bytes);
            }
            at = end;
        }
        assert!(restored);
        assert_eq!(engine.finish(), whole, "cut at {cut}");
    }
}
