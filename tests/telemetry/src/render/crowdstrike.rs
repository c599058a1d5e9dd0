//! CrowdStrike Falcon Data Replicator events: ProcessRollup2, EndOfProcess, NetworkConnectIP4 /
//! NetworkReceiveAcceptIP4, DnsRequest, NewExecutableWritten / NewScriptWritten / the other
//! `*FileWritten`, ImageHash. Every value a string. A process is named by its UPID
//! (`TargetProcessId`, derived here from the model GUID); `ParentProcessId` is the parent's UPID and
//! `RawProcessId` the OS pid; activity names its process by `ContextProcessId`. Images are
//! `\Device\HarddiskVolumeN\...`; the parent is only `ParentBaseFileName`, with no command line.

use super::enrich;
use crate::model::{basename, Event, Kind};
use crate::rng::{fnv, mix};
use serde_json::{Map, Value};

const CID: &str = "5a1f0c2d9e8b4a7f8c6d2e1b0a9f8e7d";

/// A UPID: a 13-digit decimal number, a function of the model GUID.
pub fn upid(guid: &str) -> String {
    (1_000_000_000_000 + mix(fnv(&guid.to_ascii_lowercase())) % 8_999_999_999_999).to_string()
}

/// `C:\x` as the sensor writes it: `\Device\HarddiskVolume2\x`, case kept.
fn device(path: &str) -> String {
    let b = path.as_bytes();
    if b.len() >= 3 && b[1] == b':' && b[2] == b'\\' {
        let vol = 2 + (b[0].to_ascii_uppercase().saturating_sub(b'C')) as u32;
        format!("\\Device\\HarddiskVolume{vol}{}", &path[2..])
    } else {
        path.to_string()
    }
}

/// Epoch seconds with milliseconds, as `ContextTimeStamp` is written.
fn secs(ms: i64) -> String {
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

fn context(m: &mut Map<String, Value>, guid: &str) {
    m.insert("ContextProcessId".into(), Value::String(upid(guid)));
    m.insert("ContextThreadId".into(), Value::String((mix(fnv(guid)) % 90_000_000_000 + 10_000_000_000).to_string()));
}

pub fn render(ev: &Event, record_id: u64) -> Value {
    let h = mix(record_id ^ 0xC5);
    let mut m = Map::new();
    let put = |m: &mut Map<String, Value>, k: &str, v: String| {
        m.insert(k.to_string(), Value::String(v));
    };
    put(&mut m, "aid", enrich::hex(enrich::host_hash(&ev.host) ^ 0xA1D, 32).to_ascii_lowercase());
    put(&mut m, "cid", CID.into());
    put(&mut m, "ComputerName", ev.host.clone());
    put(&mut m, "event_platform", "Win".into());
    put(&mut m, "id", enrich::uuid(h));
    put(&mut m, "ConfigBuild", "1007.3.0017312.1".into());
    put(&mut m, "EffectiveTransmissionClass", "3".into());
    // `timestamp` is when the cloud received the event, a little after it happened.
    put(&mut m, "timestamp", (ev.time_ms + 400 + (h % 2_000) as i64).to_string());
    put(&mut m, "ContextTimeStamp", secs(ev.time_ms));
    match &ev.kind {
        Kind::ProcessStart(p) => {
            put(&mut m, "event_simpleName", "ProcessRollup2".into());
            put(&mut m, "TargetProcessId", upid(&p.guid));
            put(&mut m, "RawProcessId", p.pid.to_string());
            put(&mut m, "ProcessStartTime", secs(p.start_ms));
            put(&mut m, "ImageFileName", device(&p.image));
            put(&mut m, "CommandLine", p.command_line.clone());
            if p.original_file_name != "?" {
                put(&mut m, "OriginalFilename", p.original_file_name.clone());
            }
            let (_, name) = enrich::split_user(&p.user);
            put(&mut m, "UserName", name.to_string());
            put(&mut m, "UserSid", enrich::user_sid(&p.user));
            let hs = enrich::hashes(enrich::hash_key(&p.image, &p.original_file_name));
            put(&mut m, "SHA256HashData", hs.sha256.to_ascii_lowercase());
            put(&mut m, "MD5HashData", hs.md5.to_ascii_lowercase());
            if let Some(par) = &p.parent {
                put(&mut m, "ParentProcessId", upid(&par.guid));
                put(&mut m, "ParentBaseFileName", basename(&par.image).to_string());
            }
        }
        Kind::ProcessEnd(a) => {
            put(&mut m, "event_simpleName", "EndOfProcess".into());
            put(&mut m, "TargetProcessId", upid(&a.guid));
            put(&mut m, "RawProcessId", a.pid.to_string());
            put(&mut m, "ProcessStartTime", secs(a.start_ms));
            context(&mut m, &a.guid);
        }
        Kind::Network { actor, src_ip, src_port, dst_ip, dst_port, outbound, protocol, .. } => {
            let v6 = enrich::is_ipv6(dst_ip);
            let name = match (outbound, v6) {
                (true, false) => "NetworkConnectIP4",
                (true, true) => "NetworkConnectIP6",
                (false, false) => "NetworkReceiveAcceptIP4",
                (false, true) => "NetworkReceiveAcceptIP6",
            };
            let suffix = if v6 { "IP6" } else { "IP4" };
            put(&mut m, "event_simpleName", name.into());
            put(&mut m, &format!("RemoteAddress{suffix}"), dst_ip.clone());
            put(&mut m, "RemotePort", dst_port.to_string());
            put(&mut m, &format!("LocalAddress{suffix}"), src_ip.clone());
            put(&mut m, "LocalPort", src_port.to_string());
            put(&mut m, "Protocol", if protocol.eq_ignore_ascii_case("udp") { "17" } else { "6" }.into());
            put(&mut m, "ConnectionDirection", if *outbound { "0" } else { "1" }.into());
            context(&mut m, &actor.guid);
        }
        Kind::Dns { actor, query, answers } => {
            put(&mut m, "event_simpleName", "DnsRequest".into());
            put(&mut m, "DomainName", query.clone());
            put(&mut m, "RequestType", "1".into());
            put(&mut m, "DnsRequestCount", "1".into());
            if let Some(first) = answers.iter().find(|a| enrich::is_ip(a) && !enrich::is_ipv6(a)) {
                put(&mut m, "FirstIP4Record", first.clone());
            }
            context(&mut m, &actor.guid);
        }
        Kind::FileCreate { actor, path } => {
            let lower = path.to_ascii_lowercase();
            let name = if [".exe", ".dll", ".scr"].iter().any(|x| lower.ends_with(x)) {
                "NewExecutableWritten"
            } else if [".ps1", ".vbs", ".js", ".hta", ".bat", ".cmd"].iter().any(|x| lower.ends_with(x)) {
                "NewScriptWritten"
            } else {
                "GenericFileWritten"
            };
            put(&mut m, "event_simpleName", name.into());
            put(&mut m, "TargetFileName", device(path));
            put(&mut m, "Size", (20_000 + enrich::small(&lower, 4_000_000)).to_string());
            context(&mut m, &actor.guid);
        }
        Kind::ImageLoad { actor, path } => {
            put(&mut m, "event_simpleName", "ImageHash".into());
            put(&mut m, "ImageFileName", device(path));
            put(&mut m, "SHA256HashData", enrich::hashes(path).sha256.to_ascii_lowercase());
            context(&mut m, &actor.guid);
        }
    }
    Value::Object(m)
}
