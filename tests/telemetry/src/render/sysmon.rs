//! Sysmon EventData for events 1, 3, 5, 7, 11 and 22, in manifest order, with the `Message` text
//! Windows renders from it. The field set follows the 2020 OTRF exports (Sysmon 11-era): no
//! `ParentUser`, and no `User` on events 3/5/7/11/22, because the model's actors carry no user.

use super::enrich;
use super::shape::{Record, SYSMON, V};
use crate::model::{ActorRef, Event, Kind, ZERO_GUID};
use crate::rng::mix;
use crate::timefmt;
use std::fmt::Write;

/// Build the Sysmon record for any model event (Sysmon can express every kind).
pub fn record(ev: &Event, record_id: u64) -> Record<'_> {
    let utc = timefmt::sysmon(ev.time_ms);
    let (event_id, version, task_name, header, data) = match &ev.kind {
        Kind::ProcessStart(p) => {
            let pe = enrich::pe_info(&p.image);
            let hashes = enrich::hashes(enrich::hash_key(&p.image, &p.original_file_name));
            let mut d = vec![
                ("RuleName", s("-")),
                ("UtcTime", V::S(utc)),
                ("ProcessGuid", s(&p.guid)),
                ("ProcessId", V::N(p.pid as u64)),
                ("Image", s(&p.image)),
                ("FileVersion", s(pe.file_version)),
                ("Description", s(pe.description)),
                ("Product", s(pe.product)),
                ("Company", s(pe.company)),
                ("OriginalFileName", s(&p.original_file_name)),
                ("CommandLine", s(&p.command_line)),
                ("CurrentDirectory", V::S(enrich::current_directory(&p.image, &p.user))),
                ("User", s(&p.user)),
                ("LogonGuid", V::S(enrich::logon_guid(&ev.host, &p.user))),
                ("LogonId", V::H(enrich::logon_id(&ev.host, &p.user))),
                ("TerminalSessionId", V::N(enrich::session_id(&p.user))),
                ("IntegrityLevel", s(enrich::integrity(&p.user))),
                ("Hashes", V::S(hashes.sysmon())),
            ];
            // Without a parent (test scenarios only) the Parent* fields are left out, as older
            // Sysmon data leaves out ParentUser: a consumer must cope with absent parent fields.
            if let Some(par) = &p.parent {
                d.push(("ParentProcessGuid", s(&par.guid)));
                d.push(("ParentProcessId", V::N(par.pid as u64)));
                d.push(("ParentImage", s(&par.image)));
                d.push(("ParentCommandLine", s(&par.command_line)));
            }
            (1, 5, "Process Create (rule: ProcessCreate)", "Process Create:", d)
        }
        Kind::ProcessEnd(a) => {
            (5, 3, "Process terminated (rule: ProcessTerminate)", "Process terminated:", actor(utc, a))
        }
        Kind::Network { actor: a, src_ip, src_port, dst_ip, dst_port, dst_hostname, outbound, protocol } => {
            // Sysmon's Source is the initiator (observed for TCP): swap for inbound.
            let remote_name = dst_hostname.as_deref().unwrap_or("-");
            let local = (src_ip.as_str(), *src_port, ev.host.as_str());
            let remote = (dst_ip.as_str(), *dst_port, remote_name);
            let (from, to) = if *outbound { (local, remote) } else { (remote, local) };
            let mut d = actor(utc, a);
            d.extend([
                ("Protocol", s(protocol)),
                ("Initiated", V::B(*outbound)),
                ("SourceIsIpv6", V::B(enrich::is_ipv6(from.0))),
                ("SourceIp", V::S(enrich::sysmon_ip(from.0))),
                ("SourceHostname", s(from.2)),
                ("SourcePort", V::N(from.1 as u64)),
                ("SourcePortName", s(enrich::port_name(from.1))),
                ("DestinationIsIpv6", V::B(enrich::is_ipv6(to.0))),
                ("DestinationIp", V::S(enrich::sysmon_ip(to.0))),
                ("DestinationHostname", s(to.2)),
                ("DestinationPort", V::N(to.1 as u64)),
                ("DestinationPortName", s(enrich::port_name(to.1))),
            ]);
            (3, 5, "Network connection detected (rule: NetworkConnect)", "Network connection detected:", d)
        }
        Kind::Dns { actor: a, query, answers } => {
            // Manifest order puts Image after the query fields for event 22.
            let d = vec![
                ("RuleName", s("-")),
                ("UtcTime", V::S(utc)),
                ("ProcessGuid", s(&a.guid)),
                ("ProcessId", V::N(a.pid as u64)),
                ("QueryName", s(query)),
                ("QueryStatus", s(if answers.is_empty() { "9003" } else { "0" })),
                ("QueryResults", V::S(query_results(answers))),
                ("Image", s(&a.image)),
            ];
            (22, 5, "Dns query (rule: DnsQuery)", "Dns query:", d)
        }
        Kind::FileCreate { actor: a, path } => {
            let mut d = actor(utc.clone(), a);
            d.push(("TargetFilename", s(path)));
            d.push(("CreationUtcTime", V::S(utc)));
            (11, 2, "File created (rule: FileCreate)", "File created:", d)
        }
        Kind::ImageLoad { actor: a, path } => {
            let pe = enrich::pe_info(path);
            let mut d = actor(utc, a);
            d.extend([
                ("ImageLoaded", s(path)),
                ("FileVersion", s(pe.file_version)),
                ("Description", s(pe.description)),
                ("Product", s(pe.product)),
                ("Company", s(pe.company)),
                ("OriginalFileName", s(crate::model::basename(path))),
                ("Hashes", V::S(enrich::hashes(path).sysmon())),
                ("Signed", V::B(pe.company != "?")),
                ("Signature", s(signature(pe.company))),
                ("SignatureStatus", s(if pe.company != "?" { "Valid" } else { "Unavailable" })),
            ]);
            (7, 3, "Image loaded (rule: ImageLoad)", "Image loaded:", d)
        }
    };
    let h = mix(record_id ^ 0x5157);
    // TimeCreated is when Sysmon wrote the record: a few ms after the event, seconds for network
    // and DNS events (OTRF: 2.2 s and 3.1 s), so it must not be used as the event time.
    let lag = if matches!(event_id, 3 | 22) { 300 + (h % 2700) as i64 } else { (h % 3) as i64 };
    Record {
        provider: &SYSMON,
        host: &ev.host,
        event_id,
        version,
        task: event_id,
        task_name,
        written_ms: ev.time_ms + lag,
        written_sub: ((h >> 20) % 10_000) as u32,
        record_id,
        message: message(header, &data),
        data,
    }
}

