//! OCSF 1.8.0 events as a Sysmon-fed producer would emit them: Process Activity 1007 (Launch 1,
//! Terminate 2), Network Activity 4001 (Open 1), DNS Activity 4003 (Response 2; Query 1 when there
//! is no answer), File System Activity 1001 (Create 1), Module Activity 1005 (Load 1).
//! `time` and every `*_time` are epoch milliseconds; `process.uid` is the Sysmon GUID; in Process
//! Activity `actor.process` is the launcher (parent) and `process` the launched/terminated process.

use super::enrich;
use crate::model::{basename, ActorRef, Event, Kind, ParentInfo, ZERO_GUID};
use crate::timefmt;
use serde_json::{json, Value};

pub fn render(ev: &Event, record_id: u64) -> Value {
    let (class_uid, category_uid, activity_id, class_name, activity_name) = match &ev.kind {
        Kind::ProcessStart(_) => (1007, 1, 1, "Process Activity", "Launch"),
        Kind::ProcessEnd(_) => (1007, 1, 2, "Process Activity", "Terminate"),
        Kind::Network { .. } => (4001, 4, 1, "Network Activity", "Open"),
        Kind::Dns { answers, .. } if answers.is_empty() => (4003, 4, 1, "DNS Activity", "Query"),
        Kind::Dns { .. } => (4003, 4, 2, "DNS Activity", "Response"),
        Kind::FileCreate { .. } => (1001, 1, 1, "File System Activity", "Create"),
        Kind::ImageLoad { .. } => (1005, 1, 1, "Module Activity", "Load"),
    };
    let server = enrich::short_host(&ev.host).starts_with("SRV");
    let mut doc = json!({
        "class_uid": class_uid,
        "class_name": class_name,
        "category_uid": category_uid,
        "category_name": if category_uid == 1 { "System Activity" } else { "Network Activity" },
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": class_uid * 100 + activity_id,
        "type_name": format!("{class_name}: {activity_name}"),
        "severity_id": 1,
        "severity": "Informational",
        "status_id": 1,
        "status": "Success",
        "time": ev.time_ms,
        "metadata": {
            "version": "1.8.0",
            "uid": record_id.to_string(),
            "product": {"name": "System Monitor (Sysmon)", "vendor_name": "Microsoft", "version": "15.14"},
            "log_name": "Microsoft-Windows-Sysmon/Operational",
            "log_provider": "Microsoft-Windows-Sysmon",
            "original_time": timefmt::sysmon(ev.time_ms),
            "logged_time": ev.time_ms + 2 + (record_id % 40) as i64,
        },
        "device": {
            "hostname": ev.host,
            "name": enrich::short_host(&ev.host),
            "uid": enrich::device_id(&ev.host),
            "type_id": if server { 1 } else { 2 },
            "type": if server { "Server" } else { "Desktop" },
            "os": {"name": "Windows", "type": "Windows", "type_id": 100, "version": "10.0.19045"},
        },
    });
    match &ev.kind {
        Kind::ProcessStart(p) => {
            let (domain, name) = enrich::split_user(&p.user);
            let user = json!({"name": name, "domain": domain, "uid": enrich::user_sid(&p.user)});
            let integrity = enrich::integrity(&p.user);
            let mut pr = process(p.pid, &p.guid, &p.image, &p.command_line, p.start_ms);
            pr["user"] = user.clone();
            pr["integrity"] = json!(integrity);
            pr["integrity_id"] = json!(match integrity {
                "System" => 5,
                "High" => 4,
                _ => 3,
            });
            pr["file"]["hashes"] = {
                let hs = enrich::hashes(enrich::hash_key(&p.image, &p.original_file_name));
                json!([
                    {"algorithm_id": 3, "algorithm": "SHA-256", "value": hs.sha256},
                    {"algorithm_id": 2, "algorithm": "SHA-1", "value": hs.sha1},
                    {"algorithm_id": 1, "algorithm": "MD5", "value": hs.md5},
                ])
            };
            let pe = enrich::pe_info(&p.image);
            pr["file"]["version"] = json!(pe.file_version);
            pr["file"]["product"] = json!({"name": pe.product, "vendor_name": pe.company});
            pr["file"]["desc"] = json!(pe.description);
            if let Some(par) = &p.parent {
                pr["parent_process"] = parent(par);
                doc["actor"] = json!({"process": parent(par), "user": user});
            } else {
                doc["actor"] = json!({"user": user});
            }
            doc["process"] = pr;
            // OCSF has no OriginalFileName attribute (file.internal_name is a different PE field).
            doc["unmapped"] = json!({
                "OriginalFileName": p.original_file_name,
                "LogonGuid": enrich::logon_guid(&ev.host, &p.user),
                "TerminalSessionId": enrich::session_id(&p.user),
            });
        }
        Kind::ProcessEnd(a) => {
            // Sysmon does not say who terminated a process: the process is its own actor.
            doc["process"] = actor_process(a);
            doc["actor"] = json!({"process": actor_process(a)});
            doc["exit_code"] = json!(0);
        }
        Kind::Network { actor, src_ip, src_port, dst_ip, dst_port, dst_hostname, outbound, protocol } => {
            doc["actor"] = json!({"process": actor_process(actor)});
            let local = endpoint(src_ip, *src_port, Some(ev.host.as_str()));
            let remote = endpoint(dst_ip, *dst_port, dst_hostname.as_deref());
            let (src, dst) = if *outbound { (local, remote) } else { (remote, local) };
            doc["src_endpoint"] = src;
            doc["dst_endpoint"] = dst;
            let udp = protocol.eq_ignore_ascii_case("udp");
            doc["connection_info"] = json!({
                "direction_id": if *outbound { 2 } else { 1 },
                "direction": if *outbound { "Outbound" } else { "Inbound" },
                "protocol_name": protocol.to_ascii_lowercase(),
                "protocol_num": if udp { 17 } else { 6 },
                "protocol_ver_id": if enrich::is_ipv6(dst_ip) { 6 } else { 4 },
                "protocol_ver": if enrich::is_ipv6(dst_ip) { "Internet Protocol version 6 (IPv6)" } else { "Internet Protocol version 4 (IPv4)" },
            });
            doc["is_src_dst_assignment_known"] = json!(true);
        }
        Kind::Dns { actor, query, answers } => {
            doc["actor"] = json!({"process": actor_process(actor)});
            doc["query"] = json!({"hostname": query, "type": "A", "class": "IN"});
            if answers.is_empty() {
                doc["rcode_id"] = json!(3);
                doc["rcode"] = json!("NXDomain");
            } else {
                let list: Vec<Value> = answers
                    .iter()
                    .map(|a| match a.parse::<std::net::IpAddr>() {
                        Ok(std::net::IpAddr::V4(_)) => json!({"rdata": a, "type": "A", "class": "IN"}),
                        Ok(std::net::IpAddr::V6(_)) => json!({"rdata": a, "type": "AAAA", "class": "IN"}),
                        Err(_) => json!({"rdata": a, "type": "CNAME", "class": "IN"}),
                    })
                    .collect();
                doc["answers"] = json!(list);
                doc["rcode_id"] = json!(0);
                doc["rcode"] = json!("NoError");
            }
        }
        Kind::FileCreate { actor, path } => {
            doc["actor"] = json!({"process": actor_process(actor)});
            let mut f = file(path);
            f["created_time"] = json!(ev.time_ms);
            doc["file"] = f;
        }
        Kind::ImageLoad { actor, path } => {
            doc["actor"] = json!({"process": actor_process(actor)});
            let pe = enrich::pe_info(path);
            let hs = enrich::hashes(path);
            let mut f = file(path);
            f["version"] = json!(pe.file_version);
            f["product"] = json!({"name": pe.product, "vendor_name": pe.company});
            f["desc"] = json!(pe.description);
            f["hashes"] = json!([{"algorithm_id": 3, "algorithm": "SHA-256", "value": hs.sha256}]);
            doc["module"] = json!({"file": f, "load_type_id": 1, "load_type": "Standard"});
        }
    }
    doc
}

