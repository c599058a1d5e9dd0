//! CrowdStrike Falcon: Falcon Data Replicator NDJSON and LogScale (Humio)
//! exports, one event per line named by `event_simpleName`.
//!
//! The traps: `TargetProcessId` is the process's unique id (UPID), not
//! its pid; `ParentProcessId` is the *parent's UPID*, and `RawProcessId`
//! the OS pid. Activity names its process by `ContextProcessId`, also a
//! UPID. UPIDs are unique per sensor (`aid`), so a process id is
//! `cs:<aid>:<upid>`. Only the parent's file name is given
//! (`ParentBaseFileName`), never its command line. Every value is a
//! string; older exports add `*_decimal` twins of the ids. Images are
//! `\Device\HarddiskVolumeN\...` paths, kept as written (the volume's
//! drive letter is not in the event).

use super::fields::is_script_or_clr_module;
use super::paths::{first, id_text, path_row, read, source_id, time, F};
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};
use crate::names::EntityId;

path_row! {
    /// The fields read, by their FDR names.
    Row {
        name = "event_simpleName",
        aid = "aid",
        computer = "ComputerName",
        timestamp = "timestamp",
        context_time = "ContextTimeStamp",
        start_time = "ProcessStartTime",
        target = "TargetProcessId",
        target_dec = "TargetProcessId_decimal",
        parent = "ParentProcessId",
        parent_dec = "ParentProcessId_decimal",
        context = "ContextProcessId",
        context_dec = "ContextProcessId_decimal",
        raw_pid = "RawProcessId",
        raw_pid_dec = "RawProcessId_decimal",
        image = "ImageFileName",
        command_line = "CommandLine",
        original = "OriginalFilename",
        parent_name = "ParentBaseFileName",
        user = "UserName",
        domain = "UserDomain",
        remote4 = "RemoteAddressIP4",
        remote6 = "RemoteAddressIP6",
        remote_port = "RemotePort",
        local4 = "LocalAddressIP4",
        local6 = "LocalAddressIP6",
        local_port = "LocalPort",
        domain_name = "DomainName",
        target_file = "TargetFileName",
        file_path = "FilePath",
        file_name = "FileName",
    }
}

pub(crate) fn is_crowdstrike(raw: &super::raw::Raw) -> bool {
    raw.cs_simple_name.is_some()
}

