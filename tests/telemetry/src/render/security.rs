//! Windows Security auditing: 4688 v2 (process creation), 4689 (process exit) and 5156 (WFP permitted
//! connection) EventData and messages. The Security log has no process GUID, DNS, file-create or
//! image-load event, so those kinds have no record here (`None`).
//!
//! Spellings that differ from Sysmon on purpose: 4688/4689 pids are hex strings (`"0x898"`), 5156's
//! `ProcessID` is decimal, its `Application` is a lower-case `\device\harddiskvolumeN\…` path, its
//! ports are strings even in typed evtx JSON, and its Source is the initiator.

use super::enrich;
use super::shape::{Record, SECURITY, V};
use crate::model::{Event, Kind};
use crate::rng::mix;

/// An account as the Security log names it.
struct Account {
    sid: String,
    name: String,
    domain: String,
    logon_id: u64,
}

/// `None` for kinds the Security log cannot express.
pub fn record(ev: &Event, record_id: u64) -> Option<Record<'_>> {
    let machine = Account {
        sid: "S-1-5-18".into(),
        name: format!("{}$", enrich::short_host(&ev.host)),
        domain: enrich::netbios_domain(&ev.host),
        logon_id: 0x3e7,
    };
    let (event_id, version, task, task_name, data, message) = match &ev.kind {
        Kind::ProcessStart(p) => {
            let (domain, name) = enrich::split_user(&p.user);
            let runs_as = Account {
                sid: enrich::user_sid(&p.user),
                name: name.to_string(),
                domain: domain.to_string(),
                logon_id: enrich::logon_id(&ev.host, &p.user),
            };
            // A process created from another account's token names the creator in Subject and
            // the new process's account in Target (v2); SYSTEM shows as the machine account.
            let creator = enrich::creator_account(p.parent.as_ref().map(|x| x.image.as_str()), &p.user);
            let (subject, target) = if creator != p.user {
                (machine, Some(runs_as))
            } else if runs_as.sid == "S-1-5-18" {
                (machine, None)
            } else {
                (runs_as, None)
            };
            let integrity = enrich::integrity(&p.user);
            let (elevation, label) = match integrity {
                "System" => ("%%1936", "S-1-16-16384"),
                "High" => ("%%1937", "S-1-16-12288"),
                _ => ("%%1938", "S-1-16-8192"),
            };
            let (t_sid, t_name, t_domain, t_logon) = match &target {
                Some(t) => (t.sid.clone(), t.name.clone(), t.domain.clone(), t.logon_id),
                None => ("S-1-0-0".to_string(), "-".to_string(), "-".to_string(), 0),
            };
            let mut d = subject_fields(&subject);
            d.extend([
                ("NewProcessId", V::H(p.pid as u64)),
                ("NewProcessName", V::S(p.image.clone())),
                ("TokenElevationType", V::S(elevation.into())),
            ]);
            // Without a parent (test scenarios only) the creator fields are left out.
            if let Some(par) = &p.parent {
                d.push(("ProcessId", V::H(par.pid as u64)));
            }
            d.extend([
                ("CommandLine", V::S(p.command_line.clone())),
                ("TargetUserSid", V::S(t_sid.clone())),
                ("TargetUserName", V::S(t_name.clone())),
                ("TargetDomainName", V::S(t_domain.clone())),
                ("TargetLogonId", V::H(t_logon)),
            ]);
            if let Some(par) = &p.parent {
                d.push(("ParentProcessName", V::S(par.image.clone())));
            }
            d.push(("MandatoryLabel", V::S(label.into())));
            let (ppid, pimage) = p.parent.as_ref().map(|x| (x.pid, x.image.as_str())).unwrap_or((0, "-"));
            let msg = format!(
                "A new process has been created.\r\n\r\nCreator Subject:\r\n{}\r\nTarget Subject:\r\n\tSecurity ID:\t\t{t_sid}\r\n\tAccount Name:\t\t{t_name}\r\n\tAccount Domain:\t\t{t_domain}\r\n\tLogon ID:\t\t0x{t_logon:X}\r\n\r\nProcess Information:\r\n\tNew Process ID:\t\t0x{:x}\r\n\tNew Process Name:\t{}\r\n\tToken Elevation Type:\t{elevation}\r\n\tMandatory Label:\t\t{label}\r\n\tCreator Process ID:\t0x{ppid:x}\r\n\tCreator Process Name:\t{pimage}\r\n\tProcess Command Line:\t{}\r\n\r\n{}",
                subject_message(&subject),
                p.pid,
                p.image,
                p.command_line,
                TOKEN_TEXT
            );
            (4688, 2, 13312, "Process Creation", d, msg)
        }
        Kind::ProcessEnd(a) => {
            let mut d = subject_fields(&machine);
            d.extend([("Status", V::H(0)), ("ProcessId", V::H(a.pid as u64)), ("ProcessName", V::S(a.image.clone()))]);
            let msg = format!(
                "A process has exited.\r\n\r\nSubject:\r\n{}\r\nProcess Information:\r\n\tProcess ID:\t0x{:x}\r\n\tProcess Name:\t{}\r\n\tExit Status:\t0x0",
                subject_message(&machine),
                a.pid,
                a.image
            );
            (4689, 0, 13313, "Process Termination", d, msg)
        }
        Kind::Network { actor, src_ip, src_port, dst_ip, dst_port, outbound, protocol, .. } => {
            let application = if actor.image.eq_ignore_ascii_case("System") {
                "System".to_string()
            } else {
                enrich::device_path(&actor.image)
            };
            // Observed: Source = initiator (the doc says local); swap for inbound.
            let (from, to) = if *outbound {
                ((src_ip, *src_port), (dst_ip, *dst_port))
            } else {
                ((dst_ip, *dst_port), (src_ip, *src_port))
            };
            let proto: u64 = if protocol.eq_ignore_ascii_case("udp") { 17 } else { 6 };
            let (direction, direction_text, layer, layer_text, layer_rtid) = if *outbound {
                ("%%14593", "Outbound", "%%14611", "Connect", 48)
            } else {
                ("%%14592", "Inbound", "%%14610", "Receive/Accept", 44)
            };
            let filter_rtid = 65_000 + mix(record_id ^ 0x5156) % 6000;
            let d = vec![
                ("ProcessID", V::N(actor.pid as u64)),
                ("Application", V::S(application.clone())),
                ("Direction", V::S(direction.into())),
                ("SourceAddress", V::S(from.0.clone())),
                ("SourcePort", V::S(from.1.to_string())),
                ("DestAddress", V::S(to.0.clone())),
                ("DestPort", V::S(to.1.to_string())),
                ("Protocol", V::N(proto)),
                ("FilterRTID", V::N(filter_rtid)),
                ("LayerName", V::S(layer.into())),
                ("LayerRTID", V::N(layer_rtid)),
                ("RemoteUserID", V::S("S-1-0-0".into())),
                ("RemoteMachineID", V::S("S-1-0-0".into())),
            ];
            let msg = format!(
                "The Windows Filtering Platform has permitted a connection.\r\n\r\nApplication Information:\r\n\tProcess ID:\t\t{}\r\n\tApplication Name:\t{application}\r\n\r\nNetwork Information:\r\n\tDirection:\t\t{direction_text}\r\n\tSource Address:\t\t{}\r\n\tSource Port:\t\t{}\r\n\tDestination Address:\t{}\r\n\tDestination Port:\t\t{}\r\n\tProtocol:\t\t{proto}\r\n\r\nFilter Information:\r\n\tFilter Run-Time ID:\t{filter_rtid}\r\n\tLayer Name:\t\t{layer_text}\r\n\tLayer Run-Time ID:\t{layer_rtid}",
                actor.pid, from.0, from.1, to.0, to.1
            );
            (5156, 1, 12810, "Filtering Platform Connection", d, msg)
        }
        Kind::Dns { .. } | Kind::FileCreate { .. } | Kind::ImageLoad { .. } => return None,
    };
    Some(Record {
        provider: &SECURITY,
        host: &ev.host,
        event_id,
        version,
        task,
        task_name,
        // The Security log's only clock: exact event time (a flat export may still shift it).
        written_ms: ev.time_ms,
        written_sub: (mix(record_id ^ 0x4688) % 10_000) as u32,
        record_id,
        message,
        data,
    })
}

