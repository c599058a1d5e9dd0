//! Golden files of the output formats: every input below (the bundled
//! sample, the real exports under tests/data/realdata, every scenario with
//! its config) is analysed and written in each format; the text must equal
//! tests/golden/formats/<input>.<format> byte for byte. (Whole reports have
//! their own golden files: core/tests/golden.rs.)
//!
//! `UPDATE_GOLDEN=1 cargo test -p mshta-chain-core --test formats` rewrites
//! the files instead; the diff then shows every change of output.

use mshta_chain_core::{analyze, format_report, Config, FormatOptions, OutputFormat, Report, TextOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A scenario's events as JSON Lines (raw strings verbatim, objects as
/// serde_json writes them: keys sorted), and its config.
fn scenario(path: &Path) -> (Vec<u8>, Config) {
    let scenario: Value = serde_json::from_slice(&read(path)).unwrap();
    let config = match scenario.get("config") {
        Some(c) => Config::from_json(&c.to_string()).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        None => Config::default(),
    };
    let mut out = Vec::new();
    for event in scenario["events"].as_array().expect("events") {
        match event {
            Value::String(raw) => out.extend_from_slice(raw.as_bytes()),
            other => out.extend_from_slice(serde_json::to_string(other).unwrap().as_bytes()),
        }
        out.push(b'\n');
    }
    (out, config)
}

/// Every input: its golden-file name, its bytes and the config to analyse
/// it with.
fn inputs() -> Vec<(String, Vec<u8>, Config)> {
    let data = repo().join("tests/data");
    let file = |name: &str, path: &Path| (name.to_string(), read(path), Config::default());
    let mut out = vec![
        file("sample", &data.join("sample.jsonl")),
        file("benign_sysmon_desktop_2017", &data.join("realdata/benign/sysmon_desktop_2017.jsonl")),
    ];
    for path in files_in(&data.join("realdata/otrf"), "jsonl") {
        out.push(file(&format!("otrf_{}", stem(&path)), &path));
    }
    for path in files_in(&repo().join("tests/scenarios"), "json") {
        let (input, config) = scenario(&path);
        out.push((format!("scenario_{}", stem(&path)), input, config));
    }
    out
}

/// The golden file extension of each format checked.
const FORMATS: [(OutputFormat, &str); 6] = [
    (OutputFormat::Text, "txt"),
    (OutputFormat::Ndjson, "ndjson"),
    (OutputFormat::Ocsf, "ocsf.json"),
    (OutputFormat::Ecs, "ecs.json"),
    (OutputFormat::OcsfNdjson, "ocsf.ndjson"),
    (OutputFormat::EcsNdjson, "ecs.ndjson"),
];

/// The first line where two texts differ, for the failure message.
fn first_difference(want: &str, got: &str) -> String {
    let (mut w, mut g) = (want.split('\n'), got.split('\n'));
    for line in 1.. {
        match (w.next(), g.next()) {
            (None, None) => return "same lines, different bytes".to_string(),
            (a, b) if a != b => return format!("line {line}:\n  want {a:?}\n  got  {b:?}"),
            _ => {}
        }
    }
    unreachable!()
}

#[test]
fn every_format_of_every_input_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let dir = repo().join("tests/golden/formats");
    let options = FormatOptions::default();
    let colour =
        FormatOptions { text: TextOptions { color: true, ..TextOptions::default() }, ..FormatOptions::default() };
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut made = std::collections::BTreeSet::new();
    for (name, input, config) in inputs() {
        let report: Report = analyze(&input, &config).expect("a valid config");
        let mut outputs: Vec<(String, String)> =
            FORMATS.iter().map(|(f, ext)| (format!("{name}.{ext}"), format_report(&report, *f, &options))).collect();
        if name == "sample" {
            outputs.push(("sample.color.txt".to_string(), format_report(&report, OutputFormat::Text, &colour)));
        }
        for (file, got) in outputs {
            let path = dir.join(&file);
            checked += 1;
            made.insert(file.clone());
            if update {
                std::fs::write(&path, &got).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Err(_) => failures.push(format!("{file}: missing")),
                Ok(want) if want != got => failures.push(format!("{file}: {}", first_difference(&want, &got))),
                Ok(_) => {}
            }
        }
    }
    // A golden file no input makes any more would go stale unnoticed.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "README.md" || made.contains(&name) {
            continue;
        }
        if update {
            std::fs::remove_file(dir.join(&name)).unwrap();
        } else {
            failures.push(format!("{name}: no input makes this file"));
        }
    }
    assert!(checked > 150, "only {checked} golden files");
    assert!(
        failures.is_empty(),
        "{} of {checked} golden files differ (UPDATE_GOLDEN=1 rewrites them; see tests/golden/formats/README.md):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_is_the_report_and_the_ndjson_forms_hold_the_same_documents() {
    let report = analyze(&read(&repo().join("tests/data/sample.jsonl")), &Config::default()).expect("valid config");
    let options = FormatOptions::default();
    let json = format_report(&report, OutputFormat::Json, &options);
    assert!(json.ends_with("}\n"));
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    // Each NDJSON line is one element of the JSON array form.
    for (array, lines) in [(OutputFormat::Ocsf, OutputFormat::OcsfNdjson), (OutputFormat::Ecs, OutputFormat::EcsNdjson)]
    {
        let docs: Vec<Value> = serde_json::from_str(&format_report(&report, array, &options)).unwrap();
        let text = format_report(&report, lines, &options);
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(docs.len(), report.chains.len());
        assert_eq!(lines, docs);
    }
    let chains: Vec<Value> = format_report(&report, OutputFormat::Ndjson, &options)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(chains, report.chains.iter().map(|c| serde_json::to_value(c).unwrap()).collect::<Vec<_>>());
    // A product version of the host's choosing.
    let custom = FormatOptions { product_version: Some("9.9.9".into()), ..FormatOptions::default() };
    let docs: Vec<Value> = serde_json::from_str(&format_report(&report, OutputFormat::Ocsf, &custom)).unwrap();
    assert_eq!(docs[0]["metadata"]["product"]["version"], "9.9.9");
}

