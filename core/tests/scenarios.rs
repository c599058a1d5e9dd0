//! Scenario tests: each file in `tests/scenarios/*.json` holds events and the
//! chains they must give. A new case is a new data file, not new code.
//!
//! File format:
//! ```json
//! { "name": "...", "description": "...",
//!   "config": { ...optional Config... },
//!   "shapes": ["flat", "evtx", "winlogbeat"],   // optional; these three by default
//!   "events": [ {flat Sysmon event} | "a raw line, passed verbatim", ... ],
//!   "expect": {
//!     "chains": [ { "host": "PC1", "root_pid": 100, "root_image": "mshta.exe", "inferred": false,
//!                   "parent_image": "cmd.exe", "children": ["powershell.exe"], "files": 1, "network": 1, "dns": 1,
//!                   "severity": "high", "min_score": 70, "max_score": 100,
//!                   "reasons": ["cmdline_inline_script"], "absent_reasons": ["renamed_binary"] } ],
//!     "errors": [ { "index": 3, "reason_contains": "ProcessId" } ],
//!     "stats": { "accepted": 5, "rejected": 1 } } }
//! ```
//! Chains are matched in report order (score descending, then time). Every
//! shape must also give the same report as the first, except per-schema
//! counts.

mod support;

use mshta_chain_core::{analyze, Report};
use serde_json::Value;

fn file_name(path: &str) -> String {
    path.rsplit(['\\', '/']).next().unwrap_or(path).to_ascii_lowercase()
}

fn check(name: &str, shape: &str, report: &Report, expect: &Value) -> Vec<String> {
    let mut fails = Vec::new();
    let mut fail = |m: String| fails.push(format!("{name} [{shape}]: {m}"));
    if let Some(chains) = expect.get("chains").and_then(Value::as_array) {
        if chains.len() != report.chains.len() {
            fail(format!(
                "expected {} chain(s), got {}: {:?}",
                chains.len(),
                report.chains.len(),
                report.chains.iter().map(|c| (&c.root.image, c.root.pid, c.score)).collect::<Vec<_>>()
            ));
        }
        for (i, (want, got)) in chains.iter().zip(&report.chains).enumerate() {
            let s = |k: &str| want.get(k).and_then(Value::as_str);
            let n = |k: &str| want.get(k).and_then(Value::as_i64);
            if let Some(h) = s("host") {
                if h != got.host {
                    fail(format!("chain {i}: host {} != {h}", got.host));
                }
            }
            if let Some(p) = n("root_pid") {
                if p != i64::from(got.root.pid) {
                    fail(format!("chain {i}: root pid {} != {p}", got.root.pid));
                }
            }
            if let Some(img) = s("root_image") {
                if file_name(&got.root.image) != img.to_ascii_lowercase() {
                    fail(format!("chain {i}: root image {} != {img}", got.root.image));
                }
            }
            if let Some(b) = want.get("inferred").and_then(Value::as_bool) {
                if b != got.root.inferred {
                    fail(format!("chain {i}: inferred {} != {b}", got.root.inferred));
                }
            }
            if let Some(pimg) = s("parent_image") {
                let got_p = got.root.parent.as_ref().and_then(|p| p.image.as_deref()).map(file_name);
                if got_p.as_deref() != Some(&pimg.to_ascii_lowercase()) {
                    fail(format!("chain {i}: parent image {got_p:?} != {pimg}"));
                }
            }
            if let Some(kids) = want.get("children").and_then(Value::as_array) {
                let mut want_names: Vec<String> =
                    kids.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect();
                let mut got_names: Vec<String> = got.children.iter().map(|c| file_name(&c.image)).collect();
                want_names.sort();
                got_names.sort();
                if want_names != got_names {
                    fail(format!("chain {i}: children {got_names:?} != {want_names:?}"));
                }
            }
            for (key, len) in [("files", got.files.len()), ("network", got.network.len()), ("dns", got.dns.len())] {
                if let Some(k) = n(key) {
                    if k != len as i64 {
                        fail(format!("chain {i}: {key} count {len} != {k}"));
                    }
                }
            }
            if let Some(sev) = s("severity") {
                if sev != got.severity {
                    fail(format!("chain {i}: severity {} (score {}) != {sev}", got.severity, got.score));
                }
            }
            if let Some(min) = n("min_score") {
                if got.score < min {
                    fail(format!("chain {i}: score {} < {min}", got.score));
                }
            }
            if let Some(max) = n("max_score") {
                if got.score > max {
                    fail(format!("chain {i}: score {} > {max}", got.score));
                }
            }
            let ids: Vec<&str> = got.reasons.iter().map(|r| r.id.as_str()).collect();
            for r in want.get("reasons").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if !ids.contains(&r) {
                    fail(format!("chain {i}: reason {r} missing; have {ids:?}"));
                }
            }
            for r in
                want.get("absent_reasons").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if ids.contains(&r) {
                    fail(format!("chain {i}: reason {r} present but must not be"));
                }
            }
        }
    }
    if let Some(errors) = expect.get("errors").and_then(Value::as_array) {
        if errors.len() != report.errors.len() {
            fail(format!("expected {} error(s), got {:?}", errors.len(), report.errors));
        }
        for (want, got) in errors.iter().zip(&report.errors) {
            if want.get("index").and_then(Value::as_u64) != Some(got.index) {
                fail(format!("error index {} != {:?}", got.index, want.get("index")));
            }
            if let Some(c) = want.get("reason_contains").and_then(Value::as_str) {
                if !got.reason.contains(c) {
                    fail(format!("error {}: reason {:?} lacks {c:?}", got.index, got.reason));
                }
            }
        }
    }
    if let Some(stats) = expect.get("stats").and_then(Value::as_object) {
        let got = serde_json::to_value(&report.stats).unwrap();
        for (k, v) in stats {
            if got.get(k) != Some(v) {
                fail(format!("stats.{k} = {:?}, expected {v}", got.get(k)));
            }
        }
    }
    fails
}

#[test]
fn scenarios() {
    let mut failures = Vec::new();
    for sc in support::scenarios() {
        let mut first: Option<Report> = None;
        for shape in &sc.shapes {
            let report = analyze(&sc.render(shape), &sc.config).unwrap();
            failures.extend(check(&sc.name, shape, &report, &sc.expect));
            let comparable = support::without_schema_counts(report);
            match &first {
                None => first = Some(comparable),
                Some(f) if *f != comparable => {
                    failures.push(format!("{}: shape {shape} gives a different report than {}", sc.name, sc.shapes[0]))
                }
                Some(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{} scenario failure(s):\n{}", failures.len(), failures.join("\n"));
}