fn s(v: &str) -> V {
    V::S(v.to_string())
}

/// The leading fields every non-start event shares.
fn actor(utc: String, a: &ActorRef) -> Vec<(&'static str, V)> {
    let guid = if a.guid.is_empty() { ZERO_GUID } else { &a.guid };
    vec![
        ("RuleName", s("-")),
        ("UtcTime", V::S(utc)),
        ("ProcessGuid", s(guid)),
        ("ProcessId", V::N(a.pid as u64)),
        ("Image", s(&a.image)),
    ]
}

/// Signer name shown for a module's company.
fn signature(company: &str) -> &'static str {
    match company {
        "Microsoft Corporation" => "Microsoft Windows",
        "?" => "-",
        "Google LLC" => "Google LLC",
        _ => "Microsoft Corporation",
    }
}

/// `QueryResults`: `;`-terminated list, IPv4 as `::ffff:a.b.c.d`, IPv6 plain, CNAME as
/// `type:  5 target` (two spaces), `-` when empty.
fn query_results(answers: &[String]) -> String {
    if answers.is_empty() {
        return "-".to_string();
    }
    let mut out = String::new();
    for a in answers {
        match a.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => out.push_str("::ffff:"),
            Ok(std::net::IpAddr::V6(_)) => {}
            Err(_) => out.push_str("type:  5 "),
        }
        out.push_str(a);
        out.push(';');
    }
    out
}

/// The rendered `Message`: header line, then `Name: value` per field (hex upper-case, as Windows'
/// message formatter writes `%…!I64X!`-style values).
fn message(header: &str, data: &[(&'static str, V)]) -> String {
    let mut m = String::with_capacity(512);
    m.push_str(header);
    for (k, v) in data {
        m.push_str("\r\n");
        m.push_str(k);
        m.push_str(": ");
        match v {
            V::S(x) => m.push_str(x),
            V::N(n) => {
                let _ = write!(m, "{n}");
            }
            V::B(b) => {
                let _ = write!(m, "{b}");
            }
            V::H(h) => {
                let _ = write!(m, "0x{h:X}");
            }
        }
    }
    m
}