/// An OCSF process object; `uid` left out for Sysmon's zero GUID ("unknown").
fn process(pid: u32, guid: &str, image: &str, cmd: &str, start_ms: i64) -> Value {
    let mut p = json!({
        "pid": pid,
        "name": basename(image),
        "path": image,
        "cmd_line": cmd,
        "created_time": start_ms,
        "file": file(image),
    });
    if !guid.is_empty() && guid != ZERO_GUID {
        p["uid"] = json!(guid);
    }
    p
}

fn actor_process(a: &ActorRef) -> Value {
    process(a.pid, &a.guid, &a.image, &a.command_line, a.start_ms)
}

fn parent(p: &ParentInfo) -> Value {
    process(p.pid, &p.guid, &p.image, &p.command_line, p.start_ms)
}

fn file(path: &str) -> Value {
    let name = basename(path);
    let dir = path[..path.len() - name.len()].trim_end_matches('\\');
    json!({"path": path, "name": name, "parent_folder": dir, "type_id": 1, "type": "Regular File"})
}

fn endpoint(ip: &str, port: u16, name: Option<&str>) -> Value {
    let mut e = json!({"ip": ip, "port": port});
    if let Some(n) = name.filter(|n| !n.is_empty() && *n != "-") {
        e["hostname"] = json!(n);
    }
    e
}