#[test]
fn format_json_reads_a_report_an_update_or_bare_chains() {
    use mshta_chain_core::{format_chains, format_json, format_update, Engine};
    let input = read(&repo().join("tests/data/realdata/otrf/cmd_mshta_vbscript_execute_psh.jsonl"));
    let report = analyze(&input, &Config::default()).expect("valid config");
    let options = FormatOptions::default();
    for format in OutputFormat::ALL {
        // A report, as the JS API passes it in.
        let json = serde_json::to_vec(&report).unwrap();
        assert_eq!(format_json(&json, format, &options).unwrap(), format_report(&report, format, &options), "{format}");
    }
    // An update: its chains keep their versions (a later one is an OCSF Update).
    let mut engine = Engine::new(Config::default()).expect("valid config");
    let cut = input.len() / 2 + input[input.len() / 2..].iter().position(|&b| b == b'\n').unwrap() + 1;
    engine.push(&input[..cut]);
    let update = engine.push(&input[cut..]);
    assert!(update.chains.iter().any(|c| c.version > 1), "the chain changed in the second batch");
    let json = serde_json::to_vec(&update).unwrap();
    for format in OutputFormat::ALL {
        assert_eq!(format_json(&json, format, &options).unwrap(), format_update(&update, format, &options), "{format}");
    }
    let findings: Vec<Value> =
        serde_json::from_str(&format_json(&json, OutputFormat::Ocsf, &options).unwrap()).unwrap();
    assert_eq!(findings[0]["activity_id"], 2);
    assert_eq!(findings[0]["type_uid"], 200402);
    // Bare chains (a hand-made object): documents of each, no version.
    let bare = serde_json::json!({ "chains": [serde_json::to_value(&report.chains[0]).unwrap()] });
    let text = format_json(bare.to_string().as_bytes(), OutputFormat::Ecs, &options).unwrap();
    assert_eq!(text, format_chains(&[(&report.chains[0], None)], OutputFormat::Ecs, &options));
    assert!(!text.contains("\"version\": 1"));
    assert_eq!(format_json(b"null", OutputFormat::Ocsf, &options).unwrap(), "[]\n");
    assert_eq!(format_json(b"{}", OutputFormat::EcsNdjson, &options).unwrap(), "");
    // What cannot be read says why.
    let mut chain = serde_json::to_value(&report.chains[0]).unwrap();
    chain["severity"] = "severe".into();
    let err =
        format_json(serde_json::json!({ "chains": [chain] }).to_string().as_bytes(), OutputFormat::Ocsf, &options);
    assert!(err.as_ref().unwrap_err().to_string().starts_with("invalid report: unknown variant `severe`"), "{err:?}");
    assert!(format_json(b"[1, 2]", OutputFormat::Text, &options).is_err());
}
