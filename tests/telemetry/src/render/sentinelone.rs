//! SentinelOne Deep Visibility / Cloud Funnel events, flat dotted keys as exported (the `nested`
//! function writes the same event as nested objects). In a Process Creation `src.process.*` is the
//! parent and `tgt.process.*` the new process; in file, DNS, IP and module events `src.process.*`
//! is the actor. Ids are `*.uid` (16 upper-case hex characters, from the model GUID);
//! `event.time` is epoch milliseconds and `timestamp` only a time of day.

use super::enrich;
use crate::model::{basename, ActorRef, Event, Kind, ParentInfo};
use crate::rng::{fnv, mix};
use serde_json::{json, Map, Value};

pub fn uid(guid: &str) -> String {
    enrich::hex(mix(fnv(&guid.to_ascii_lowercase())) ^ 0x51, 16)
}

fn storyline(host: &str) -> String {
    enrich::hex(enrich::host_hash(host) ^ 0x5707, 16)
}

fn actor(m: &mut Map<String, Value>, prefix: &str, a: &ActorRef) {
    m.insert(format!("{prefix}.uid"), json!(uid(&a.guid)));
    m.insert(format!("{prefix}.pid"), json!(a.pid));
    m.insert(format!("{prefix}.name"), json!(basename(&a.image)));
    m.insert(format!("{prefix}.image.path"), json!(a.image));
    m.insert(format!("{prefix}.cmdline"), json!(a.command_line));
    m.insert(format!("{prefix}.startTime"), json!(a.start_ms));
}

fn parent(m: &mut Map<String, Value>, p: &ParentInfo) {
    actor(m, "src.process", &p.actor());
}

pub fn render(ev: &Event, record_id: u64) -> Value {
    let mut m = Map::new();
    let ms = ev.time_ms.rem_euclid(86_400_000);
    m.insert(
        "timestamp".into(),
        json!(format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)),
    );
    m.insert("event.time".into(), json!(ev.time_ms));
    m.insert("endpoint.name".into(), json!(ev.host));
    m.insert("endpoint.os".into(), json!("windows"));
    m.insert("endpoint.type".into(), json!("laptop"));
    m.insert("agent.version".into(), json!("23.4.2.14"));
    m.insert("dataSource.name".into(), json!("SentinelOne"));
    m.insert("event.id".into(), json!(format!("{}_{record_id}", enrich::hex(mix(record_id), 26))));
    m.insert("src.process.storyline.id".into(), json!(storyline(&ev.host)));
    let (category, ty) = match &ev.kind {
        Kind::ProcessStart(p) => {
            m.insert("tgt.process.uid".into(), json!(uid(&p.guid)));
            m.insert("tgt.process.pid".into(), json!(p.pid));
            m.insert("tgt.process.name".into(), json!(basename(&p.image)));
            m.insert("tgt.process.image.path".into(), json!(p.image));
            m.insert("tgt.process.cmdline".into(), json!(p.command_line));
            m.insert("tgt.process.user".into(), json!(p.user));
            m.insert("tgt.process.startTime".into(), json!(p.start_ms));
            m.insert("tgt.process.storyline.id".into(), json!(storyline(&ev.host)));
            if p.original_file_name != "?" {
                m.insert("tgt.process.image.originalFileName".into(), json!(p.original_file_name));
            }
            let hs = enrich::hashes(enrich::hash_key(&p.image, &p.original_file_name));
            m.insert("tgt.process.image.sha256".into(), json!(hs.sha256.to_ascii_lowercase()));
            if let Some(par) = &p.parent {
                parent(&mut m, par);
            }
            ("process", "Process Creation")
        }
        Kind::ProcessEnd(a) => {
            actor(&mut m, "tgt.process", a);
            ("process", "Process Termination")
        }
        Kind::Network { actor: a, src_ip, src_port, dst_ip, dst_port, outbound, protocol, .. } => {
            actor(&mut m, "src.process", a);
            // S1's src/dst are the initiator and the responder.
            let ((si, sp), (di, dp)) = if *outbound {
                ((src_ip, src_port), (dst_ip, dst_port))
            } else {
                ((dst_ip, dst_port), (src_ip, src_port))
            };
            m.insert("src.ip.address".into(), json!(si));
            m.insert("src.port.number".into(), json!(sp));
            m.insert("dst.ip.address".into(), json!(di));
            m.insert("dst.port.number".into(), json!(dp));
            m.insert("event.network.direction".into(), json!(if *outbound { "OUTGOING" } else { "INCOMING" }));
            m.insert("event.network.protocolName".into(), json!(protocol.to_ascii_lowercase()));
            m.insert("event.network.connectionStatus".into(), json!("SUCCESS"));
            ("ip", "IP Connect")
        }
        Kind::Dns { actor: a, query, answers } => {
            actor(&mut m, "src.process", a);
            m.insert("event.dns.request".into(), json!(query));
            m.insert("event.dns.response".into(), json!(answers.join(";")));
            ("dns", if answers.is_empty() { "DNS Unresolved" } else { "DNS Resolved" })
        }
        Kind::FileCreate { actor: a, path } => {
            actor(&mut m, "src.process", a);
            m.insert("tgt.file.path".into(), json!(path));
            m.insert("tgt.file.size".into(), json!(20_000 + enrich::small(&path.to_ascii_lowercase(), 4_000_000)));
            ("file", "File Creation")
        }
        Kind::ImageLoad { actor: a, path } => {
            actor(&mut m, "src.process", a);
            m.insert("module.path".into(), json!(path));
            m.insert("module.sha1".into(), json!(enrich::hashes(path).sha1.to_ascii_lowercase()));
            ("module", "Module Load")
        }
    };
    m.insert("event.category".into(), json!(category));
    m.insert("event.type".into(), json!(ty));
    Value::Object(m)
}

/// The same event with every dotted key split into nested objects (Singularity Data Lake's
/// JSON shape).
pub fn nested(flat: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(m) = flat {
        for (k, v) in m {
            let mut parts: Vec<&str> = k.split('.').collect();
            let last = parts.pop().unwrap_or_default();
            let mut cur = &mut out;
            for p in parts {
                let e = cur.entry(p.to_string()).or_insert_with(|| Value::Object(Map::new()));
                if !e.is_object() {
                    *e = Value::Object(Map::new());
                }
                cur = e.as_object_mut().expect("object");
            }
            cur.insert(last.to_string(), v.clone());
        }
    }
    Value::Object(out)
}
