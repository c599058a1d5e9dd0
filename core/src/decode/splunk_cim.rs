//! Splunk CIM rows as exported from the Endpoint (`Processes`,
//! `Filesystem`) and Network (`All_Traffic`, `Network_Resolution`/`DNS`)
//! data models: with the data-model prefixes (`Processes.process`) and
//! without them (`| drop_dm_object_name`). Either spelling lands in the
//! same field.
//!
//! The traps: `process` is the *command line*, `process_path` the image
//! and `process_name` its file name; `parent_process` is the parent's
//! command line. `process_guid` is there only when the sensor behind the
//! row had one (Sysmon's, normalised as Sysmon GUIDs so that the row and
//! the Sysmon event are one process); network rows carry `process_id` but
//! usually no GUID, so they attach by pid and time. The reporting host is
//! `dest` in the Endpoint models and `dvc` (else `src`) in the Network
//! models. `_time` is RFC 3339 with an offset, or epoch seconds.

use super::fields::{guid, pid, port};
use super::paths::{first, path_row, read, time, F};
use super::raw::Raw;
use super::Decoded;
use crate::event::{Activity, Actor, Direction, Event, Kind, Network, ProcessRef, ProcessStart, Schema};

path_row! {
    Row {
        time = "_time",
        dest = "Processes.dest" | "Filesystem.dest" | "All_Traffic.dest" | "Network_Resolution.dest" | "DNS.dest" | "dest",
        dvc = "All_Traffic.dvc" | "Network_Resolution.dvc" | "DNS.dvc" | "dvc",
        src = "All_Traffic.src" | "Network_Resolution.src" | "DNS.src" | "src",
        process = "Processes.process" | "process",
        process_path = "Processes.process_path" | "Filesystem.process_path" | "All_Traffic.process_path" | "process_path",
        process_name = "Processes.process_name" | "Filesystem.process_name" | "All_Traffic.process_name" | "process_name",
        process_id = "Processes.process_id"
            | "Filesystem.process_id"
            | "All_Traffic.process_id"
            | "Network_Resolution.process_id"
            | "DNS.process_id"
            | "process_id",
        process_guid = "Processes.process_guid"
            | "Filesystem.process_guid"
            | "All_Traffic.process_guid"
            | "Network_Resolution.process_guid"
            | "DNS.process_guid"
            | "process_guid",
        original = "Processes.original_file_name" | "original_file_name",
        user = "Processes.user" | "user",
        parent_process = "Processes.parent_process" | "parent_process",
        parent_id = "Processes.parent_process_id" | "parent_process_id",
        parent_path = "Processes.parent_process_path" | "parent_process_path",
        parent_name = "Processes.parent_process_name" | "parent_process_name",
        parent_guid = "Processes.parent_process_guid" | "parent_process_guid",
        file_path = "Filesystem.file_path" | "file_path",
        file_name = "Filesystem.file_name" | "file_name",
        action = "Filesystem.action" | "All_Traffic.action" | "Processes.action" | "action",
        dest_ip = "All_Traffic.dest_ip" | "dest_ip",
        dest_port = "All_Traffic.dest_port" | "dest_port",
        src_ip = "All_Traffic.src_ip" | "src_ip",
        src_port = "All_Traffic.src_port" | "src_port",
        direction = "All_Traffic.direction" | "direction",
        query = "Network_Resolution.query" | "DNS.query" | "query",
    }
}

/// Any data-model-prefixed key; without prefixes, `dest` or `_time` with
/// a key of the Endpoint or Network models.
pub(crate) fn is_cim(raw: &Raw) -> bool {
    raw.cim_prefixed.is_some()
        || (raw.cim_dest.is_some() || raw.cim_time.is_some())
            && (raw.cim_process_path.is_some()
                || raw.cim_parent_process.is_some()
                || raw.cim_file_path.is_some()
                || raw.cim_dest_port.is_some()
                || raw.cim_dest_ip.is_some()
                || raw.query.is_some())
}

