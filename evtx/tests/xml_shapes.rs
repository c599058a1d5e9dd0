//! tests/data/xml/: the same real events as the EVTX samples, in each XML
//! shape Windows tools write (made by `examples/xml_shapes.rs`). Each must
//! give the EVTX's records (XML has no types: compared as text, and
//! without the `RenderingInfo` only XML has) and the same report.

mod common;
use common::*;
use mshta_chain_evtx::{Format, RawReader};

fn evtx_records(name: &str, n: usize) -> (Vec<serde_json::Value>, Vec<u8>) {
    let batch = read_whole(&data(&format!("realdata/evtx/{name}")));
    let lines: Vec<&[u8]> = batch.records().take(n).collect();
    let mut jsonl = Vec::new();
    for l in &lines {
        jsonl.extend_from_slice(l);
        jsonl.push(b'\n');
    }
    (lines.iter().map(|l| serde_json::from_slice(l).unwrap()).collect(), jsonl)
}

/// XML 1.0 cannot hold C0 control characters (not even as `&#3;`): the
/// `evtx` crate's XML writes `_` for them, so the EVTX value is compared so.
fn xml_safe(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(
            s.chars().map(|c| if c < ' ' && !matches!(c, '\t' | '\n' | '\r') { '_' } else { c }).collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(xml_safe).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), xml_safe(v))).collect()),
        other => other.clone(),
    }
}

fn check(xml_file: &str, evtx_file: &str, count: usize, rendering_info: bool) {
    let bytes = data(&format!("xml/{xml_file}"));
    let mut reader = RawReader::new();
    let mut head = mshta_chain_evtx::Batch::new();
    reader.push(&bytes[..mshta_chain_evtx::SNIFF_BYTES], &mut head);
    assert_eq!(reader.format(), Some(Format::Xml), "{xml_file}");
    let batch = read_whole(&bytes);
    assert!(batch.errors.is_empty(), "{xml_file}: {:#?}", &batch.errors[..batch.errors.len().min(5)]);
    assert_eq!(batch.records as usize, count, "{xml_file}");
    let (expected, expected_lines) = evtx_records(evtx_file, count);
    for (i, (mut got, want)) in records(&batch).into_iter().zip(&expected).enumerate() {
        let info = got["Event"].as_object_mut().unwrap().remove("RenderingInfo");
        assert_eq!(info.is_some(), rendering_info, "{xml_file} record {i}");
        assert_eq!(as_text(&got), xml_safe(&as_text(want)), "{xml_file} record {i}");
        // The System fields keep the types the evtx crate gives them.
        assert_eq!(got["Event"]["System"]["EventID"], want["Event"]["System"]["EventID"]);
        assert_eq!(got["Event"]["System"]["EventRecordID"], want["Event"]["System"]["EventRecordID"]);
    }
    assert_eq!(essentials(&report(&batch.lines)), essentials(&report(&expected_lines)), "{xml_file}");
    // Any cut of the input gives the same records.
    let mut rng = Rng(xml_file.len() as u64 * 7919);
    let cut = read_cut(&bytes, || {
        let max = if rng.below(3) == 0 { 8 } else { 9000 };
        1 + rng.below(max) as usize
    });
    assert!(cut.lines == batch.lines, "{xml_file}: a cut input gave other records");
    assert_eq!(cut.errors, batch.errors);
}

#[test]
fn evtx_dump_xml_output() {
    check("sysmon.evtx_dump.xml", "sysmon.evtx", 358, false);
}

#[test]
fn one_event_per_line_single_quotes() {
    check("sysmon.one_per_line.xml", "sysmon.evtx", 120, false);
}

#[test]
fn event_viewer_save_as_xml() {
    check("sysmon.event_viewer.xml", "sysmon.evtx", 120, true);
}

#[test]
fn powershell_toxml_out_file_utf16() {
    check("sysmon.powershell_utf16.xml", "sysmon.evtx", 120, false);
}

#[test]
fn pretty_printed_security_with_rendering_info_and_user_data() {
    check("security.pretty_rendered.xml", "security.evtx", 160, true);
    let batch = read_whole(&data("xml/security.pretty_rendered.xml"));
    let user_data = records(&batch).into_iter().filter(|r| r["Event"]["UserData"].is_object()).count();
    assert!(user_data >= 2, "{user_data}");
}
