//! Splunk CIM rows as `| tstats ... from datamodel=Endpoint.Processes` (and `Filesystem`,
//! `Network_Traffic.All_Traffic`, `Network_Resolution.DNS`) exports them: every key with its
//! data-model prefix (`unprefixed` drops them, as `| drop_dm_object_name` does), every value a
//! string. `process` is the command line, `process_path` the image, `parent_process` the parent's
//! command line; the GUIDs are the Sysmon ones the Splunk add-on maps; network rows have no GUID.
//! CIM has no process-end or module-load model.

use crate::model::{basename, ActorRef, Event, Kind};
use serde_json::{json, Map, Value};

fn time(ms: i64) -> String {
    // Splunk writes _time in the search's zone with its offset; here UTC.
    format!("{}+00:00", crate::timefmt::iso_ms(ms).trim_end_matches('Z'))
}

fn actor(m: &mut Map<String, Value>, p: &str, a: &ActorRef, guid: bool) {
    m.insert(format!("{p}process_id"), json!(a.pid.to_string()));
    m.insert(format!("{p}process_name"), json!(basename(&a.image)));
    m.insert(format!("{p}process_path"), json!(a.image));
    if guid {
        m.insert(format!("{p}process_guid"), json!(a.guid));
    }
}

pub fn render(ev: &Event, _record_id: u64) -> Option<Value> {
    let mut m = Map::new();
    m.insert("_time".into(), json!(time(ev.time_ms)));
    match &ev.kind {
        Kind::ProcessStart(pr) => {
            let p = "Processes.";
            m.insert(format!("{p}dest"), json!(ev.host));
            m.insert(format!("{p}process"), json!(pr.command_line));
            m.insert(format!("{p}process_id"), json!(pr.pid.to_string()));
            m.insert(format!("{p}process_guid"), json!(pr.guid));
            m.insert(format!("{p}process_name"), json!(basename(&pr.image)));
            m.insert(format!("{p}process_path"), json!(pr.image));
            m.insert(format!("{p}user"), json!(pr.user));
            if pr.original_file_name != "?" {
                m.insert(format!("{p}original_file_name"), json!(pr.original_file_name));
            }
            if let Some(par) = &pr.parent {
                m.insert(format!("{p}parent_process"), json!(par.command_line));
                m.insert(format!("{p}parent_process_id"), json!(par.pid.to_string()));
                m.insert(format!("{p}parent_process_guid"), json!(par.guid));
                m.insert(format!("{p}parent_process_name"), json!(basename(&par.image)));
                m.insert(format!("{p}parent_process_path"), json!(par.image));
            }
        }
        Kind::Network { actor: a, src_ip, src_port, dst_ip, dst_port, outbound, protocol, .. } => {
            let p = "All_Traffic.";
            m.insert(format!("{p}dvc"), json!(ev.host));
            let ((si, sp), (di, dp)) = if *outbound {
                ((src_ip, src_port), (dst_ip, dst_port))
            } else {
                ((dst_ip, dst_port), (src_ip, src_port))
            };
            m.insert(format!("{p}src"), json!(si));
            m.insert(format!("{p}src_ip"), json!(si));
            m.insert(format!("{p}src_port"), json!(sp.to_string()));
            m.insert(format!("{p}dest"), json!(di));
            m.insert(format!("{p}dest_ip"), json!(di));
            m.insert(format!("{p}dest_port"), json!(dp.to_string()));
            m.insert(format!("{p}direction"), json!(if *outbound { "outbound" } else { "inbound" }));
            m.insert(format!("{p}transport"), json!(protocol.to_ascii_lowercase()));
            m.insert(format!("{p}action"), json!("allowed"));
            actor(&mut m, p, a, false);
        }
        Kind::Dns { actor: a, query, answers } => {
            let p = "DNS.";
            m.insert(format!("{p}dvc"), json!(ev.host));
            m.insert(format!("{p}src"), json!(ev.host));
            m.insert(format!("{p}query"), json!(query));
            m.insert(format!("{p}answer"), json!(answers.join(" ")));
            m.insert(format!("{p}message_type"), json!("Query"));
            actor(&mut m, p, a, false);
        }
        Kind::FileCreate { actor: a, path } => {
            let p = "Filesystem.";
            m.insert(format!("{p}dest"), json!(ev.host));
            m.insert(format!("{p}file_path"), json!(path));
            m.insert(format!("{p}file_name"), json!(basename(path)));
            m.insert(format!("{p}action"), json!("created"));
            actor(&mut m, p, a, true);
        }
        Kind::ProcessEnd(_) | Kind::ImageLoad { .. } => return None,
    }
    Some(Value::Object(m))
}

/// The row as `| drop_dm_object_name(...)` writes it: the data-model prefix removed from every key.
pub fn unprefixed(row: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(m) = row {
        for (k, v) in m {
            let key = k.split_once('.').map_or(k.as_str(), |(_, rest)| rest);
            out.insert(key.to_string(), v.clone());
        }
    }
    Value::Object(out)
}
