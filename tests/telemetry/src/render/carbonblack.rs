//! Carbon Black Cloud event-forwarder events: `endpoint.event.procstart`, `procend`, `netconn`,
//! `filemod`, `moduleload`; Carbon Black has no DNS event. Every event's `process_*` fields are the
//! acting process, so in a procstart they are the **creator** and the new process is
//! `childproc_guid` / `childproc_pid` / `childproc_name` / `target_cmdline`. GUIDs are Carbon Black's
//! `ORGKEY-devicehex-pidhex-00000000-starthex`; paths lower-case; times Go-formatted with
//! `+0000 UTC`.

use super::enrich;
use crate::model::{ActorRef, Event, Kind};
use crate::rng::mix;
use serde_json::{json, Map, Value};

const ORG: &str = "7DESJ9GN";

fn device_id(host: &str) -> u64 {
    enrich::host_hash(host) % 90_000_000 + 10_000_000
}

/// A process GUID from the host, pid and start time, as Carbon Black builds them.
pub fn guid(host: &str, pid: u32, start_ms: i64) -> String {
    // Windows FILETIME of the start, in hex.
    let filetime = (start_ms as u64 + 11_644_473_600_000) * 10_000;
    format!("{ORG}-{:08x}-{pid:08x}-00000000-{filetime:x}", device_id(host))
}

fn go_time(ms: i64, sub: u32) -> String {
    let iso = crate::timefmt::iso_7(ms, sub);
    // 2024-05-01T10:00:00.1234567Z -> 2024-05-01 10:00:00.1234567 +0000 UTC
    format!("{} +0000 UTC", iso.trim_end_matches('Z').replacen('T', " ", 1))
}

fn process(m: &mut Map<String, Value>, host: &str, a: &ActorRef) {
    m.insert("process_guid".into(), json!(guid(host, a.pid, a.start_ms)));
    m.insert("process_pid".into(), json!(a.pid));
    m.insert("process_path".into(), json!(a.image.to_ascii_lowercase()));
    m.insert("process_cmdline".into(), json!(a.command_line));
    m.insert("process_hash".into(), json!([enrich::hashes(&a.image).md5.to_ascii_lowercase()]));
    m.insert("process_reputation".into(), json!("REP_RESOLVING"));
}

pub fn render(ev: &Event, record_id: u64) -> Option<Value> {
    let h = mix(record_id ^ 0xCB);
    let mut m = Map::new();
    m.insert("org_key".into(), json!(ORG));
    m.insert("device_id".into(), json!(device_id(&ev.host).to_string()));
    m.insert("device_name".into(), json!(ev.host));
    m.insert("device_os".into(), json!("WINDOWS"));
    m.insert("schema".into(), json!(1));
    m.insert("event_origin".into(), json!("EDR"));
    m.insert("sensor_action".into(), json!("ACTION_ALLOW"));
    m.insert("device_timestamp".into(), json!(go_time(ev.time_ms, (h % 10_000) as u32)));
    m.insert("backend_timestamp".into(), json!(go_time(ev.time_ms + 40_000 + (h % 30_000) as i64, 0)));
    let ty = match &ev.kind {
        Kind::ProcessStart(p) => {
            let Some(par) = &p.parent else { return None };
            process(&mut m, &ev.host, &par.actor());
            m.insert("childproc_guid".into(), json!(guid(&ev.host, p.pid, p.start_ms)));
            m.insert("childproc_pid".into(), json!(p.pid));
            m.insert("childproc_name".into(), json!(p.image.to_ascii_lowercase()));
            m.insert("childproc_username".into(), json!(p.user));
            m.insert("target_cmdline".into(), json!(p.command_line));
            m.insert("action".into(), json!("ACTION_CREATE_PROCESS"));
            "procstart"
        }
        Kind::ProcessEnd(a) => {
            process(&mut m, &ev.host, a);
            m.insert("process_terminated".into(), json!(true));
            m.insert("action".into(), json!("ACTION_PROCESS_TERMINATE"));
            "procend"
        }
        Kind::Network { actor, src_ip, src_port, dst_ip, dst_port, dst_hostname, outbound, protocol } => {
            process(&mut m, &ev.host, actor);
            m.insert("remote_ip".into(), json!(dst_ip));
            m.insert("remote_port".into(), json!(dst_port));
            m.insert("local_ip".into(), json!(src_ip));
            m.insert("local_port".into(), json!(src_port));
            if let Some(d) = dst_hostname {
                m.insert("netconn_domain".into(), json!(d));
            }
            m.insert("netconn_inbound".into(), json!(!outbound));
            m.insert(
                "netconn_protocol".into(),
                json!(if protocol.eq_ignore_ascii_case("udp") { "PROTO_UDP" } else { "PROTO_TCP" }),
            );
            m.insert("action".into(), json!("ACTION_CONNECTION_CREATE"));
            "netconn"
        }
        Kind::Dns { .. } => return None,
        Kind::FileCreate { actor, path } => {
            process(&mut m, &ev.host, actor);
            m.insert("filemod_name".into(), json!(path.to_ascii_lowercase()));
            m.insert("action".into(), json!("ACTION_FILE_CREATE"));
            "filemod"
        }
        Kind::ImageLoad { actor, path } => {
            process(&mut m, &ev.host, actor);
            m.insert("modload_name".into(), json!(path.to_ascii_lowercase()));
            m.insert("modload_md5".into(), json!(enrich::hashes(path).md5.to_ascii_lowercase()));
            m.insert("action".into(), json!("ACTION_LOAD_MODULE"));
            "moduleload"
        }
    };
    m.insert("type".into(), json!(format!("endpoint.event.{ty}")));
    Some(Value::Object(m))
}
