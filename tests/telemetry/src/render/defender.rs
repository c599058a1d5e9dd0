//! Microsoft Defender XDR advanced-hunting rows (DeviceProcessEvents, DeviceNetworkEvents,
//! DeviceFileEvents, DeviceEvents `DnsQueryResponse`, DeviceImageLoadEvents) and their streaming-API
//! wrapper. Defender has no process GUID and no process-end event: a process is (DeviceId, ProcessId,
//! ProcessCreationTime), an actor (DeviceId, InitiatingProcessId, InitiatingProcessCreationTime).
//! Spellings copied from real records: `DeviceName` lower-case, `InitiatingProcessFolderPath`
//! lower-case while `FolderPath` keeps its case and holds the full path, account names lower-case,
//! creation times with a varying number of fractional digits.

use super::enrich;
use crate::model::{basename, ActorRef, Event, Kind};
use crate::rng::mix;
use crate::timefmt;
use serde_json::{json, Map, Value};

const TENANT: &str = "4a653e38-cdfe-4e2b-9f2c-6d1a2b3c4d5e";

/// The AH row, or `None` for a process end (no such Defender event).
pub fn row(ev: &Event, record_id: u64) -> Option<Value> {
    row_and_table(ev, record_id).map(|(_, r)| Value::Object(r))
}

/// `{"records":[{"time","tenantId","operationName":"Publish","category":"AdvancedHunting-<Table>","properties":{row}}]}`.
pub fn stream(ev: &Event, record_id: u64) -> Option<Value> {
    let (table, mut props) = row_and_table(ev, record_id)?;
    // Streamed rows are decorated with MachineGroup.
    props.insert("MachineGroup".into(), Value::Null);
    let h = mix(record_id ^ 0x57E);
    // `time` is when Defender received the row, after the event.
    let received = ev.time_ms + 20_000 + (h % 100_000) as i64;
    Some(json!({"records": [{
        "time": timefmt::iso_7(received, ((h >> 24) % 10_000) as u32),
        "tenantId": TENANT,
        "operationName": "Publish",
        "category": format!("AdvancedHunting-{table}"),
        "properties": Value::Object(props),
    }]}))
}

/// Sub-millisecond digits of a process creation time: a function of the process only, so every row
/// that names the process spells its creation time identically.
fn creation_time(pid: u32, start_ms: i64) -> String {
    let ticks = (mix(start_ms as u64 ^ ((pid as u64) << 40)) % 10_000) as u32;
    timefmt::iso_trimmed(start_ms, ticks)
}