pub(crate) fn decode(text: &str, index: u64) -> Result<Decoded, String> {
    let schema = Schema::SplunkCim;
    let r: Row = read(text)?;
    let time = time(&r.time, "_time")?.ok_or("missing field _time")?;
    let endpoint_host = || first(&[&r.dest, &r.dvc]).ok_or("missing field dest (the host)");
    let network_host = || first(&[&r.dvc, &r.src, &r.dest]).ok_or("missing field dvc (the host)");
    let (host, kind) = if r.file_path.is_some() || r.file_name.is_some() {
        // Creations only (no action means the model's default, created).
        if first(&[&r.action]).is_some_and(|a| !a.eq_ignore_ascii_case("created")) {
            return Ok(Decoded::Ignored(schema));
        }
        let path = match (first(&[&r.file_path]), first(&[&r.file_name])) {
            (Some(p), Some(n)) if !crate::names::basename(p).eq_ignore_ascii_case(n) => {
                format!("{}\\{n}", p.trim_end_matches('\\'))
            }
            (Some(p), _) => p.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => return Err("missing field file_path".into()),
        };
        (endpoint_host()?, Kind::Activity { actor: actor(&r)?, what: Activity::FileCreate { path: path.into() } })
    } else if r.query.is_some() {
        let q = first(&[&r.query]).ok_or("missing field query")?;
        (network_host()?, Kind::Activity { actor: actor(&r)?, what: Activity::Dns { query: q.into() } })
    } else if r.dest_port.is_some() || r.dest_ip.is_some() {
        let direction = match first(&[&r.direction]) {
            Some(d) if d.eq_ignore_ascii_case("outbound") => Direction::Outbound,
            Some(d) if d.eq_ignore_ascii_case("inbound") => Direction::Inbound,
            _ => Direction::Unknown,
        };
        let net = Network {
            dst_ip: first(&[&r.dest_ip]).map(Into::into),
            dst_port: port(&r.dest_port, "dest_port")?,
            dst_host: None,
            src_ip: first(&[&r.src_ip]).map(Into::into),
            src_port: port(&r.src_port, "src_port")?,
            direction,
        };
        // An outbound row's `src` is this host; an inbound row's is the peer.
        let host = if direction == Direction::Inbound {
            first(&[&r.dvc, &r.dest]).ok_or("missing field dvc (the host)")?
        } else {
            network_host()?
        };
        (host, Kind::Activity { actor: actor(&r)?, what: Activity::Network(Box::new(net)) })
    } else if r.process.is_some() || r.process_path.is_some() || r.process_name.is_some() {
        let p = pid(&r.process_id, "process_id")?;
        let id = guid(&r.process_guid);
        if p.is_none() && id.is_none() {
            return Err("missing field process_id".into());
        }
        let image = first(&[&r.process_path, &r.process_name]).ok_or("missing field process_path")?;
        let parent = Actor {
            process: ProcessRef { pid: pid(&r.parent_id, "parent_process_id")?, guid: guid(&r.parent_guid) },
            image: first(&[&r.parent_path, &r.parent_name]).map(Into::into),
        };
        let kind = Kind::ProcessStart(Box::new(ProcessStart {
            process: ProcessRef { pid: p, guid: id },
            image: image.into(),
            original_file_name: first(&[&r.original]).map(Into::into),
            command_line: first(&[&r.process]).map(Into::into),
            user: first(&[&r.user]).map(Into::into),
            parent,
            parent_command_line: first(&[&r.parent_process]).map(Into::into),
        }));
        (endpoint_host()?, kind)
    } else {
        return Ok(Decoded::Ignored(schema));
    };
    Ok(Decoded::Event(Event::utc(index, host, time, schema, kind)))
}

/// The acting process: `process_id`, `process_guid` when the sensor had one.
fn actor(r: &Row) -> Result<Actor, String> {
    let p = pid(&r.process_id, "process_id")?;
    let id = guid(&r.process_guid);
    if p.is_none() && id.is_none() {
        return Err(super::UNATTRIBUTABLE.into());
    }
    Ok(Actor { process: ProcessRef { pid: p, guid: id }, image: image(&r.process_path, &r.process_name) })
}

fn image(path: &F, name: &F) -> Option<Box<str>> {
    first(&[path, name]).map(Into::into)
}