fn subject_fields(a: &Account) -> Vec<(&'static str, V)> {
    vec![
        ("SubjectUserSid", V::S(a.sid.clone())),
        ("SubjectUserName", V::S(a.name.clone())),
        ("SubjectDomainName", V::S(a.domain.clone())),
        ("SubjectLogonId", V::H(a.logon_id)),
    ]
}

fn subject_message(a: &Account) -> String {
    format!(
        "\tSecurity ID:\t\t{}\r\n\tAccount Name:\t\t{}\r\n\tAccount Domain:\t\t{}\r\n\tLogon ID:\t\t0x{:X}\r\n",
        a.sid, a.name, a.domain, a.logon_id
    )
}

/// The fixed explanation Windows appends to every 4688 message (from the real OTRF records).
const TOKEN_TEXT: &str = "Token Elevation Type indicates the type of token that was assigned to the new process in accordance with User Account Control policy.\r\n\r\nType 1 is a full token with no privileges removed or groups disabled.  A full token is only used if User Account Control is disabled or if the user is the built-in Administrator account or a service account.\r\n\r\nType 2 is an elevated token with no privileges removed or groups disabled.  An elevated token is used when User Account Control is enabled and the user chooses to start the program using Run as administrator.  An elevated token is also used when an application is configured to always require administrative privilege or to always require maximum privilege, and the user is a member of the Administrators group.\r\n\r\nType 3 is a limited token with administrative privileges removed and administrative groups disabled.  The limited token is used when User Account Control is enabled, the application does not require administrative privilege, and the user does not choose to start the program using Run as administrator.";