fn row_and_table(ev: &Event, record_id: u64) -> Option<(&'static str, Map<String, Value>)> {
    let h = mix(record_id ^ 0xDEFE);
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("Timestamp", json!(timefmt::iso_7(ev.time_ms, (h % 10_000) as u32)));
    put("DeviceId", json!(enrich::device_id(&ev.host)));
    put("DeviceName", json!(ev.host.to_ascii_lowercase()));
    let table = match &ev.kind {
        Kind::ProcessEnd(_) => return None,
        Kind::ProcessStart(p) => {
            put("ActionType", json!("ProcessCreated"));
            let pe = enrich::pe_info(&p.image);
            let hs = enrich::hashes(enrich::hash_key(&p.image, &p.original_file_name));
            let (domain, name) = enrich::split_user(&p.user);
            let integrity = enrich::integrity(&p.user);
            let elevation = match integrity {
                "System" => "TokenElevationTypeDefault",
                "High" => "TokenElevationTypeFull",
                _ => "TokenElevationTypeLimited",
            };
            put("FileName", json!(basename(&p.image)));
            put("FolderPath", json!(p.image));
            put("SHA1", json!(hs.sha1.to_ascii_lowercase()));
            put("SHA256", json!(hs.sha256.to_ascii_lowercase()));
            put("MD5", json!(hs.md5.to_ascii_lowercase()));
            put("FileSize", json!(file_size(&p.image)));
            put("ProcessVersionInfoCompanyName", json!(pe.company));
            put("ProcessVersionInfoProductName", json!(pe.product));
            put("ProcessVersionInfoProductVersion", json!(pe.file_version.split(' ').next().unwrap_or("")));
            put("ProcessVersionInfoInternalFileName", json!(basename(&p.image)));
            put("ProcessVersionInfoOriginalFileName", json!(p.original_file_name));
            put("ProcessVersionInfoFileDescription", json!(pe.description));
            put("ProcessId", json!(p.pid));
            put("ProcessCommandLine", json!(p.command_line));
            put("ProcessIntegrityLevel", json!(integrity));
            put("ProcessTokenElevation", json!(elevation));
            put("ProcessCreationTime", json!(creation_time(p.pid, p.start_ms)));
            put("AccountDomain", json!(domain.to_ascii_lowercase()));
            put("AccountName", json!(name.to_ascii_lowercase()));
            put("AccountSid", json!(enrich::user_sid(&p.user)));
            if !enrich::is_service_account(&p.user) {
                put(
                    "AccountUpn",
                    json!(format!("{}@{}.example.com", name.to_ascii_lowercase(), domain.to_ascii_lowercase())),
                );
            }
            put("LogonId", json!(enrich::logon_id(&ev.host, &p.user)));
            if let Some(par) = &p.parent {
                initiating(&mut put, &par.actor());
                let creator = enrich::creator_account(Some(&par.image), &p.user);
                let (cd, cn) = enrich::split_user(&creator);
                put("InitiatingProcessAccountDomain", json!(cd.to_ascii_lowercase()));
                put("InitiatingProcessAccountName", json!(cn.to_ascii_lowercase()));
                put("InitiatingProcessAccountSid", json!(enrich::user_sid(&creator)));
                put("InitiatingProcessIntegrityLevel", json!(enrich::integrity(&creator)));
            }
            "DeviceProcessEvents"
        }
        Kind::Network { actor, src_ip, src_port, dst_ip, dst_port, dst_hostname, outbound, protocol } => {
            put("ActionType", json!(if *outbound { "ConnectionSuccess" } else { "InboundConnectionAccepted" }));
            put("RemoteIP", json!(dst_ip));
            put("RemotePort", json!(dst_port));
            put("RemoteUrl", json!(dst_hostname.as_deref().unwrap_or("")));
            put("LocalIP", json!(src_ip));
            put("LocalPort", json!(src_port));
            put("Protocol", json!(if protocol.eq_ignore_ascii_case("udp") { "Udp" } else { "Tcp" }));
            put("LocalIPType", json!(enrich::ip_type(src_ip)));
            put("RemoteIPType", json!(enrich::ip_type(dst_ip)));
            initiating(&mut put, actor);
            "DeviceNetworkEvents"
        }
        Kind::Dns { actor, query, answers } => {
            put("ActionType", json!("DnsQueryResponse"));
            // AdditionalFields is a JSON *string*. DnsQueryString is the documented key; the shape of
            // DnsQueryResult (itself a JSON string) is not documented — ours is a plausible guess.
            let results: Vec<Value> = answers
                .iter()
                .map(|a| {
                    let t = if a.contains(':') {
                        "AAAA"
                    } else if enrich::is_ip(a) {
                        "A"
                    } else {
                        "CNAME"
                    };
                    json!({"DnsQueryType": t, "DnsQueryResultRecord": a})
                })
                .collect();
            let additional = json!({
                "DnsQueryString": query,
                "DnsQueryResult": Value::Array(results).to_string(),
            });
            put("AdditionalFields", json!(additional.to_string()));
            initiating(&mut put, actor);
            "DeviceEvents"
        }
        Kind::FileCreate { actor, path } => {
            put("ActionType", json!("FileCreated"));
            let hs = enrich::hashes(path);
            put("FileName", json!(basename(path)));
            put("FolderPath", json!(path));
            put("SHA1", json!(hs.sha1.to_ascii_lowercase()));
            put("SHA256", json!(hs.sha256.to_ascii_lowercase()));
            put("MD5", json!(hs.md5.to_ascii_lowercase()));
            put("FileSize", json!(file_size(path)));
            initiating(&mut put, actor);
            "DeviceFileEvents"
        }
        Kind::ImageLoad { actor, path } => {
            put("ActionType", json!("ImageLoaded"));
            let hs = enrich::hashes(path);
            put("FileName", json!(basename(path)));
            put("FolderPath", json!(path));
            put("SHA1", json!(hs.sha1.to_ascii_lowercase()));
            put("SHA256", json!(hs.sha256.to_ascii_lowercase()));
            put("MD5", json!(hs.md5.to_ascii_lowercase()));
            put("FileSize", json!(file_size(path)));
            initiating(&mut put, actor);
            "DeviceImageLoadEvents"
        }
    };
    put("ReportId", json!(record_id));
    put("AppGuardContainerId", json!(""));
    Some((table, m))
}

/// The `InitiatingProcess*` columns of an actor. Its own parent (InitiatingProcessParent*) is not in
/// the model, so those columns are left out, as they are in some real rows.
fn initiating(put: &mut impl FnMut(&str, Value), a: &ActorRef) {
    let pe = enrich::pe_info(&a.image);
    let hs = enrich::hashes(&a.image);
    put("InitiatingProcessId", json!(a.pid));
    put("InitiatingProcessCreationTime", json!(creation_time(a.pid, a.start_ms)));
    put("InitiatingProcessFileName", json!(basename(&a.image)));
    put("InitiatingProcessFolderPath", json!(a.image.to_ascii_lowercase()));
    put("InitiatingProcessCommandLine", json!(a.command_line));
    put("InitiatingProcessSHA1", json!(hs.sha1.to_ascii_lowercase()));
    put("InitiatingProcessSHA256", json!(hs.sha256.to_ascii_lowercase()));
    put("InitiatingProcessMD5", json!(hs.md5.to_ascii_lowercase()));
    put("InitiatingProcessFileSize", json!(file_size(&a.image)));
    put("InitiatingProcessVersionInfoCompanyName", json!(pe.company));
    put("InitiatingProcessVersionInfoProductName", json!(pe.product));
    put("InitiatingProcessVersionInfoFileDescription", json!(pe.description));
}

fn file_size(path: &str) -> u64 {
    20_000 + enrich::small(&path.to_ascii_lowercase(), 4_000_000)
}