pub(crate) fn decode(text: &str, index: u64) -> Result<Decoded, String> {
    let schema = Schema::CrowdStrike;
    let r: Row = read(text)?;
    let name = first(&[&r.name]).ok_or("missing field event_simpleName")?;
    enum What {
        Start,
        End,
        Connect(bool),
        Dns,
        File,
        Module,
    }
    let what = match name {
        "ProcessRollup2" | "SyntheticProcessRollup2" => What::Start,
        "EndOfProcess" | "TerminateProcess" => What::End,
        "NetworkConnectIP4" | "NetworkConnectIP6" => What::Connect(false),
        "NetworkReceiveAcceptIP4" | "NetworkReceiveAcceptIP6" => What::Connect(true),
        "DnsRequest" => What::Dns,
        "ImageHash" | "ClassifiedModuleLoad" => What::Module,
        // NewExecutableWritten, NewScriptWritten, PeFileWritten, the
        // `*FileWritten` family (ZipFileWritten, ...).
        n if n.starts_with("New") && n.ends_with("Written") || n.ends_with("FileWritten") => What::File,
        _ => return Ok(Decoded::Ignored(schema)),
    };
    let aid = first(&[&r.aid]).ok_or("missing field aid")?;
    let host = first(&[&r.computer, &r.aid]).unwrap_or(aid);
    let event_time = match time(&r.context_time, "ContextTimeStamp")? {
        Some(t) => Some(t),
        None => time(&r.timestamp, "timestamp")?,
    };
    let upid = |f: &F, dec: &F| id_text(f).or_else(|| id_text(dec)).map(|id| upid_of(aid, &id));
    let raw_pid = pid(&r.raw_pid, "RawProcessId")?.or(pid(&r.raw_pid_dec, "RawProcessId_decimal")?);
    let (kind, time) = match what {
        What::Start => {
            let id = upid(&r.target, &r.target_dec).ok_or("missing field TargetProcessId")?;
            let image = first(&[&r.image]).ok_or("missing field ImageFileName")?;
            let start = time(&r.start_time, "ProcessStartTime")?.or(event_time);
            let user = match (first(&[&r.domain]), first(&[&r.user])) {
                (Some(d), Some(u)) if !u.contains('\\') => Some(format!("{d}\\{u}").into()),
                (_, Some(u)) => Some(u.into()),
                _ => None,
            };
            let kind = Kind::ProcessStart(Box::new(ProcessStart {
                process: ProcessRef { pid: raw_pid, guid: Some(id) },
                image: image.into(),
                original_file_name: first(&[&r.original]).map(Into::into),
                command_line: first(&[&r.command_line]).map(Into::into),
                user,
                parent: Actor {
                    // The parent's UPID; its OS pid is not in the event.
                    process: ProcessRef { pid: None, guid: upid(&r.parent, &r.parent_dec) },
                    image: first(&[&r.parent_name]).map(Into::into),
                },
                parent_command_line: None,
            }));
            (kind, start)
        }
        What::End => {
            let id = upid(&r.target, &r.target_dec).ok_or("missing field TargetProcessId")?;
            (
                Kind::ProcessEnd(Actor {
                    process: ProcessRef { pid: raw_pid, guid: Some(id) },
                    image: first(&[&r.image]).map(Into::into),
                }),
                event_time,
            )
        }
        What::Connect(inbound) => {
            let remote =
                (first(&[&r.remote4, &r.remote6]).map(Into::into), super::fields::port(&r.remote_port, "RemotePort")?);
            let local =
                (first(&[&r.local4, &r.local6]).map(Into::into), super::fields::port(&r.local_port, "LocalPort")?);
            let ((dst_ip, dst_port), (src_ip, src_port)) = if inbound { (local, remote) } else { (remote, local) };
            let net = Network {
                dst_ip,
                dst_port,
                dst_host: None,
                src_ip,
                src_port,
                direction: if inbound { Direction::Inbound } else { Direction::Outbound },
            };
            (Kind::Activity { actor: actor(&r, aid)?, what: Activity::Network(Box::new(net)) }, event_time)
        }
        What::Dns => {
            let q = first(&[&r.domain_name]).ok_or("missing field DomainName")?;
            (Kind::Activity { actor: actor(&r, aid)?, what: Activity::Dns { query: q.into() } }, event_time)
        }
        What::File => {
            let path = match (first(&[&r.target_file]), first(&[&r.file_path]), first(&[&r.file_name])) {
                (Some(t), _, _) => t.to_string(),
                (None, Some(dir), Some(n)) => format!("{}\\{n}", dir.trim_end_matches('\\')),
                (None, Some(p), None) | (None, None, Some(p)) => p.to_string(),
                (None, None, None) => return Err("missing field TargetFileName".into()),
            };
            (Kind::Activity { actor: actor(&r, aid)?, what: Activity::FileCreate { path: path.into() } }, event_time)
        }
        What::Module => {
            let path = first(&[&r.image]).ok_or("missing field ImageFileName")?;
            if !is_script_or_clr_module(path) {
                return Ok(Decoded::Ignored(schema));
            }
            (Kind::Activity { actor: actor(&r, aid)?, what: Activity::ImageLoad { path: path.into() } }, event_time)
        }
    };
    let time = time.ok_or("missing field timestamp (the event time)")?;
    Ok(Decoded::Event(Event::utc(index, host, time, schema, kind)))
}

/// A UPID as a process id: numbers and decimal strings alike.
fn upid_of(aid: &str, upid: &str) -> EntityId {
    source_id("cs", &format!("{aid}:{upid}"))
}

fn pid(field: &F, name: &str) -> Result<Option<u32>, String> {
    super::fields::pid(field, name)
}

/// The process activity is done by: `ContextProcessId`, a UPID.
fn actor(r: &Row, aid: &str) -> Result<Actor, String> {
    let id = id_text(&r.context).or_else(|| id_text(&r.context_dec)).ok_or(super::UNATTRIBUTABLE)?;
    Ok(Actor { process: ProcessRef { pid: None, guid: Some(upid_of(aid, &id)) }, image: None })
}
